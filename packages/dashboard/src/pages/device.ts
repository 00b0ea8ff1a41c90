/**
 * @module pages/device
 * One device: what it runs and its faults; the flash drawn as it is — primary, secondary and
 * scratch as rows of sectors, the image each holds, the MCUboot trailer flags, and the swap
 * animated while the bootloader runs one; the temperature chart from its samples; the timeline
 * of app states, OTA milestones and boot decisions with the bootloader's reasons; its actions.
 * Real devices have no twin: the page then shows DDI actions and reported versions only.
 */
import { api, type Action, type ActionDetail, type Device, type Samples, type SlotPicture, type Slots, type TimelineEvent } from '../api.js';
import { ago, badge, bytes, clock, h, isOnline, svg } from '../dom.js';
import { lineChart } from '../charts.js';
import { live, type Page } from '../page.js';

interface DeviceData {
  device: Device;
  slots: Slots | null;
  timeline: TimelineEvent[];
  samples: Samples['samples'];
  actions: Action[];
}

const ROLE_LABEL: Record<SlotPicture['role'], string> = { primary: 'Primary (runs)', secondary: 'Secondary (download)', scratch: 'Scratch' };

function flagChip(name: string, value: string, goodWhen: string): HTMLElement {
  const tone = value === goodWhen ? 'ok' : value === 'bad' ? 'bad' : value === 'unset' ? 'muted' : 'info';
  return h('span', { class: `chip ${tone}`, title: `${name} = ${value}` }, `${name}: ${value}`);
}

function slotRow(slot: SlotPicture, swap: Slots['swap']): HTMLElement {
  const n = Math.max(1, slot.sectorCount);
  const W = 640;
  const cell = W / n;
  const imageSectors = slot.image === null ? 0 : Math.min(n, Math.ceil(slot.image.sizeBytes / (slot.sizeBytes / n)));
  const root = svg('svg', { viewBox: `0 0 ${W} 28`, class: `sectors ${slot.role}`, role: 'img', 'aria-label': `${slot.role}: ${slot.usedSectors} of ${n} sectors in use` });
  for (let i = 0; i < n; i++) {
    let cls = 'sec erased';
    if (i < imageSectors) cls = 'sec image';
    else if (i < slot.usedSectors) cls = 'sec data';
    if (slot.trailer !== null && slot.trailer.magic !== 'unset' && i === n - 1) cls = 'sec trailer';
    if (swap !== null && slot.role !== 'scratch' && i < swap.sectorsTotal) cls += i < swap.sectorsDone ? ' swapped' : ' pending';
    if (swap !== null && slot.role === 'scratch') cls += ' busy';
    root.append(svg('rect', { x: i * cell + 0.5, y: 2, width: Math.max(1, cell - 1), height: 24, rx: 1.5, class: cls }));
  }
  const t = slot.trailer;
  return h(
    'div',
    { class: 'slot', 'data-testid': `slot-${slot.role}` },
    h('div', { class: 'slot-head' }, h('strong', {}, ROLE_LABEL[slot.role]), h('span', { class: 'muted' }, `${bytes(slot.sizeBytes)} · ${slot.usedSectors}/${n} sectors written`), slot.image === null ? h('span', { class: 'muted' }, slot.role === 'scratch' ? '' : 'no image') : h('span', { class: 'version' }, `v${slot.image.version} · ${bytes(slot.image.sizeBytes)}`)),
    root,
    t === null ? null : h('div', { class: 'chips' }, flagChip('magic', t.magic, 'good'), flagChip('swap', t.swapType, 'none'), flagChip('copy_done', t.copyDone, 'set'), flagChip('image_ok', t.imageOk, 'set')),
  );
}

