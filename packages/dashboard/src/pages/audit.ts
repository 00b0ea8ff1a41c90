/**
 * @module pages/audit
 * The audit log: who did what to which subject, newest first, with a subject filter.
 */
import { api, type AuditEntry } from '../api.js';
import { dateTime, h } from '../dom.js';
import { live, type Page } from '../page.js';

export const auditPage: Page = (el) => {
  let q = '';
  const body = h('div', {});
  const input = h('input', { id: 'audit-search', type: 'search', placeholder: 'Filter by event, actor or subject…' });
  el.replaceChildren(h('h1', {}, 'Audit log'), h('div', { class: 'toolbar' }, input), body);
  let rows: AuditEntry[] = [];
  const draw = (): Node => {
    const f = q.toLowerCase();
    const shown = rows.filter((r) => f === '' || r.event.includes(f) || r.actor.toLowerCase().includes(f) || r.subject.toLowerCase().includes(f));
    return h(
      'div',
      { class: 'table-wrap card' },
      h(
        'table',
        { class: 'audit', 'data-testid': 'audit-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Actor'), h('th', {}, 'Event'), h('th', {}, 'Subject'), h('th', { class: 'hide-sm' }, 'Details'))),
        h('tbody', {}, ...shown.map((r) => h('tr', {}, h('td', { class: 'nowrap' }, dateTime(r.atMs)), h('td', {}, r.actor), h('td', {}, h('code', {}, r.event)), h('td', {}, r.subject), h('td', { class: 'hide-sm muted mono small' }, JSON.stringify(r.details))))),
      ),
    );
  };
  const l = live(body, async () => (rows = await api<AuditEntry[]>('GET', '/api/v1/audit?limit=300')), () => draw(), 5000);
  input.addEventListener('input', () => {
    q = input.value;
    body.querySelector('.page-body')?.replaceChildren(draw());
  });
  return l.stop;
};
