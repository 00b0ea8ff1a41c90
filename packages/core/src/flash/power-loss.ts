/**
 * @module flash/power-loss
 * The power-loss signal (STYLE.md §4.7: power loss is not an error). The fault-injecting
 * flash throws it instead of performing the refused operation; the bootloader twin never
 * catches it, so the run aborts exactly where the real device would lose power
 * (the simulator's longjmp, mcuboot sim/mcuboot-sys/csupport/run.c).
 */
import type { FlashOp } from './flash-op.js';

export class PowerLoss {
  readonly name = 'PowerLoss';
  /** The operation that was refused (or torn): it had not (fully) taken effect. */
  readonly refusedOp: FlashOp;
  /** Operations completed before the cut, counted since the fault was armed. */
  readonly opsCompleted: number;
  /** True when the refused write landed partially (torn write). */
  readonly torn: boolean;
  constructor(refusedOp: FlashOp, opsCompleted: number, torn: boolean) {
    this.refusedOp = refusedOp;
    this.opsCompleted = opsCompleted;
    this.torn = torn;
  }
}

export function isPowerLoss(value: unknown): value is PowerLoss {
  return value instanceof PowerLoss;
}