function slotsView(s: Slots | null): HTMLElement {
  if (s === null) return h('div', { class: 'card' }, h('h2', {}, 'Flash slots'), h('p', { class: 'muted' }, 'This device does not report its flash (real devices do not); only simulated devices have a twin.'));
  const swap = s.swap;
  return h(
    'div',
    { class: `card slots${swap === null ? '' : ' swapping'}`, 'data-testid': 'slots' },
    h('div', { class: 'card-head' }, h('h2', {}, 'Flash slots'), h('span', { class: 'muted' }, `${s.mode} · ${bytes(s.sectorSizeBytes)} sectors · flash last changed ${ago(s.receivedMs)}`)),
    swap === null
      ? null
      : h('div', { class: 'swap-banner', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), `MCUboot ${swap.swapType} swap in progress — ${swap.sectorsDone}/${swap.sectorsTotal} sectors (replayed from the boot's flash operations)`),
    ...s.slots.map((slot) => slotRow(slot, swap)),
    h('div', { class: 'legend' }, h('span', {}, h('i', { class: 'swatch sec image' }), 'image'), h('span', {}, h('i', { class: 'swatch sec data' }), 'other data'), h('span', {}, h('i', { class: 'swatch sec trailer' }), 'trailer'), h('span', {}, h('i', { class: 'swatch sec erased' }), 'erased')),
  );
}

/** Decision paths the user opened stay open across the page's refreshes. */
const openDecisions = new Set<number>();

const KIND_TONE: Record<string, 'ok' | 'warn' | 'bad' | 'info' | 'muted'> = { boot: 'info', ota: 'ok', app: 'muted', reset: 'warn', power: 'bad', fault: 'bad', ddi: 'info' };

function bootDetails(e: TimelineEvent): HTMLElement | null {
  const events = e.details.events;
  if (!Array.isArray(events)) return null;
  const lines = events.map((x) => {
    const ev = x as Record<string, unknown>;
    switch (ev.kind) {
      case 'trailers': {
        const p = ev.primary as Record<string, unknown>;
        const s = ev.secondary as Record<string, unknown>;
        return `read trailers — primary: magic ${String(p.magic)}, image_ok ${String(p.imageOk)}, copy_done ${String(p.copyDone)}; secondary: magic ${String(s.magic)}, image_ok ${String(s.imageOk)}`;
      }
      case 'decision':
        return `decided ${String(ev.swapType)}${ev.row === undefined ? '' : ` (table row ${String(ev.row)})`}: ${String(ev.meaning)}`;
      case 'validation':
        return `validated ${String(ev.slot)}: ${String(ev.result)}${ev.reason === '' ? '' : ` — ${String(ev.reason)}`}${ev.erased === 'nothing' ? '' : `; erased ${String(ev.erased)}`}`;
      case 'status':
        return `swap status from ${String(ev.source)}`;
      case 'progress':
        return `${ev.resume === true ? 'resumed' : 'swap'} at sector ${String(ev.idx)}, state ${String(ev.state)}`;
      case 'action':
        return String(ev.what);
      case 'defect':
        return `MCUboot defect: ${String(ev.what)}`;
      default:
        return JSON.stringify(ev);
    }
  });
  return h('details', { open: openDecisions.has(e.seq), ontoggle: (ev: Event) => ((ev.target as HTMLDetailsElement).open ? openDecisions.add(e.seq) : openDecisions.delete(e.seq)) }, h('summary', {}, `Decision path (${lines.length} steps, ${String(e.details.flashOps ?? '?')} flash operations)`), h('ol', { class: 'decision' }, ...lines.map((l) => h('li', {}, l))));
}

function timelineView(events: TimelineEvent[]): HTMLElement {
  if (events.length === 0) return h('p', { class: 'muted' }, 'No timeline events yet.');
  return h(
    'ol',
    { class: 'timeline', 'data-testid': 'timeline' },
    ...[...events].reverse().map((e) =>
      h(
        'li',
        { class: `tl ${e.kind}` },
        h('time', {}, clock(e.atMs)),
        badge(e.kind, KIND_TONE[e.kind] ?? 'muted'),
        h('div', { class: 'tl-body' }, h('span', {}, e.title), e.kind === 'boot' && typeof e.details.reason === 'string' ? h('div', { class: 'muted reason-line' }, `why: ${e.details.reason}`) : null, e.kind === 'boot' ? bootDetails(e) : null),
      ),
    ),
  );
}

