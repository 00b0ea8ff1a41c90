/**
 * Test helpers: hash-only MCUboot images (header, pseudo-random payload, one SHA-256 TLV, as the
 * MCUboot simulator builds them) and a flash with two/three areas.
 */
import { createHash } from 'node:crypto';
import { createFlashGeometry, type FlashGeometry } from '../../src/flash/geometry.js';
import { NorFlash } from '../../src/flash/nor-flash.js';
import { createSlotValidator } from '../../src/image/slot-validator.js';
import { nodeCrypto } from '../../src/node/crypto.js';
import type { SlotValidator } from '../../src/boot/validate.js';

/**
 * An image of exactly `total` bytes (header 32 + payload + [12-byte protected SEC_CNT area] +
 * 40-byte TLV area), version major.0.1.
 */
export function buildImage(total: number, major: number, seed: number, hdrSize = 32, opts: { secCnt?: number; minor?: number } = {}): Uint8Array {
  const prot = opts.secCnt === undefined ? 0 : 12;
  const imgSize = total - hdrSize - 40 - prot;
  if (imgSize < 0) throw new RangeError(`image of ${total} bytes is too small`);
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x96f3b83d, true);
  dv.setUint16(8, hdrSize, true);
  dv.setUint16(10, prot, true);
  dv.setUint32(12, imgSize, true);
  b[20] = major; b[21] = opts.minor ?? 0; dv.setUint16(22, 1, true);
  let x = (seed * 2654435761) >>> 0;
  for (let i = hdrSize; i < hdrSize + imgSize; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
  const t = hdrSize + imgSize;
  if (opts.secCnt !== undefined) {
    b.set([0x08, 0x69, 12, 0, 0x50, 0, 4, 0], t);
    dv.setUint32(t + 8, opts.secCnt, true);
  }
  b.set([0x07, 0x69, 40, 0, 0x10, 0, 32, 0], t + prot);
  b.set(createHash('sha256').update(b.subarray(0, t + prot)).digest(), t + prot + 8);
  return b;
}

export const hashOnlyValidator = (): SlotValidator => createSlotValidator({ crypto: nodeCrypto });

/** One device of `count` sectors of `sectorSize`, areas laid out by sector index. */
export function uniformGeometry(o: { sectorSize: number; count: number; writeAlign: number; erasedValue?: number;
  primary: [number, number]; secondary: [number, number]; scratch?: [number, number] }): FlashGeometry {
  const areas: Record<string, { id: number; off: number; size: number }> = {
    primary: { id: 1, off: o.primary[0] * o.sectorSize, size: o.primary[1] * o.sectorSize },
    secondary: { id: 2, off: o.secondary[0] * o.sectorSize, size: o.secondary[1] * o.sectorSize },
  };
  if (o.scratch) areas.scratch = { id: 3, off: o.scratch[0] * o.sectorSize, size: o.scratch[1] * o.sectorSize };
  return createFlashGeometry({ sectors: new Array<number>(o.count).fill(o.sectorSize), writeAlign: o.writeAlign, erasedValue: o.erasedValue ?? 0xff, areas });
}

/** Places an image padded with the erased value to the write alignment. */
export function placeImage(flash: NorFlash, off: number, image: Uint8Array): void {
  const w = flash.geometry.writeAlign;
  const padded = new Uint8Array(Math.ceil(image.length / w) * w).fill(flash.geometry.erasedValue);
  padded.set(image);
  flash.load(off, padded);
}
