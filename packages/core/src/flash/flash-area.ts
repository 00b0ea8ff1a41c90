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
  return new OpenArea(flash, name, def.id, def.off, def.size, flash.geometry.areaSectors(name));
}

/** An open area: one object with prototype methods (a fleet opens two per device, 100 000 devices). */
class OpenArea implements FlashArea {
  readonly name: string;
  readonly id: number;
  readonly off: number;
  readonly size: number;
  readonly writeAlign: number;
  readonly erasedValue: number;
  private readonly flash: NorFlash;
  private readonly areaSectors: readonly Sector[];

  constructor(flash: NorFlash, name: string, id: number, off: number, size: number, areaSectors: readonly Sector[]) {
    this.name = name;
    this.id = id;
    this.off = off;
    this.size = size;
    this.writeAlign = flash.geometry.writeAlign;
    this.erasedValue = flash.geometry.erasedValue;
    this.flash = flash;
    this.areaSectors = areaSectors;
  }

  private check(what: string, off: number, len: number): void {
    if (off < 0 || len < 0 || off + len > this.size) {
      throw new SlotwiseError('SW_ERR_FLASH_OUT_OF_RANGE',
        `${what} at ${this.name}+0x${off.toString(16)} of ${len} bytes reaches outside the 0x${this.size.toString(16)}-byte area`);
    }
  }

  sectors(): readonly Sector[] {
    return this.areaSectors;
  }

  read(off: number, len: number): Uint8Array {
    this.check('read', off, len);
    return this.flash.read(this.off + off, len);
  }

  readInto(off: number, out: Uint8Array): void {
    this.check('read', off, out.length);
    this.flash.readInto(this.off + off, out);
  }

  equalsAt(off: number, bytes: Uint8Array): boolean {
    this.check('compare', off, bytes.length);
    return this.flash.equalsAt(this.off + off, bytes);
  }

  write(off: number, data: Uint8Array): void {
    this.check('write', off, data.length);
    this.flash.write(this.off + off, data);
  }

  erase(off: number, len: number): void {
    this.check('erase', off, len);
    this.flash.erase(this.off + off, len);
  }
}
