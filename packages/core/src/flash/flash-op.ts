/**
 * @module flash/flash-op
 * One flash operation as observers, power-loss signals and the boot vectors describe it.
 */

/** One erase or write, with the fields of the boot vectors' `ops`. */
export interface FlashOp {
  readonly op: 'erase' | 'write';
  /** Device offset. */
  readonly off: number;
  readonly len: number;
  /** Name of the area the offset lies in (`primary`, `secondary`, `scratch`, ...), if any. */
  readonly area: string | undefined;
  /** Offset inside that area. */
  readonly areaOff: number;
  /** Bytes written (writes only). A view valid during the observer call; copy to keep. */
  readonly data?: Uint8Array;
}
