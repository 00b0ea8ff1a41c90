/**
 * Fakes behind the OTA ports (no mocking library: each implements the port it stands for):
 * a DDI server holding one deployment, and a flash + MCUboot stand-in whose "bootloader" swaps
 * a pending test image in, reverts an unconfirmed one at the next reset, and keeps flash
 * (slots, trailer flags, saved action) across resets; images are real signed firmware builds and
 * the swap is refused unless the candidate verifies. The real boot twin replaces this stand-in
 * once branch `boot` lands.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { nodeCrypto } from '../../src/node/crypto.js';
import { loadKey, type ImagePrivateKey } from '../../src/image/keys.js';
import { verifyImage } from '../../src/image/verify.js';
import { buildFirmwareImage, readFirmware, type FirmwareDescriptor, type FirmwareFaults } from '../../src/device/firmware.js';
import { VECTOR_DIR } from '../image-manifest.js';
import type { BootControlPort, SecondarySlotPort } from '../../src/device/driver.js';
import type { DdiRequest, DdiResult, DdiTransport } from '../../src/device/ota/ddi.js';
import type { BootInfo, SavedAction } from '../../src/device/ota/ota-step.js';

const key = loadKey(readFileSync(`${VECTOR_DIR}keys/root-ed25519.pem`, 'utf8'), nodeCrypto) as ImagePrivateKey;

/** A real firmware build: a signed MCUboot image (Ed25519 vector key: deterministic signatures, stable sizes) carrying its descriptor. */
export function fakeImage(version: string, payloadSizeBytes: number, faults: FirmwareFaults = {}, sampleIntervalMs = 60_000): Uint8Array {
  return buildFirmwareImage({ descriptor: { version, sampleIntervalMs, faults }, key, payloadSizeBytes }, nodeCrypto).image;
}

function firmwareOf(slot: Uint8Array): FirmwareDescriptor | null {
  const r = readFirmware(slot);
  return r.ok ? r.descriptor : null;
}

function versionOf(slot: Uint8Array): string | null {
  return firmwareOf(slot)?.version ?? null;
}

/** MCUboot's gate before a swap: a valid image signed by the trusted key. */
function bootable(slot: Uint8Array): boolean {
  return firmwareOf(slot) !== null && verifyImage(slot, { crypto: nodeCrypto, keys: key }).ok;
}

export const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export interface FakeDdiServer extends DdiTransport {
  readonly requests: DdiRequest[];
  /** Feedback received, in order. */
  readonly feedback: Array<{ actionId: string; finished: string; details: readonly string[] }>;
  /** Last reported running version (configData fw_version). */
  reportedVersion: string | null;
  /** Offers `image` as action `actionId` until a closed feedback arrives. */
  deploy(actionId: string, version: string, image: Uint8Array): void;
  /** Makes the next `n` exchanges of `kind` fail with errno `err`. */
  failNext(kind: DdiRequest['kind'], n: number, err: number): void;
  /** The operator cancels the open action: polls offer cancelAction until the device answers. */
  cancel(): void;
}

