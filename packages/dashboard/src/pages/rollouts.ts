/**
 * @module pages/rollouts
 * Rollouts: each rollout's stages as progress bars split by outcome (updated, rolled back,
 * failed, timed out, updating, waiting), its state and reason, pause / resume / abort; and a
 * form that creates a rollout from a release and a device filter with staged percentages.
 */
import { api, type Action, type Device, type Release, type RolloutSummary, type StageSummary } from '../api.js';
import { ago, badge, h } from '../dom.js';
import { stackedBar } from '../charts.js';
import { errorBox, live, type Page } from '../page.js';

const OUTCOMES = [
  { key: 'succeeded', label: 'updated', cls: 'seg-ok' },
  { key: 'rolledBack', label: 'rolled back', cls: 'seg-warn' },
  { key: 'failed', label: 'failed', cls: 'seg-bad' },
  { key: 'timedOut', label: 'timed out', cls: 'seg-late' },
  { key: 'open', label: 'updating', cls: 'seg-info' },
] as const;

function stageRow(s: StageSummary, label: string, current: boolean): HTMLElement {
  const waiting = Math.max(0, s.members - s.assigned);
  const segs = OUTCOMES.map((o) => ({ value: s[o.key], label: o.label, cls: o.cls }));
  return h(
    'div',
    { class: `stage${current ? ' current' : ''}`, 'data-testid': `stage-${s.stage}` },
    h('div', { class: 'stage-head' }, h('span', {}, label), h('span', { class: 'muted' }, `${s.succeeded}/${s.members} updated`)),
    stackedBar([...segs, { value: waiting, label: 'waiting', cls: 'seg-wait' }], s.members),
    h(
      'div',
      { class: 'counts' },
      ...OUTCOMES.filter((o) => s[o.key] > 0).map((o) => h('span', { 'data-outcome': o.key }, h('i', { class: `swatch ${o.cls}` }), `${o.label} ${s[o.key]}`)),
      waiting > 0 ? h('span', { 'data-outcome': 'waiting' }, h('i', { class: 'swatch seg-wait' }), `waiting ${waiting}`) : null,
      s.canceled > 0 ? h('span', {}, `canceled ${s.canceled}`) : null,
    ),
  );
}

function stageLabel(stage: { count: number } | { percent: number } | undefined, i: number, n: number): string {
  const what = stage === undefined ? '' : 'count' in stage ? `${stage.count} device${stage.count === 1 ? '' : 's'}` : `${stage.percent} %`;
  return `${i === 0 && n > 1 ? 'Canary' : `Stage ${i + 1}`} · ${what}`;
}

/** Device lists the operator opened stay open across refreshes. */
const openLists = new Set<number>();

const ATTENTION: Record<string, { label: string; tone: 'warn' | 'bad' }> = { rolled_back: { label: 'rolled back', tone: 'warn' }, failed: { label: 'failed', tone: 'bad' }, timed_out: { label: 'timed out', tone: 'bad' } };

function attentionList(rolloutId: number, actions: readonly Action[]): HTMLElement | null {
  const bad = actions.filter((a) => ATTENTION[a.status] !== undefined);
  if (bad.length === 0) return null;
  return h(
    'details',
    { class: 'attention', 'data-testid': `attention-${rolloutId}`, open: openLists.has(rolloutId), ontoggle: (e: Event) => ((e.target as HTMLDetailsElement).open ? openLists.add(rolloutId) : openLists.delete(rolloutId)) },
    h('summary', {}, `Devices that did not update (${bad.length})`),
    h(
      'ul',
      {},
      ...bad.map((a) => {
        const why = ATTENTION[a.status]!;
        return h('li', {}, h('a', { href: `#/device/${encodeURIComponent(a.controllerId)}` }, a.controllerId), ' ', badge(why.label, why.tone), a.reason === null ? null : h('span', { class: 'muted' }, ` ${a.reason}`));
      }),
    ),
  );
}

