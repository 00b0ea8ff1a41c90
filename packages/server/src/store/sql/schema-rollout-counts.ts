/**
 * @module store/sql/schema-rollout-counts
 * Migration "rollout counters" (SQLite 5, PostgreSQL 6): a rollout's members per stage and its
 * actions per (stage, status), kept as counters so evaluating a rollout reads a handful of rows
 * instead of grouping every member and action (issue 6: it runs at every decided action). The
 * store changes the counters in the same transaction as the action row (sql-store.ts); this
 * migration fills them from the rows already there. Also an index for "has this member an
 * action of this rollout yet?" (listPendingRolloutMemberships).
 */
import type { SqlTypes } from './schema.js';

export function schemaRolloutCounts(t: SqlTypes): string {
  return `
CREATE TABLE rollout_stage_members (
  rollout_id ${t.int} NOT NULL,
  stage ${t.int} NOT NULL,
  members ${t.int} NOT NULL,
  PRIMARY KEY (rollout_id, stage)
);
INSERT INTO rollout_stage_members (rollout_id, stage, members)
  SELECT rollout_id, stage, COUNT(*) FROM rollout_members GROUP BY rollout_id, stage;
CREATE TABLE rollout_action_counts (
  rollout_id ${t.int} NOT NULL,
  stage ${t.int} NOT NULL,
  status TEXT NOT NULL,
  n ${t.int} NOT NULL,
  PRIMARY KEY (rollout_id, stage, status)
);
INSERT INTO rollout_action_counts (rollout_id, stage, status, n)
  SELECT rollout_id, stage, status, COUNT(*) FROM actions WHERE rollout_id IS NOT NULL AND stage IS NOT NULL GROUP BY rollout_id, stage, status;
CREATE INDEX actions_rollout_device ON actions (rollout_id, controller_id)
`;
}
