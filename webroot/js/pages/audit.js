// Audit (admins): who did what, newest first, with filters, and a check of the hash chain.

import { api } from '../api.js';
import { h, clear, showError, hideMsg, showInfo, field, fmtTime, localToIso } from '../dom.js';
import { can } from '../session.js';

const RESULTS = ['ok', 'denied', 'error'];

export function auditPage(el) {
  if (!can('admin')) {
    el.append(h('section.page', {}, h('h1', {}, 'Audit'), h('p.msg.msg-info', {}, 'Only admins read the audit log.')));
    return null;
  }
  const msg = h('div.msg', { hidden: true });
  const verifyMsg = h('div.msg', { id: 'audit-verify-result', hidden: true, role: 'status' });
  const f = {
    actor: h('input', { name: 'actor', id: 'a-actor', autocomplete: 'off', placeholder: 'name or id' }),
    action: h('input', { name: 'action', id: 'a-action', autocomplete: 'off', placeholder: 'e.g. run.start' }),
    result: h('select', { name: 'result', id: 'a-result' }, h('option', { value: '' }, 'Any result'), RESULTS.map((r) => h('option', { value: r }, r))),
    from: h('input', { type: 'datetime-local', name: 'from', id: 'a-from' }),
    to: h('input', { type: 'datetime-local', name: 'to', id: 'a-to' }),
  };
  const body = h('tbody');
  const prevBtn = h('button.btn', { type: 'button', id: 'a-prev', disabled: true }, '← Newer');
  const nextBtn = h('button.btn', { type: 'button', id: 'a-next', disabled: true }, 'Next page →');
  const pageInfo = h('span.muted');
  const verifyBtn = h('button.btn', { type: 'button', id: 'audit-verify' }, 'Verify chain');
  const filterForm = h('form.filters.card', { 'aria-label': 'Filters' },
    field('Actor', f.actor), field('Action', f.action), field('Result', f.result), field('From', f.from), field('To', f.to),
    h('div.filter-actions', {}, h('button.btn.btn-primary', { type: 'submit' }, 'Apply'), h('button.btn.btn-ghost', { type: 'reset' }, 'Reset')));

  el.append(h('section.page', {},
    h('div.page-head', {}, h('h1', {}, 'Audit'), verifyBtn),
    verifyMsg, filterForm, msg,
    h('div.card', {}, h('div.table-wrap', {}, h('table.audit.cards', { id: 'audit-table' },
      h('thead', {}, h('tr', {}, ['When', 'Actor', 'Action', 'Target', 'Result', 'Status', 'Address'].map((t) => h('th', { scope: 'col' }, t)))),
      body)), h('div.pager', {}, prevBtn, pageInfo, nextBtn))));

  let cursors = [null];
  let pageNo = 0;
  let nextCursor = null;

  function filters() {
    return { actor: f.actor.value.trim(), action: f.action.value.trim(), result: f.result.value, from: localToIso(f.from.value), to: localToIso(f.to.value) };
  }

  function actorLabel(actor) {
    const who = actor.name || (actor.id ? actor.id.slice(0, 8) : '');
    return h('span', { title: actor.id || '' }, h('span.tag', {}, actor.type), who ? ` ${who}` : '');
  }

  function row(r) {
    return h('tr', { dataset: { auditId: r.id, action: r.action, result: r.result } },
      h('td.when', { 'data-label': 'When', title: r.at }, fmtTime(r.at)),
      h('td.actor', { 'data-label': 'Actor' }, actorLabel(r.actor)),
      h('td.name', { 'data-label': 'Action' }, h('code', {}, r.action)),
      h('td.target', { 'data-label': 'Target', title: r.target || '' }, r.target || '—'),
      h('td', { 'data-label': 'Result' }, h(`span.tag.result-${r.result}`, {}, r.result)),
      h('td.num', { 'data-label': 'Status' }, r.status ?? '—'),
      h('td', { 'data-label': 'Address' }, r.ip || '—'));
  }

  async function load() {
    try {
      const page = await api.audit({ ...filters(), limit: 50, cursor: cursors[pageNo] });
      const items = page.items || [];
      clear(body, items.length ? items.map(row) : h('tr.empty', {}, h('td', { colspan: 7 }, 'No records.')));
      nextCursor = page.next_cursor;
      nextBtn.disabled = !nextCursor;
      prevBtn.disabled = pageNo === 0;
      pageInfo.textContent = `page ${pageNo + 1}`;
      hideMsg(msg);
    } catch (error) {
      showError(msg, error, filterForm);
    }
  }

  verifyBtn.addEventListener('click', async () => {
    verifyBtn.disabled = true;
    showInfo(verifyMsg, 'Checking every record…');
    try {
      const outcome = await api.verifyAudit();
      if (outcome.ok) {
        verifyMsg.className = 'msg msg-ok';
        clear(verifyMsg, `The chain holds: ${outcome.records} record${outcome.records === 1 ? '' : 's'} checked.`);
      } else {
        verifyMsg.className = 'msg msg-error';
        clear(verifyMsg, 'The chain is broken at record ', h('code', {}, outcome.first_bad_id),
          ': it, or the one before it, was changed or removed outside scriptd.');
      }
    } catch (error) {
      showError(verifyMsg, error);
    } finally {
      verifyBtn.disabled = false;
    }
  });
  filterForm.addEventListener('submit', (e) => { e.preventDefault(); cursors = [null]; pageNo = 0; load(); });
  filterForm.addEventListener('reset', () => setTimeout(() => filterForm.requestSubmit(), 0));
  nextBtn.addEventListener('click', () => { if (!nextCursor) return; cursors[pageNo + 1] = nextCursor; pageNo++; load(); });
  prevBtn.addEventListener('click', () => { if (pageNo === 0) return; pageNo--; load(); });
  load();
  return null;
}
