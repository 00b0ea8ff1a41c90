/**
 * @module boards/layout
 * A layout = flash geometry + the MCUboot build constants that shape the trailer, from a named
 * preset or from JSON shaped like the boot vectors' scenario.json (`geometry` and `config`
 * objects), so a scenario.json itself works. Also builds a flash holding the given images where
 * the bootloader expects them (the upgrade one sector in for swap-offset).
 */
import { SlotwiseError } from '../errors.js';
import { createFlashGeometry, type FlashGeometry } from '../flash/geometry.js';
import { NorFlash } from '../flash/nor-flash.js';
import { UPGRADE_MODES, type UpgradeMode } from '../boot/config.js';
import { findBoardPreset, BOARD_PRESETS } from './presets.js';

export interface Layout {
  readonly name: string;
  readonly geometry: FlashGeometry;
  readonly bootMaxAlign: number;
  readonly maxImgSectors: number;
  /** From scenario.json `config.upgrade_mode`, when given. */
  readonly mode?: UpgradeMode;
  readonly validatePrimarySlot: boolean;
}

const bad = (msg: string): SlotwiseError => new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', msg);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (o: Record<string, unknown>, k: string, where: string): number => {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(`${where}.${k}: expected an integer, got ${JSON.stringify(v)}`);
  return v;
};

/** Parses `{ geometry, config }` as in scenario.json. Throws SW_ERR_BOOT_CONFIG_INVALID on bad input. */
export function layoutFromJson(json: unknown): Layout {
  if (!isRecord(json) || !isRecord(json.geometry)) throw bad('layout JSON: expected an object with a "geometry" object (as in the vectors\' scenario.json)');
  const g = json.geometry;
  const c = isRecord(json.config) ? json.config : {};
  const sectors = g.sectors;
  if (!Array.isArray(sectors) || !sectors.every((s) => typeof s === 'number')) throw bad('geometry.sectors: expected an array of sector sizes');
  if (!isRecord(g.areas)) throw bad('geometry.areas: expected { primary, secondary, scratch? }');
  const areas: Record<string, { id: number; off: number; size: number }> = {};
  for (const [name, a] of Object.entries(g.areas)) {
    if (!isRecord(a)) throw bad(`geometry.areas.${name}: expected { id, off, size }`);
    areas[name] = { id: num(a, 'id', `geometry.areas.${name}`), off: num(a, 'off', `geometry.areas.${name}`), size: num(a, 'size', `geometry.areas.${name}`) };
  }
  if (areas.primary === undefined || areas.secondary === undefined) throw bad('geometry.areas: primary and secondary are required');
  let geometry: FlashGeometry;
  try {
    geometry = createFlashGeometry({ name: typeof g.name === 'string' ? g.name : 'layout', sectors: sectors as number[], writeAlign: num(g, 'write_align', 'geometry'),
      erasedValue: g.erased_val === undefined ? 0xff : num(g, 'erased_val', 'geometry'), areas });
  } catch (e) {
    if (e instanceof RangeError) throw bad(`geometry: ${e.message}`);
    throw e;
  }
  const mode = c.upgrade_mode;
  if (mode !== undefined && !UPGRADE_MODES.includes(mode as UpgradeMode)) throw bad(`config.upgrade_mode: expected one of ${UPGRADE_MODES.join(', ')}`);
  const pick = (k: string, fallback: number): number => (c[k] ?? g[k]) === undefined ? fallback : num(c[k] !== undefined ? c : g, k, c[k] !== undefined ? 'config' : 'geometry');
  return {
    name: geometry.name, geometry, bootMaxAlign: pick('boot_max_align', 8), maxImgSectors: pick('max_img_sectors', 128),
    ...(mode !== undefined ? { mode: mode as UpgradeMode } : {}),
    validatePrimarySlot: c.validate_primary_slot !== false,
  };
}

/** A named preset as a Layout. */
export function layoutFromPreset(name: string): Layout {
  const p = findBoardPreset(name);
  if (p === undefined) throw bad(`unknown layout "${name}"; presets: ${BOARD_PRESETS.map((b) => b.name).join(', ')}, or a JSON file with geometry and config`);
  return { name: p.name, geometry: createFlashGeometry(p.geometry), bootMaxAlign: p.bootMaxAlign, maxImgSectors: p.maxImgSectors, validatePrimarySlot: true };
}

/**
 * A flash holding `primary` at the start of the primary slot and `secondary` (if any) at the
 * start of the secondary slot, or one sector into it for swap-offset; padded with the erased
 * value to the write alignment, as the vectors place them.
 */
export function createFlashWithImages(layout: Layout, mode: UpgradeMode, primary: Uint8Array | undefined, secondary?: Uint8Array): NorFlash {
  const g = layout.geometry;
  const flash = new NorFlash(g);
  const place = (area: string, extra: number, image: Uint8Array): void => {
    const a = g.areas[area];
    if (a === undefined) throw bad(`the layout has no ${area} area`);
    if (extra + image.length > a.size) throw bad(`the ${image.length}-byte image does not fit the ${area} slot (${a.size} bytes${extra > 0 ? `, starting ${extra} bytes in` : ''})`);
    const padded = new Uint8Array(Math.ceil(image.length / g.writeAlign) * g.writeAlign).fill(g.erasedValue);
    padded.set(image);
    flash.load(a.off + extra, padded);
  };
  if (primary !== undefined) place('primary', 0, primary);
  if (secondary !== undefined) place('secondary', mode === 'swap-offset' ? (g.areaSectors('secondary')[0] as { size: number }).size : 0, secondary);
  return flash;
}
