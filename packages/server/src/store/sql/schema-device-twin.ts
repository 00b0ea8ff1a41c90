/**
 * @module store/sql/schema-device-twin
 * Migration 2: what simulated devices tell about their insides — a timeline of app states, OTA
 * milestones and boot decisions (device_events) and the latest flash slot picture
 * (device_slots). Plain rows keyed by device; JSON-valued columns are TEXT.
 */
import type { SqlTypes } from './schema.js';

export function schemaV2DeviceTwin(t: SqlTypes): string {
  return `
CREATE TABLE device_events (
  tenant TEXT NOT NULL,
  controller_id TEXT NOT NULL,
  seq ${t.int} NOT NULL,
  at_ms ${t.int} NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  details TEXT NOT NULL,
  received_ms ${t.int} NOT NULL,
  PRIMARY KEY (tenant, controller_id, seq)
);
CREATE TABLE device_slots (
  tenant TEXT NOT NULL,
  controller_id TEXT NOT NULL,
  at_ms ${t.int} NOT NULL,
  slots TEXT NOT NULL,
  received_ms ${t.int} NOT NULL,
  PRIMARY KEY (tenant, controller_id)
);
`;
}