function rolloutCard(s: RolloutSummary & { actions: Action[] }, releases: Map<number, Release>, act: (id: number, verb: 'pause' | 'resume' | 'abort') => void): HTMLElement {
  const r = s.rollout;
  const rel = releases.get(r.releaseId);
  const tone = r.state === 'running' ? 'info' : r.state === 'finished' ? 'ok' : r.state === 'paused' ? 'warn' : 'bad';
  const filter = [r.filter.group === undefined ? null : `group ${r.filter.group}`, r.filter.tags?.length ? `tags ${r.filter.tags.join(', ')}` : null, r.filter.runningVersion === undefined ? null : `running ${r.filter.runningVersion}`, r.filter.controllerIds?.length ? `${r.filter.controllerIds.length} devices` : null].filter((x) => x !== null).join(' · ') || 'all devices';
  return h(
    'article',
    { class: 'card rollout', 'data-testid': `rollout-${r.id}`, 'data-state': r.state },
    h(
      'header',
      {},
      h('div', {}, h('h2', {}, r.name), h('p', { class: 'muted' }, `#${r.id} · ${rel === undefined ? `release ${r.releaseId}` : `${rel.name} ${rel.version}`} · ${filter} · started ${ago(r.createdMs)}`)),
      h(
        'div',
        { class: 'actions' },
        badge(r.state, tone),
        r.state === 'running' ? h('button', { onclick: () => act(r.id, 'pause') }, 'Pause') : null,
        r.state === 'paused' ? h('button', { class: 'primary', onclick: () => act(r.id, 'resume') }, 'Resume') : null,
        r.state === 'running' || r.state === 'paused' ? h('button', { class: 'danger', onclick: () => act(r.id, 'abort') }, 'Abort') : null,
      ),
    ),
    r.reason === null ? null : h('p', { class: r.state === 'paused' ? 'reason warn' : 'reason' }, r.reason),
    ...s.stages.map((st, i) => stageRow(st, stageLabel(r.stages[i], i, r.stages.length), r.state === 'running' && i === r.currentStage)),
    attentionList(r.id, s.actions),
  );
}

function parseStages(text: string): ({ count: number } | { percent: number })[] | string {
  const parts = text.split(/[,\s→>]+/).filter((p) => p !== '');
  if (parts.length === 0) return 'Give at least one stage, e.g. "1, 50%, 100%".';
  const out: ({ count: number } | { percent: number })[] = [];
  for (const p of parts) {
    const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(p);
    if (m === null) return `"${p}" is neither a device count nor a percentage.`;
    const n = Number(m[1]);
    if (m[2] === '%') {
      if (n <= 0 || n > 100) return `${p}: a percentage must be in (0, 100].`;
      out.push({ percent: n });
    } else {
      if (!Number.isInteger(n) || n < 1) return `${p}: a device count must be a whole number ≥ 1.`;
      out.push({ count: n });
    }
  }
  return out;
}

