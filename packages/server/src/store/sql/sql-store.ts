/**
 * @module store/sql/sql-store
 * The Store repository over a SqlDriver: row mapping and the portable SQL both dialects accept
 * (`ON CONFLICT`, `RETURNING`, `?` placeholders). Dialect-specific parts (connection,
 * migrations, locking) live in store/sqlite and store/postgres. JSON-valued columns are TEXT.
 */
import type { Migration, SqlDriver, SqlValue } from './driver.js';
import type {
  ActionPatch,
  ActionQuery,
  ActionRecord,
  ActionStatus,
  ActionStatusEntry,
  ApiKeyRecord,
  ArtifactRecord,
  AuditEntry,
  DeviceFilter,
  DevicePatch,
  DeviceRecord,
  ReleaseRecord,
  RolloutMember,
  RolloutPatch,
  RolloutRecord,
  RolloutState,
  SampleRow,
  Store,
  TenantRecord,
} from '../store.js';

type Row = Record<string, SqlValue>;

const str = (v: SqlValue | undefined): string => String(v);
const strOrNull = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: SqlValue | undefined): number => Number(v);
const numOrNull = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: SqlValue | undefined): T => JSON.parse(String(v)) as T;
const jsonOrNull = <T>(v: SqlValue | undefined): T | null => (v === null || v === undefined ? null : (JSON.parse(String(v)) as T));
const bool = (v: SqlValue | undefined): boolean => Number(v) !== 0;

function toTenant(r: Row): TenantRecord {
  return {
    name: str(r.name),
    gatewayToken: strOrNull(r.gateway_token),
    gatewayIdPrefix: strOrNull(r.gateway_id_prefix),
    trustedAuthorities: json(r.trusted_authorities),
    trustedKeys: json(r.trusted_keys),
    downgradeGuard: bool(r.downgrade_guard),
    pollSleepSec: num(r.poll_sleep_sec),
    pollJitterPct: num(r.poll_jitter_pct),
  };
}

function toDevice(r: Row): DeviceRecord {
  return {
    tenant: str(r.tenant),
    controllerId: str(r.controller_id),
    token: str(r.token),
    attributes: json(r.attributes),
    tags: json(r.tags),
    group: strOrNull(r.grp),
    profile: str(r.profile) as DeviceRecord['profile'],
    runningVersion: strOrNull(r.running_version),
    previousVersion: strOrNull(r.previous_version),
    lastSeenMs: numOrNull(r.last_seen_ms),
    createdMs: num(r.created_ms),
    configRequested: bool(r.config_requested),
    activeActionId: numOrNull(r.active_action_id),
    installedActionId: numOrNull(r.installed_action_id),
  };
}

const DEVICE_COLUMNS: Record<keyof DevicePatch, [string, (v: never) => SqlValue]> = {
  token: ['token', (v: string) => v],
  attributes: ['attributes', (v: Record<string, string>) => JSON.stringify(v)],
  tags: ['tags', (v: string[]) => JSON.stringify(v)],
  group: ['grp', (v: string | null) => v],
  profile: ['profile', (v: string) => v],
  runningVersion: ['running_version', (v: string | null) => v],
  previousVersion: ['previous_version', (v: string | null) => v],
  lastSeenMs: ['last_seen_ms', (v: number | null) => v],
  configRequested: ['config_requested', (v: boolean) => (v ? 1 : 0)],
  activeActionId: ['active_action_id', (v: number | null) => v],
  installedActionId: ['installed_action_id', (v: number | null) => v],
};

function toArtifact(r: Row): ArtifactRecord {
  return {
    tenant: str(r.tenant),
    sha256: str(r.sha256),
    sha1: str(r.sha1),
    md5: str(r.md5),
    sizeBytes: num(r.size_bytes),
    filename: str(r.filename),
    kind: str(r.kind) as ArtifactRecord['kind'],
    imageVersion: strOrNull(r.image_version),
    imageHash: strOrNull(r.image_hash),
    signed: bool(r.signed),
    createdMs: num(r.created_ms),
  };
}

