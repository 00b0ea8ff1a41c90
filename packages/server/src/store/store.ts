/**
 * @module store/store
 * The repository interface every storage backend implements (SQLite by default, PostgreSQL at
 * scale), and the records it holds. Services depend on this file only. Operations that must be
 * atomic across several rows (create an action and point the device at it; advance a rollout
 * stage exactly once when several server processes race) are single methods with
 * compare-and-set semantics, so no caller needs a transaction spanning awaits.
 * Shared conformance suite: test/store.suite.ts.
 */

/** How the server shapes DDI responses for a device (hawkbit-ddi.md Part C SHOULD 1). */
export type ClientProfile = 'auto' | 'zephyr' | 'swupdate' | 'rauc' | 'generic';

export interface TenantRecord {
  /** Upper-case tenant name (`DEFAULT`); DDI paths match it case-insensitively. */
  name: string;
  /** GatewayToken accepted for any controllerId of this tenant (null: mode off). */
  gatewayToken: string | null;
  /** When set, the gateway token only authenticates controllerIds starting with this. */
  gatewayIdPrefix: string | null;
  /** Issuer hashes accepted in reverse-proxy `X-Authority` headers (lower case). */
  trustedAuthorities: string[];
  /** Public keys (PEM) MCUboot uploads must be signed with; empty = signature not required. */
  trustedKeys: string[];
  /** Refuse uploads whose MCUboot version is lower than the newest one stored. */
  downgradeGuard: boolean;
  pollSleepSec: number;
  /** ± percentage of random deviation added to every poll's sleep (0 = none). */
  pollJitterPct: number;
}

export interface DeviceRecord {
  tenant: string;
  controllerId: string;
  /** 32 alphanumerics, `Authorization: TargetToken <token>`. */
  token: string;
  attributes: Record<string, string>;
  tags: string[];
  group: string | null;
  profile: ClientProfile;
  runningVersion: string | null;
  previousVersion: string | null;
  lastSeenMs: number | null;
  createdMs: number;
  /** The server wants attributes: the poll carries a configData link until a PUT arrives. */
  configRequested: boolean;
  /** The action the poll offers (deploymentBase / cancelAction link), if any. */
  activeActionId: number | null;
  /** The last action that ended installed; its release is what the device should run. */
  installedActionId: number | null;
}

export type DevicePatch = Partial<Omit<DeviceRecord, 'tenant' | 'controllerId' | 'createdMs'>>;

export interface DeviceFilter {
  tags?: string[];
  group?: string;
  runningVersion?: string;
  attributes?: Record<string, string>;
  controllerIds?: string[];
}

export type ArtifactKind = 'mcuboot' | 'opaque';

export interface ArtifactRecord {
  tenant: string;
  /** Lower-case hex SHA-256 of the whole file: its identity and its file name on disk. */
  sha256: string;
  sha1: string;
  md5: string;
  sizeBytes: number;
  filename: string;
  kind: ArtifactKind;
  /** MCUboot header version `major.minor.revision+build` (mcuboot only). */
  imageVersion: string | null;
  /** MCUboot's SHA-256 TLV (what `mcumgr image list` shows), hex (mcuboot only). */
  imageHash: string | null;
  signed: boolean;
  createdMs: number;
}

/** A distribution set: one software module (`part`) with one or more artifacts. */
export interface ReleaseRecord {
  id: number;
  tenant: string;
  name: string;
  version: string;
  part: string;
  artifacts: { sha256: string; filename: string }[];
  createdMs: number;
}

/**
 * Server-side action states. `running`/`canceling` are what the poll offers; `verifying` means
 * the device said `closed/success` and we are waiting for its running version to prove it.
 */
export type ActionStatus = 'running' | 'canceling' | 'verifying' | 'succeeded' | 'failed' | 'rolled_back' | 'timed_out' | 'canceled';
export const ACTIVE_ACTION_STATUSES: readonly ActionStatus[] = ['running', 'canceling'];
export const OPEN_ACTION_STATUSES: readonly ActionStatus[] = ['running', 'canceling', 'verifying'];

export type ActionType = 'forced' | 'soft' | 'download_only';

/** A daily window (UTC) in which installing is allowed. */
export interface MaintenanceWindow {
  startMinuteUtc: number;
  durationMinutes: number;
}

