// Search across stored log lines (GET /api/search): a box, hits with the match highlighted, each
// a link to the run view at that line.

import { api } from './api.js';
import { h, clear, fmtTime, showError, hideMsg, stripAnsi } from './dom.js';

/** The hit's line without escapes, the first match of text wrapped in <mark>. */
export function highlighted(line, text) {
  const plain = stripAnsi(line);
  const at = plain.toLowerCase().indexOf(text.toLowerCase());
  if (at < 0) return [plain];
  return [plain.slice(0, at), h('mark', {}, plain.slice(at, at + text.length)), plain.slice(at + text.length)];
}

/** A search form; filters() gives the run-list filters to search within (script_id, status, from, to). */
export function searchBox(filters, { label = 'Search all logs' } = {}) {
  const input = h('input', { type: 'search', name: 'q', id: 'logsearch-q', minlength: 3, maxlength: 1000, required: true, placeholder: 'text in any stored line (3+ characters)', 'aria-label': label });
  const msg = h('div.msg', { hidden: true });
  const results = h('ol.search-hits', { id: 'logsearch-results', 'aria-live': 'polite' });
  const more = h('button.btn', { type: 'button', id: 'logsearch-more', hidden: true }, 'More results');
  const status = h('span.muted', { id: 'logsearch-status' });
  let cursor = null;
  let text = '';
  let count = 0;

  async function load() {
    try {
      const page = await api.search({ q: text, ...filters(), limit: 50, cursor });
      for (const hit of page.items || []) {
        const href = `#/runs/${encodeURIComponent(hit.run_id)}?seq=${hit.seq}&q=${encodeURIComponent(text)}`;
        results.append(h('li.search-hit', { dataset: { run: hit.run_id, seq: String(hit.seq) } },
          h('a', { href },
            h('span.search-meta.muted', {}, `${fmtTime(hit.ts)} · run ${hit.run_id.slice(0, 8)} · line ${hit.seq}${hit.stream === 'stderr' ? ' · stderr' : ''}`),
            h('code.search-line', {}, highlighted(hit.line, text)))));
      }
      count += (page.items || []).length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = count ? `${count.toLocaleString()} line${count === 1 ? '' : 's'}${cursor ? ' so far' : ''}` : 'no stored line contains this text';
      hideMsg(msg);
    } catch (error) {
      showError(msg, error, form);
    }
  }

  const form = h('form.card.logsearch', {
    role: 'search',
    'aria-label': label,
    onsubmit: (e) => {
      e.preventDefault();
      text = input.value;
      cursor = null;
      count = 0;
      clear(results);
      status.textContent = 'searching…';
      load();
    },
  }, h('div.row', {}, input, h('button.btn.btn-primary', { type: 'submit', id: 'logsearch-go' }, 'Search logs'), status), msg, results, more);
  more.addEventListener('click', () => { if (cursor) load(); });
  return form;
}
