/**
 * @module pages/fleet
 * Fleet: how many devices run which version, how many are online or updating, and a
 * searchable, filterable table (id, group, version, state, last seen) linking to each device.
 */
import { api, type Device, type Release } from '../api.js';
import { ago, badge, h, isOnline } from '../dom.js';
import { donut, stackedBar } from '../charts.js';
import { live, type Page } from '../page.js';

interface Filters {
  q: string;
  version: string;
  group: string;
  state: string;
}

const filters: Filters = { q: '', version: '', group: '', state: '' };

/** Newest version first: green, then blue, violet, cyan, orange, grey. */
const VERSION_CLASSES = ['v1', 'v2', 'v4', 'v5', 'v3', 'v0'];

function stateOf(d: Device, now: number): 'updating' | 'online' | 'offline' {
  if (d.activeActionId !== null) return 'updating';
  return isOnline(d.lastSeenMs, now) ? 'online' : 'offline';
}

export const fleetPage: Page = (el) => {
  let latest: { devices: Device[]; releases: Release[] } | null = null;
  const tableHolder = h('div', {});

  const renderTable = (): void => {
    if (latest === null) return;
    const now = Date.now();
    const q = filters.q.trim().toLowerCase();
    const rows = latest.devices.filter(
      (d) =>
        (q === '' || d.controllerId.toLowerCase().includes(q) || d.tags.some((t) => t.includes(q)) || Object.values(d.attributes).some((v) => v.toLowerCase().includes(q))) &&
        (filters.version === '' || (d.runningVersion ?? 'unknown') === filters.version) &&
        (filters.group === '' || (d.group ?? '') === filters.group) &&
        (filters.state === '' || stateOf(d, now) === filters.state),
    );
    tableHolder.replaceChildren(
      h('p', { class: 'muted', 'data-testid': 'fleet-count' }, `${rows.length} of ${latest.devices.length} devices`),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'devices', 'data-testid': 'device-table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Device'), h('th', {}, 'Group'), h('th', {}, 'Version'), h('th', {}, 'State'), h('th', { class: 'hide-sm' }, 'Faults'), h('th', {}, 'Last seen'))),
          h(
            'tbody',
            {},
            ...rows.map((d) => {
              const st = stateOf(d, now);
              return h(
                'tr',
                {},
                h('td', { class: 'nowrap' }, h('a', { href: `#/device/${encodeURIComponent(d.controllerId)}` }, d.controllerId)),
                h('td', {}, d.group ?? '—'),
                h('td', {}, h('code', {}, d.runningVersion ?? 'unknown')),
                h('td', {}, badge(st, st === 'online' ? 'ok' : st === 'updating' ? 'info' : 'muted')),
                h('td', { class: 'hide-sm muted' }, d.attributes.faults !== undefined && d.attributes.faults !== 'none' ? d.attributes.faults : ''),
                h('td', { title: d.lastSeenMs === null ? '' : new Date(d.lastSeenMs).toISOString() }, ago(d.lastSeenMs, now)),
              );
            }),
          ),
        ),
      ),
    );
  };

  const view = (data: { devices: Device[]; releases: Release[] }): Node => {
    latest = data;
    const now = Date.now();
    const byVersion = new Map<string, number>();
    for (const d of data.devices) byVersion.set(d.runningVersion ?? 'unknown', (byVersion.get(d.runningVersion ?? 'unknown') ?? 0) + 1);
    const versions = [...byVersion.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const cls = (v: string): string => VERSION_CLASSES[(versions.length - 1 - versions.indexOf(v)) % VERSION_CLASSES.length] ?? 'v0';
    const online = data.devices.filter((d) => isOnline(d.lastSeenMs, now)).length;
    const updating = data.devices.filter((d) => d.activeActionId !== null).length;
    const groups = [...new Set(data.devices.map((d) => d.group ?? ''))].sort();
    const select = (id: keyof Filters, label: string, options: string[]): HTMLElement =>
      h(
        'label',
        { class: 'filter' },
        label,
        h(
          'select',
          { id: `filter-${id}`, onchange: (e: Event) => { filters[id] = (e.target as HTMLSelectElement).value; renderTable(); } },
          h('option', { value: '' }, 'all'),
          ...options.map((o) => h('option', { value: o, ...(filters[id] === o ? { selected: true } : {}) }, o === '' ? '(none)' : o)),
        ),
      );
    renderTable();
    return h(
      'div',
      {},
      h('h1', {}, 'Fleet'),
      h(
        'section',
        { class: 'cards' },
        h('div', { class: 'card stat' }, donut([{ value: online, label: 'online', cls: 'seg-ok' }, { value: data.devices.length - online, label: 'offline', cls: 'seg-muted' }], `${online}/${data.devices.length}`), h('div', {}, h('strong', {}, 'Online'), h('p', { class: 'muted' }, `heard from in the last minute · ${updating} updating`))),
        h(
          'div',
          { class: 'card grow' },
          h('strong', {}, 'Versions running'),
          stackedBar(versions.map((v) => ({ value: byVersion.get(v) ?? 0, label: v, cls: cls(v) })), undefined, 10),
          h('div', { class: 'legend' }, ...versions.map((v) => h('span', {}, h('i', { class: `swatch ${cls(v)}` }), `${v} · ${byVersion.get(v) ?? 0}`))),
        ),
      ),
      h(
        'div',
        { class: 'toolbar' },
        h('input', { id: 'fleet-search', type: 'search', placeholder: 'Search id, tag, fault…', value: filters.q, oninput: (e: Event) => { filters.q = (e.target as HTMLInputElement).value; renderTable(); } }),
        select('version', 'Version', versions),
        select('group', 'Group', groups),
        select('state', 'State', ['online', 'updating', 'offline']),
      ),
      tableHolder,
    );
  };

  return live(el, async () => ({ devices: await api<Device[]>('GET', '/api/v1/devices?limit=5000'), releases: await api<Release[]>('GET', '/api/v1/releases') }), view, 3000).stop;
};
