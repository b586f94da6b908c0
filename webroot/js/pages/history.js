// History: filtered, paginated runs with stats cards, delete, and the cleanup status (admins run it).

import { api } from '../api.js';
import { h, clear, STATUSES, FINAL, showError, hideMsg, showInfo, field, fmtDuration, fmtTime, fmtBytes, localToIso } from '../dom.js';
import { can } from '../session.js';
import { scriptsById } from '../catalog.js';
import { RunTable } from '../runtable.js';
import { searchBox } from '../search.js';

export function historyPage(el) {
  const msg = h('div.msg', { hidden: true });
  const f = {
    script: h('select', { name: 'script_id', id: 'h-script' }, h('option', { value: '' }, 'All scripts')),
    status: h('select', { name: 'status', id: 'h-status' }, h('option', { value: '' }, 'All statuses'), STATUSES.map((s) => h('option', { value: s }, s.replace('_', ' ')))),
    from: h('input', { type: 'datetime-local', name: 'from', id: 'h-from' }),
    to: h('input', { type: 'datetime-local', name: 'to', id: 'h-to' }),
  };
  const stats = h('div.stats', { id: 'stats', 'aria-live': 'polite' });
  const table = new RunTable({ actions: (run) => (can('admin') && FINAL.has(run.status) && !run.pinned ? h('button.btn.btn-sm.btn-ghost', { type: 'button', 'aria-label': `Delete run ${run.id}`, onclick: () => remove(run) }, 'Delete') : null) });
  const prevBtn = h('button.btn', { type: 'button', id: 'h-prev', disabled: true }, '← Newer');
  const nextBtn = h('button.btn', { type: 'button', id: 'h-next', disabled: true }, 'Next page →');
  const pageInfo = h('span.muted');
  const cleanup = h('div.card.cleanup', { id: 'cleanup' });

  const filterForm = h('form.filters.card', { 'aria-label': 'Filters' },
    field('Script', f.script), field('Status', f.status), field('From', f.from), field('To', f.to),
    h('div.filter-actions', {}, h('button.btn.btn-primary', { type: 'submit' }, 'Apply'), h('button.btn.btn-ghost', { type: 'reset' }, 'Reset')));

  el.append(h('section.page', {},
    h('div.page-head', {}, h('h1', {}, 'History')),
    filterForm, searchBox(() => filters(), { label: 'Search the logs of the runs filtered above' }), stats, msg,
    h('div.card', {}, table.el, h('div.pager', {}, prevBtn, pageInfo, nextBtn)),
    cleanup));

  let cursors = [null]; // cursor of each page seen, for "newer"
  let pageNo = 0;
  let nextCursor = null;

  function filters() {
    return { script_id: f.script.value, status: f.status.value, from: localToIso(f.from.value), to: localToIso(f.to.value) };
  }

  async function loadPage() {
    try {
      const page = await api.runs({ ...filters(), limit: 50, cursor: cursors[pageNo] });
      table.setRuns(page.items || []);
      nextCursor = page.next_cursor;
      nextBtn.disabled = !nextCursor;
      prevBtn.disabled = pageNo === 0;
      pageInfo.textContent = `page ${pageNo + 1}`;
      hideMsg(msg);
    } catch (error) {
      showError(msg, error, filterForm);
    }
  }

  async function loadStats() {
    try {
      const s = await api.stats(filters());
      const card = (label, value, cls) => h(`div.stat${cls ? `.${cls}` : ''}`, { dataset: { stat: label.split(' ')[0].toLowerCase() } }, h('div.stat-value', {}, value), h('div.stat-label', {}, label));
      clear(stats,
        card('Total', (s.total ?? 0).toLocaleString()),
        card('Completed', (s.completed ?? 0).toLocaleString(), 'st-completed'),
        card('Failed', (s.failed ?? 0).toLocaleString(), 'st-failed'),
        card('Running', (s.running ?? 0).toLocaleString(), 'st-running'),
        card('Killed / timed out', `${s.killed ?? 0} / ${s.timed_out ?? 0}`, 'st-killed'),
        card('Average duration', fmtDuration(s.average_duration_ms == null ? null : Math.round(s.average_duration_ms))));
    } catch (error) {
      clear(stats, h('p.muted', {}, `Stats: ${error.message}`));
    }
  }

  async function loadCleanup() {
    try {
      const c = await api.cleanupStatus();
      const days = h('input', { type: 'number', min: 1, max: 36500, value: 30, id: 'cleanup-days', name: 'days' });
      const cmsg = h('div.msg', { hidden: true });
      const last = c.last_run_stats || {};
      clear(cleanup,
        h('h2', {}, 'Cleanup'),
        h('dl.kv', {},
          h('dt', {}, 'Last run'), h('dd', {}, fmtTime(c.last_run_at)),
          h('dt', {}, 'Next run'), h('dd', {}, fmtTime(c.next_run_at)),
          h('dt', {}, 'Running now'), h('dd', {}, c.is_running ? 'yes' : 'no'),
          h('dt', {}, 'Last run removed'), h('dd', {}, `${last.deleted_runs ?? 0} runs, ${fmtBytes(last.freed_bytes ?? 0)} in ${fmtDuration(last.duration_ms ?? 0)}`),
          h('dt', {}, 'In total'), h('dd', {}, `${c.total_deleted_runs ?? 0} runs, ${fmtBytes(c.total_freed_bytes ?? 0)}`)),
        can('admin') ? h('form.row.cleanup-form', {
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              const r = await api.cleanup(Number(days.value));
              showInfo(cmsg, `Removed ${r.deleted_runs ?? 0} runs (${fmtBytes(r.freed_bytes ?? 0)}).`);
              loadPage(); loadStats();
              setTimeout(loadCleanup, 1500);
            } catch (error) { showError(cmsg, error, e.target); }
          },
        }, field('Delete finished runs older than (days)', days), h('button.btn.btn-danger', { type: 'submit', id: 'cleanup-run' }, 'Clean up now')) : null,
        cmsg);
    } catch (error) {
      clear(cleanup, h('h2', {}, 'Cleanup'), h('p.muted', {}, error.message));
    }
  }

  async function remove(run) {
    if (!confirm('Delete this run and its log?')) return;
    try {
      await api.deleteRun(run.id);
      table.remove(run.id);
      loadStats();
    } catch (error) { showError(msg, error); }
  }

  filterForm.addEventListener('submit', (e) => { e.preventDefault(); cursors = [null]; pageNo = 0; loadPage(); loadStats(); });
  filterForm.addEventListener('reset', () => setTimeout(() => filterForm.requestSubmit(), 0));
  nextBtn.addEventListener('click', () => { if (!nextCursor) return; cursors[pageNo + 1] = nextCursor; pageNo++; loadPage(); });
  prevBtn.addEventListener('click', () => { if (pageNo === 0) return; pageNo--; loadPage(); });

  scriptsById().then((scripts) => {
    table.scripts = scripts;
    for (const s of [...scripts.values()].sort((a, b) => a.name.localeCompare(b.name))) f.script.append(h('option', { value: s.id }, s.name));
    loadPage();
  });
  loadStats();
  loadCleanup();
  return { destroy: () => table.destroy() };
}