export function createFakeDdiServer(sleepMs = 300_000): FakeDdiServer {
  let action: { id: string; version: string; image: Uint8Array; open: boolean; canceling: boolean } | null = null;
  const failures = new Map<string, { n: number; err: number }>();
  const server: FakeDdiServer = {
    requests: [],
    feedback: [],
    reportedVersion: null,
    deploy(id, version, image) {
      action = { id, version, image, open: true, canceling: false };
    },
    cancel() {
      if (action !== null && action.open) action.canceling = true;
    },
    failNext(kind, n, err) {
      failures.set(kind, { n, err });
    },
    async exchange(req: DdiRequest): Promise<DdiResult> {
      server.requests.push(req);
      const f = failures.get(req.kind);
      if (f !== undefined && f.n > 0) {
        f.n--;
        return { ok: false, err: f.err };
      }
      switch (req.kind) {
        case 'poll':
          if (action?.open === true && action.canceling) return { ok: true, answer: { kind: 'poll', sleepMs, cancelAction: `/DEFAULT/controller/v1/dev/cancelAction/${action.id}` } };
          return { ok: true, answer: { kind: 'poll', sleepMs, ...(action?.open ? { deploymentBase: `/DEFAULT/controller/v1/dev/deploymentBase/${action.id}` } : {}) } };
        case 'deploymentBase':
          if (action === null) return { ok: false, err: -5 };
          return {
            ok: true,
            answer: { kind: 'deploymentBase', deployment: { actionId: action.id, version: action.version, sizeBytes: action.image.length, sha256: sha256Hex(action.image), downloadHref: `/DEFAULT/controller/v1/dev/softwaremodules/1/artifacts/fw.bin` } },
          };
        case 'download':
          if (action === null) return { ok: false, err: -5 };
          return { ok: true, answer: { kind: 'download', bytes: action.image.slice(req.fromByte, req.toByte + 1) } };
        case 'feedback':
          server.feedback.push({ actionId: req.actionId, finished: req.finished, details: req.details });
          if (action !== null && req.actionId === action.id && req.execution === 'closed') action.open = false;
          return { ok: true, answer: { kind: 'ack' } };
        case 'configData':
          server.reportedVersion = req.data['fw_version'] ?? null;
          return { ok: true, answer: { kind: 'ack' } };
        case 'cancelFeedback': {
          const id = /cancelAction\/(\d+)/.exec(req.href)?.[1] ?? '';
          server.feedback.push({ actionId: id, finished: `cancel:${req.finished}`, details: [] });
          if (action !== null && action.id === id && req.finished === 'success') action.open = false;
          else if (action !== null && action.id === id) action.canceling = false;
          return { ok: true, answer: { kind: 'ack' } };
        }
      }
    },
  };
  return server;
}

/** Flash + bootloader stand-in: primary/secondary slots, MCUboot-like test/confirm/revert. */
export interface FakeFlashBoot extends SecondarySlotPort, BootControlPort {
  /** Runs at every reset / power-on, before the application starts. */
  runBootloader(): void;
  readonly primaryVersion: string | null;
  /** The descriptor of the image in the primary slot (what the device runs). */
  firmware(): FirmwareDescriptor | null;
  /** Every secondary-slot write, for the "no write outside IDLE/WAIT" checks. */
  writes: number;
}

export function createFakeFlashBoot(initial: Uint8Array, slotSizeBytes: number): FakeFlashBoot {
  let primary: Uint8Array = initial.slice();
  const secondary = new Uint8Array(slotSizeBytes).fill(0xff);
  const erased = new Uint8Array(slotSizeBytes).fill(1);
  let pending = false; // secondary trailer: magic + test request
  let testing = false; // primary holds a swapped-in test image
  let confirmed = true; // primary image_ok
  let saved: SavedAction | null = null; // settings partition
  let previous: Uint8Array | null = null; // what a revert restores (stands for the swap status)

  const fake: FakeFlashBoot = {
    writes: 0,
    get primaryVersion() {
      return versionOf(primary);
    },
    firmware: () => firmwareOf(primary),
    erase(offset, length) {
      if (offset < 0 || offset + length > slotSizeBytes) throw new RangeError(`erase out of range ${offset}+${length}`);
      secondary.fill(0xff, offset, offset + length);
      erased.fill(1, offset, offset + length);
    },
    write(offset, bytes) {
      for (let i = 0; i < bytes.length; i++) {
        if (erased[offset + i] !== 1) throw new RangeError(`NOR violation: write to unerased byte at 0x${(offset + i).toString(16)}`);
        erased[offset + i] = 0;
      }
      secondary.set(bytes, offset);
      fake.writes++;
    },
    sha256(length) {
      return sha256Hex(secondary.subarray(0, length));
    },
    bootInfo(): BootInfo {
      return { runningVersion: versionOf(primary) ?? 'unknown', confirmed, savedAction: saved };
    },
    requestTestUpgrade() {
      pending = true;
    },
    confirm() {
      confirmed = true;
      testing = false;
    },
    saveAction(action) {
      saved = action;
    },
    runBootloader() {
      if (testing && !confirmed && previous !== null) {
        primary = previous; // revert: the unconfirmed test image goes away
        previous = null;
        testing = false;
        confirmed = true;
        return;
      }
      if (pending) {
        const size = secondary.length;
        const candidate = secondary.slice(0, size);
        if (!bootable(candidate)) {
          pending = false;
          return;
        }
        previous = primary;
        primary = candidate;
        pending = false;
        testing = true;
        confirmed = false;
      }
    },
  };
  return fake;
}
