/**
 * @module store/sql/schema
 * The relational schema, written once with the few type names that differ between SQLite and
 * PostgreSQL left as parameters. Each dialect's migrations.ts instantiates it; migrations are
 * numbered and append-only.
 */

export interface SqlTypes {
  /** 64-bit integer (milliseconds, counters). */
  int: string;
  real: string;
  /** Auto-incrementing 64-bit primary key column definition. */
  serialPk: string;
}

export function schemaV1(t: SqlTypes): string {
  return `
CREATE TABLE tenants (
  name TEXT PRIMARY KEY,
  gateway_token TEXT,
  gateway_id_prefix TEXT,
  trusted_authorities TEXT NOT NULL,
  trusted_keys TEXT NOT NULL,
  downgrade_guard ${t.int} NOT NULL,
  poll_sleep_sec ${t.int} NOT NULL,
  poll_jitter_pct ${t.int} NOT NULL
);
CREATE TABLE devices (
  tenant TEXT NOT NULL,
  controller_id TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  attributes TEXT NOT NULL,
  tags TEXT NOT NULL,
  grp TEXT,
  profile TEXT NOT NULL,
  running_version TEXT,
  previous_version TEXT,
  last_seen_ms ${t.int},
  created_ms ${t.int} NOT NULL,
  config_requested ${t.int} NOT NULL,
  active_action_id ${t.int},
  installed_action_id ${t.int},
  PRIMARY KEY (tenant, controller_id)
);
CREATE TABLE artifacts (
  tenant TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  sha1 TEXT NOT NULL,
  md5 TEXT NOT NULL,
  size_bytes ${t.int} NOT NULL,
  filename TEXT NOT NULL,
  kind TEXT NOT NULL,
  image_version TEXT,
  image_hash TEXT,
  signed ${t.int} NOT NULL,
  created_ms ${t.int} NOT NULL,
  PRIMARY KEY (tenant, sha256)
);
CREATE TABLE releases (
  id ${t.int} PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  part TEXT NOT NULL,
  artifacts TEXT NOT NULL,
  created_ms ${t.int} NOT NULL,
  UNIQUE (tenant, name, version)
);
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value ${t.int} NOT NULL
);
CREATE TABLE actions (
  id ${t.int} PRIMARY KEY,
  tenant TEXT NOT NULL,
  controller_id TEXT NOT NULL,
  release_id ${t.int} NOT NULL,
  rollout_id ${t.int},
  stage ${t.int},
  status TEXT NOT NULL,
  type TEXT NOT NULL,
  maintenance TEXT,
  from_version TEXT,
  deadline_ms ${t.int},
  require_version_report ${t.int} NOT NULL,
  created_ms ${t.int} NOT NULL,
  updated_ms ${t.int} NOT NULL,
  retrieved_ms ${t.int},
  bytes_served ${t.int} NOT NULL,
  highest_offset ${t.int} NOT NULL,
  downloads ${t.int} NOT NULL,
  last_execution TEXT,
  last_finished TEXT,
  reason TEXT
);
CREATE INDEX actions_device ON actions (tenant, controller_id, id);
CREATE INDEX actions_rollout ON actions (rollout_id, status);
CREATE INDEX actions_rollout_stage ON actions (rollout_id, stage, status);
CREATE INDEX actions_deadline ON actions (status, deadline_ms);
CREATE TABLE action_status (
  id ${t.serialPk},
  action_id ${t.int} NOT NULL,
  at_ms ${t.int} NOT NULL,
  source TEXT NOT NULL,
  execution TEXT NOT NULL,
  finished TEXT,
  code ${t.int},
  details TEXT NOT NULL
);
CREATE INDEX action_status_action ON action_status (action_id, id);
CREATE TABLE rollouts (
  id ${t.int} PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  release_id ${t.int} NOT NULL,
  filter TEXT NOT NULL,
  stages TEXT NOT NULL,
  success_threshold ${t.real} NOT NULL,
  max_failure_ratio ${t.real} NOT NULL,
  device_timeout_ms ${t.int} NOT NULL,
  maintenance TEXT,
  action_type TEXT NOT NULL,
  require_version_report ${t.int} NOT NULL,
  state TEXT NOT NULL,
  current_stage ${t.int} NOT NULL,
  reason TEXT,
  created_ms ${t.int} NOT NULL,
  updated_ms ${t.int} NOT NULL
);
CREATE TABLE rollout_members (
  rollout_id ${t.int} NOT NULL,
  controller_id TEXT NOT NULL,
  stage ${t.int} NOT NULL,
  PRIMARY KEY (rollout_id, controller_id)
);
CREATE TABLE audit (
  id ${t.serialPk},
  at_ms ${t.int} NOT NULL,
  tenant TEXT NOT NULL,
  actor TEXT NOT NULL,
  event TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_tenant ON audit (tenant, id);
CREATE TABLE samples (
  tenant TEXT NOT NULL,
  controller_id TEXT NOT NULL,
  timestamp_ms ${t.int} NOT NULL,
  temp ${t.int} NOT NULL,
  received_ms ${t.int} NOT NULL,
  PRIMARY KEY (tenant, controller_id, timestamp_ms)
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_ms ${t.int} NOT NULL
);
`;
}
