/**
 * @module flash/nor-flash
 * NOR flash model with MCUboot simflash's rules (sim/simflash/src/lib.rs): whole-sector
 * erase, writes aligned in offset and length, every written byte must have been erased since it
 * was last programmed (a violation is a SW_ERR_FLASH_NOR_VIOLATION, never silently allowed).
 * Every erase/write is one operation: observers see them in order; fault injection refuses the
 * N-th (power cut) or lands it partially with seeded garbage (torn write).
 *
 * Storage is sparse and copy-on-write: a sector nobody touched has no buffer (reads as erased),
 * an erase drops the buffer, and `snapshot()` / `restore()` share sector buffers until one side
 * writes, so a power-cut sweep restores state in O(sectors) instead of replaying.
 */
import { SlotwiseError } from '../errors.js';
import type { FlashGeometry } from './geometry.js';
import type { FlashOp } from './flash-op.js';
import { PowerLoss } from './power-loss.js';

export type { FlashOp } from './flash-op.js';

export type FlashObserver = (op: FlashOp) => void;

/**
 * A sector's bytes. A byte counts as programmed exactly when it differs from the erased value:
 * programming the erased value leaves a NOR cell erased, which is how the vectors' harness
 * counts it too (MCUboot's non-FAST overwrite copies erased trailer bytes that the application
 * programs later).
 */
interface SectorStore {
  readonly data: Uint8Array;
  /** The same bytes as 32-bit words (sector sizes are multiples of 4 where it is used). */
  readonly words: Uint32Array;
  readonly owner: number;
}

function makeStore(data: Uint8Array, owner: number): SectorStore {
  return { data, words: new Uint32Array(data.buffer, data.byteOffset, data.length >> 2), owner };
}

/** An immutable point-in-time copy of a flash (shares sector buffers copy-on-write). */
export interface FlashSnapshot {
  readonly geometry: FlashGeometry;
  readonly stores: readonly (SectorStore | undefined)[];
  readonly wear: Uint32Array;
}

/** The randomness a torn write draws from (structurally the sim Random port). */
export interface Random {
  u32(): number;
  below(n: number): number;
}

type Fault =
  | { readonly kind: 'cut'; readonly at: number }
  | { readonly kind: 'torn'; readonly at: number; readonly random: Random };

let generation = 0;
const nextGeneration = (): number => ++generation;

export class NorFlash {
  readonly geometry: FlashGeometry;
  private stores: (SectorStore | undefined)[];
  private wear: Uint32Array;
  private owner: number;
  private readonly observers: FlashObserver[] = [];
  private fault: Fault | undefined;
  private opsSinceArm = 0;
  /** Operations performed since creation (refused ones excluded). */
  opCount = 0;

  constructor(geometry: FlashGeometry) {
    this.geometry = geometry;
    this.stores = new Array<SectorStore | undefined>(geometry.sectors.length).fill(undefined);
    this.wear = new Uint32Array(geometry.sectors.length);
    this.owner = nextGeneration();
  }

  get size(): number {
    return this.geometry.size;
  }