export interface ActionRecord {
  id: number;
  tenant: string;
  controllerId: string;
  releaseId: number;
  rolloutId: number | null;
  stage: number | null;
  status: ActionStatus;
  type: ActionType;
  maintenance: MaintenanceWindow | null;
  /** The version the device ran when the action was created (what a rollback returns to). */
  fromVersion: string | null;
  /** When the outcome must be known; past it an open action is `timed_out`. */
  deadlineMs: number | null;
  requireVersionReport: boolean;
  createdMs: number;
  updatedMs: number;
  retrievedMs: number | null;
  /** Download bookkeeping, the only progress signal Zephyr gives (Part C SHOULD 2). */
  bytesServed: number;
  highestOffset: number;
  downloads: number;
  lastExecution: string | null;
  lastFinished: string | null;
  reason: string | null;
}

export type ActionPatch = Partial<Omit<ActionRecord, 'id' | 'tenant' | 'controllerId' | 'releaseId' | 'createdMs'>>;

export interface ActionStatusEntry {
  actionId: number;
  atMs: number;
  source: 'device' | 'server';
  execution: string;
  finished: string | null;
  code: number | null;
  details: string[];
}

export interface ActionQuery {
  tenant?: string;
  controllerId?: string;
  rolloutId?: number;
  statuses?: readonly ActionStatus[];
  /** Only actions whose deadline is at or before this time. */
  deadlineAtOrBeforeMs?: number;
  limit?: number;
}

/** Stage sizes are cumulative targets: stage k ends when `count`/`percent` of the cohort has an action. */
export type RolloutStage = { count: number } | { percent: number };

export type RolloutState = 'running' | 'paused' | 'aborted' | 'finished';

export interface RolloutRecord {
  id: number;
  tenant: string;
  name: string;
  releaseId: number;
  filter: DeviceFilter;
  stages: RolloutStage[];
  /** Fraction (0..1) of a stage's devices that must succeed before the next stage starts. */
  successThreshold: number;
  /** Pause automatically once failed / decided exceeds this fraction (0..1). */
  maxFailureRatio: number;
  deviceTimeoutMs: number;
  maintenance: MaintenanceWindow | null;
  actionType: ActionType;
  requireVersionReport: boolean;
  state: RolloutState;
  currentStage: number;
  reason: string | null;
  createdMs: number;
  updatedMs: number;
}

export type RolloutPatch = Partial<Pick<RolloutRecord, 'state' | 'currentStage' | 'reason' | 'updatedMs'>>;

export interface RolloutMember {
  rolloutId: number;
  controllerId: string;
  stage: number;
}

export interface AuditEntry {
  id?: number;
  atMs: number;
  tenant: string;
  actor: string;
  event: string;
  subject: string;
  details: Record<string, unknown>;
}

export interface SampleRow {
  tenant: string;
  controllerId: string;
  /** The device boot the uptime stamp belongs to (0: a client that sends none). */
  bootId: number;
  timestampMs: number;
  temp: number;
  receivedMs: number;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** Hex SHA-256 of the key; the key itself is shown once and never stored. */
  hash: string;
  createdMs: number;
}

export interface Page {
  limit?: number;
  offset?: number;
}

