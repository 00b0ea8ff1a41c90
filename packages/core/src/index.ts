/**
 * @module @slotwise/core
 * The pure, deterministic core of Slotwise: MCUboot image format, NOR flash model,
 * bootloader twin, device firmware and simulation kernel. No node:* imports, no wall clock,
 * no ambient randomness; those arrive through ports. Sub-paths (`@slotwise/core/image/...`)
 * are the public surface; this entry re-exports only the cross-cutting pieces.
 */
export { SlotwiseError, isSlotwiseError, CoreErrorCode } from './errors.js';
export type { Clock, ManualClock } from './sim/clock.js';
export { createManualClock } from './sim/clock.js';
export type { Random } from './sim/random.js';
export { createRandom } from './sim/random.js';
export type { Scheduler, SimScheduler, TimerId } from './sim/scheduler.js';
export { createScheduler } from './sim/scheduler.js';