function toRelease(r: Row): ReleaseRecord {
  return {
    id: num(r.id),
    tenant: str(r.tenant),
    name: str(r.name),
    version: str(r.version),
    part: str(r.part),
    artifacts: json(r.artifacts),
    createdMs: num(r.created_ms),
  };
}

function toAction(r: Row): ActionRecord {
  return {
    id: num(r.id),
    tenant: str(r.tenant),
    controllerId: str(r.controller_id),
    releaseId: num(r.release_id),
    rolloutId: numOrNull(r.rollout_id),
    stage: numOrNull(r.stage),
    status: str(r.status) as ActionStatus,
    type: str(r.type) as ActionRecord['type'],
    maintenance: jsonOrNull(r.maintenance),
    fromVersion: strOrNull(r.from_version),
    deadlineMs: numOrNull(r.deadline_ms),
    requireVersionReport: bool(r.require_version_report),
    createdMs: num(r.created_ms),
    updatedMs: num(r.updated_ms),
    retrievedMs: numOrNull(r.retrieved_ms),
    bytesServed: num(r.bytes_served),
    highestOffset: num(r.highest_offset),
    downloads: num(r.downloads),
    lastExecution: strOrNull(r.last_execution),
    lastFinished: strOrNull(r.last_finished),
    reason: strOrNull(r.reason),
  };
}

const ACTION_COLUMNS: Record<keyof ActionPatch, [string, (v: never) => SqlValue]> = {
  rolloutId: ['rollout_id', (v: number | null) => v],
  stage: ['stage', (v: number | null) => v],
  status: ['status', (v: string) => v],
  type: ['type', (v: string) => v],
  maintenance: ['maintenance', (v: unknown) => (v === null ? null : JSON.stringify(v))],
  fromVersion: ['from_version', (v: string | null) => v],
  deadlineMs: ['deadline_ms', (v: number | null) => v],
  requireVersionReport: ['require_version_report', (v: boolean) => (v ? 1 : 0)],
  updatedMs: ['updated_ms', (v: number) => v],
  retrievedMs: ['retrieved_ms', (v: number | null) => v],
  bytesServed: ['bytes_served', (v: number) => v],
  highestOffset: ['highest_offset', (v: number) => v],
  downloads: ['downloads', (v: number) => v],
  lastExecution: ['last_execution', (v: string | null) => v],
  lastFinished: ['last_finished', (v: string | null) => v],
  reason: ['reason', (v: string | null) => v],
};

function toRollout(r: Row): RolloutRecord {
  return {
    id: num(r.id),
    tenant: str(r.tenant),
    name: str(r.name),
    releaseId: num(r.release_id),
    filter: json(r.filter),
    stages: json(r.stages),
    successThreshold: num(r.success_threshold),
    maxFailureRatio: num(r.max_failure_ratio),
    deviceTimeoutMs: num(r.device_timeout_ms),
    maintenance: jsonOrNull(r.maintenance),
    actionType: str(r.action_type) as RolloutRecord['actionType'],
    requireVersionReport: bool(r.require_version_report),
    state: str(r.state) as RolloutState,
    currentStage: num(r.current_stage),
    reason: strOrNull(r.reason),
    createdMs: num(r.created_ms),
    updatedMs: num(r.updated_ms),
  };
}

function toStatus(r: Row): ActionStatusEntry {
  return {
    actionId: num(r.action_id),
    atMs: num(r.at_ms),
    source: str(r.source) as ActionStatusEntry['source'],
    execution: str(r.execution),
    finished: strOrNull(r.finished),
    code: numOrNull(r.code),
    details: json(r.details),
  };
}

function setClause<P extends object>(patch: P, columns: Record<keyof P, [string, (v: never) => SqlValue]>): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const key of Object.keys(patch) as (keyof P)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    const col = columns[key];
    if (col === undefined) throw new TypeError(`setClause: unknown field ${String(key)}`);
    parts.push(`${col[0]} = ?`);
    params.push(col[1](value as never));
  }
  return { sql: parts.join(', '), params };
}

