// The runs table used by the dashboard and the history page: one row per run, updated in place.

import { h, clear, statusBadge, fmtTime, fmtDuration, runDuration, progressBar, FINAL } from './dom.js';
import { runLabel } from './catalog.js';
import { api } from './api.js';
import { can } from './session.js';

/**
 * The pin of a run: a toggle for operators, an icon for others when pinned. {@code onChange} gets the
 * run as the server answered.
 */
export function pinToggle(run, onChange, onError) {
  const label = run.pinned ? 'Unpin run (cleanups may delete it again)' : 'Pin run (no cleanup deletes it)';
  if (!can('operator')) {
    return run.pinned ? h('span.pin.pinned', { title: 'Pinned: no cleanup deletes it', role: 'img', 'aria-label': 'Pinned' }, '📌') : null;
  }
  return h(`button.pin${run.pinned ? '.pinned' : ''}`, {
    type: 'button', title: label, 'aria-label': label, 'aria-pressed': String(!!run.pinned), dataset: { pin: run.id },
    onclick: async () => {
      try {
        onChange(await api.pinRun(run.id, !run.pinned));
      } catch (error) { if (onError) onError(error); }
    },
  }, '📌');
}

export class RunTable {
  constructor({ scripts, actions } = {}) {
    this.scripts = scripts || new Map();
    this.actions = actions; // optional (run) => [elements]
    this.rows = new Map();
    this.body = h('tbody');
    this.empty = h('tr.empty', {}, h('td', { colspan: 9 }, 'No runs yet.'));
    this.body.append(this.empty);
    this.el = h('div.table-wrap', {},
      h('table.runs', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Script / command'),
          h('th', { scope: 'col' }, 'Trigger'), h('th', { scope: 'col' }, 'By'), h('th', { scope: 'col' }, 'Started'),
          h('th', { scope: 'col' }, 'Duration'), h('th', { scope: 'col' }, 'Progress'),
          h('th', { scope: 'col', class: 'num' }, 'Exit'), h('th', { scope: 'col' }, h('span.sr-only', {}, 'Actions')))),
        this.body));
    // running durations count up once a second (local clock, not a server poll)
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  setRuns(runs) {
    this.rows.clear();
    clear(this.body);
    for (const run of runs) {
      const tr = this.row(run);
      this.rows.set(run.id, { run, tr });
      this.body.append(tr);
    }
    this.updateEmpty();
  }

  /** Inserts or updates a run; new runs go on top. Returns false when it was not shown. */
  upsert(run, { insert = true, limit = 200, exact = false } = {}) {
    const existing = this.rows.get(run.id);
    // live status events are made by the run path, which does not track pins: keep the one shown
    if (existing && !exact) run = { ...run, pinned: !!existing.run.pinned };
    if (existing) {
      const tr = this.row(run);
      existing.tr.replaceWith(tr);
      this.rows.set(run.id, { run, tr });
      return true;
    }
    if (!insert) return false;
    const tr = this.row(run);
    tr.classList.add('flash');
    this.rows.set(run.id, { run, tr });
    this.body.prepend(tr);
    while (this.rows.size > limit) {
      const last = this.body.lastElementChild;
      this.rows.delete(last.dataset.runId);
      last.remove();
    }
    this.updateEmpty();
    return true;
  }

  remove(id) {
    const existing = this.rows.get(id);
    if (!existing) return;
    existing.tr.remove();
    this.rows.delete(id);
    this.updateEmpty();
  }

  updateEmpty() {
    if (this.rows.size === 0) this.body.append(this.empty);
    else this.empty.remove();
  }

  row(run) {
    const label = runLabel(run, this.scripts);
    return h('tr', { dataset: { runId: run.id, status: run.status } },
      h('td', {}, statusBadge(run.status)),
      h('td.label', {}, pinToggle(run, (next) => this.upsert(next, { insert: false, exact: true })),
        h('a', { href: `#/runs/${run.id}`, title: run.command || label }, run.script_id ? label : h('code', {}, label))),
      h('td', {}, h('span.tag', {}, run.trigger || '—')),
      h('td.by', { title: run.created_by ? `started by ${run.created_by}` : 'started by scriptd (cron, chain, retry) or a public endpoint' }, run.created_by || '—'),
      h('td.when', { title: run.started_at || run.created_at || '' }, fmtTime(run.started_at || run.created_at)),
      h('td.dur', {}, fmtDuration(runDuration(run))),
      h('td', {}, Number(run.progress) > 0 ? progressBar(run.progress, run.status) : null), // only runs that report it
      h('td.num', {}, run.exit_code ?? '—'),
      h('td.actions', {}, this.actions ? this.actions(run) : null));
  }

  tick() {
    for (const { run, tr } of this.rows.values()) {
      if (!FINAL.has(run.status) && run.started_at) tr.querySelector('.dur').textContent = fmtDuration(runDuration(run));
    }
  }

  destroy() {
    clearInterval(this.ticker);
  }
}
