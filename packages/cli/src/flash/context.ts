/**
 * @module flash/context
 * What every `slotwise flash` subcommand shares: resolving `--layout` (a JSON file shaped like
 * a boot vector's scenario.json, or a board preset name), `--mode`, the bootloader's keys
 * (`--key`, hash-only when none), the boot configuration built from them, hashing a device,
 * and the vectors' JSON shapes for trailers, results and operations.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { SlotwiseError } from '@slotwise/core/errors';
import { layoutFromJson, layoutFromPreset, type Layout } from '@slotwise/core/boards/layout';
import { UPGRADE_MODES, type BootConfig, type UpgradeMode } from '@slotwise/core/boot/config';
import type { BootResult } from '@slotwise/core/boot/loader';
import { toVectorOp, toVectorResult } from '@slotwise/core/boot/report';
import type { FlashOp, NorFlash } from '@slotwise/core/flash/nor-flash';
import { createSlotValidator } from '@slotwise/core/image/slot-validator';
import { loadKey, type ImageKey } from '@slotwise/core/image/keys';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { readInput, resolvePath, type CommandIo } from '../image/io.js';

/** A command-line mistake (exit code USAGE). */
export class FlashUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlashUsageError';
  }
}

/**
 * `--layout`: an existing file is read as JSON; anything else that looks like a path is an
 * unreadable file; a bare word is a preset name.
 */
export function loadLayout(io: CommandIo, spec: string): Layout {
  const path = resolvePath(io, spec);
  if (existsSync(path) || /[/\\]|\.json$/i.test(spec)) {
    const text = new TextDecoder().decode(readInput(io, spec, 'layout file'));
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', `layout file '${spec}' is not valid JSON: ${(error as Error).message}`);
    }
    return layoutFromJson(doc, `layout file '${spec}'`);
  }
  return layoutFromPreset(spec);
}

/** `--mode`, or the layout's own mode. */
export function resolveMode(layout: Layout, mode: string | undefined): UpgradeMode {
  if (mode !== undefined) {
    if (!(UPGRADE_MODES as readonly string[]).includes(mode)) throw new FlashUsageError(`--mode must be one of ${UPGRADE_MODES.join(', ')}, got '${mode}'`);
    const m = mode as UpgradeMode;
    if (m === 'swap-scratch' && layout.geometry.areas.scratch === undefined) {
      throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', `layout ${layout.name} has no "scratch" area, which swap-scratch needs; pick swap-move or swap-offset`);
    }
    return m;
  }
  if (layout.mode === undefined) throw new FlashUsageError(`layout ${layout.name} names no upgrade mode: give --mode (${UPGRADE_MODES.join(', ')})`);
  return layout.mode;
}

/** The bootloader's trusted keys: none means an MCUboot built without signature checks. */
export interface BootKeys {
  readonly keys: readonly ImageKey[];
  /** In words: `hash-only (…)` or `2 trusted keys (ecdsa-p256, …)`. */
  readonly description: string;
}

/** Loads `--key` files (PEM, public or private). */
export function loadKeys(io: CommandIo, paths: readonly string[]): BootKeys {
  const keys = paths.map((p) => loadKey(readInput(io, p, 'key file'), nodeCrypto));
  const description = keys.length === 0
    ? 'hash-only: no --key, so images are checked like an MCUboot built without signature support (SHA TLV only; signatures are not checked)'
    : `${keys.length} trusted key${keys.length === 1 ? '' : 's'} (${keys.map((k) => (k.kind === 'public' ? k.type : k.publicKey.type)).join(', ')}): a signature by one of them is required`;
  return { keys, description };
}

/** A warning when the layout says the bootloader checks signatures but no key was given. */
export function keyWarning(layout: Layout, keys: BootKeys): string | undefined {
  if (keys.keys.length > 0 || layout.signature === undefined || layout.signature.startsWith('hash')) return undefined;
  return `warning: layout ${layout.name} says the bootloader checks ${layout.signature} signatures, but no --key was given: images are checked for their hash only (give --key to check signatures as that MCUboot would)\n`;
}

export interface BootSetup {
  readonly layout: Layout;
  readonly mode: UpgradeMode;
  readonly keys: BootKeys;
  readonly config: BootConfig;
}

/** Layout + mode + keys + `--fixed` → the twin's configuration. */
export function bootSetup(io: CommandIo, o: { layout: string; mode?: string | undefined; key?: readonly string[] | undefined; fixed?: boolean | undefined }, validates = true): BootSetup {
  const layout = loadLayout(io, o.layout);
  const mode = resolveMode(layout, o.mode);
  const keys = loadKeys(io, o.key ?? []);
  const warning = keyWarning(layout, keys);
  if (warning !== undefined && validates) io.stderr(warning);
  const validator = createSlotValidator({ crypto: nodeCrypto, ...(keys.keys.length > 0 ? { keys: keys.keys } : {}) });
  const config: BootConfig = {
    mode,
    bootMaxAlign: layout.bootMaxAlign,
    maxImgSectors: layout.maxImgSectors,
    validatePrimarySlot: layout.validatePrimarySlot,
    validator,
    fixed: o.fixed ?? false,
    ...(layout.copyChunkBytes !== undefined ? { copyChunkBytes: layout.copyChunkBytes } : {}),
  };
  return { layout, mode, keys, config };
}

/** Parses a positive integer option. */
export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new FlashUsageError(`${name} must be a positive integer, got '${value}'`);
  return Number(value);
}

export const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** SHA-256 of the whole device (the vectors' flash_sha256). */
export function flashSha256(flash: NorFlash): string {
  const h = createHash('sha256');
  flash.forEachSectorBytes((b) => h.update(b));
  return h.digest('hex');
}

/** SHA-256 of an op list as the vectors' trace_sha256. */
export function traceSha256(ops: readonly FlashOp[]): string {
  const h = createHash('sha256');
  for (const o of ops) h.update(o.op === 'erase' ? `erase:${o.off}:${o.len}\n` : `write:${o.off}:${o.len}:${sha256hex(o.data as Uint8Array)}\n`);
  return h.digest('hex');
}

/** One op with the vectors' `ops` fields (`data` in hex for writes of at most 64 bytes). */
export function opJson(o: FlashOp): Record<string, unknown> {
  return toVectorOp(o, sha256hex);
}

/** A boot result with the field names of the vectors' `result`, plus the hashes of its trace and the device. */
export function bootResultJson(r: BootResult, flash: NorFlash): Record<string, unknown> {
  const out: Record<string, unknown> = { ...toVectorResult(r), trace_sha256: traceSha256(r.ops), flash_sha256: flashSha256(flash), swap_type: r.swapType };
  const resumed = r.events.find((e) => e.kind === 'progress' && e.resume);
  if (resumed !== undefined && resumed.kind === 'progress') out.resumed_swap_type = resumed.swapType;
  if (r.assertion !== undefined) out.assertion = r.assertion;
  return out;
}

/** The image file of a slot, read whole. */
export function readImageFile(io: CommandIo, path: string, what: string): Uint8Array {
  return readInput(io, path, what);
}

export const hex = (n: number): string => `0x${n.toString(16)}`;