/** True when the device matches every criterion of the filter (a missing criterion matches all). */
export function matchesFilter(device: DeviceRecord, filter: DeviceFilter): boolean {
  if (filter.group !== undefined && device.group !== filter.group) return false;
  if (filter.runningVersion !== undefined && device.runningVersion !== filter.runningVersion) return false;
  if (filter.tags !== undefined && !filter.tags.every((t) => device.tags.includes(t))) return false;
  if (filter.controllerIds !== undefined && !filter.controllerIds.includes(device.controllerId)) return false;
  if (filter.attributes !== undefined) {
    for (const [k, v] of Object.entries(filter.attributes)) if (device.attributes[k] !== v) return false;
  }
  return true;
}

export interface SqlStoreOptions {
  driver: SqlDriver;
  migrations: readonly Migration[];
  /** Statements run first inside the migration transaction (locks that serialise concurrent migrators, schema creation). */
  migrationPreamble: readonly string[];
}

interface CountDelta {
  rolloutId: number;
  stage: number;
  status: string;
  n: number;
}

const compareDelta = (a: CountDelta, b: CountDelta): number => a.rolloutId - b.rolloutId || a.stage - b.stage || (a.status < b.status ? -1 : a.status > b.status ? 1 : 0);

/** The counter an action row belongs to; none when it is not part of a rollout stage. */
function counted(rolloutId: SqlValue | undefined, stage: SqlValue | undefined, status: SqlValue | undefined, n: number): CountDelta[] {
  return rolloutId === null || rolloutId === undefined || stage === null || stage === undefined ? [] : [{ rolloutId: num(rolloutId), stage: num(stage), status: str(status), n }];
}