export interface Store extends DeviceTwinStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Applies pending numbered migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  getTenant(name: string): Promise<TenantRecord | null>;
  putTenant(tenant: TenantRecord): Promise<void>;

  /** Inserts a device; false (nothing written) if the controllerId or token already exists. */
  createDevice(device: DeviceRecord): Promise<boolean>;
  getDevice(tenant: string, controllerId: string): Promise<DeviceRecord | null>;
  getDeviceByToken(token: string): Promise<DeviceRecord | null>;
  listDevices(tenant: string, filter?: DeviceFilter, page?: Page): Promise<DeviceRecord[]>;
  countDevices(tenant: string): Promise<number>;
  updateDevice(tenant: string, controllerId: string, patch: DevicePatch): Promise<DeviceRecord | null>;
  /** Batched last-seen writes; a later time never moves last-seen backwards. */
  touchDevices(seen: readonly { tenant: string; controllerId: string; atMs: number }[]): Promise<void>;

  /** Idempotent on (tenant, sha256): false when it was already there. */
  putArtifact(artifact: ArtifactRecord): Promise<boolean>;
  getArtifact(tenant: string, sha256: string): Promise<ArtifactRecord | null>;
  listArtifacts(tenant: string): Promise<ArtifactRecord[]>;

  createRelease(release: Omit<ReleaseRecord, 'id'>): Promise<ReleaseRecord>;
  getRelease(id: number): Promise<ReleaseRecord | null>;
  findRelease(tenant: string, name: string, version: string): Promise<ReleaseRecord | null>;
  listReleases(tenant: string): Promise<ReleaseRecord[]>;

  /** Next value of a named monotonic counter (action ids, rollout ids…), atomic across processes. */
  nextId(counter: string, start?: number): Promise<number>;
  /**
   * Inserts the action and makes it the device's active action, only if the device has no
   * active action. Returns false (nothing written) otherwise.
   */
  createAction(action: ActionRecord): Promise<boolean>;
  getAction(id: number): Promise<ActionRecord | null>;
  listActions(query: ActionQuery): Promise<ActionRecord[]>;
  /**
   * Updates an action if its status is one of `expect` (when given) and applies `device` to its
   * device in the same transaction. Returns the updated action, or null when the CAS failed.
   */
  updateAction(id: number, patch: ActionPatch, opts?: { expect?: readonly ActionStatus[]; device?: DevicePatch; status?: ActionStatusEntry }): Promise<ActionRecord | null>;
  /** Adds download bookkeeping to an action (no status change). */
  recordDownload(id: number, bytes: number, endOffset: number, full: boolean): Promise<void>;
  addActionStatus(entry: ActionStatusEntry): Promise<void>;
  /** Newest first. */
  listActionStatus(actionId: number, limit: number): Promise<ActionStatusEntry[]>;
  countActionStatus(actionId: number): Promise<number>;

  createRollout(rollout: RolloutRecord, members: readonly RolloutMember[]): Promise<void>;
  getRollout(id: number): Promise<RolloutRecord | null>;
  listRollouts(tenant: string): Promise<RolloutRecord[]>;
  /** CAS on state and stage: returns false when `expect` no longer holds. */
  updateRollout(id: number, patch: RolloutPatch, expect?: { state?: RolloutState; currentStage?: number }): Promise<boolean>;
  listRolloutMembers(rolloutId: number, stage?: number): Promise<RolloutMember[]>;
  /**
   * Running rollouts in which this device is a member of a started stage but has no action yet
   * (it was busy when its stage started): the rollouts to assign it in once it is free.
   */
  listPendingRolloutMemberships(tenant: string, controllerId: string): Promise<RolloutMember[]>;
  /**
   * Members per stage and actions per (stage, status) of a rollout (non-zero counts only): its
   * summary from counters kept in step with every action write, without reading rows out.
   * Actions without a rollout stage are not counted.
   */
  countRollout(rolloutId: number): Promise<{ members: { stage: number; count: number }[]; actions: { stage: number; status: ActionStatus; count: number }[] }>;

  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(tenant: string, opts?: { subject?: string; limit?: number }): Promise<AuditEntry[]>;

  /** Inserts samples, skipping (tenant, controllerId, bootId, timestampMs) already stored. */
  insertSamples(rows: readonly SampleRow[]): Promise<{ inserted: number; duplicates: number }>;
  /** A device's samples in order: by boot id, then timestamp within the boot; from/to filter the timestamp. */
  listSamples(tenant: string, controllerId: string, opts?: { fromMs?: number; toMs?: number; limit?: number }): Promise<SampleRow[]>;

  createApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
  countApiKeys(): Promise<number>;
}

/** One entry of a simulated device's timeline (its own numbering makes re-posts idempotent). */
export interface DeviceEventRow {
  tenant: string;
  controllerId: string;
  /** The device's own sequence number, unique per device. */
  seq: number;
  /** When it happened (milliseconds since the epoch, the device's clock). */
  atMs: number;
  kind: string;
  title: string;
  details: Record<string, unknown>;
  receivedMs: number;
}

/** The latest picture of a simulated device's flash (primary, secondary, scratch, swap). */
export interface DeviceSlotsRow {
  tenant: string;
  controllerId: string;
  atMs: number;
  slots: Record<string, unknown>;
  receivedMs: number;
}

/** Twin data of simulated devices (SQLite migration 2, PostgreSQL migration 3); kept beside Store so backends implement both. */
export interface DeviceTwinStore {
  /** Inserts events, skipping (tenant, controllerId, seq) already stored. */
  insertDeviceEvents(rows: readonly DeviceEventRow[]): Promise<{ inserted: number; duplicates: number }>;
  /** Deletes a device's events with seq < `beforeSeq` (bounded retention); returns how many went. */
  trimDeviceEvents(tenant: string, controllerId: string, beforeSeq: number): Promise<number>;
  /** The newest `limit` events with seq > `afterSeq`, oldest first. */
  listDeviceEvents(tenant: string, controllerId: string, opts?: { afterSeq?: number; limit?: number }): Promise<DeviceEventRow[]>;
  /** Keeps the slot picture with the latest `atMs` (an older one arriving late changes nothing). */
  putDeviceSlots(row: DeviceSlotsRow): Promise<void>;
  getDeviceSlots(tenant: string, controllerId: string): Promise<DeviceSlotsRow | null>;
}
