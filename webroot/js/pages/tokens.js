// Tokens (admins): list, create (the secret is shown once), revoke.

import { api } from '../api.js';
import { h, clear, showError, hideMsg, field, fmtTime } from '../dom.js';
import { can } from '../session.js';

export function tokensPage(el) {
  if (!can('admin')) {
    el.append(h('section.page', {}, h('h1', {}, 'Tokens'), h('p.msg.msg-info', {}, 'Only admins manage tokens.')));
    return null;
  }
  const msg = h('div.msg', { hidden: true });
  const body = h('tbody');
  const name = h('input', { name: 'name', id: 't-name', required: true, autocomplete: 'off' });
  const role = h('select', { name: 'role', id: 't-role' }, ['viewer', 'operator', 'admin'].map((r) => h('option', { value: r }, r)));
  const created = h('div', { id: 'token-created' });
  const form = h('form.card.row', { 'aria-label': 'New token' }, field('Name', name), field('Role', role), h('button.btn.btn-primary', { type: 'submit', id: 't-create' }, 'Create token'));

  el.append(h('section.page', {}, h('div.page-head', {}, h('h1', {}, 'Tokens')), form, created, msg,
    h('div.card', {}, h('div.table-wrap', {}, h('table.tokens.cards', {},
      h('thead', {}, h('tr', {}, ['Name', 'Role', 'Created', 'Last used', ''].map((t) => h('th', { scope: 'col' }, t)))), body)))));

  async function load() {
    try {
      const page = await api.tokens();
      const items = Array.isArray(page) ? page : page.items || [];
      clear(body, items.length ? items.map((t) => h('tr', { dataset: { tokenId: t.id } },
        h('td.name', { 'data-label': 'Name' }, t.name), h('td', { 'data-label': 'Role' }, h('span.tag', {}, t.role)),
        h('td', { 'data-label': 'Created' }, fmtTime(t.created_at)), h('td', { 'data-label': 'Last used' }, fmtTime(t.last_used_at)),
        h('td.actions', {}, h('button.btn.btn-sm.btn-danger', { type: 'button', onclick: () => revoke(t) }, 'Revoke')))) : h('tr.empty', {}, h('td', { colspan: 5 }, 'No tokens.')));
      hideMsg(msg);
    } catch (error) {
      showError(msg, error);
    }
  }

  async function revoke(t) {
    if (!confirm(`Revoke ${t.name}? Clients using it get 401 at once.`)) return;
    try { await api.revokeToken(t.id); load(); } catch (error) { showError(msg, error); }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const t = await api.createToken({ name: name.value.trim(), role: role.value });
      const secret = h('input.mono', { readonly: true, value: t.token, 'aria-label': 'New token', id: 'token-secret' });
      clear(created, h('div.msg.msg-ok', { role: 'status' },
        h('p', {}, h('strong', {}, `Token for ${t.name} (${t.role}). `), 'Copy it now: it is shown only once.'),
        h('div.row', {}, secret, h('button.btn', { type: 'button', onclick: () => { secret.select(); navigator.clipboard?.writeText(t.token).catch(() => {}); } }, 'Copy'))));
      name.value = '';
      load();
    } catch (error) {
      showError(msg, error, form);
    }
  });
  load();
  return { destroy() { clear(created); } };
}
