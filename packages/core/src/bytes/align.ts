/**
 * @module bytes/align
 * alignUp as imgtool's `align_up`: the alignment must be a non-zero power of two.
 */

/** Rounds `n` up to a multiple of `align` (a power of two). Throws RangeError otherwise. */
export function alignUp(n: number, align: number): number {
  if (!Number.isInteger(align) || align <= 0 || (align & (align - 1)) !== 0) {
    throw new RangeError(`alignUp: expected a power-of-two alignment, got ${align}`);
  }
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`alignUp: expected a non-negative integer, got ${n}`);
  return Math.ceil(n / align) * align;
}