function createForm(releases: Release[], devices: Device[], onCreated: () => void): HTMLElement {
  const groups = [...new Set(devices.map((d) => d.group).filter((g): g is string => g !== null))].sort();
  const versions = [...new Set(devices.map((d) => d.runningVersion).filter((v): v is string => v !== null))].sort();
  const release = h('select', { id: 'new-release', required: true }, ...[...releases].reverse().map((r) => h('option', { value: r.id }, `${r.name} ${r.version}`)));
  const group = h('select', { id: 'new-group' }, h('option', { value: '' }, 'any group'), ...groups.map((g) => h('option', { value: g }, g)));
  const from = h('select', { id: 'new-from' }, h('option', { value: '' }, 'any version'), ...versions.map((v) => h('option', { value: v }, v)));
  const name = h('input', { id: 'new-name', placeholder: 'e.g. lab to 1.1.0', required: true, maxlength: 128 });
  const stages = h('input', { id: 'new-stages', value: '1, 50%, 100%', required: true });
  const threshold = h('input', { id: 'new-threshold', type: 'number', min: 0, max: 100, value: 100 });
  const maxFail = h('input', { id: 'new-maxfail', type: 'number', min: 0, max: 100, value: 20 });
  const msg = h('div', { class: 'form-msg', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'new-submit' }, 'Start rollout');
  const field = (label: string, input: HTMLElement, hint?: string): HTMLElement => h('label', { class: 'field' }, h('span', {}, label), input, hint === undefined ? null : h('small', { class: 'muted' }, hint));
  return h(
    'form',
    {
      class: 'card create',
      'data-testid': 'create-rollout',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const st = parseStages(stages.value);
        if (typeof st === 'string') {
          msg.replaceChildren(errorBox(new Error(st)));
          return;
        }
        const filter: Record<string, unknown> = {};
        if (group.value !== '') filter.group = group.value;
        if (from.value !== '') filter.runningVersion = from.value;
        submit.disabled = true;
        msg.replaceChildren(h('span', { class: 'muted' }, 'Creating…'));
        api<{ id: number }>('POST', '/api/v1/rollouts', {
          name: name.value.trim(),
          releaseId: Number(release.value),
          filter,
          stages: st,
          successThreshold: Number(threshold.value) / 100,
          maxFailureRatio: Number(maxFail.value) / 100,
        }).then(
          (r) => {
            msg.replaceChildren(h('span', { class: 'ok-text' }, `Rollout #${r.id} started.`));
            name.value = '';
            submit.disabled = false;
            onCreated();
          },
          (error: unknown) => {
            msg.replaceChildren(errorBox(error));
            submit.disabled = false;
          },
        );
      },
    },
    h('h2', {}, 'New rollout'),
    h('div', { class: 'form-grid' }, field('Name', name), field('Release', release), field('Group', group), field('Running', from), field('Stages', stages, 'counts or percentages of the cohort, cumulative'), field('Success threshold %', threshold, 'of a stage, before the next starts'), field('Pause above failure %', maxFail)),
    h('div', { class: 'form-foot' }, submit, msg),
  );
}

export const rolloutsPage: Page = (el) => {
  const formHolder = h('div', {}, h('div', { class: 'loading' }, 'Loading releases…'));
  const listHolder = h('div', {});
  el.replaceChildren(h('h1', {}, 'Rollouts'), h('div', { class: 'rollouts-layout' }, listHolder, formHolder));
  let releases = new Map<number, Release>();
  const load = async (): Promise<(RolloutSummary & { actions: Action[] })[]> => {
    const list = await api<{ id: number }[]>('GET', '/api/v1/rollouts');
    return Promise.all(
      list
        .map((r) => r.id)
        .sort((a, b) => b - a)
        .map(async (id) => ({ ...(await api<RolloutSummary>('GET', `/api/v1/rollouts/${id}`)), actions: await api<Action[]>('GET', `/api/v1/rollouts/${id}/actions`) })),
    );
  };
  const act = (id: number, verb: 'pause' | 'resume' | 'abort'): void => {
    if (verb === 'abort' && !confirm(`Abort rollout #${id}? Devices that have not started are left alone; running actions are canceled.`)) return;
    api('POST', `/api/v1/rollouts/${id}/${verb}`).then(
      () => list.refresh(),
      (error: unknown) => listHolder.prepend(errorBox(error)),
    );
  };
  const list = live(
    listHolder,
    load,
    (summaries) => (summaries.length === 0 ? h('p', { class: 'empty card' }, 'No rollouts yet. Start one with the form.') : h('div', { class: 'rollout-list' }, ...summaries.map((s) => rolloutCard(s, releases, act)))),
    2000,
  );
  Promise.all([api<Release[]>('GET', '/api/v1/releases'), api<Device[]>('GET', '/api/v1/devices?limit=5000')]).then(
    ([rels, devices]) => {
      releases = new Map(rels.map((r) => [r.id, r]));
      formHolder.replaceChildren(createForm(rels, devices, () => list.refresh()));
      list.refresh();
    },
    (error: unknown) => formHolder.replaceChildren(errorBox(error)),
  );
  return list.stop;
};
