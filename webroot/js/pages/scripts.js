// Scripts: the list (last run, next run) and the editor (command or program, schedule, endpoint,
// parameters with a live preview of their run form).

import { searchBox } from '../search.js';
import { api } from '../api.js';
import { h, clear, statusBadge, fmtTime, fmtDuration, showError, hideMsg, showInfo, field } from '../dom.js';
import { navigate } from '../router.js';
import { can } from '../session.js';
import { invalidateScripts } from '../catalog.js';
import { onRun } from '../events.js';
import { envEditor } from '../envedit.js';
import { hasParameters, openRunDialog, renderPreview } from '../paramform.js';

const COLUMNS = ['Name', 'Enabled', 'Kind', 'Schedule', 'Time zone', 'Endpoint', 'Last run', 'Next run', ''];

export function scriptsPage(el) {
  const msg = h('div.msg', { hidden: true });
  const body = h('tbody');
  el.append(h('section.page', {},
    h('div.page-head', {}, h('h1', {}, 'Scripts'),
      can('operator') ? h('a.btn.btn-primary', { href: '#/scripts/new', id: 'script-new' }, 'New script') : null),
    msg,
    h('div.card', {}, h('div.table-wrap', {}, h('table.scripts.cards', {},
      h('thead', {}, h('tr', {}, COLUMNS.map((t) => h('th', { scope: 'col' }, t)))),
      body)))));

  async function load() {
    try {
      const page = await api.scripts();
      const items = page.items || [];
      clear(body, items.length ? items.map(row) : h('tr.empty', {}, h('td', { colspan: COLUMNS.length }, 'No scripts yet. ', can('operator') ? h('a', { href: '#/scripts/new' }, 'Create one') : null)));
      hideMsg(msg);
    } catch (error) {
      showError(msg, error);
    }
  }

  function row(s) {
    const last = s.last_run;
    // data-label names each cell where a phone shows the row as a card
    const cell = (label, cls, ...content) => h(`td${cls}`, { 'data-label': label }, ...content);
    return h('tr', { dataset: { scriptId: s.id, enabled: String(s.enabled !== false) } },
      cell('Name', '.name', h('a', { href: `#/scripts/${s.id}` }, s.name)),
      cell('Enabled', '.enabled', s.enabled !== false ? h('span.tag.tag-on', {}, 'enabled') : h('span.tag.tag-off', {}, 'disabled')),
      cell('Kind', '', h('span.tag', {}, s.kind)),
      cell('Schedule', '.schedule', s.schedule ? h('code', {}, s.schedule.cron) : '—'),
      cell('Time zone', '.timezone', s.schedule ? s.schedule.timezone || 'UTC' : '—'),
      cell('Endpoint', '', s.endpoint ? h('code', {}, `${s.endpoint.method} /hooks/${s.endpoint.path}`) : '—'),
      cell('Last run', '', last ? h('a', { href: `#/runs/${last.id}` }, statusBadge(last.status), ' ', fmtTime(last.started_at || last.created_at)) : '—'),
      cell('Next run', '', fmtTime(s.next_run_at)),
      h('td.actions', {}, can('operator') ? h('button.btn.btn-sm', { type: 'button', onclick: () => runNow(s, msg) }, hasParameters(s) ? 'Run…' : 'Run now') : null));
  }

  let reload = null; // at most one reload a second, however busy the schedules are
  const off = onRun((run) => {
    if (run.script_id && reload === null) reload = setTimeout(() => { reload = null; load(); }, 1000);
  });
  load();
  return { destroy() { off(); clearTimeout(reload); } };
}

/** A script with parameters opens its run form ("Run…"); one without starts at once. */
async function runNow(script, msg) {
  if (hasParameters(script)) {
    openRunDialog(script);
    return;
  }
  try {
    const run = await api.runScript(script.id);
    navigate(`/runs/${run.id}`);
  } catch (error) {
    showError(msg, error);
  }
}

