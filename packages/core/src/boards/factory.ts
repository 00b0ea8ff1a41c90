/**
 * @module boards/factory
 * Flash layout presets (thin instantiations of the generic flash model and boot twin, STYLE.md
 * 2.1 habit 1): a geometry with MCUboot's areas, the upgrade mode and trailer parameters. A
 * `BoardDevice` is one device's flash with the bootloader wired in; devices made from one
 * factory share the factory image's sector buffers copy-on-write until they write, so a large
 * fleet costs memory only for what each device changed.
 */
import type { BootConfig, UpgradeMode } from '../boot/config.js';
import { boot, type BootResult } from '../boot/loader.js';
import type { SlotValidator } from '../boot/validate.js';
import type { TrailerLayout } from '../boot/trailer.js';
import { openFlashArea, type FlashArea } from '../flash/flash-area.js';
import { createFlashGeometry, type FlashGeometry } from '../flash/geometry.js';
import { createNorFlash, type FlashSnapshot, type NorFlash } from '../flash/nor-flash.js';

export interface BoardPreset {
  readonly name: string;
  readonly geometry: FlashGeometry;
  readonly mode: UpgradeMode;
  readonly bootMaxAlign: number;
  readonly maxImgSectors: number;
}

function preset(name: string, mode: UpgradeMode, sectorBytes: number, slotSectors: number, scratchSectors: number): BoardPreset {
  const boot = 0x10000;
  const slot = slotSectors * sectorBytes;
  const scratch = scratchSectors * sectorBytes;
  const areas: Record<string, { id: number; off: number; size: number }> = {
    bootloader: { id: 0, off: 0, size: boot },
    primary: { id: 1, off: boot, size: slot },
    secondary: { id: 2, off: boot + slot, size: slot },
  };
  if (scratch > 0) areas['scratch'] = { id: 3, off: boot + 2 * slot, size: scratch };
  const geometry = createFlashGeometry({
    name,
    sectors: new Array<number>((boot + 2 * slot + scratch) / sectorBytes).fill(sectorBytes),
    writeAlign: 4,
    erasedValue: 0xff,
    areas,
  });
  return { name, geometry, mode, bootMaxAlign: 8, maxImgSectors: slotSectors };
}

/** The presets a scenario can name. */
export const BOARD_PRESETS: Readonly<Record<string, BoardPreset>> = {
  /** 4 KiB sectors, 128 KiB slots, swap using scratch (MCUboot's default on most Zephyr boards). */
  'scratch-128k': preset('scratch-128k', 'swap-scratch', 4096, 32, 4),
  /** 4 KiB sectors, 256 KiB slots, swap using scratch. */
  'scratch-256k': preset('scratch-256k', 'swap-scratch', 4096, 64, 4),
  /** 4 KiB sectors, 128 KiB slots, overwrite-only (no revert: a bad build that boots stays). */
  'overwrite-128k': preset('overwrite-128k', 'overwrite-only', 4096, 32, 0),
};

export const trailerLayoutOf = (b: BoardPreset): TrailerLayout => ({ bootMaxAlign: b.bootMaxAlign, maxImgSectors: b.maxImgSectors, mode: b.mode });

/** One device's flash, as its application and its bootloader see it. */
export interface BoardDevice {
  readonly board: BoardPreset;
  readonly primary: FlashArea;
  readonly secondary: FlashArea;
  readonly trailer: TrailerLayout;
  /** Runs the MCUboot twin on this flash (a PowerLoss escapes when a cut is armed). */
  boot(): BootResult;
  /** The `n`-th flash operation from now is refused with a PowerLoss. */
  armPowerCut(n: number): void;
  disarm(): void;
  /** Sectors holding their own buffer (memory accounting). */
  residentSectors(): number;
  /** Boots a copy of this flash (copy-on-write): what a power-on would do now, leaving this one untouched. */
  bootCopy(): BootResult;
  /**
   * Replaces this device's sector buffers by equal ones already in the factory's pool (and pools
   * the new ones), so a fleet that installed the same image keeps one copy of each sector.
   * Returns the number of buffers now shared. Content is unchanged; later writes copy first.
   */
  compact(): number;
}

type PooledSector = FlashSnapshot['stores'][number] & object;