  /** Registers an observer of every erase/write; returns a function that removes it. */
  observe(fn: FlashObserver): () => void {
    this.observers.push(fn);
    return () => {
      const i = this.observers.indexOf(fn);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  /** Power cut: the `n`-th operation from now (1-based) is refused and PowerLoss is thrown. */
  armPowerCut(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`armPowerCut: expected an integer >= 1, got ${n}`);
    this.fault = { kind: 'cut', at: n };
    this.opsSinceArm = 0;
  }

  /** Torn operation: the `n`-th operation lands partially (seeded garbage), then PowerLoss. */
  armTornWrite(n: number, random: Random): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`armTornWrite: expected an integer >= 1, got ${n}`);
    this.fault = { kind: 'torn', at: n, random };
    this.opsSinceArm = 0;
  }

  disarm(): void {
    this.fault = undefined;
  }

  /** Erase count of every sector (wear). */
  eraseCounts(): Uint32Array {
    return this.wear.slice();
  }

  /** Number of sectors holding a buffer (touched since their last erase). */
  residentSectors(): number {
    let n = 0;
    for (const s of this.stores) if (s !== undefined) n++;
    return n;
  }

  read(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.readInto(off, out);
    return out;
  }

  readInto(off: number, out: Uint8Array): void {
    const len = out.length;
    this.checkRange('read', off, len);
    if (len === 0) return;
    const g = this.geometry;
    let i = g.sectorIndexAt(off);
    let pos = 0;
    while (pos < len) {
      const sec = g.sectors[i] as { off: number; size: number };
      const from = off + pos - sec.off;
      const n = Math.min(sec.size - from, len - pos);
      const st = this.stores[i];
      if (st === undefined) out.fill(g.erasedValue, pos, pos + n);
      else out.set(st.data.subarray(from, from + n), pos);
      pos += n;
      i++;
    }
  }

  /**
   * Feeds the device's content to `sink` sector by sector without building one big buffer
   * (untouched sectors come as one shared erased buffer; do not modify what you receive).
   */
  forEachSectorBytes(sink: (bytes: Uint8Array) => void): void {
    const g = this.geometry;
    let erased: Uint8Array | undefined;
    for (let i = 0; i < this.stores.length; i++) {
      const st = this.stores[i];
      if (st !== undefined) { sink(st.data); continue; }
      const size = (g.sectors[i] as { size: number }).size;
      if (erased === undefined || erased.length < size) erased = new Uint8Array(size).fill(g.erasedValue);
      sink(erased.length === size ? erased : erased.subarray(0, size));
    }
  }

  /** The whole device as one buffer. */
  toBytes(): Uint8Array {
    return this.read(0, this.geometry.size);
  }

  /**
   * Loads bytes without counting an operation (factory programming / a file image). Bytes equal
   * to the erased value count as erased, as the vectors' harness does.
   */
  load(off: number, bytes: Uint8Array): void {
    this.checkRange('load', off, bytes.length);
    const g = this.geometry;
    let pos = 0;
    let i = bytes.length > 0 ? g.sectorIndexAt(off) : 0;
    while (pos < bytes.length) {
      const sec = g.sectors[i] as { off: number; size: number };
      const from = off + pos - sec.off;
      const n = Math.min(sec.size - from, bytes.length - pos);
      const chunk = bytes.subarray(pos, pos + n);
      let any = false;
      for (let k = 0; k < n; k++) if (chunk[k] !== g.erasedValue) { any = true; break; }
      const existing = this.stores[i];
      if (any || existing !== undefined) this.owned(i).data.set(chunk, from);
      pos += n;
      i++;
    }
  }

  write(off: number, data: Uint8Array): void {
    const g = this.geometry;
    const len = data.length;
    this.checkRange('write', off, len);
    if (off % g.writeAlign !== 0 || len % g.writeAlign !== 0) {
      throw new SlotwiseError('SW_ERR_FLASH_NOR_VIOLATION',
        `write at 0x${off.toString(16)} of ${len} bytes is not aligned to the write size ${g.writeAlign}`);
    }
    const op = this.makeOp('write', off, len, data);
    // Check the NOR rule before anything lands, so a violation leaves the flash untouched.
    for (let pos = 0, i = len > 0 ? g.sectorIndexAt(off) : 0; pos < len; i++) {
      const sec = g.sectors[i] as { off: number; size: number };
      const from = off + pos - sec.off;
      const n = Math.min(sec.size - from, len - pos);
      this.checkErased(i, from, n, off, len);
      pos += n;
    }
    const torn = this.gate(op);
    let limit = len;
    let garbage: Random | undefined;
    if (torn !== undefined) {
      limit = torn.random.below(len + 1);
      garbage = torn.random;
    }
    for (let pos = 0, i = len > 0 ? g.sectorIndexAt(off) : 0; pos < len; i++) {
      const sec = g.sectors[i] as { off: number; size: number };
      const from = off + pos - sec.off;
      const n = Math.min(sec.size - from, len - pos);
      const st = this.owned(i);
      if (garbage === undefined) {
        st.data.set(n === len ? data : data.subarray(pos, pos + n), from);
        pos += n;
      } else {
        for (let k = 0; k < n; k++, pos++) st.data[from + k] = pos < limit ? (data[pos] as number) : garbage.u32() & 0xff;
      }
    }
    if (torn !== undefined) throw new PowerLoss(op, this.opsSinceArm - 1, true);
    this.opCount++;
    for (const fn of this.observers) fn(op);
  }

  erase(off: number, len: number): void {
    const g = this.geometry;
    this.checkRange('erase', off, len);
    const first = g.sectorIndexAt(off);
    const s0 = g.sectors[first] as { off: number; size: number };
    const lastIdx = len > 0 ? g.sectorIndexAt(off + len - 1) : first;
    const sl = g.sectors[lastIdx] as { off: number; size: number };
    if (len === 0 || s0.off !== off || sl.off + sl.size !== off + len) {
      throw new SlotwiseError('SW_ERR_FLASH_NOR_VIOLATION',
        `erase at 0x${off.toString(16)} of ${len} bytes does not cover whole sectors`);
    }
    const op = this.makeOp('erase', off, len, undefined);
    const torn = this.gate(op);
    for (let i = first; i <= lastIdx; i++) {
      if (torn !== undefined && i === first) {
        // A torn erase clears a random prefix of the first sector; the rest keeps its content.
        const sec = g.sectors[i] as { size: number };
        const upto = torn.random.below(sec.size + 1);
        if (this.stores[i] !== undefined) this.owned(i).data.fill(g.erasedValue, 0, upto);
        break;
      }
      this.stores[i] = undefined;
      this.wear[i] = (this.wear[i] as number) + 1;
    }
    if (torn !== undefined) throw new PowerLoss(op, this.opsSinceArm - 1, true);
    this.opCount++;
    for (const fn of this.observers) fn(op);
  }

  snapshot(): FlashSnapshot {
    const snap: FlashSnapshot = { geometry: this.geometry, stores: this.stores.slice(), wear: this.wear.slice() };
    // From now on this flash must copy any shared sector before writing into it.
    this.owner = nextGeneration();
    return snap;
  }

  restore(snap: FlashSnapshot): void {
    if (snap.geometry !== this.geometry) throw new RangeError('restore: snapshot belongs to a flash of another geometry');
    this.stores = snap.stores.slice();
    this.wear = snap.wear.slice();
    this.owner = nextGeneration();
  }

  /** True when the device holds exactly `bytes` at `off` (compared in place, nothing copied). */
  equalsAt(off: number, bytes: Uint8Array): boolean {
    this.checkRange('compare', off, bytes.length);
    const g = this.geometry;
    let pos = 0;
    let i = bytes.length > 0 ? g.sectorIndexAt(off) : 0;
    while (pos < bytes.length) {
      const sec = g.sectors[i] as { off: number; size: number };
      const from = off + pos - sec.off;
      const n = Math.min(sec.size - from, bytes.length - pos);
      const want = bytes.subarray(pos, pos + n);
      const st = this.stores[i];
      if (st === undefined ? !isAll(want, g.erasedValue) : !bytesEqual(st.data.subarray(from, from + n), want)) return false;
      pos += n;
      i++;
    }
    return true;
  }

  /** True when this flash holds exactly the content of `snap` (shared sectors compare by identity). */
  equalsSnapshot(snap: FlashSnapshot): boolean {
    if (snap.geometry !== this.geometry) return false;
    const erased = this.geometry.erasedValue;
    for (let i = 0; i < this.stores.length; i++) {
      const a = this.stores[i];
      const b = snap.stores[i];
      if (a === b) continue;
      if (a !== undefined && b !== undefined) {
        if (!bytesEqual(a.data, b.data)) return false;
      } else if (!isAll((a ?? b as SectorStore).data, erased)) return false;
    }
    return true;
  }

  /** A new flash holding the same content (shares buffers copy-on-write). */
  clone(): NorFlash {
    const f = new NorFlash(this.geometry);
    f.restore(this.snapshot());
    return f;
  }

  /** Throws a NOR violation when any of the `n` bytes at `from` of sector `i` is programmed. */
  private checkErased(i: number, from: number, n: number, off: number, len: number): void {
    const st = this.stores[i];
    if (st === undefined) return;
    const erased = this.geometry.erasedValue;
    if ((from & 3) === 0 && (n & 3) === 0) {
      const w = st.words;
      const e32 = (erased * 0x01010101) >>> 0;
      let clean = true;
      for (let k = from >> 2, e = (from + n) >> 2; k < e; k++) if (w[k] !== e32) { clean = false; break; }
      if (clean) return;
    }
    const d = st.data;
    for (let k = from, e = from + n; k < e; k++) {
      if (d[k] !== erased) {
        const at = (this.geometry.sectors[i] as { off: number }).off + k;
        throw new SlotwiseError('SW_ERR_FLASH_NOR_VIOLATION',
          `write at 0x${off.toString(16)} (${len} bytes) programs byte 0x${at.toString(16)} again without an erase`);
      }
    }
  }

  private gate(op: FlashOp): { random: Random } | undefined {
    const fault = this.fault;
    if (fault === undefined) return undefined;
    this.opsSinceArm++;
    if (this.opsSinceArm < fault.at) return undefined;
    this.fault = undefined;
    if (fault.kind === 'cut') throw new PowerLoss(op, this.opsSinceArm - 1, false);
    return { random: fault.random };
  }

  private makeOp(kind: 'erase' | 'write', off: number, len: number, data: Uint8Array | undefined): FlashOp {
    const area = this.geometry.areaAt(off);
    const areaOff = area === undefined ? off : off - (this.geometry.areas[area] as { off: number }).off;
    return data === undefined ? { op: kind, off, len, area, areaOff } : { op: kind, off, len, area, areaOff, data };
  }

  private checkRange(what: string, off: number, len: number): void {
    if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > this.geometry.size) {
      throw new SlotwiseError('SW_ERR_FLASH_OUT_OF_RANGE',
        `${what} at 0x${off.toString(16)} of ${len} bytes reaches outside the ${this.geometry.size}-byte device`);
    }
  }

  private forEachSlice(off: number, len: number, fn: (sector: number, from: number, n: number) => void): void {
    if (len === 0) return;
    const g = this.geometry;
    let i = g.sectorIndexAt(off);
    let pos = 0;
    while (pos < len) {
      const sec = g.sectors[i] as { off: number; size: number };
      const from = off + pos - sec.off;
      const n = Math.min(sec.size - from, len - pos);
      fn(i, from, n);
      pos += n;
      i++;
    }
  }

  private owned(i: number): SectorStore {
    const st = this.stores[i];
    if (st !== undefined && st.owner === this.owner) return st;
    const size = (this.geometry.sectors[i] as { size: number }).size;
    let next: SectorStore;
    if (st === undefined) {
      const data = new Uint8Array(size);
      if (this.geometry.erasedValue !== 0) data.fill(this.geometry.erasedValue);
      next = makeStore(data, this.owner);
    } else {
      next = makeStore(st.data.slice(), this.owner);
    }
    this.stores[i] = next;
    return next;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && a.length % 4 === 0) {
    const x = new Uint32Array(a.buffer, a.byteOffset, a.length / 4);
    const y = new Uint32Array(b.buffer, b.byteOffset, b.length / 4);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isAll(a: Uint8Array, v: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== v) return false;
  return true;
}

/** Creates an erased NOR flash for a geometry. */
export function createNorFlash(geometry: FlashGeometry): NorFlash {
  return new NorFlash(geometry);
}