const CRON_FIELD = /^[0-9A-Za-z*?,/#LW-]+$/;

/** Quick syntax check while typing; the server has the last word (shown after saving). */
function cronHint(cron) {
  const parts = cron.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return null;
  if (parts.length === 1 && parts[0].startsWith('@')) return null; // a macro (@daily ...): the server knows which
  if (parts.length !== 5 && parts.length !== 6) return `has ${parts.length} fields; use 5 (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro such as @daily`;
  const bad = parts.find((p) => !CRON_FIELD.test(p));
  return bad ? `“${bad}” is not a cron field` : null;
}

export function scriptEditPage(el, { id }) {
  const isNew = !id;
  const editable = can('operator');
  const msg = h('div.msg', { hidden: true });
  const input = (name, attrs = {}) => h('input', { name, id: `f-${name}`, disabled: !editable, ...attrs });
  const f = {
    name: input('name', { required: true, pattern: '[A-Za-z0-9._\\-]{1,64}', autocomplete: 'off', spellcheck: 'false' }),
    kind: h('select', { name: 'kind', id: 'f-kind', disabled: !editable }, h('option', { value: 'shell' }, 'shell (bash)'), h('option', { value: 'js' }, 'JavaScript')),
    source: h('textarea.mono.code', { name: 'command', id: 'f-source', rows: 14, spellcheck: 'false', disabled: !editable, wrap: 'off' }),
    timeout: input('timeout', { type: 'number', min: 1, max: 604800, placeholder: '3600' }),
    cwd: input('cwd', { placeholder: 'server working directory', spellcheck: 'false' }),
    concurrency: h('select', { name: 'concurrency', id: 'f-concurrency', disabled: !editable },
      ['allow', 'forbid', 'queue', 'replace'].map((c) => h('option', { value: c }, c))),
    enabled: input('enabled', { type: 'checkbox', checked: true }),
    scheduleOn: input('schedule_on', { type: 'checkbox' }),
    cron: input('schedule.cron', { placeholder: '*/5 * * * *', spellcheck: 'false', autocomplete: 'off', class: 'mono' }),
    timezone: input('schedule.timezone', { placeholder: 'UTC', list: 'tz-list', value: 'UTC' }),
    misfire: h('select', { name: 'schedule.misfire', id: 'f-misfire', disabled: !editable },
      h('option', { value: 'skip' }, 'skip missed fires'), h('option', { value: 'once' }, 'run once for missed fires'), h('option', { value: 'all' }, 'run every missed fire')),
    endpointOn: input('endpoint_on', { type: 'checkbox' }),
    method: h('select', { name: 'endpoint.method', id: 'f-method', disabled: !editable }, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => h('option', { value: m }, m))),
    path: input('endpoint.path', { placeholder: 'hello', spellcheck: 'false', autocomplete: 'off' }),
    auth: h('select', { name: 'endpoint.auth', id: 'f-auth', disabled: !editable }, h('option', { value: 'token' }, 'token required'), h('option', { value: 'public' }, 'public')),
    parameters: h('textarea.mono.code', { name: 'parameters', id: 'f-parameters', rows: 8, spellcheck: 'false', disabled: !editable, wrap: 'off',
      placeholder: '{"type": "object", "required": ["day"], "properties": {"day": {"type": "string", "format": "date"}}}' }),
  };
  const paramPreview = h('div.param-preview', { id: 'parameters-preview', 'aria-live': 'polite' });
  f.method.value = 'POST'; // the API's default
  // then, retry and notify as JSON (null or empty: none); a notify secret comes back as "***", which a save keeps
  const jsonArea = (name, placeholder) => h('textarea.mono.code', { name, id: `f-${name}`, rows: 4, spellcheck: 'false', disabled: !editable, placeholder });
  const auto = {
    then: jsonArea('then', '[{"on": ["completed"], "script": "next-step", "params": {}}]'),
    retry: jsonArea('retry', '{"max_attempts": 3, "delay_ms": 1000, "backoff": 2.0, "max_delay_ms": 300000, "on": ["failed", "timed_out"]}'),
    notify: jsonArea('notify', '[{"on": ["failed", "timed_out", "lost"], "url": "https://hooks.example.com/...", "format": "json", "secret": "..."}]'),
  };
  const env = envEditor({ editable });
  const sourceLabel = h('span.field-label', {}, 'Command (bash)');
  const cronState = h('div.cron-state', { 'aria-live': 'polite', id: 'cron-state' });
  const preview = h('ol.preview', { id: 'schedule-preview' });
  const hookUrl = h('code.hook-url', { id: 'hook-url' });
  const scheduleBox = h('div.sub', {}, h('div.row', {}, field('Cron', f.cron, '5 fields, 6 with seconds first, or @daily…'), field('Time zone', f.timezone), field('Misfire', f.misfire)), cronState, preview);
  const endpointBox = h('div.sub', {}, h('div.row', {}, field('Method', f.method), field('Path', f.path), field('Auth', f.auth)), h('p', {}, 'URL: ', hookUrl));
  const saveBtn = h('button.btn.btn-primary', { type: 'submit', id: 'script-save' }, isNew ? 'Create' : 'Save');
  const runBtn = h('button.btn', { type: 'button', id: 'script-run', hidden: isNew }, 'Run now');
  const deleteBtn = h('button.btn.btn-danger', { type: 'button', id: 'script-delete', hidden: isNew || !can('admin') }, 'Delete');
  const heading = h('h1', {}, isNew ? 'New script' : 'Script');
  const version = h('span.muted');

  const form = h('form.card.script-form', { novalidate: true },
    h('div.row', {}, field('Name', f.name, 'letters, digits, . _ -'), field('Kind', f.kind),
      h('label.check', {}, f.enabled, ' Enabled')),
    h('label.field', {}, sourceLabel, f.source),
    h('div.row', {}, field('Timeout (s)', f.timeout), field('Concurrency', f.concurrency), field('Working directory', f.cwd)),
    env.el,
    h('fieldset', {}, h('legend', {}, h('label.check', {}, f.scheduleOn, ' Schedule')), scheduleBox),
    h('fieldset', {}, h('legend', {}, h('label.check', {}, f.endpointOn, ' HTTP endpoint')), endpointBox),
    h('fieldset', {}, h('legend', {}, 'Parameters'),
      field('JSON Schema', f.parameters, 'type object; properties of type string, integer, number, boolean or array; x-secret: true hides a value'),
      paramPreview),
    h('fieldset#automation', {}, h('legend', {}, 'Chains, retries and notifications (JSON)'),
      field('Then: runs started when a run ends', auto.then),
      field('Retry', auto.retry),
      field('Notify: webhooks called when a run ends', auto.notify)),
    msg,
    editable ? h('div.row.form-actions', {}, saveBtn, runBtn, h('div.grow'), deleteBtn) : null);
  const ledger = scheduleLedger();
  const trends = runTrends();
  el.append(h('section.page', {}, h('a.back', { href: '#/scripts' }, '← Scripts'), h('div.page-head', {}, heading, version), form,
    isNew ? null : searchBox(() => ({ script_id: id }), { label: "Search this script's logs" }), trends.el, ledger.el,
    h('datalist#tz-list', {}, ['UTC', 'Europe/London', 'Europe/Paris', 'Europe/Berlin', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney',
      Intl.DateTimeFormat().resolvedOptions().timeZone].map((z) => h('option', { value: z })))));

  let saved = null; // the script as the server last returned it

  function sync() {
    sourceLabel.textContent = f.kind.value === 'js' ? 'Program (JavaScript)' : 'Command (bash)';
    f.source.name = f.kind.value === 'js' ? 'program' : 'command';
    scheduleBox.hidden = !f.scheduleOn.checked;
    endpointBox.hidden = !f.endpointOn.checked;
    hookUrl.textContent = `${f.method.value} ${location.origin}/hooks/${f.path.value.replace(/^\/+/, '') || '…'}`;
    const hint = f.scheduleOn.checked ? cronHint(f.cron.value) : null;
    f.cron.toggleAttribute('aria-invalid', !!hint);
    clearTimeout(checkTimer);
    if (hint) {
      checkedFor = null;
      clear(cronState, h('span.bad', {}, `✗ ${hint}`));
      clear(preview);
    } else if (f.scheduleOn.checked && f.cron.value.trim()) {
      // the server checks it (the expression, the zone) and lists the next fire times, 250 ms after the last key
      checkTimer = setTimeout(checkCron, 250);
    } else {
      checkedFor = null;
      clear(cronState);
      clear(preview);
    }
  }

  let checkTimer = null;
  let checkedFor = null; // "cron|zone" last shown
  async function checkCron() {
    const cron = f.cron.value.trim();
    const zone = f.timezone.value.trim() || 'UTC';
    const key = `${cron}|${zone}`;
    if (checkedFor === key) return;
    checkedFor = key;
    if (!cronState.textContent) clear(cronState, h('span.muted', {}, 'checking…'));
    try {
      const verdict = await api.checkCron(cron, zone, 10);
      if (checkedFor !== key) return; // typed on meanwhile
      f.cron.toggleAttribute('aria-invalid', !verdict.valid);
      if (!verdict.valid) {
        clear(cronState, verdict.errors.map((e) => h('div.bad', {}, `✗ ${e.field}: ${e.message}`)));
        clear(preview);
        return;
      }
      clear(cronState, h('span.good', {}, verdict.times.length
        ? `✓ valid; next ${verdict.times.length} fire times (shown in your time zone; the cron runs in ${zone}):`
        : '✓ valid, but it never fires again'));
      clear(preview, verdict.times.map((t) => h('li', {}, h('time', { datetime: t }, new Date(t).toLocaleString()), h('span.muted', {}, ` ${t}`))));
    } catch (error) {
      checkedFor = null;
      clear(cronState, h('span.bad', {}, `✗ ${error.message}`));
      clear(preview);
    }
  }

  function fill(s) {
    saved = s;
    heading.textContent = s.name;
    version.textContent = `version ${s.version} · updated ${fmtTime(s.updated_at)}`;
    f.name.value = s.name;
    f.kind.value = s.kind;
    f.source.value = (s.kind === 'js' ? s.program : s.command) || '';
    f.timeout.value = s.timeout ?? '';
    f.cwd.value = s.cwd ?? '';
    env.set(s.env);
    f.concurrency.value = s.concurrency || 'allow';
    f.enabled.checked = s.enabled !== false;
    f.scheduleOn.checked = !!s.schedule;
    if (s.schedule) {
      f.cron.value = s.schedule.cron;
      f.timezone.value = s.schedule.timezone || 'UTC';
      f.misfire.value = s.schedule.misfire || 'skip';
    }
    f.parameters.value = s.parameters ? JSON.stringify(s.parameters, null, 2) : '';
    runBtn.textContent = hasParameters(s) ? 'Run…' : 'Run now';
    for (const key of ['then', 'retry', 'notify']) auto[key].value = s[key] ? JSON.stringify(s[key], null, 2) : '';
    f.endpointOn.checked = !!s.endpoint;
    if (s.endpoint) {
      f.method.value = s.endpoint.method;
      f.path.value = s.endpoint.path;
      f.auth.value = s.endpoint.auth;
    }
    runBtn.hidden = false;
    renderPreview(paramPreview, f.parameters.value);
    deleteBtn.hidden = !can('admin');
    ledger.show(s);
    trends.show(s);
    saveBtn.textContent = 'Save';
    sync();
  }

  function collect(envValues) {
    const body = {
      name: f.name.value.trim(),
      kind: f.kind.value,
      [f.kind.value === 'js' ? 'program' : 'command']: f.source.value,
      env: envValues,
      cwd: f.cwd.value.trim() || null,
      enabled: f.enabled.checked,
      concurrency: f.concurrency.value,
      // schedule.params are not edited here: a save keeps them (secret ones come back as "***" and stay)
      schedule: f.scheduleOn.checked ? { cron: f.cron.value.trim(), timezone: f.timezone.value.trim() || 'UTC', misfire: f.misfire.value,
        ...(saved && saved.schedule && saved.schedule.params ? { params: saved.schedule.params } : {}) } : null,
      parameters: f.parameters.value.trim() ? JSON.parse(f.parameters.value) : null,
      // role, rate_limit and max_concurrent are not edited here: a save keeps them
      endpoint: f.endpointOn.checked ? { ...endpointExtras(saved), method: f.method.value, path: f.path.value.trim().replace(/^\/+/, ''), auth: f.auth.value } : null,
    };
    for (const key of ['then', 'retry', 'notify']) {
      const text = auto[key].value.trim();
      try {
        body[key] = text ? JSON.parse(text) : null;
      } catch (e) {
        throw { problem: { title: `Check ${key}` }, message: `${key} is not valid JSON: ${e.message}`, errors: [], fieldError: () => undefined };
      }
    }
    if (f.timeout.value) body.timeout = Number(f.timeout.value);
    if (saved) body.version = saved.version;
    if (saved && saved.limits) body.limits = saved.limits; // not edited here: a save keeps them
    if (saved && saved.retention) body.retention = saved.retention; // likewise
    return body;
  }

  function endpointExtras(s) {
    if (!s || !s.endpoint) return {};
    const { role, rate_limit, max_concurrent } = s.endpoint;
    return { role, rate_limit, max_concurrent };
  }

  f.parameters.addEventListener('input', () => renderPreview(paramPreview, f.parameters.value));
  for (const c of [f.kind, f.scheduleOn, f.endpointOn, f.method, f.path, f.cron, f.timezone]) {
    c.addEventListener('input', sync);
    c.addEventListener('change', sync);
  }
  f.source.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && f.source.dataset.tabs === 'on') {
      e.preventDefault();
      f.source.setRangeText('  ', f.source.selectionStart, f.source.selectionEnd, 'end');
    }
    if (e.key === 'Escape') f.source.dataset.tabs = 'off'; // Esc, then Tab leaves the editor
  });
  f.source.addEventListener('focus', () => { f.source.dataset.tabs = 'on'; });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const { env: envValues, problems } = env.collect();
    if (problems.length) {
      showError(msg, { problem: { title: 'Check the environment' }, message: problems.map((p) => p.message).join('; ') }, form);
      for (const p of problems) {
        p.input.setAttribute('aria-invalid', 'true');
        p.input.insertAdjacentElement('afterend', h('div.field-error', {}, p.message));
      }
      problems[0].input.focus();
      return;
    }
    if (f.parameters.value.trim()) {
      try {
        JSON.parse(f.parameters.value);
      } catch (error) {
        showError(msg, { problem: { title: 'Check the parameters' }, message: `not JSON: ${error.message}`,
          errors: [{ field: 'parameters', message: 'must be a JSON Schema object' }] }, form);
        f.parameters.focus();
        return;
      }
    }
    saveBtn.disabled = true;
    try {
      const body = collect(envValues);
      const s = saved ? await api.updateScript(saved.id, body) : await api.createScript(body);
      invalidateScripts();
      form.querySelectorAll('.field-error').forEach((x) => x.remove());
      showInfo(msg, isNew && !saved ? 'Created.' : `Saved (version ${s.version}).`);
      fill(s);
      if (isNew) history.replaceState(null, '', `#/scripts/${s.id}`);
    } catch (error) {
      showError(msg, error, form);
    } finally {
      saveBtn.disabled = false;
    }
  });
  runBtn.addEventListener('click', () => runNow(saved, msg));
  deleteBtn.addEventListener('click', async () => {
    if (!confirm(`Delete ${saved.name} with its schedule, endpoint, runs and logs?`)) return;
    try {
      await api.deleteScript(saved.id);
      invalidateScripts();
      navigate('/scripts');
    } catch (error) { showError(msg, error); }
  });

  sync();
  renderPreview(paramPreview, '');
  if (!isNew) {
    api.script(id).then(fill).catch((error) => showError(msg, error));
  }
  return { destroy() { trends.destroy(); } };
}

