/**
 * @module boards/layout
 * A flash layout as a user gives it: a board preset name (boards/presets.ts) or a JSON document
 * with `geometry` and `config` objects shaped like the boot vectors' scenario.json (so a
 * scenario.json itself is a layout). Turns either into a validated geometry plus the MCUboot
 * build constants it implies. Every field of a JSON layout is user input: each is checked and a
 * bad one is a SW_ERR_BOOT_CONFIG_INVALID naming the field. Also builds a flash holding the given
 * images where the bootloader expects them (the upgrade one sector in for swap-offset).
 *
 *   { "geometry": { "name": "my-board", "sectors": [4096, ...] | [{ "size": 4096, "count": 128 }],
 *                   "write_align": 4, "erased_val": 255,
 *                   "areas": { "primary": { "id": 1, "off": 32768, "size": 212992 },
 *                              "secondary": { ... }, "scratch": { ... } } },
 *     "config":   { "upgrade_mode": "swap-move", "boot_max_align": 8, "max_img_sectors": 128,
 *                   "validate_primary_slot": true, "signature": "ecdsa-p256" } }
 */
import { SlotwiseError } from '../errors.js';
import { createFlashGeometry, type AreaDef, type FlashGeometry, type FlashGeometryInput } from '../flash/geometry.js';
import { NorFlash } from '../flash/nor-flash.js';
import { UPGRADE_MODES, type UpgradeMode } from '../boot/config.js';
import { BOARD_PRESETS, findBoardPreset } from './presets.js';

/** A resolved layout: the device, and the build constants of the bootloader that runs on it. */
export interface Layout {
  readonly name: string;
  readonly source: 'preset' | 'file';
  readonly geometry: FlashGeometry;
  /** MCUBOOT_BOOT_MAX_ALIGN. */
  readonly bootMaxAlign: number;
  /** MCUBOOT_MAX_IMG_SECTORS. */
  readonly maxImgSectors: number;
  /** The upgrade mode the layout names (config.upgrade_mode), or the preset's first mode. */
  readonly mode?: UpgradeMode;
  /** MCUBOOT_VALIDATE_PRIMARY_SLOT (default on, as in the vectors and Zephyr). */
  readonly validatePrimarySlot: boolean;
  /** The signature the bootloader was built for (`ecdsa-p256`, `hash-sha256`, ...), if stated. */
  readonly signature: string | undefined;
  /** MCUboot's copy chunk (default 1024). */
  readonly copyChunkBytes: number | undefined;
}

const fail = (where: string, message: string): never => {
  throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', `${where}: ${message}`);
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function intField(obj: Record<string, unknown>, key: string, where: string, opts: { min?: number; optional?: boolean } = {}): number | undefined {
  const v = obj[key];
  if (v === undefined && opts.optional === true) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return fail(where, `"${key}" must be an integer, got ${JSON.stringify(v) ?? 'nothing'}`);
  if (opts.min !== undefined && v < opts.min) return fail(where, `"${key}" must be at least ${opts.min}, got ${v}`);
  return v;
}

function sectorList(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || v.length === 0) return fail(where, '"sectors" must be a non-empty list of sector sizes (or { "size", "count" } runs)');
  const out: number[] = [];
  v.forEach((entry: unknown, i) => {
    if (typeof entry === 'number') {
      if (!Number.isSafeInteger(entry) || entry <= 0) fail(where, `sector #${i} has size ${entry}; sizes are positive integers`);
      out.push(entry);
    } else if (isRecord(entry)) {
      const size = intField(entry, 'size', `${where} sectors[${i}]`, { min: 1 }) as number;
      const count = intField(entry, 'count', `${where} sectors[${i}]`, { min: 1 }) as number;
      if (count > 1 << 20) fail(where, `sectors[${i}] repeats ${count} times; more than 1 048 576 sectors is not a flash part`);
      for (let k = 0; k < count; k++) out.push(size);
    } else fail(where, `sectors[${i}] must be a size or { "size", "count" }, got ${JSON.stringify(entry)}`);
  });
  return out;
}

function areaDefs(v: unknown, where: string): Record<string, AreaDef> {
  if (!isRecord(v)) return fail(where, '"areas" must be an object with "primary" and "secondary" (and "scratch" for swap-scratch)');
  const out: Record<string, AreaDef> = {};
  for (const [name, a] of Object.entries(v)) {
    const w = `${where} areas.${name}`;
    if (!isRecord(a)) fail(w, 'must be an object { "id", "off", "size" }');
    const def = a as Record<string, unknown>;
    const id = intField(def, 'id', w, { min: 0, optional: true });
    const off = intField(def, 'off', w, { min: 0 }) as number;
    const size = intField(def, 'size', w, { min: 1 }) as number;
    out[name] = { id: id ?? (name === 'primary' ? 1 : name === 'secondary' ? 2 : name === 'scratch' ? 3 : 0), off, size };
  }
  for (const required of ['primary', 'secondary']) if (out[required] === undefined) fail(where, `"areas" has no "${required}" slot`);
  return out;
}

function buildGeometry(input: FlashGeometryInput, where: string): FlashGeometry {
  try {
    return createFlashGeometry(input);
  } catch (error) {
    // createFlashGeometry reports impossible layouts as misuse; here they are user input.
    if (error instanceof RangeError) return fail(where, error.message);
    throw error;
  }
}