/** Sector buffers shared between devices, by content. Never written: an owner no flash has. */
export interface SectorPool {
  intern(data: Uint8Array): PooledSector;
  /** True for a sector buffer that came from this pool (nothing to do for it). */
  has(store: object): boolean;
  readonly size: number;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  // Sector buffers are word-aligned: compare 32 bits at a time (compaction compares every sector).
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && a.length % 4 === 0) {
    const x = new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
    const y = new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function createSectorPool(): SectorPool {
  const byHash = new Map<number, PooledSector[]>();
  const pooled = new WeakSet<object>();
  let size = 0;
  const hash = (d: Uint8Array): number => {
    let h = 0x811c9dc5 ^ d.length;
    const words = d.byteOffset % 4 === 0 && d.length % 4 === 0 ? new Int32Array(d.buffer, d.byteOffset, d.length / 4) : null;
    if (words !== null) for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
    else for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i]!, 0x01000193);
    return h >>> 0;
  };
  return {
    intern(data) {
      const h = hash(data);
      const bucket = byHash.get(h);
      const hit = bucket?.find((p) => same(p.data, data));
      if (hit !== undefined) return hit;
      const mine: PooledSector = { data, words: new Uint32Array(data.buffer, data.byteOffset, data.length >> 2), owner: -1 };
      pooled.add(mine);
      if (bucket === undefined) byHash.set(h, [mine]);
      else bucket.push(mine);
      size++;
      return mine;
    },
    has: (store) => pooled.has(store),
    get size() {
      return size;
    },
  };
}

/** A factory line: devices flashed with the same image share its sectors until they write. */
export interface BoardFactory {
  readonly board: BoardPreset;
  newDevice(): BoardDevice;
}

/**
 * A factory for `board` whose devices hold `image` in the primary slot with no trailer (a
 * confirmed factory image) and boot with `validator`.
 */
export function createBoardFactory(board: BoardPreset, image: Uint8Array, validator: SlotValidator, pool: SectorPool = createSectorPool()): BoardFactory {
  const config: BootConfig = { mode: board.mode, bootMaxAlign: board.bootMaxAlign, maxImgSectors: board.maxImgSectors, validatePrimarySlot: false, validator };
  const master = createNorFlash(board.geometry);
  const padded = new Uint8Array(Math.ceil(image.length / 4) * 4).fill(0xff);
  padded.set(image);
  openFlashArea(master, 'primary').write(0, padded);
  const raw = master.snapshot();
  const snapshot: FlashSnapshot = { ...raw, stores: raw.stores.map((st) => (st === undefined ? st : pool.intern(st.data))) };
  const trailer = trailerLayoutOf(board);
  return {
    board,
    newDevice() {
      const flash = createNorFlash(board.geometry);
      flash.restore(snapshot);
      return new FactoryBoardDevice(board, flash, trailer, config, pool);
    },
  };
}

/** One device off a factory line: one object with prototype methods (fleets hold 100 000 of them). */
class FactoryBoardDevice implements BoardDevice {
  readonly board: BoardPreset;
  readonly primary: FlashArea;
  readonly secondary: FlashArea;
  readonly trailer: TrailerLayout;
  private readonly flash: NorFlash;
  private readonly config: BootConfig;
  private readonly pool: SectorPool;

  constructor(board: BoardPreset, flash: NorFlash, trailer: TrailerLayout, config: BootConfig, pool: SectorPool) {
    this.board = board;
    this.primary = openFlashArea(flash, 'primary');
    this.secondary = openFlashArea(flash, 'secondary');
    this.trailer = trailer;
    this.flash = flash;
    this.config = config;
    this.pool = pool;
  }

  boot(): BootResult {
    return boot(this.flash, this.config, { recordData: false });
  }

  armPowerCut(n: number): void {
    this.flash.armPowerCut(n);
  }

  disarm(): void {
    this.flash.disarm();
  }

  residentSectors(): number {
    return this.flash.residentSectors();
  }

  bootCopy(): BootResult {
    return boot(this.flash.clone(), this.config, { recordData: false });
  }

  compact(): number {
    const snap = this.flash.snapshot();
    let shared = 0;
    const stores = snap.stores.map((st) => {
      if (st === undefined || this.pool.has(st)) return st;
      const pooled = this.pool.intern(st.data);
      if (pooled.data !== st.data) shared++;
      return pooled;
    });
    this.flash.restore({ geometry: snap.geometry, stores, wear: snap.wear });
    return shared;
  }
}
