// Small DOM and formatting helpers shared by the pages.

/** h('tag.class#id', {attrs}, ...children): builds an element; strings become text nodes. */
export function h(spec, attrs = {}, ...children) {
  const [, tag = 'div', rest = ''] = spec.match(/^([a-z0-9-]*)(.*)$/i);
  const el = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const STATUSES = ['pending', 'running', 'completed', 'failed', 'killed', 'timed_out', 'lost'];
export const FINAL = new Set(['completed', 'failed', 'killed', 'timed_out', 'lost']);

export function statusBadge(status) {
  return h(`span.badge.st-${status || 'unknown'}`, { 'data-status': status }, (status || '?').replace('_', ' '));
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return sameDay ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** Duration of a run, counting up while it runs. */
export function runDuration(run) {
  if (run.duration_ms !== null && run.duration_ms !== undefined && FINAL.has(run.status)) return run.duration_ms;
  if (run.started_at && !FINAL.has(run.status)) return Date.now() - Date.parse(run.started_at);
  return run.duration_ms;
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function progressBar(progress, status) {
  const p = Math.max(0, Math.min(100, Number(progress) || 0));
  const shown = status === 'completed' ? 100 : p;
  return h('div.progress', { role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': shown, title: `${shown}%` },
    h(`div.progress-fill.st-${status}`, { style: `width:${shown}%` }));
}

/** Shows an ApiError (or any error) in a message box; per-field errors go next to their inputs. */
export function showError(box, error, form) {
  clear(box);
  box.hidden = false;
  box.className = 'msg msg-error';
  box.setAttribute('role', 'alert');
  box.append(h('strong', {}, error.problem?.title || 'Error'), ' ', error.message);
  if (form) {
    form.querySelectorAll('.field-error').forEach((e) => e.remove());
    form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  }
  const unplaced = [];
  for (const fe of error.errors || []) {
    const input = form?.querySelector(`[name="${CSS.escape(fe.field)}"]`) ||
      form?.querySelector(`[data-field="${CSS.escape(fe.field)}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.insertAdjacentElement('afterend', h('div.field-error', {}, fe.message));
    } else {
      unplaced.push(fe);
    }
  }
  if (unplaced.length) box.append(h('ul', {}, unplaced.map((fe) => h('li', {}, h('code', {}, fe.field), ': ', fe.message))));
}

export function showInfo(box, ...content) {
  clear(box, ...content);
  box.hidden = false;
  box.className = 'msg msg-info';
  box.setAttribute('role', 'status');
}

export function hideMsg(box) {
  box.hidden = true;
  clear(box);
}

/** A label wrapping a control, so every input has an accessible name. */
export function field(label, control, hint) {
  return h('label.field', {}, h('span.field-label', {}, label), control, hint ? h('span.hint', {}, hint) : null);
}

/** Strips ANSI escape sequences (CSI, OSC and single-char escapes). */
export function stripAnsi(s) {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '');
}

/** ISO string from a <input type="datetime-local"> value (local time), or ''. */
export function localToIso(value) {
  return value ? new Date(value).toISOString() : '';
}