function modeField(v: unknown, where: string): UpgradeMode | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(UPGRADE_MODES as readonly string[]).includes(v)) {
    return fail(where, `"upgrade_mode" must be one of ${UPGRADE_MODES.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as UpgradeMode;
}

/**
 * A layout from a parsed JSON document (`where` names it in messages, e.g. the file path).
 * @throws SlotwiseError SW_ERR_BOOT_CONFIG_INVALID naming the first bad field.
 */
export function layoutFromJson(doc: unknown, where = 'layout'): Layout {
  if (!isRecord(doc)) return fail(where, 'a layout is a JSON object with "geometry" and "config" objects (a boot vector scenario.json works)');
  const g = doc.geometry;
  if (!isRecord(g)) return fail(where, 'missing "geometry" object (sectors, write_align, erased_val, areas)');
  const c = doc.config === undefined ? {} : doc.config;
  if (!isRecord(c)) return fail(where, '"config" must be an object');
  const gw = `${where} geometry`;
  const cw = `${where} config`;
  const name = typeof g.name === 'string' && g.name !== '' ? g.name : 'custom';
  const writeAlign = intField(g, 'write_align', gw, { min: 1 }) as number;
  const erasedValue = intField(g, 'erased_val', gw, { optional: true }) ?? 0xff;
  const geometry = buildGeometry({ name, sectors: sectorList(g.sectors, gw), writeAlign, erasedValue, areas: areaDefs(g.areas, gw) }, gw);
  const bootMaxAlign = intField(c, 'boot_max_align', cw, { optional: true }) ?? intField(g, 'boot_max_align', gw, { optional: true }) ?? 8;
  if (![8, 16, 32].includes(bootMaxAlign)) fail(cw, `"boot_max_align" must be 8, 16 or 32, got ${bootMaxAlign}`);
  if (writeAlign > bootMaxAlign) fail(where, `write_align ${writeAlign} is larger than boot_max_align ${bootMaxAlign}; MCUboot needs BOOT_MAX_ALIGN >= the write size`);
  const maxImgSectors = intField(c, 'max_img_sectors', cw, { min: 1, optional: true }) ?? intField(g, 'max_img_sectors', gw, { min: 1, optional: true }) ?? 128;
  const vps = c.validate_primary_slot;
  if (vps !== undefined && typeof vps !== 'boolean') fail(cw, `"validate_primary_slot" must be true or false, got ${JSON.stringify(vps)}`);
  const signature = c.signature === undefined || c.signature === null ? undefined : String(c.signature);
  const copyChunkBytes = intField(c, 'copy_chunk_bytes', cw, { min: 1, optional: true });
  const mode = modeField(c.upgrade_mode ?? doc.mode, cw);
  return {
    name,
    source: 'file',
    geometry,
    bootMaxAlign,
    maxImgSectors,
    ...(mode !== undefined ? { mode } : {}),
    validatePrimarySlot: typeof vps === 'boolean' ? vps : true,
    signature,
    copyChunkBytes,
  };
}

/**
 * A layout from a board preset name (case-insensitive).
 * @throws SlotwiseError SW_ERR_BOOT_CONFIG_INVALID listing the known names.
 */
export function layoutFromPreset(name: string): Layout {
  const p = findBoardPreset(name);
  if (p === undefined) return fail(`unknown layout "${name}"`, `presets: ${presetNames().join(', ')}, or a JSON file with geometry and config`);
  const mode = p.modes[0];
  return {
    name: p.name,
    source: 'preset',
    geometry: createFlashGeometry(p.geometry),
    bootMaxAlign: p.bootMaxAlign,
    maxImgSectors: p.maxImgSectors,
    ...(mode !== undefined ? { mode } : {}),
    validatePrimarySlot: true,
    signature: undefined,
    copyChunkBytes: undefined,
  };
}

/** Every preset name, in table order. */
export function presetNames(): string[] {
  return BOARD_PRESETS.map((b) => b.name);
}

/** The layout's modes worth trying (a preset's simulator modes; every mode for a JSON layout with a scratch). */
export function layoutModes(layout: Layout): readonly UpgradeMode[] {
  const preset = layout.source === 'preset' ? findBoardPreset(layout.name) : undefined;
  if (preset !== undefined) return preset.modes;
  return UPGRADE_MODES.filter((m) => m !== 'swap-scratch' || layout.geometry.areas.scratch !== undefined);
}

/**
 * A flash holding `primary` at the start of the primary slot and `secondary` (if any) at the
 * start of the secondary slot, or one sector into it for swap-offset; padded with the erased
 * value to the write alignment, as the vectors place them.
 * @throws SlotwiseError SW_ERR_BOOT_CONFIG_INVALID when an image does not fit its slot.
 */
export function createFlashWithImages(layout: Layout, mode: UpgradeMode, primary: Uint8Array | undefined, secondary?: Uint8Array): NorFlash {
  const g = layout.geometry;
  const flash = new NorFlash(g);
  const place = (area: string, extra: number, image: Uint8Array): void => {
    const a = g.areas[area];
    if (a === undefined) return fail(`layout ${layout.name}`, `no ${area} area`);
    if (extra + image.length > a.size) return fail(`layout ${layout.name}`, `the ${image.length}-byte image does not fit the ${area} slot (${a.size} bytes${extra > 0 ? `, starting ${extra} bytes in` : ''})`);
    const padded = new Uint8Array(Math.ceil(image.length / g.writeAlign) * g.writeAlign).fill(g.erasedValue);
    padded.set(image);
    flash.load(a.off + extra, padded);
  };
  if (primary !== undefined) place('primary', 0, primary);
  if (secondary !== undefined) place('secondary', secondaryImageOffset(layout, mode), secondary);
  return flash;
}

/** Where the upgrade image starts in the secondary slot: one sector in for swap-offset, else 0. */
export function secondaryImageOffset(layout: Layout, mode: UpgradeMode): number {
  return mode === 'swap-offset' ? (layout.geometry.areaSectors('secondary')[0] as { size: number }).size : 0;
}
