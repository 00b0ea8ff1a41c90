/**
 * @module device/firmware
 * Firmware as images (issue 5 item 3): a simulated firmware build *is* a signed MCUboot image
 * whose payload carries a small descriptor — version, sample interval and fault switches — that
 * the device runtime reads from the slot MCUboot booted. Payload layout (little endian):
 *
 *   offset  size  field
 *   0       4     magic "SWFW"
 *   4       1     format (1)
 *   5       1     reserved (0)
 *   6       2     descriptor length n
 *   8       n     descriptor, UTF-8 JSON
 *   8+n     …     deterministic filler up to the requested payload size
 *
 * Building goes through image/sign.ts (imgtool-exact), reading through image/parse.ts.
 */
import { utf8Encode } from '../bytes/utf8.js';
import type { CryptoPort } from '../crypto/port.js';
import { SlotwiseError } from '../errors.js';
import { parseImage } from '../image/parse.js';
import { signImage, type SignedImage } from '../image/sign.js';
import type { ImagePrivateKey } from '../image/keys.js';
import { parseVersion, type ImageVersion } from '../image/version.js';
import { decodeUtf8 } from './utf8-decode.js';

/** Behaviour switches a test build can carry, to show what MCUboot and the OTA task do about it. */
export interface FirmwareFaults {
  /** The sensor driver's init always fails (-EIO): the image never gets healthy. */
  readonly sensorInitFails?: boolean;
  /** The firmware crashes (resets) this many ms after every boot. */
  readonly crashAfterMs?: number;
  /** The firmware never confirms itself, whatever the policy. */
  readonly neverConfirms?: boolean;
  /** The network stack never comes up (-ENETUNREACH). */
  readonly networkBroken?: boolean;
}

export interface FirmwareDescriptor {
  /** imgtool version text, e.g. "1.2.0"; must equal the image header's version. */
  readonly version: string;
  readonly sampleIntervalMs: number;
  readonly faults: FirmwareFaults;
}

export const FIRMWARE_MAGIC = [0x53, 0x57, 0x46, 0x57] as const; // "SWFW"
const HEAD = 8;

export type FirmwareReadResult =
  | { readonly ok: true; readonly descriptor: FirmwareDescriptor; readonly headerVersion: ImageVersion }
  | { readonly ok: false; readonly reason: 'NOT_AN_IMAGE' | 'NOT_FIRMWARE' | 'MALFORMED' | 'VERSION_MISMATCH'; readonly detail: string };

function assertDescriptor(d: FirmwareDescriptor): ImageVersion {
  const v = parseVersion(d.version);
  if (!v.ok) throw new SlotwiseError('SW_ERR_INPUT_INVALID', `firmware version: ${v.detail}`);
  if (!Number.isInteger(d.sampleIntervalMs) || d.sampleIntervalMs < 0) {
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `firmware sample interval: expected a non-negative integer of ms, got ${d.sampleIntervalMs}`);
  }
  const c = d.faults.crashAfterMs;
  if (c !== undefined && (!Number.isInteger(c) || c <= 0)) {
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', `firmware fault crashAfterMs: expected a positive integer of ms, got ${c}`);
  }
  return v.version;
}

/** The payload bytes for a descriptor, padded with deterministic filler to `sizeBytes` if given. */
export function encodeFirmwarePayload(d: FirmwareDescriptor, sizeBytes = 0): Uint8Array {
  assertDescriptor(d);
  const json = utf8Encode(JSON.stringify({ version: d.version, sampleIntervalMs: d.sampleIntervalMs, faults: d.faults }));
  if (json.length > 0xffff) throw new SlotwiseError('SW_ERR_INPUT_INVALID', 'firmware descriptor is too large');
  const out = new Uint8Array(Math.max(sizeBytes, HEAD + json.length));
  out.set(FIRMWARE_MAGIC, 0);
  out[4] = 1;
  out[6] = json.length & 0xff;
  out[7] = json.length >> 8;
  out.set(json, HEAD);
  // Filler varies with the position so that images of different sizes hash differently throughout.
  for (let i = HEAD + json.length; i < out.length; i++) out[i] = (i * 131 + (i >> 8)) & 0xff;
  return out;
}

