/**
 * @module flash/geometry
 * A flash device's shape: sector list, write alignment, erased value, and the named areas
 * MCUboot opens (with their flash-area ids, as in sysflash.h / the simulator's devicetree.h).
 * Validated once at construction (STYLE.md §4.7: misuse throws RangeError).
 */

/** One erase unit, offset relative to the device (or to an area, for area sector lists). */
export interface Sector {
  readonly off: number;
  readonly size: number;
}

/** A flash area as MCUboot's flash map sees it. */
export interface AreaDef {
  readonly id: number;
  readonly off: number;
  readonly size: number;
  /**
   * The sector sizes the bootloader is told about for this area (flash_area_get_sectors), when
   * they differ from the physical ones (the simulator's k64fbig describes a slot as one sector).
   * Each boundary must be a physical sector boundary.
   */
  readonly sectors?: readonly number[];
}

export interface FlashGeometryInput {
  readonly name?: string;
  /** Erase-unit sizes in address order, starting at device offset 0. */
  readonly sectors: readonly number[];
  readonly writeAlign: number;
  readonly erasedValue: number;
  readonly areas: Readonly<Record<string, AreaDef>>;
}

export interface FlashGeometry {
  readonly name: string;
  readonly size: number;
  readonly sectors: readonly Sector[];
  readonly writeAlign: number;
  readonly erasedValue: number;
  readonly areas: Readonly<Record<string, AreaDef>>;
  /** Index of the sector holding device offset `off` (binary search). */
  sectorIndexAt(off: number): number;
  /** The area (name) holding device offset `off`, or undefined. */
  areaAt(off: number): string | undefined;
  /** The sectors covered by an area, with offsets relative to the area start. */
  areaSectors(name: string): readonly Sector[];
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Builds and validates a geometry. Throws RangeError on an impossible layout. */
export function createFlashGeometry(input: FlashGeometryInput): FlashGeometry {
  const name = input.name ?? 'flash';
  if (input.sectors.length === 0) throw new RangeError(`${name}: expected at least one sector`);
  if (!isPowerOfTwo(input.writeAlign)) throw new RangeError(`${name}: writeAlign must be a power of two, got ${input.writeAlign}`);
  if (input.erasedValue !== 0xff && input.erasedValue !== 0x00) throw new RangeError(`${name}: erasedValue must be 0xff or 0x00, got ${input.erasedValue}`);
  const sectors: Sector[] = [];
  const starts: number[] = [];
  let off = 0;
  for (const size of input.sectors) {
    if (!Number.isInteger(size) || size <= 0 || size % input.writeAlign !== 0) {
      throw new RangeError(`${name}: sector size ${size} must be a positive multiple of writeAlign ${input.writeAlign}`);
    }
    sectors.push({ off, size });
    starts.push(off);
    off += size;
  }
  const size = off;
  const sectorIndexAt = (o: number): number => {
    if (o < 0 || o >= size) throw new RangeError(`${name}: offset 0x${o.toString(16)} outside the device`);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const areaSectorCache = new Map<string, readonly Sector[]>();
  const areaEntries = Object.entries(input.areas);
  for (const [areaName, a] of areaEntries) {
    if (a.off < 0 || a.size <= 0 || a.off + a.size > size) throw new RangeError(`${name}: area ${areaName} lies outside the device`);
    const first = sectorIndexAt(a.off);
    const last = sectorIndexAt(a.off + a.size - 1);
    const s0 = sectors[first] as Sector;
    const sl = sectors[last] as Sector;
    if (s0.off !== a.off || sl.off + sl.size !== a.off + a.size) {
      throw new RangeError(`${name}: area ${areaName} (0x${a.off.toString(16)}+0x${a.size.toString(16)}) must start and end on sector boundaries`);
    }
    const list: Sector[] = [];
    if (a.sectors !== undefined) {
      let o = 0;
      for (const sz of a.sectors) {
        const end = a.off + o + sz;
        const idx = end < size ? sectorIndexAt(end) : -1;
        if (sz <= 0 || (idx >= 0 && (sectors[idx] as Sector).off !== end)) throw new RangeError(`${name}: area ${areaName}'s logical sector at +0x${o.toString(16)} does not end on a physical sector boundary`);
        list.push({ off: o, size: sz });
        o += sz;
      }
      if (o !== a.size) throw new RangeError(`${name}: area ${areaName}'s logical sectors add up to ${o}, not ${a.size}`);
    } else {
      for (let i = first; i <= last; i++) {
        const s = sectors[i] as Sector;
        list.push({ off: s.off - a.off, size: s.size });
      }
    }
    areaSectorCache.set(areaName, list);
  }
  for (let i = 0; i < areaEntries.length; i++) {
    for (let j = i + 1; j < areaEntries.length; j++) {
      const [na, a] = areaEntries[i] as [string, AreaDef];
      const [nb, b] = areaEntries[j] as [string, AreaDef];
      if (a.off < b.off + b.size && b.off < a.off + a.size) throw new RangeError(`${name}: areas ${na} and ${nb} overlap`);
    }
  }
  return {
    name,
    size,
    sectors,
    writeAlign: input.writeAlign,
    erasedValue: input.erasedValue,
    areas: input.areas,
    sectorIndexAt,
    areaAt(o) {
      for (const [n, a] of areaEntries) if (o >= a.off && o < a.off + a.size) return n;
      return undefined;
    },
    areaSectors(areaName) {
      const list = areaSectorCache.get(areaName);
      if (list === undefined) throw new RangeError(`${name}: no area named ${areaName}`);
      return list;
    },
  };
}