/** Creates the Store over a driver. */
export function createSqlStore(options: SqlStoreOptions): Store {
  const db = options.driver;

  async function deviceSet(tx: SqlDriver, tenant: string, controllerId: string, patch: DevicePatch): Promise<number> {
    const set = setClause(patch, DEVICE_COLUMNS);
    if (set.sql === '') return 1;
    return tx.run(`UPDATE devices SET ${set.sql} WHERE tenant = ? AND controller_id = ?`, [...set.params, tenant, controllerId]);
  }

  // Rollout counters (schema-rollout-counts.ts) change in the transaction that changes the
  // action, after every other row it touches and in one fixed order (rollout, stage, status), so
  // two processes on one PostgreSQL never wait on each other's counter rows in a cycle.
  async function countActions(tx: SqlDriver, deltas: readonly CountDelta[]): Promise<void> {
    const sorted = deltas.filter((d) => d.n !== 0).sort(compareDelta);
    for (const d of sorted) {
      await tx.run(
        'INSERT INTO rollout_action_counts (rollout_id, stage, status, n) VALUES (?, ?, ?, ?) ON CONFLICT (rollout_id, stage, status) DO UPDATE SET n = rollout_action_counts.n + excluded.n',
        [d.rolloutId, d.stage, d.status, d.n],
      );
    }
  }

  async function insertStatus(tx: SqlDriver, e: ActionStatusEntry): Promise<void> {
    await tx.run('INSERT INTO action_status (action_id, at_ms, source, execution, finished, code, details) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      e.actionId,
      e.atMs,
      e.source,
      e.execution,
      e.finished,
      e.code,
      JSON.stringify(e.details),
    ]);
  }

  return {
    kind: db.dialect,

    async migrate() {
      await db.transaction(async (tx) => {
        for (const sql of options.migrationPreamble) await tx.all(sql);
        await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
        const done = new Set((await tx.all<Row>('SELECT version FROM schema_migrations')).map((r) => num(r.version)));
        for (const m of [...options.migrations].sort((a, b) => a.version - b.version)) {
          if (done.has(m.version)) continue;
          for (const statement of m.sql.split(';').map((s) => s.trim()).filter((s) => s !== '')) await tx.run(statement);
          await tx.run('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [m.version, m.name]);
        }
      });
    },

    close: () => db.close(),

    async getTenant(name) {
      const rows = await db.all<Row>('SELECT * FROM tenants WHERE name = ?', [name]);
      return rows[0] === undefined ? null : toTenant(rows[0]);
    },

    async putTenant(t) {
      await db.run(
        `INSERT INTO tenants (name, gateway_token, gateway_id_prefix, trusted_authorities, trusted_keys, downgrade_guard, poll_sleep_sec, poll_jitter_pct)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET gateway_token = excluded.gateway_token, gateway_id_prefix = excluded.gateway_id_prefix,
           trusted_authorities = excluded.trusted_authorities, trusted_keys = excluded.trusted_keys, downgrade_guard = excluded.downgrade_guard,
           poll_sleep_sec = excluded.poll_sleep_sec, poll_jitter_pct = excluded.poll_jitter_pct`,
        [t.name, t.gatewayToken, t.gatewayIdPrefix, JSON.stringify(t.trustedAuthorities), JSON.stringify(t.trustedKeys), t.downgradeGuard ? 1 : 0, t.pollSleepSec, t.pollJitterPct],
      );
    },

    async createDevice(d) {
      const n = await db.run(
        `INSERT INTO devices (tenant, controller_id, token, attributes, tags, grp, profile, running_version, previous_version, last_seen_ms, created_ms, config_requested, active_action_id, installed_action_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          d.tenant,
          d.controllerId,
          d.token,
          JSON.stringify(d.attributes),
          JSON.stringify(d.tags),
          d.group,
          d.profile,
          d.runningVersion,
          d.previousVersion,
          d.lastSeenMs,
          d.createdMs,
          d.configRequested ? 1 : 0,
          d.activeActionId,
          d.installedActionId,
        ],
      );
      return n === 1;
    },

    async getDevice(tenant, controllerId) {
      const rows = await db.all<Row>('SELECT * FROM devices WHERE tenant = ? AND controller_id = ?', [tenant, controllerId]);
      return rows[0] === undefined ? null : toDevice(rows[0]);
    },

    async getDeviceByToken(token) {
      const rows = await db.all<Row>('SELECT * FROM devices WHERE token = ?', [token]);
      return rows[0] === undefined ? null : toDevice(rows[0]);
    },

    async listDevices(tenant, filter, page) {
      const limit = page?.limit ?? 1_000_000;
      const offset = page?.offset ?? 0;
      if (filter === undefined || Object.keys(filter).length === 0) {
        const rows = await db.all<Row>('SELECT * FROM devices WHERE tenant = ? ORDER BY controller_id LIMIT ? OFFSET ?', [tenant, limit, offset]);
        return rows.map(toDevice);
      }
      const rows = await db.all<Row>('SELECT * FROM devices WHERE tenant = ? ORDER BY controller_id', [tenant]);
      return rows
        .map(toDevice)
        .filter((d) => matchesFilter(d, filter))
        .slice(offset, offset + limit);
    },

    async countDevices(tenant) {
      const rows = await db.all<Row>('SELECT COUNT(*) AS n FROM devices WHERE tenant = ?', [tenant]);
      return num(rows[0]?.n);
    },

    async updateDevice(tenant, controllerId, patch) {
      const n = await deviceSet(db, tenant, controllerId, patch);
      if (n === 0) return null;
      return this.getDevice(tenant, controllerId);
    },

    async touchDevices(seen) {
      if (seen.length === 0) return;
      await db.transaction(async (tx) => {
        for (const s of seen) {
          await tx.run('UPDATE devices SET last_seen_ms = ? WHERE tenant = ? AND controller_id = ? AND (last_seen_ms IS NULL OR last_seen_ms < ?)', [
            s.atMs,
            s.tenant,
            s.controllerId,
            s.atMs,
          ]);
        }
      });
    },

    async putArtifact(a) {
      const n = await db.run(
        `INSERT INTO artifacts (tenant, sha256, sha1, md5, size_bytes, filename, kind, image_version, image_hash, signed, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [a.tenant, a.sha256, a.sha1, a.md5, a.sizeBytes, a.filename, a.kind, a.imageVersion, a.imageHash, a.signed ? 1 : 0, a.createdMs],
      );
      return n === 1;
    },

    async getArtifact(tenant, sha256) {
      const rows = await db.all<Row>('SELECT * FROM artifacts WHERE tenant = ? AND sha256 = ?', [tenant, sha256]);
      return rows[0] === undefined ? null : toArtifact(rows[0]);
    },

    async listArtifacts(tenant) {
      return (await db.all<Row>('SELECT * FROM artifacts WHERE tenant = ? ORDER BY created_ms, sha256', [tenant])).map(toArtifact);
    },

    async createRelease(r) {
      const id = await this.nextId('release', 1);
      await db.run('INSERT INTO releases (id, tenant, name, version, part, artifacts, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id,
        r.tenant,
        r.name,
        r.version,
        r.part,
        JSON.stringify(r.artifacts),
        r.createdMs,
      ]);
      return { ...r, id };
    },

    async getRelease(id) {
      const rows = await db.all<Row>('SELECT * FROM releases WHERE id = ?', [id]);
      return rows[0] === undefined ? null : toRelease(rows[0]);
    },

    async findRelease(tenant, name, version) {
      const rows = await db.all<Row>('SELECT * FROM releases WHERE tenant = ? AND name = ? AND version = ?', [tenant, name, version]);
      return rows[0] === undefined ? null : toRelease(rows[0]);
    },

    async listReleases(tenant) {
      return (await db.all<Row>('SELECT * FROM releases WHERE tenant = ? ORDER BY id', [tenant])).map(toRelease);
    },

    async nextId(counter, start = 1) {
      return db.transaction(async (tx) => {
        await tx.run('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING', [counter, start - 1]);
        const rows = await tx.all<Row>('UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value', [counter]);
        return num(rows[0]?.value);
      });
    },

    async createAction(a) {
      return db.transaction(async (tx) => {
        const claimed = await tx.run('UPDATE devices SET active_action_id = ? WHERE tenant = ? AND controller_id = ? AND active_action_id IS NULL', [a.id, a.tenant, a.controllerId]);
        if (claimed !== 1) return false;
        await tx.run(
          `INSERT INTO actions (id, tenant, controller_id, release_id, rollout_id, stage, status, type, maintenance, from_version, deadline_ms, require_version_report,
             created_ms, updated_ms, retrieved_ms, bytes_served, highest_offset, downloads, last_execution, last_finished, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            a.id,
            a.tenant,
            a.controllerId,
            a.releaseId,
            a.rolloutId,
            a.stage,
            a.status,
            a.type,
            a.maintenance === null ? null : JSON.stringify(a.maintenance),
            a.fromVersion,
            a.deadlineMs,
            a.requireVersionReport ? 1 : 0,
            a.createdMs,
            a.updatedMs,
            a.retrievedMs,
            a.bytesServed,
            a.highestOffset,
            a.downloads,
            a.lastExecution,
            a.lastFinished,
            a.reason,
          ],
        );
        await countActions(tx, counted(a.rolloutId, a.stage, a.status, 1));
        return true;
      });
    },

    async getAction(id) {
      const rows = await db.all<Row>('SELECT * FROM actions WHERE id = ?', [id]);
      return rows[0] === undefined ? null : toAction(rows[0]);
    },

    async listActions(q: ActionQuery) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (q.tenant !== undefined) {
        where.push('tenant = ?');
        params.push(q.tenant);
      }
      if (q.controllerId !== undefined) {
        where.push('controller_id = ?');
        params.push(q.controllerId);
      }
      if (q.rolloutId !== undefined) {
        where.push('rollout_id = ?');
        params.push(q.rolloutId);
      }
      if (q.statuses !== undefined) {
        if (q.statuses.length === 0) return [];
        where.push(`status IN (${q.statuses.map(() => '?').join(', ')})`);
        params.push(...q.statuses);
      }
      if (q.deadlineAtOrBeforeMs !== undefined) {
        where.push('deadline_ms IS NOT NULL AND deadline_ms <= ?');
        params.push(q.deadlineAtOrBeforeMs);
      }
      const sql = `SELECT * FROM actions${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
      return (await db.all<Row>(sql, [...params, q.limit ?? 1_000_000])).map(toAction);
    },

    async updateAction(id, patch, opts) {
      return db.transaction(async (tx) => {
        const set = setClause(patch, ACTION_COLUMNS);
        const params: SqlValue[] = [...set.params, id];
        let sql = `UPDATE actions SET ${set.sql === '' ? 'id = id' : set.sql} WHERE id = ?`;
        if (opts?.expect !== undefined) {
          sql += ` AND status IN (${opts.expect.map(() => '?').join(', ')})`;
          params.push(...opts.expect);
        }
        // The counters need the row as it was; on PostgreSQL the read locks it until commit.
        const recount = patch.status !== undefined || patch.rolloutId !== undefined || patch.stage !== undefined;
        const before = recount ? (await tx.all<Row>(`SELECT rollout_id, stage, status FROM actions WHERE id = ?${db.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [id]))[0] : undefined;
        const rows = await tx.all<Row>(`${sql} RETURNING *`, params);
        if (rows[0] === undefined) return null;
        const action = toAction(rows[0]);
        if (opts?.device !== undefined) await deviceSet(tx, action.tenant, action.controllerId, opts.device);
        if (opts?.status !== undefined) await insertStatus(tx, opts.status);
        if (before !== undefined && (before.rollout_id !== rows[0].rollout_id || before.stage !== rows[0].stage || before.status !== rows[0].status)) {
          await countActions(tx, [...counted(before.rollout_id, before.stage, before.status, -1), ...counted(rows[0].rollout_id, rows[0].stage, rows[0].status, 1)]);
        }
        return action;
      });
    },

    async recordDownload(id, bytes, endOffset, full) {
      await db.run(
        `UPDATE actions SET bytes_served = bytes_served + ?, highest_offset = CASE WHEN highest_offset < ? THEN ? ELSE highest_offset END, downloads = downloads + ? WHERE id = ?`,
        [bytes, endOffset, endOffset, full ? 1 : 0, id],
      );
    },

    async addActionStatus(e) {
      await insertStatus(db, e);
    },

    async listActionStatus(actionId, limit) {
      return (await db.all<Row>('SELECT * FROM action_status WHERE action_id = ? ORDER BY id DESC LIMIT ?', [actionId, limit])).map(toStatus);
    },

    async countActionStatus(actionId) {
      const rows = await db.all<Row>('SELECT COUNT(*) AS n FROM action_status WHERE action_id = ?', [actionId]);
      return num(rows[0]?.n);
    },

    async createRollout(r, members) {
      await db.transaction(async (tx) => {
        await tx.run(
          `INSERT INTO rollouts (id, tenant, name, release_id, filter, stages, success_threshold, max_failure_ratio, device_timeout_ms, maintenance, action_type,
             require_version_report, state, current_stage, reason, created_ms, updated_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            r.id,
            r.tenant,
            r.name,
            r.releaseId,
            JSON.stringify(r.filter),
            JSON.stringify(r.stages),
            r.successThreshold,
            r.maxFailureRatio,
            r.deviceTimeoutMs,
            r.maintenance === null ? null : JSON.stringify(r.maintenance),
            r.actionType,
            r.requireVersionReport ? 1 : 0,
            r.state,
            r.currentStage,
            r.reason,
            r.createdMs,
            r.updatedMs,
          ],
        );
        const perStage = new Map<string, { rolloutId: number; stage: number; members: number }>();
        for (const m of members) {
          await tx.run('INSERT INTO rollout_members (rollout_id, controller_id, stage) VALUES (?, ?, ?)', [m.rolloutId, m.controllerId, m.stage]);
          const key = `${m.rolloutId}/${m.stage}`;
          const c = perStage.get(key) ?? { rolloutId: m.rolloutId, stage: m.stage, members: 0 };
          c.members++;
          perStage.set(key, c);
        }
        for (const c of perStage.values()) {
          await tx.run(
            'INSERT INTO rollout_stage_members (rollout_id, stage, members) VALUES (?, ?, ?) ON CONFLICT (rollout_id, stage) DO UPDATE SET members = rollout_stage_members.members + excluded.members',
            [c.rolloutId, c.stage, c.members],
          );
        }
      });
    },

    async getRollout(id) {
      const rows = await db.all<Row>('SELECT * FROM rollouts WHERE id = ?', [id]);
      return rows[0] === undefined ? null : toRollout(rows[0]);
    },

    async listRollouts(tenant) {
      return (await db.all<Row>('SELECT * FROM rollouts WHERE tenant = ? ORDER BY id', [tenant])).map(toRollout);
    },

    async updateRollout(id, patch: RolloutPatch, expect) {
      const parts: string[] = [];
      const params: SqlValue[] = [];
      if (patch.state !== undefined) {
        parts.push('state = ?');
        params.push(patch.state);
      }
      if (patch.currentStage !== undefined) {
        parts.push('current_stage = ?');
        params.push(patch.currentStage);
      }
      if (patch.reason !== undefined) {
        parts.push('reason = ?');
        params.push(patch.reason);
      }
      if (patch.updatedMs !== undefined) {
        parts.push('updated_ms = ?');
        params.push(patch.updatedMs);
      }
      if (parts.length === 0) return true;
      let sql = `UPDATE rollouts SET ${parts.join(', ')} WHERE id = ?`;
      params.push(id);
      if (expect?.state !== undefined) {
        sql += ' AND state = ?';
        params.push(expect.state);
      }
      if (expect?.currentStage !== undefined) {
        sql += ' AND current_stage = ?';
        params.push(expect.currentStage);
      }
      return (await db.run(sql, params)) === 1;
    },

    async listRolloutMembers(rolloutId, stage) {
      const rows =
        stage === undefined
          ? await db.all<Row>('SELECT * FROM rollout_members WHERE rollout_id = ? ORDER BY stage, controller_id', [rolloutId])
          : await db.all<Row>('SELECT * FROM rollout_members WHERE rollout_id = ? AND stage = ? ORDER BY controller_id', [rolloutId, stage]);
      return rows.map((r): RolloutMember => ({ rolloutId: num(r.rollout_id), controllerId: str(r.controller_id), stage: num(r.stage) }));
    },

    async listPendingRolloutMemberships(tenant, controllerId) {
      const rows = await db.all<Row>(
        `SELECT m.rollout_id, m.controller_id, m.stage FROM rollout_members m JOIN rollouts r ON r.id = m.rollout_id
         WHERE m.controller_id = ? AND r.tenant = ? AND r.state = 'running' AND m.stage <= r.current_stage
           AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.rollout_id = m.rollout_id AND a.controller_id = m.controller_id)
         ORDER BY m.rollout_id`,
        [controllerId, tenant],
      );
      return rows.map((r): RolloutMember => ({ rolloutId: num(r.rollout_id), controllerId: str(r.controller_id), stage: num(r.stage) }));
    },

    async countRollout(rolloutId) {
      // Counters, not a GROUP BY over every row: this runs at every decided action.
      const members = await db.all<Row>('SELECT stage, members AS n FROM rollout_stage_members WHERE rollout_id = ? AND members <> 0 ORDER BY stage', [rolloutId]);
      const actions = await db.all<Row>('SELECT stage, status, n FROM rollout_action_counts WHERE rollout_id = ? AND n <> 0 ORDER BY stage, status', [rolloutId]);
      return {
        members: members.map((r) => ({ stage: num(r.stage), count: num(r.n) })),
        actions: actions.map((r) => ({ stage: num(r.stage), status: str(r.status) as ActionStatus, count: num(r.n) })),
      };
    },

    async appendAudit(e) {
      await db.run('INSERT INTO audit (at_ms, tenant, actor, event, subject, details) VALUES (?, ?, ?, ?, ?, ?)', [e.atMs, e.tenant, e.actor, e.event, e.subject, JSON.stringify(e.details)]);
    },

    async listAudit(tenant, opts) {
      const rows =
        opts?.subject === undefined
          ? await db.all<Row>('SELECT * FROM audit WHERE tenant = ? ORDER BY id DESC LIMIT ?', [tenant, opts?.limit ?? 100])
          : await db.all<Row>('SELECT * FROM audit WHERE tenant = ? AND subject = ? ORDER BY id DESC LIMIT ?', [tenant, opts.subject, opts.limit ?? 100]);
      return rows.map((r): AuditEntry => ({ id: num(r.id), atMs: num(r.at_ms), tenant: str(r.tenant), actor: str(r.actor), event: str(r.event), subject: str(r.subject), details: json(r.details) }));
    },

    async insertSamples(rows) {
      if (rows.length === 0) return { inserted: 0, duplicates: 0 };
      return db.transaction(async (tx) => {
        let inserted = 0;
        for (const s of rows) {
          inserted += await tx.run('INSERT INTO samples (tenant, controller_id, boot_id, timestamp_ms, temp, received_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
            s.tenant,
            s.controllerId,
            s.bootId,
            s.timestampMs,
            s.temp,
            s.receivedMs,
          ]);
        }
        return { inserted, duplicates: rows.length - inserted };
      });
    },

    async listSamples(tenant, controllerId, opts) {
      const rows = await db.all<Row>('SELECT * FROM samples WHERE tenant = ? AND controller_id = ? AND timestamp_ms >= ? AND timestamp_ms <= ? ORDER BY boot_id, timestamp_ms LIMIT ?', [
        tenant,
        controllerId,
        opts?.fromMs ?? Number.MIN_SAFE_INTEGER,
        opts?.toMs ?? Number.MAX_SAFE_INTEGER,
        opts?.limit ?? 10_000,
      ]);
      return rows.map((r): SampleRow => ({ tenant: str(r.tenant), controllerId: str(r.controller_id), bootId: num(r.boot_id), timestampMs: num(r.timestamp_ms), temp: num(r.temp), receivedMs: num(r.received_ms) }));
    },

    async createApiKey(k: ApiKeyRecord) {
      await db.run('INSERT INTO api_keys (id, name, hash, created_ms) VALUES (?, ?, ?, ?)', [k.id, k.name, k.hash, k.createdMs]);
    },

    async findApiKeyByHash(hash) {
      const rows = await db.all<Row>('SELECT * FROM api_keys WHERE hash = ?', [hash]);
      const r = rows[0];
      return r === undefined ? null : { id: str(r.id), name: str(r.name), hash: str(r.hash), createdMs: num(r.created_ms) };
    },

    async countApiKeys() {
      const rows = await db.all<Row>('SELECT COUNT(*) AS n FROM api_keys');
      return num(rows[0]?.n);
    },

    async insertDeviceEvents(rows) {
      if (rows.length === 0) return { inserted: 0, duplicates: 0 };
      return db.transaction(async (tx) => {
        let inserted = 0;
        for (const e of rows) {
          inserted += await tx.run('INSERT INTO device_events (tenant, controller_id, seq, at_ms, kind, title, details, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
            e.tenant,
            e.controllerId,
            e.seq,
            e.atMs,
            e.kind,
            e.title,
            JSON.stringify(e.details),
            e.receivedMs,
          ]);
        }
        return { inserted, duplicates: rows.length - inserted };
      });
    },

    async trimDeviceEvents(tenant, controllerId, beforeSeq) {
      return db.run('DELETE FROM device_events WHERE tenant = ? AND controller_id = ? AND seq < ?', [tenant, controllerId, beforeSeq]);
    },

    async listDeviceEvents(tenant, controllerId, opts) {
      const rows = await db.all<Row>('SELECT * FROM device_events WHERE tenant = ? AND controller_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?', [
        tenant,
        controllerId,
        opts?.afterSeq ?? -1,
        opts?.limit ?? 500,
      ]);
      return rows.reverse().map((r) => ({
        tenant: str(r.tenant),
        controllerId: str(r.controller_id),
        seq: num(r.seq),
        atMs: num(r.at_ms),
        kind: str(r.kind),
        title: str(r.title),
        details: json<Record<string, unknown>>(r.details),
        receivedMs: num(r.received_ms),
      }));
    },

    async putDeviceSlots(s) {
      await db.run(
        `INSERT INTO device_slots (tenant, controller_id, at_ms, slots, received_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, controller_id) DO UPDATE SET at_ms = excluded.at_ms, slots = excluded.slots, received_ms = excluded.received_ms
         WHERE device_slots.at_ms <= excluded.at_ms`,
        [s.tenant, s.controllerId, s.atMs, JSON.stringify(s.slots), s.receivedMs],
      );
    },

    async getDeviceSlots(tenant, controllerId) {
      const r = (await db.all<Row>('SELECT * FROM device_slots WHERE tenant = ? AND controller_id = ?', [tenant, controllerId]))[0];
      return r === undefined ? null : { tenant: str(r.tenant), controllerId: str(r.controller_id), atMs: num(r.at_ms), slots: json<Record<string, unknown>>(r.slots), receivedMs: num(r.received_ms) };
    },
  };
}