/** Reads a descriptor from payload bytes (as found at ih_hdr_size in a slot). */
export function decodeFirmwarePayload(payload: Uint8Array): { ok: true; descriptor: FirmwareDescriptor } | { ok: false; reason: 'NOT_FIRMWARE' | 'MALFORMED'; detail: string } {
  if (payload.length < HEAD || FIRMWARE_MAGIC.some((b, i) => payload[i] !== b)) return { ok: false, reason: 'NOT_FIRMWARE', detail: 'payload does not start with the SWFW magic' };
  if (payload[4] !== 1) return { ok: false, reason: 'MALFORMED', detail: `unknown descriptor format ${payload[4]}` };
  const n = payload[6]! | (payload[7]! << 8);
  if (HEAD + n > payload.length) return { ok: false, reason: 'MALFORMED', detail: `descriptor length ${n} runs past the payload (${payload.length} bytes)` };
  const text = decodeUtf8(payload.subarray(HEAD, HEAD + n));
  let raw: unknown;
  try {
    raw = text === undefined ? undefined : JSON.parse(text);
  } catch {
    raw = undefined; // reported as MALFORMED below
  }
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'MALFORMED', detail: 'descriptor is not a JSON object' };
  const o = raw as Record<string, unknown>;
  const f = (typeof o['faults'] === 'object' && o['faults'] !== null ? o['faults'] : {}) as Record<string, unknown>;
  const bool = (k: string): boolean | undefined => (typeof f[k] === 'boolean' ? (f[k] as boolean) : undefined);
  if (typeof o['version'] !== 'string' || typeof o['sampleIntervalMs'] !== 'number') return { ok: false, reason: 'MALFORMED', detail: 'descriptor lacks version or sampleIntervalMs' };
  const faults: FirmwareFaults = {
    ...(bool('sensorInitFails') !== undefined ? { sensorInitFails: bool('sensorInitFails')! } : {}),
    ...(typeof f['crashAfterMs'] === 'number' ? { crashAfterMs: f['crashAfterMs'] } : {}),
    ...(bool('neverConfirms') !== undefined ? { neverConfirms: bool('neverConfirms')! } : {}),
    ...(bool('networkBroken') !== undefined ? { networkBroken: bool('networkBroken')! } : {}),
  };
  return { ok: true, descriptor: { version: o['version'], sampleIntervalMs: o['sampleIntervalMs'], faults } };
}

export interface BuildFirmwareOptions {
  readonly descriptor: FirmwareDescriptor;
  readonly key: ImagePrivateKey;
  /** Payload size (descriptor + filler); default: just the descriptor. */
  readonly payloadSizeBytes?: number;
  readonly headerSize?: number;
  /** Slot size for imgtool's size check (0: none). */
  readonly slotSize?: number;
  readonly align?: number;
}

/** `slotwise firmware build`: a signed MCUboot image whose payload is the descriptor. */
export function buildFirmwareImage(o: BuildFirmwareOptions, crypto: CryptoPort): SignedImage {
  const version = assertDescriptor(o.descriptor);
  const r = signImage(
    {
      payload: encodeFirmwarePayload(o.descriptor, o.payloadSizeBytes),
      version,
      headerSize: o.headerSize ?? 0x200,
      padHeader: true,
      slotSize: o.slotSize ?? 0,
      key: o.key,
      align: o.align ?? 4,
    },
    crypto,
  );
  if (r.kind !== 'image') throw new SlotwiseError('SW_ERR_SIGN_FAILED', 'firmware build produced no image');
  return r;
}

/** Reads the descriptor of the image at the start of `slot` (trailing slot bytes are ignored). */
export function readFirmware(slot: Uint8Array): FirmwareReadResult {
  const parsed = parseImage(slot, { lenient: true });
  if (!parsed.ok) return { ok: false, reason: 'NOT_AN_IMAGE', detail: parsed.detail };
  const { header, body } = parsed.image;
  const payload = decodeFirmwarePayload(slot.subarray(body.offset, body.offset + body.length));
  if (!payload.ok) return payload;
  const v = parseVersion(payload.descriptor.version);
  const hv = header.version;
  if (!v.ok || v.version.major !== hv.major || v.version.minor !== hv.minor || v.version.revision !== hv.revision || v.version.build !== hv.build) {
    return { ok: false, reason: 'VERSION_MISMATCH', detail: `descriptor says ${payload.descriptor.version}, header says ${hv.major}.${hv.minor}.${hv.revision}+${hv.build}` };
  }
  return { ok: true, descriptor: payload.descriptor, headerVersion: hv };
}
