/**
 * @module commands/admin
 * `slotwise admin …`: the management API from the command line, so an operator never needs
 * curl. Every command prints a short human summary, or the API's JSON with `--json`.
 * Connection: `--url` (or SLOTWISE_URL, default http://127.0.0.1:8080) and the admin key from
 * `--key`, `--key-file`, SLOTWISE_ADMIN_KEY, or `<--data DIR>/admin-key`.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode } from '../exit-codes.js';
import { UsageError } from '../command-errors.js';

const HELP = `Usage: slotwise admin [connection] <command> [options]

Connection: --url URL  --key KEY | --key-file FILE | --data DIR   --tenant NAME   --json

Commands:
  status                                   fleet summary
  devices list [--tag T] [--group G] [--version V]
  devices get ID
  devices register ID [--tag T]… [--group G] [--version V] [--profile zephyr|swupdate|rauc|generic]
  devices tag ID --tag T…                  replace the device's tags
  tokens rotate ID                         issue a new target token (prints it)
  artifacts list
  artifacts upload FILE [--name NAME]      MCUboot images are verified before storing
  releases list
  releases create --name N --version V --artifact SHA256[:FILENAME]…
  deploy ID RELEASE_ID [--type forced|soft|download_only] [--timeout-min M]
  actions get ID | actions cancel ID
  rollouts list | rollouts get ID
  rollouts create --name N --release ID --stage 10% --stage 100% [--tag T] [--group G]
                  [--threshold 0.9] [--max-failure 0.2] [--timeout-min M] [--window HH:MM-HH:MM]
  rollouts pause|resume|abort ID
  tenant get | tenant set [--gateway-token T] [--gateway-prefix P] [--trusted-key PEMFILE]…
                          [--downgrade-guard on|off] [--poll-sec N] [--jitter-pct N]
  audit [--limit N]
`;


interface Conn {
  url: string;
  key: string;
  tenant: string;
  json: boolean;
}

interface ApiResult {
  status: number;
  body: unknown;
}

async function call(conn: Conn, method: string, path: string, body?: unknown, raw?: { bytes: Uint8Array; type: string }): Promise<ApiResult> {
  const headers: Record<string, string> = { authorization: `Bearer ${conn.key}`, 'x-slotwise-tenant': conn.tenant };
  let payload: Uint8Array | string | undefined;
  if (raw !== undefined) {
    headers['content-type'] = raw.type;
    payload = raw.bytes;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${conn.url.replace(/\/+$/, '')}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, body: parsed };
}

type Row = Record<string, unknown>;

function table(rows: Row[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cell = (v: unknown): string => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]): string => vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

function parseWindow(text: string): { startMinuteUtc: number; durationMinutes: number } {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(text);
  if (m === null) throw new UsageError(`--window expects HH:MM-HH:MM (UTC), got ${text}`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return { startMinuteUtc: start, durationMinutes: ((end - start + 1440) % 1440) || 1440 };
}

function parseStage(text: string): { count: number } | { percent: number } {
  if (/^\d+(\.\d+)?%$/.test(text)) return { percent: Number(text.slice(0, -1)) };
  if (/^\d+$/.test(text)) return { count: Number(text) };
  throw new UsageError(`--stage expects a count (10) or a percentage (25%), got ${text}`);
}

function resolveKey(v: { key?: string | undefined; 'key-file'?: string | undefined; data?: string | undefined }): string {
  if (v.key !== undefined) return v.key;
  if (v['key-file'] !== undefined) return readFileSync(v['key-file'], 'utf8').trim();
  if (process.env.SLOTWISE_ADMIN_KEY !== undefined) return process.env.SLOTWISE_ADMIN_KEY;
  try {
    return readFileSync(join(v.data ?? './data', 'admin-key'), 'utf8').trim();
  } catch {
    throw new UsageError('no admin key: pass --key, --key-file, --data DIR or set SLOTWISE_ADMIN_KEY');
  }
}

async function dispatch(conn: Conn, words: string[], o: Record<string, string | string[] | boolean | undefined>): Promise<{ result: ApiResult; human: (body: unknown) => string }> {
  const s = (name: string): string | undefined => (typeof o[name] === 'string' ? (o[name] as string) : undefined);
  const list = (name: string): string[] => (Array.isArray(o[name]) ? (o[name] as string[]) : []);
  const need = (value: string | undefined, what: string): string => {
    if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
    return value;
  };
  const num = (value: string | undefined, what: string): number => {
    const n = Number(need(value, what));
    if (!Number.isFinite(n)) throw new UsageError(`${what} must be a number`);
    return n;
  };
  const [group, verb, arg1] = words;
  const deviceCols = ['controllerId', 'runningVersion', 'previousVersion', 'tags', 'group', 'activeActionId', 'lastSeenMs'];
  const one = (cols: string[]) => (b: unknown) => table([b as Row], cols);
  const many = (cols: string[]) => (b: unknown) => table(b as Row[], cols);
  if (group === 'deploy') {
    const body: Row = { controllerId: need(verb, 'device id'), releaseId: num(arg1, 'release id') };
    if (s('type') !== undefined) body.type = s('type');
    if (s('timeout-min') !== undefined) body.timeoutMs = num(s('timeout-min'), '--timeout-min') * 60_000;
    return { result: await call(conn, 'POST', '/api/v1/deployments', body), human: one(['id', 'controllerId', 'releaseId', 'status']) };
  }
  switch (`${group ?? ''} ${verb ?? ''}`.trim()) {
    case 'status':
      return { result: await call(conn, 'GET', '/api/v1/status'), human: (b) => JSON.stringify(b, null, 2) + '\n' };
    case 'devices list': {
      const q = new URLSearchParams();
      if (list('tag').length > 0) q.set('tag', list('tag')[0] ?? '');
      if (s('group') !== undefined) q.set('group', s('group') ?? '');
      if (s('version') !== undefined) q.set('version', s('version') ?? '');
      return { result: await call(conn, 'GET', `/api/v1/devices?${q.toString()}`), human: many(deviceCols) };
    }
    case 'devices get':
      return { result: await call(conn, 'GET', `/api/v1/devices/${encodeURIComponent(need(arg1, 'device id'))}`), human: (b) => JSON.stringify(b, null, 2) + '\n' };
    case 'devices register': {
      const body: Row = { controllerId: need(arg1, 'device id'), tags: list('tag') };
      if (s('group') !== undefined) body.group = s('group');
      if (s('version') !== undefined) body.runningVersion = s('version');
      if (s('profile') !== undefined) body.profile = s('profile');
      return { result: await call(conn, 'POST', '/api/v1/devices', body), human: (b) => `registered ${String((b as { device: Row }).device.controllerId)}\ntoken: ${String((b as { token: string }).token)}\n` };
    }
    case 'devices tag':
      return { result: await call(conn, 'PATCH', `/api/v1/devices/${encodeURIComponent(need(arg1, 'device id'))}`, { tags: list('tag') }), human: one(deviceCols) };
    case 'tokens rotate':
      return { result: await call(conn, 'POST', `/api/v1/devices/${encodeURIComponent(need(arg1, 'device id'))}/token`), human: (b) => `token: ${String((b as { token: string }).token)}\n` };
    case 'artifacts list':
      return { result: await call(conn, 'GET', '/api/v1/artifacts'), human: many(['sha256', 'filename', 'sizeBytes', 'kind', 'imageVersion', 'signed']) };
    case 'artifacts upload': {
      const file = need(arg1, 'file');
      const bytes = new Uint8Array(readFileSync(file));
      const name = s('name') ?? basename(file);
      return { result: await call(conn, 'POST', `/api/v1/artifacts?filename=${encodeURIComponent(name)}`, undefined, { bytes, type: 'application/octet-stream' }), human: one(['sha256', 'filename', 'sizeBytes', 'kind', 'imageVersion', 'signed']) };
    }
    case 'releases list':
      return { result: await call(conn, 'GET', '/api/v1/releases'), human: many(['id', 'name', 'version', 'part']) };
    case 'releases create': {
      const artifacts = list('artifact').map((a) => {
        const [sha256, filename] = a.split(':');
        return filename === undefined ? { sha256 } : { sha256, filename };
      });
      if (artifacts.length === 0) throw new UsageError('releases create needs at least one --artifact SHA256');
      return { result: await call(conn, 'POST', '/api/v1/releases', { name: need(s('name'), '--name'), version: need(s('version'), '--version'), artifacts }), human: one(['id', 'name', 'version']) };
    }
    case 'actions get':
      return { result: await call(conn, 'GET', `/api/v1/actions/${num(arg1, 'action id')}`), human: (b) => JSON.stringify(b, null, 2) + '\n' };
    case 'actions cancel':
      return { result: await call(conn, 'POST', `/api/v1/actions/${num(arg1, 'action id')}/cancel`), human: one(['id', 'controllerId', 'status']) };
    case 'rollouts list':
      return { result: await call(conn, 'GET', '/api/v1/rollouts'), human: many(['id', 'name', 'releaseId', 'state', 'currentStage', 'reason']) };
    case 'rollouts get':
      return {
        result: await call(conn, 'GET', `/api/v1/rollouts/${num(arg1, 'rollout id')}`),
        human: (b) => {
          const r = b as { rollout: Row; stages: Row[] };
          return `rollout ${String(r.rollout.id)} ${String(r.rollout.name)}: ${String(r.rollout.state)}, stage ${String(r.rollout.currentStage)}${r.rollout.reason === null ? '' : ` (${String(r.rollout.reason)})`}\n` + table(r.stages, ['stage', 'members', 'assigned', 'open', 'succeeded', 'failed', 'rolledBack', 'timedOut', 'canceled']);
        },
      };
    case 'rollouts create': {
      const filter: Row = {};
      if (list('tag').length > 0) filter.tags = list('tag');
      if (s('group') !== undefined) filter.group = s('group');
      const stages = list('stage').map(parseStage);
      const body: Row = { name: need(s('name'), '--name'), releaseId: num(s('release'), '--release'), filter, stages: stages.length > 0 ? stages : [{ percent: 100 }] };
      if (s('threshold') !== undefined) body.successThreshold = num(s('threshold'), '--threshold');
      if (s('max-failure') !== undefined) body.maxFailureRatio = num(s('max-failure'), '--max-failure');
      if (s('timeout-min') !== undefined) body.deviceTimeoutMs = num(s('timeout-min'), '--timeout-min') * 60_000;
      if (s('window') !== undefined) body.maintenance = parseWindow(s('window') ?? '');
      return { result: await call(conn, 'POST', '/api/v1/rollouts', body), human: one(['id', 'name', 'state', 'currentStage']) };
    }
    case 'rollouts pause':
    case 'rollouts resume':
    case 'rollouts abort':
      return { result: await call(conn, 'POST', `/api/v1/rollouts/${num(arg1, 'rollout id')}/${verb ?? ''}`), human: one(['id', 'name', 'state', 'currentStage', 'reason']) };
    case 'tenant get':
      return { result: await call(conn, 'GET', `/api/v1/tenants/${conn.tenant}`), human: (b) => JSON.stringify(b, null, 2) + '\n' };
    case 'tenant set': {
      const body: Row = {};
      if (s('gateway-token') !== undefined) body.gatewayToken = s('gateway-token') === 'off' ? null : s('gateway-token');
      if (s('gateway-prefix') !== undefined) body.gatewayIdPrefix = s('gateway-prefix');
      if (list('trusted-key').length > 0) body.trustedKeys = list('trusted-key').map((f) => readFileSync(f, 'utf8'));
      if (s('downgrade-guard') !== undefined) body.downgradeGuard = s('downgrade-guard') === 'on';
      if (s('poll-sec') !== undefined) body.pollSleepSec = num(s('poll-sec'), '--poll-sec');
      if (s('jitter-pct') !== undefined) body.pollJitterPct = num(s('jitter-pct'), '--jitter-pct');
      return { result: await call(conn, 'PUT', `/api/v1/tenants/${conn.tenant}`, body), human: (b) => JSON.stringify(b, null, 2) + '\n' };
    }
    case 'audit':
      return { result: await call(conn, 'GET', `/api/v1/audit?limit=${num(s('limit') ?? '50', '--limit')}`), human: many(['atMs', 'actor', 'event', 'subject']) };
  }
  throw new UsageError(`unknown command '${words.join(' ')}'`);
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        'key-file': { type: 'string' },
        data: { type: 'string' },
        tenant: { type: 'string', default: 'DEFAULT' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        tag: { type: 'string', multiple: true },
        group: { type: 'string' },
        version: { type: 'string' },
        profile: { type: 'string' },
        name: { type: 'string' },
        artifact: { type: 'string', multiple: true },
        type: { type: 'string' },
        'timeout-min': { type: 'string' },
        release: { type: 'string' },
        stage: { type: 'string', multiple: true },
        threshold: { type: 'string' },
        'max-failure': { type: 'string' },
        window: { type: 'string' },
        'gateway-token': { type: 'string' },
        'gateway-prefix': { type: 'string' },
        'trusted-key': { type: 'string', multiple: true },
        'downgrade-guard': { type: 'string' },
        'poll-sec': { type: 'string' },
        'jitter-pct': { type: 'string' },
        limit: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`slotwise admin: ${error instanceof Error ? error.message : String(error)}\n${HELP}`);
    return ExitCode.USAGE;
  }
  const v = parsed.values;
  if (v.help === true || parsed.positionals.length === 0) {
    process.stdout.write(HELP);
    return v.help === true ? ExitCode.OK : ExitCode.USAGE;
  }
  try {
    const conn: Conn = { url: v.url ?? process.env.SLOTWISE_URL ?? 'http://127.0.0.1:8080', key: resolveKey(v), tenant: v.tenant ?? 'DEFAULT', json: v.json === true };
    const { result, human } = await dispatch(conn, parsed.positionals, v);
    if (result.status >= 400) {
      const err = result.body as { code?: string; message?: string };
      if (conn.json) process.stdout.write(JSON.stringify(result.body) + '\n');
      process.stderr.write(`slotwise admin: ${result.status} ${err.code ?? ''}: ${err.message ?? String(result.body)}\n`);
      return result.status === 401 || result.status >= 500 ? ExitCode.UNAVAILABLE : ExitCode.FAILURE;
    }
    process.stdout.write(conn.json ? JSON.stringify(result.body) + '\n' : human(result.body));
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`slotwise admin: ${error.message}\n`);
      return ExitCode.USAGE;
    }
    if (error instanceof TypeError && /fetch failed/.test(error.message)) {
      process.stderr.write(`slotwise admin: cannot reach the server (${String((error as { cause?: unknown }).cause ?? error.message)})\n`);
      return ExitCode.UNAVAILABLE;
    }
    if ((error as { code?: string }).code === 'ENOENT') {
      process.stderr.write(`slotwise admin: ${(error as Error).message}\n`);
      return ExitCode.BAD_INPUT;
    }
    throw error;
  }
}
