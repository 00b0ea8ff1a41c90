/**
 * @module node/file-settings
 * A device's settings partition in a file beside its flash file (`<flash>.settings`): the saved
 * OTA action (Zephyr: settings key hawkbit/action_id) and the boot counter (device.md G22).
 * Why a separate file rather than sectors inside the flash file: Zephyr keeps settings on their
 * own `storage_partition` (NVS), outside MCUboot's areas, and the board presets — hence the
 * flash file's size, which existing files are checked against — describe MCUboot's areas only.
 * Every change replaces the file atomically (write a temporary file, fsync, rename), as NVS
 * appends a record that counts only once completely written: a kill at any instant leaves the
 * previous record or the new one, never half of one.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { SlotwiseError } from '../errors.js';
import type { SettingsStore } from '../device/runtime.js';
import type { SavedAction } from '../device/ota/ota-step.js';

interface SettingsRecord {
  readonly format: 1;
  readonly bootCount: number;
  readonly action: SavedAction | null;
}

function parseRecord(path: string, text: string): SettingsRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined; // reported below
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const a = o['action'];
  const actionOk = a === null || (typeof a === 'object' && typeof (a as Record<string, unknown>)['actionId'] === 'string' && typeof (a as Record<string, unknown>)['version'] === 'string');
  const boots = o['bootCount'];
  if (o['format'] !== 1 || typeof boots !== 'number' || !Number.isSafeInteger(boots) || boots < 0 || !actionOk) {
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `device settings file '${path}' is not a settings record; delete it to start with empty settings (the device then forgets its pending OTA action)`);
  }
  const action = a === null ? null : { actionId: (a as SavedAction).actionId, version: (a as SavedAction).version };
  return { format: 1, bootCount: boots, action };
}

/** Opens (or starts empty, created at the first change) the settings file at `path`. */
export function openFileSettings(path: string): SettingsStore {
  let record: SettingsRecord = existsSync(path) ? parseRecord(path, readFileSync(path, 'utf8')) : { format: 1, bootCount: 0, action: null };
  const persist = (next: SettingsRecord): void => {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(next));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    record = next;
  };
  return {
    load: () => record.action,
    save: (action) => persist({ ...record, action: action === null ? null : { actionId: action.actionId, version: action.version } }),
    nextBootId() {
      persist({ ...record, bootCount: record.bootCount + 1 });
      return record.bootCount;
    },
  };
}
