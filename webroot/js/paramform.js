// The run form of a script's parameters, built from its JSON Schema (the subset the server
// accepts): text, number, checkbox, a select for enum, date and datetime-local pickers for
// format date / date-time, password for x-secret, a list editor for arrays; defaults filled.
// Every control is named params.<name>, so showError() puts the server's errors[] next to it.

import { h, clear, field, showError } from './dom.js';
import { api } from './api.js';
import { navigate } from './router.js';

/** True when the script declares at least one parameter. */
export function hasParameters(script) {
  return !!(script && script.parameters && script.parameters.properties
    && Object.keys(script.parameters.properties).length);
}

/** A date-time value as the datetime-local picker shows it (local time, minutes). */
function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** One control for a value of schema s (a property, or an array's items). */
function control(name, s, value, { inList = false, idPrefix = 'param-' } = {}) {
  const attrs = { name: inList ? undefined : `params.${name}`, id: inList ? undefined : `${idPrefix}${name}`, 'data-param': name };
  if (Array.isArray(s.enum)) {
    const select = h('select', attrs, inList || s.default !== undefined ? null : h('option', { value: '' }, '—'),
      s.enum.map((v) => h('option', { value: JSON.stringify(v) }, String(v))));
    if (value !== undefined) select.value = JSON.stringify(value);
    select.dataset.kind = 'enum';
    return select;
  }
  switch (s.type) {
    case 'boolean': {
      const box = h('input', { ...attrs, type: 'checkbox', checked: value === true });
      box.dataset.kind = 'boolean';
      return box;
    }
    case 'integer':
    case 'number': {
      const input = h('input', { ...attrs, type: 'number', step: s.type === 'integer' ? 1 : 'any',
        min: s.minimum ?? s.exclusiveMinimum, max: s.maximum ?? s.exclusiveMaximum, value: value ?? '' });
      input.dataset.kind = s.type;
      return input;
    }
    default: {
      let type = 'text';
      let shown = value ?? '';
      if (s['x-secret']) type = 'password';
      else if (s.format === 'date') type = 'date';
      else if (s.format === 'date-time') { type = 'datetime-local'; shown = value ? toLocalInput(value) : ''; }
      else if (s.format === 'email') type = 'email';
      else if (s.format === 'uri') type = 'url';
      const input = h('input', { ...attrs, type, value: shown, pattern: s.pattern, minlength: s.minLength,
        maxlength: s.maxLength, autocomplete: s['x-secret'] ? 'new-password' : 'off' });
      input.dataset.kind = type === 'datetime-local' ? 'date-time' : 'string';
      return input;
    }
  }
}

/** The value of one control; undefined when left empty (the server then applies the default). */
function read(input) {
  const kind = input.dataset.kind;
  if (kind === 'boolean') return input.checked;
  if (input.value === '') return undefined;
  if (kind === 'enum') return JSON.parse(input.value);
  if (kind === 'integer' || kind === 'number') return Number(input.value);
  if (kind === 'date-time') return new Date(input.value).toISOString();
  return input.value;
}

/** A list editor: one control per item, add and remove buttons. */
function listEditor(name, s, values, idPrefix) {
  const items = s.items || { type: 'string' };
  const rows = h('div.param-list-items');
  const box = h('div.param-list', { 'data-field': `params.${name}`, id: `${idPrefix}${name}`, tabindex: '-1' }, rows);
  const addRow = (v) => {
    const input = control(name, items, v, { inList: true });
    const row = h('div.param-list-row', {}, input,
      h('button.btn.btn-sm.btn-ghost', { type: 'button', 'aria-label': `remove this ${name} item`, onclick: () => row.remove() }, '×'));
    rows.append(row);
    return input;
  };
  for (const v of values || []) addRow(v);
  box.append(h('button.btn.btn-sm.param-list-add', { type: 'button', onclick: () => addRow(undefined).focus() }, `+ Add ${name}`));
  box.readValue = () => {
    const list = [...rows.querySelectorAll('[data-param]')].map(read).filter((v) => v !== undefined);
    return list.length ? list : undefined;
  };
  return box;
}

/**
 * The form's fields for schema (control ids idPrefix + name): {el, values()} where values() is the
 * params object (empty controls left out, so defaults and "is required" come from the server).
 */
export function paramFields(schema, { idPrefix = 'param-' } = {}) {
  const properties = (schema && schema.properties) || {};
  const required = new Set((schema && schema.required) || []);
  const readers = {};
  const el = h('div.param-fields');
  for (const [name, s] of Object.entries(properties)) {
    if (!s || typeof s !== 'object') continue;
    const label = `${s.title || name}${required.has(name) ? ' *' : ''}`;
    let input;
    if (s.type === 'array') {
      input = listEditor(name, s, s.default, idPrefix);
      readers[name] = () => input.readValue();
    } else {
      input = control(name, s, s.default, { idPrefix });
      readers[name] = () => read(input);
    }
    el.append(s.type === 'boolean'
      ? h('label.check.param', {}, input, ` ${label}`, s.description ? h('span.hint', {}, ` ${s.description}`) : null)
      : h('div.param', {}, field(label, input, s.description)));
  }
  return {
    el,
    values() {
      const params = {};
      for (const [name, readValue] of Object.entries(readers)) {
        const v = readValue();
        if (v !== undefined) params[name] = v;
      }
      return params;
    },
  };
}

/**
 * "Run…": a dialog with the script's form; submitting starts the run (trigger ui) and opens it.
 * The server's errors[] are shown next to their fields.
 */
export function openRunDialog(script) {
  const fields = paramFields(script.parameters);
  const msg = h('div.msg', { hidden: true });
  const submit = h('button.btn.btn-primary', { type: 'submit', id: 'run-form-submit' }, 'Run');
  const cancel = h('button.btn', { type: 'button', id: 'run-form-cancel' }, 'Cancel');
  const form = h('form.run-form', { id: 'run-form', method: 'dialog', novalidate: true },
    h('h2', {}, `Run ${script.name}`), fields.el, msg, h('div.row.form-actions', {}, submit, cancel));
  const dialog = h('dialog.run-dialog', { id: 'run-dialog' }, form);
  document.body.append(dialog);
  const close = () => { dialog.close(); dialog.remove(); };
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', () => dialog.remove());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const run = await api.runScript(script.id, { params: fields.values(), trigger: 'ui' });
      close();
      navigate(`/runs/${run.id}`);
    } catch (error) {
      showError(msg, error, form);
    } finally {
      submit.disabled = false;
    }
  });
  dialog.showModal();
  const first = form.querySelector('input, select');
  if (first) first.focus();
  return dialog;
}

/** The params and outputs of a run, for the run view: a small key/value table each. */
export function valuesTable(values, id) {
  const entries = Object.entries(values || {});
  if (!entries.length) return null;
  return h('table.kv', { id }, h('tbody', {}, entries.map(([k, v]) =>
    h('tr', {}, h('th', {}, k), h('td', {}, h('code', {}, typeof v === 'string' ? v : JSON.stringify(v)))))));
}

/** The editor's live preview: the form the schema text gives, or why it gives none. */
export function renderPreview(box, text) {
  if (!text.trim()) {
    clear(box, h('p.muted', {}, 'No parameters: "Run now" starts the script at once.'));
    return;
  }
  let schema;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    clear(box, h('p.bad', {}, `✗ not JSON: ${error.message}`));
    return;
  }
  clear(box, h('p.muted', {}, 'The run form:'), paramFields(schema, { idPrefix: 'preview-param-' }).el);
}
