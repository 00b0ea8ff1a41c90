/**
 * @module flash/flash-area
 * The FlashArea port (mirrors MCUboot's flash_map_backend.h: flash_area_read/write/erase,
 * flash_area_align, flash_area_erased_val, flash_area_get_sectors). Offsets are relative to
 * the area; operations go straight to the device, so observers and faults see them.
 */
import { SlotwiseError } from '../errors.js';
import type { Sector } from './geometry.js';
import type { NorFlash } from './nor-flash.js';

export interface FlashArea {
  readonly name: string;
  readonly id: number;
  /** Device offset of the area start. */
  readonly off: number;
  readonly size: number;
  readonly writeAlign: number;
  readonly erasedValue: number;
  sectors(): readonly Sector[];
  read(off: number, len: number): Uint8Array;
  /** Reads `out.length` bytes at `off` into `out` (no allocation). */
  readInto(off: number, out: Uint8Array): void;
  /** True when the area holds exactly `bytes` at `off` (compared in place). */
  equalsAt(off: number, bytes: Uint8Array): boolean;
  write(off: number, data: Uint8Array): void;
  erase(off: number, len: number): void;
}

/** Opens area `name` of a flash (flash_area_open). */
export function openFlashArea(flash: NorFlash, name: string): FlashArea {
  const def = flash.geometry.areas[name];
  if (def === undefined) throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', `the flash layout has no area named "${name}"`);
  const sectors = flash.geometry.areaSectors(name);
  const check = (what: string, off: number, len: number): void => {
    if (off < 0 || len < 0 || off + len > def.size) {
      throw new SlotwiseError('SW_ERR_FLASH_OUT_OF_RANGE',
        `${what} at ${name}+0x${off.toString(16)} of ${len} bytes reaches outside the 0x${def.size.toString(16)}-byte area`);
    }
  };
  return {
    name,
    id: def.id,
    off: def.off,
    size: def.size,
    writeAlign: flash.geometry.writeAlign,
    erasedValue: flash.geometry.erasedValue,
    sectors: () => sectors,
    read(off, len) {
      check('read', off, len);
      return flash.read(def.off + off, len);
    },
    readInto(off, out) {
      check('read', off, out.length);
      flash.readInto(def.off + off, out);
    },
    equalsAt(off, bytes) {
      check('compare', off, bytes.length);
      return flash.equalsAt(def.off + off, bytes);
    },
    write(off, data) {
      check('write', off, data.length);
      flash.write(def.off + off, data);
    },
    erase(off, len) {
      check('erase', off, len);
      flash.erase(def.off + off, len);
    },
  };
}
