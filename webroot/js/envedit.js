// A script's env as rows of name, value, secret and remove. The API never returns a secret value:
// it shows {"secret": true, "value": "***"}, and "***" sent back under the same name, still secret,
// keeps the stored value. So the browser never holds a stored secret; it keeps or replaces it.

import { h, clear } from './dom.js';

const MASK = '***';

let nextId = 0; // unique ids for the label/input pairs of every row on the page

/**
 * The editor for one env object. `el` goes into the form; `set(env)` shows the env as the API
 * returned it; `collect()` gives {env, problems}: the body's env object, and the
 * inputs the user must fix first (a name missing or twice, a stored secret without its value).
 */
export function envEditor({ editable }) {
  const list = h('ul.env-rows', { id: 'env-rows', 'data-field': 'env' });
  const empty = h('p.muted.env-empty', { id: 'env-empty' }, 'No variables.');
  const addBtn = editable ? h('button.btn.btn-sm', { type: 'button', id: 'env-add' }, '+ Add variable') : null;
  const hintId = `env-hint-${nextId++}`;
  const el = h('fieldset.env', { id: 'env' },
    h('legend', {}, 'Environment'),
    h('div.env-head', { 'aria-hidden': 'true' }, h('span', {}, 'Name'), h('span', {}, 'Value')),
    list, empty,
    editable ? h('div.env-foot', {}, addBtn,
      h('span.hint', { id: hintId }, `Secret values are never shown again: ${MASK} keeps the stored value; type over it to replace it. `
        + 'Runs mask the exact secret values in their output.')) : null);
  let rows = [];

  function sync() {
    empty.hidden = rows.length > 0;
  }

  /** One variable; {stored: true} when it came from the server as a secret (its value is the mask). */
  function addRow({ name = '', value = '', secret = false, stored = false } = {}) {
    const id = nextId++;
    const row = { origName: name, stored };
    const nameLabel = h('label.sr-only', { for: `env-name-${id}` });
    const valueLabel = h('label.sr-only', { for: `env-value-${id}` });
    row.name = h('input.mono.env-name', {
      id: `env-name-${id}`, value: name, placeholder: 'NAME', disabled: !editable, autocomplete: 'off',
      spellcheck: 'false', autocapitalize: 'characters', pattern: '[A-Za-z_][A-Za-z0-9_]*', 'data-field': name ? `env.${name}` : null,
    });
    row.value = h('input.mono.env-value', {
      id: `env-value-${id}`, value, placeholder: 'value', disabled: !editable, autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': editable ? hintId : null,
    });
    row.secret = h('input.env-secret', { type: 'checkbox', checked: secret, disabled: !editable });
    const remove = editable ? h('button.btn.btn-ghost.env-remove', { type: 'button' }, 'Remove') : null;
    row.el = h('li.env-row', {},
      h('div.env-cell', {}, nameLabel, row.name),
      h('div.env-cell', {}, valueLabel, row.value),
      h('label.check.env-check', {}, row.secret, ' Secret'),
      remove ?? h('span'));

    nameLabel.textContent = 'Variable name';
    const label = () => {
      const shown = row.name.value.trim() || 'new variable';
      valueLabel.textContent = `Value of ${shown}`;
      row.secret.setAttribute('aria-label', `Secret: ${shown}`);
      remove?.setAttribute('aria-label', `Remove ${shown}`);
      if (row.name.value.trim()) row.name.dataset.field = `env.${row.name.value.trim()}`;
    };
    // the untouched mask of a stored secret reads as the mask; anything typed for a secret is hidden
    const kind = () => {
      const keeping = row.stored && row.value.value === MASK;
      row.value.type = row.secret.checked && !keeping ? 'password' : 'text';
      row.value.autocomplete = row.secret.checked ? 'new-password' : 'off';
      row.el.classList.toggle('env-kept', row.secret.checked && keeping);
    };
    row.name.addEventListener('input', label);
    row.value.addEventListener('input', kind);
    row.value.addEventListener('focus', () => {
      if (row.stored && row.value.value === MASK) row.value.select(); // typing replaces the mask
    });
    row.secret.addEventListener('change', () => {
      if (!row.stored) {
        kind();
        return;
      }
      if (!row.secret.checked && row.value.value === MASK) {
        // the browser never had the stored value: a variable that stops being secret needs a new one
        row.value.value = '';
        row.value.placeholder = 'enter the value (the secret one is not shown)';
      } else if (row.secret.checked && row.value.value === '') {
        row.value.value = MASK;
        row.value.placeholder = 'value';
      }
      kind();
    });
    remove?.addEventListener('click', () => {
      const at = rows.indexOf(row);
      rows.splice(at, 1);
      row.el.remove();
      sync();
      const next = rows[at] || rows[at - 1];
      if (next) next.name.focus();
      else addBtn.focus();
    });
    label();
    kind();
    rows.push(row);
    list.append(row.el);
    sync();
    return row;
  }

  addBtn?.addEventListener('click', () => addRow().name.focus());

  return {
    el,
    /** Shows the env as the API returns it: plain values as strings, secrets as {secret, value: "***"}. */
    set(env) {
      rows = [];
      clear(list);
      for (const [name, v] of Object.entries(env || {})) {
        const secret = v !== null && typeof v === 'object' ? v.secret === true : false;
        const value = v !== null && typeof v === 'object' ? String(v.value ?? '') : String(v ?? '');
        addRow({ name, value, secret, stored: secret && value === MASK });
      }
      sync();
    },
    collect() {
      const env = {};
      const problems = [];
      const seen = new Set();
      for (const row of rows) {
        const name = row.name.value.trim();
        const value = row.value.value;
        const secret = row.secret.checked;
        if (!name && !value) continue; // an empty row: nothing to save
        if (!name) {
          problems.push({ input: row.name, message: 'enter a name' });
          continue;
        }
        if (seen.has(name)) {
          problems.push({ input: row.name, message: `${name} is set twice` });
          continue;
        }
        seen.add(name);
        if (row.stored && (value === MASK ? !(secret && name === row.origName) : !secret && value === '')) {
          // "***" keeps a stored value only under its own name while it stays secret; a secret made
          // plain gets its value typed, never an empty one by accident
          problems.push({ input: row.value, message: `enter the value of ${name} (the stored secret value is not shown), or remove it` });
          continue;
        }
        env[name] = secret ? { value, secret: true } : value;
      }
      return { env, problems };
    },
  };
}