const TREND_RUNS = 100;
// the outcome colours of the status badges (the chart draws on a canvas, so they are spelled out here)
const OUTCOME_COLORS = { completed: '#3ddc97', failed: '#ff6b6b', timed_out: '#f5c451', killed: '#c792ea', lost: '#8494a7' };

/**
 * Trends of a saved script: the duration of each of its last 100 finished runs as a bar coloured
 * by outcome (Chart.js from its WebJar) and its CPU time (usage: user + system) as a line, with the success rate and p50/p95 durations that
 * GET /api/runs/stats computes over all of the script's finished runs.
 */
/** A run's CPU time (user + system) in ms, or null when it was not measured. */
function cpuMs(run) {
  const u = run.usage;
  if (!u || (u.cpu_user_ms === null && u.cpu_system_ms === null)) return null;
  return (u.cpu_user_ms || 0) + (u.cpu_system_ms || 0);
}

function runTrends() {
  const canvas = h('canvas', { id: 'trend-chart', role: 'img', 'aria-label': 'Duration of the last runs, coloured by outcome, and their CPU time' });
  const figure = (id, label) => {
    const value = h(`strong#${id}`, {}, '—');
    return { value, el: h('div.trend-figure', {}, h('span.muted', {}, label), value) };
  };
  const success = figure('trend-success', 'Success rate');
  const p50 = figure('trend-p50', 'p50 duration');
  const p95 = figure('trend-p95', 'p95 duration');
  const empty = h('p.muted', { hidden: true }, 'No finished run yet.');
  const msg = h('div.msg', { hidden: true });
  const el = h('section.card.trends-card', { id: 'trends', hidden: true, 'aria-labelledby': 'trends-title' },
    h('h2', { id: 'trends-title' }, `Trends (last ${TREND_RUNS} runs)`),
    h('div.trend-figures', {}, success.el, p50.el, p95.el, h('span.muted.trend-scope', {}, 'figures over all finished runs')), empty, h('div.trend-chart', {}, canvas), msg);
  let scriptId = null;
  let chart = null;
  let reload = null;
  let off = null;

  async function load() {
    try {
      const [page, stats] = await Promise.all([
        api.runs({ script_id: scriptId, limit: TREND_RUNS }),
        api.stats({ script_id: scriptId }),
      ]);
      success.value.textContent = stats.success_rate === null ? '—' : `${(stats.success_rate * 100).toFixed(1)} %`;
      p50.value.textContent = fmtDuration(stats.p50_duration_ms);
      p95.value.textContent = fmtDuration(stats.p95_duration_ms);
      const runs = (page.items || []).filter((r) => r.duration_ms !== null && r.duration_ms !== undefined && OUTCOME_COLORS[r.status]).reverse();
      empty.hidden = runs.length > 0;
      canvas.dataset.runs = String(runs.length);
      draw(runs);
      hideMsg(msg);
    } catch (error) { showError(msg, error); }
  }

  function draw(runs) {
    const data = {
      labels: runs.map((r) => fmtTime(r.started_at || r.created_at)),
      datasets: [{
        label: 'duration (ms)',
        data: runs.map((r) => r.duration_ms),
        backgroundColor: runs.map((r) => OUTCOME_COLORS[r.status]),
        maxBarThickness: 48,
        runIds: runs.map((r) => r.id),
        statuses: runs.map((r) => r.status),
      }, {
        type: 'line',
        label: 'CPU (ms)',
        data: runs.map(cpuMs),
        borderColor: '#6cb6ff',
        backgroundColor: '#6cb6ff',
        pointRadius: 2,
        borderWidth: 1.5,
        spanGaps: true,
      }],
    };
    if (chart) {
      chart.data = data;
      chart.update();
      return;
    }
    chart = new window.Chart(canvas, {
      type: 'bar',
      data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (c) => (c.datasetIndex === 0
            ? `${c.dataset.statuses[c.dataIndex].replace('_', ' ')} · ${fmtDuration(c.raw)}` : `CPU · ${fmtDuration(c.raw)}`) } },
        },
        scales: {
          x: { ticks: { color: '#8494a7', maxTicksLimit: 8 }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: '#8494a7', callback: (v) => fmtDuration(v) }, grid: { color: '#223041' } },
        },
        // a click on a bar opens that run
        onClick: (event, elements) => {
          if (elements.length) navigate(`/runs/${data.datasets[0].runIds[elements[0].index]}`);
        },
      },
    });
  }

  return {
    el,
    /** Shows the trends of a saved script, and keeps them current as its runs end. */
    show(script) {
      if (scriptId === script.id) return;
      scriptId = script.id;
      el.hidden = false;
      if (!off) {
        off = onRun((run) => {
          // at most one reload a second, however often the script runs
          if (run.script_id === scriptId && run.ended_at && reload === null) reload = setTimeout(() => { reload = null; load(); }, 1000);
        });
      }
      load();
    },
    destroy() {
      if (off) off();
      clearTimeout(reload);
      if (chart) chart.destroy();
    },
  };
}

