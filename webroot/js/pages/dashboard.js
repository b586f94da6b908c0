// Dashboard: the newest runs, live from /api/events, with filters and a "New run" box.

import { api } from '../api.js';
import { h, clear, STATUSES, showError, hideMsg, field } from '../dom.js';
import { onRun } from '../events.js';
import { navigate } from '../router.js';
import { can } from '../session.js';
import { scriptsById } from '../catalog.js';
import { RunTable } from '../runtable.js';

export function dashboardPage(el) {
  const table = new RunTable();
  const status = h('select', { name: 'status', id: 'filter-status' },
    h('option', { value: '' }, 'All statuses'), STATUSES.map((s) => h('option', { value: s }, s.replace('_', ' '))));
  const script = h('select', { name: 'script_id', id: 'filter-script' }, h('option', { value: '' }, 'All scripts'));
  const counters = h('div.counters', { 'aria-live': 'polite' });
  const listMsg = h('div.msg', { hidden: true });

  el.append(h('section.page', {},
    h('div.page-head', {}, h('h1', {}, 'Dashboard'), counters),
    can('operator') ? newRunBox() : null,
    h('div.card', {},
      h('div.card-head', {}, h('h2', {}, 'Runs'),
        h('div.filters', {}, field('Status', status), field('Script', script))),
      listMsg,
      table.el)));

  let filters = { status: '', script_id: '' };
  let generation = 0;

  function matches(run) {
    return (!filters.status || run.status === filters.status) && (!filters.script_id || run.script_id === filters.script_id);
  }

  function updateCounters() {
    const runs = [...table.rows.values()].map((r) => r.run);
    const running = runs.filter((r) => r.status === 'running').length;
    const pending = runs.filter((r) => r.status === 'pending').length;
    const failed = runs.filter((r) => ['failed', 'timed_out', 'lost'].includes(r.status)).length;
    clear(counters,
      h('span.counter.c-running', {}, h('b', {}, running), ' running'),
      h('span.counter.c-pending', {}, h('b', {}, pending), ' pending'),
      h('span.counter.c-failed', {}, h('b', {}, failed), ' failed (shown)'));
  }

  async function load() {
    const mine = ++generation;
    try {
      const [page, scripts] = await Promise.all([api.runs({ ...filters, limit: 100 }), scriptsById()]);
      if (mine !== generation) return;
      table.scripts = scripts;
      fillScripts(scripts);
      table.setRuns(page.items || []);
      hideMsg(listMsg);
      updateCounters();
    } catch (error) {
      showError(listMsg, error);
    }
  }

  function fillScripts(scripts) {
    const chosen = script.value;
    clear(script, h('option', { value: '' }, 'All scripts'),
      [...scripts.values()].sort((a, b) => a.name.localeCompare(b.name)).map((s) => h('option', { value: s.id }, s.name)));
    script.value = chosen;
  }

  for (const select of [status, script]) {
    select.addEventListener('change', () => {
      filters = { status: status.value, script_id: script.value };
      load();
    });
  }

  const off = onRun(async (run) => {
    if (run.script_id && !table.scripts.has(run.script_id)) table.scripts = await scriptsById(true);
    if (matches(run)) table.upsert(run, { limit: 100 });
    else table.remove(run.id); // e.g. filtered on "running" and it just ended
    updateCounters();
  });

  load();
  return {
    destroy() {
      off();
      table.destroy();
    },
  };
}

function newRunBox() {
  const command = h('textarea', { name: 'command', id: 'new-command', rows: 3, spellcheck: 'false', placeholder: "e.g. for i in 1 2 3; do echo step $i; sleep 1; done", required: true, class: 'mono' });
  const timeout = h('input', { name: 'timeout', id: 'new-timeout', type: 'number', min: 1, max: 604800, placeholder: '3600', inputmode: 'numeric' });
  const follow = h('input', { type: 'checkbox', id: 'new-follow', checked: true });
  const msg = h('div.msg', { hidden: true });
  const submit = h('button.btn.btn-primary', { type: 'submit', id: 'new-run' }, 'Start run');
  const form = h('form.card.new-run', { 'aria-labelledby': 'new-run-title' },
    h('h2#new-run-title', {}, 'New run'),
    field('Command (bash)', command),
    h('div.row', {},
      field('Timeout (s)', timeout),
      h('label.check', {}, follow, ' Open the run view'),
      h('div.grow'),
      submit),
    msg);
  command.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    hideMsg(msg);
    const body = { command: command.value, trigger: 'ui' };
    if (timeout.value) body.timeout = Number(timeout.value);
    try {
      const run = await api.startRun(body);
      if (follow.checked) navigate(`/runs/${run.id}`);
      else command.value = '';
    } catch (error) {
      showError(msg, error, form);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

