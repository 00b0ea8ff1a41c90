/**
 * @module api
 * The dashboard's only door to data: the management API `/api/v1` with the admin key
 * (`Authorization: Bearer`). The key comes from the URL the demo prints (`#key=…`, moved to
 * localStorage and removed from the address bar) or from the sign-in prompt. Errors carry the
 * server's `{ code, message }` so pages can show them as they are.
 */

const KEY_STORAGE = 'slotwise.adminKey';

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiFailure';
    this.status = status;
    this.code = code;
  }
}

export function adminKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}

export function setAdminKey(key: string | null): void {
  if (key === null) localStorage.removeItem(KEY_STORAGE);
  else localStorage.setItem(KEY_STORAGE, key.trim());
}

/** Takes `#key=…` from the address (the demo's link) into storage; returns true if it did. */
export function adoptKeyFromUrl(): boolean {
  const m = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (m?.[1] === undefined) return false;
  setAdminKey(decodeURIComponent(m[1]));
  history.replaceState(null, '', `${location.pathname}#/fleet`);
  return true;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const key = adminKey();
  if (key === null) throw new ApiFailure(401, 'SW_ERR_AUTH_MISSING', 'No admin key: sign in first.');
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers['content-type'] = contentType;
    payload = body instanceof Uint8Array ? new Blob([body as Uint8Array<ArrayBuffer>]) : JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  } catch (error) {
    throw new ApiFailure(0, 'NETWORK', `The server does not answer (${error instanceof Error ? error.message : String(error)}). Is slotwise still running?`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = json as { code?: string; message?: string } | null;
    throw new ApiFailure(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? (text.slice(0, 200) || res.statusText));
  }
  return json as T;
}

export interface Device {
  controllerId: string;
  attributes: Record<string, string>;
  tags: string[];
  group: string | null;
  runningVersion: string | null;
  previousVersion: string | null;
  lastSeenMs: number | null;
  createdMs: number;
  activeActionId: number | null;
  installedActionId: number | null;
}

export interface Release {
  id: number;
  name: string;
  version: string;
  part: string;
  artifacts: { sha256: string; filename: string }[];
  createdMs: number;
}

export interface Artifact {
  sha256: string;
  sizeBytes: number;
  filename: string;
  kind: 'mcuboot' | 'opaque';
  imageVersion: string | null;
  imageHash: string | null;
  signed: boolean;
  createdMs: number;
}

export type RolloutState = 'running' | 'paused' | 'aborted' | 'finished';

export interface Rollout {
  id: number;
  name: string;
  releaseId: number;
  filter: { tags?: string[]; group?: string; runningVersion?: string; controllerIds?: string[] };
  stages: ({ count: number } | { percent: number })[];
  successThreshold: number;
  maxFailureRatio: number;
  deviceTimeoutMs: number;
  state: RolloutState;
  currentStage: number;
  reason: string | null;
  createdMs: number;
  updatedMs: number;
}

export interface StageSummary {
  stage: number;
  members: number;
  assigned: number;
  open: number;
  succeeded: number;
  failed: number;
  rolledBack: number;
  timedOut: number;
  canceled: number;
}

export interface RolloutSummary {
  rollout: Rollout;
  stages: StageSummary[];
}

export interface Action {
  id: number;
  controllerId: string;
  releaseId: number;
  rolloutId: number | null;
  status: string;
  createdMs: number;
  updatedMs: number;
  bytesServed: number;
  reason: string | null;
}

export interface ActionHistoryEntry {
  atMs: number;
  source: string;
  execution: string;
  finished: string | null;
  code: number | null;
  details: string[];
}

export interface ActionDetail {
  action: Action;
  history: ActionHistoryEntry[];
}

export interface AuditEntry {
  id?: number;
  atMs: number;
  actor: string;
  event: string;
  subject: string;
  details: Record<string, unknown>;
}

export interface TimelineEvent {
  seq: number;
  atMs: number;
  kind: string;
  title: string;
  details: Record<string, unknown>;
}

export type Flag = 'set' | 'bad' | 'unset';

export interface SlotPicture {
  role: 'primary' | 'secondary' | 'scratch';
  sizeBytes: number;
  image: { version: string; sizeBytes: number } | null;
  trailer: { magic: 'good' | 'bad' | 'unset'; swapType: string; copyDone: Flag; imageOk: Flag } | null;
  usedSectors: number;
  sectorCount: number;
}

export interface Slots {
  atMs: number;
  mode: string;
  sectorSizeBytes: number;
  slots: SlotPicture[];
  swap: { swapType: string; sectorsDone: number; sectorsTotal: number } | null;
  runningVersion: string | null;
  receivedMs: number;
}

export interface Samples {
  samples: { temp: number; timestamp_ms: number }[];
}