const OUTCOME_LABELS = { started: 'started', queued: 'queued', skipped_forbid: 'skipped (forbid)', missed: 'missed', caught_up: 'caught up', failed_to_start: 'failed to start' };

/**
 * The schedule ledger of a saved script: one line per due fire time, newest first, with what the
 * scheduler decided and the run it started; "Older" loads the next page.
 */
function scheduleLedger() {
  const list = h('ol.ledger', { id: 'schedule-ledger' });
  const more = h('button.btn', { type: 'button', id: 'schedule-ledger-more', hidden: true }, 'Older');
  const empty = h('p.muted', { hidden: true }, 'No fire time was due yet.');
  const msg = h('div.msg', { hidden: true });
  const el = h('section.card.ledger-card', { hidden: true, 'aria-labelledby': 'ledger-title' },
    h('h2', { id: 'ledger-title' }, 'Schedule history'), empty, list, msg, more);
  let scriptId = null;
  let cursor = null;

  async function load() {
    try {
      const page = await api.scheduleHistory(scriptId, cursor);
      for (const fire of page.items) {
        list.append(h(`li.fire.fire-${fire.outcome}`, { 'data-outcome': fire.outcome },
          h('time', { datetime: fire.fire_time, title: fire.fire_time }, fmtTime(fire.fire_time)), ' ',
          h(`span.badge.fire-${fire.outcome}`, {}, OUTCOME_LABELS[fire.outcome] || fire.outcome), ' ',
          fire.run_id ? h('a', { href: `#/runs/${fire.run_id}` }, `run ${fire.run_id.slice(0, 8)}`) : null, ' ',
          h('span.muted', {}, fire.detail)));
      }
      cursor = page.next_cursor;
      more.hidden = !cursor;
      empty.hidden = list.children.length > 0;
    } catch (error) { showError(msg, error); }
  }
  more.addEventListener('click', load);

  return {
    el,
    /** Shows the ledger of a saved script (once per page visit: a save does not reload it). */
    show(script) {
      if (scriptId === script.id) return;
      scriptId = script.id;
      cursor = null;
      clear(list);
      el.hidden = !script.schedule;
      if (script.schedule) load();
    },
  };
}