function summary(d: Device, s: Slots | null): HTMLElement {
  const online = isOnline(d.lastSeenMs);
  return h(
    'div',
    { class: 'card device-summary' },
    h('div', {}, h('span', { class: 'muted' }, 'Running'), h('strong', { class: 'big' }, d.runningVersion ?? 'unknown')),
    h('div', {}, h('span', { class: 'muted' }, 'Previous'), h('strong', {}, d.previousVersion ?? '—')),
    h('div', {}, h('span', { class: 'muted' }, 'State'), d.activeActionId === null ? badge(online ? 'online' : 'offline', online ? 'ok' : 'muted') : badge(`updating (action ${d.activeActionId})`, 'info')),
    h('div', {}, h('span', { class: 'muted' }, 'Last seen'), h('strong', {}, ago(d.lastSeenMs))),
    h('div', {}, h('span', { class: 'muted' }, 'Group / tags'), h('span', {}, `${d.group ?? '—'} · ${d.tags.join(', ') || '—'}`)),
    h('div', {}, h('span', { class: 'muted' }, 'Faults'), h('span', {}, d.attributes.faults ?? '—')),
    s?.runningVersion === null ? h('div', {}, badge('bricked: nothing bootable', 'bad')) : null,
  );
}

export const devicePage: Page = (el, id) => {
  if (id === undefined) {
    el.replaceChildren(h('p', {}, 'No device selected. ', h('a', { href: '#/fleet' }, 'Back to the fleet')));
    return () => undefined;
  }
  const enc = encodeURIComponent(id);
  return live(
    el,
    async (): Promise<DeviceData> => {
      const [device, slots, timeline, samples, actions] = await Promise.all([
        api<Device>('GET', `/api/v1/devices/${enc}`),
        api<{ slots: Slots | null }>('GET', `/api/v1/devices/${enc}/slots`),
        api<{ events: TimelineEvent[] }>('GET', `/api/v1/devices/${enc}/timeline?limit=300`),
        api<Samples>('GET', `/api/v1/devices/${enc}/samples?limit=2000`),
        api<Action[]>('GET', `/api/v1/devices/${enc}/actions`),
      ]);
      // What the server itself saw (DDI feedback, version reports, deadlines) for the last few
      // actions: the whole timeline of a real device, merged with a simulated one's twin events.
      const details = await Promise.all([...actions].sort((a, b) => b.id - a.id).slice(0, 5).map((a) => api<ActionDetail>('GET', `/api/v1/actions/${a.id}`)));
      const ddi: TimelineEvent[] = details.flatMap((d) =>
        d.history.map((e, i) => ({
          seq: -1 - i,
          atMs: e.atMs,
          kind: 'ddi',
          title: `Action #${d.action.id} (release ${d.action.releaseId}): ${e.source === 'device' ? 'device reported' : 'server'} ${e.execution}${e.finished === null || e.finished === 'none' ? '' : `/${e.finished}`}${e.details.length === 0 ? '' : ` — ${e.details.join('; ')}`}`,
          details: {},
        })),
      );
      const merged = [...timeline.events, ...ddi].sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      return { device, slots: slots.slots, timeline: merged, samples: samples.samples.slice(-400), actions };
    },
    (d) =>
      h(
        'div',
        {},
        h('p', { class: 'crumbs' }, h('a', { href: '#/fleet' }, 'Fleet'), ' / '),
        h('h1', {}, d.device.controllerId),
        summary(d.device, d.slots),
        h(
          'div',
          { class: 'device-grid' },
          h(
            'div',
            {},
            slotsView(d.slots),
            h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', {}, 'Temperature'), h('span', { class: 'muted' }, `${d.samples.length} samples`)), lineChart(d.samples.map((s) => ({ x: s.timestamp_ms, y: s.temp / 1000 })), { unit: '°C' })),
            h(
              'div',
              { class: 'card' },
              h('h2', {}, 'Actions'),
              d.actions.length === 0
                ? h('p', { class: 'muted' }, 'No update was ever assigned.')
                : h('ul', { class: 'actions-list' }, ...[...d.actions].reverse().map((a) => h('li', {}, badge(a.status.replace('_', ' '), a.status === 'succeeded' ? 'ok' : a.status === 'rolled_back' ? 'warn' : a.status === 'running' || a.status === 'verifying' ? 'info' : 'bad'), ` #${a.id} · release ${a.releaseId}${a.rolloutId === null ? '' : ` · rollout ${a.rolloutId}`} · ${bytes(a.bytesServed)} served · ${ago(a.updatedMs)}`, a.reason === null ? null : h('div', { class: 'muted' }, a.reason)))),
            ),
          ),
          h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', {}, 'Timeline'), h('span', { class: 'muted' }, 'newest first')), timelineView(d.timeline)),
        ),
      ),
    1000,
  ).stop;
};
