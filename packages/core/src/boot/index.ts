/**
 * @module boot
 * The public surface of the bootloader twin (for the CLI, simulator and dashboard). The device
 * firmware must import only boot/public-api.js (layering rule), never this index.
 */
export { boot, maxImageSize, type BootResult, type BootImage, type BootOptions, type BootOutcome } from './loader.js';
export { resolveBootConfig, UPGRADE_MODES, type BootConfig, type UpgradeMode } from './config.js';
export { setPending, setConfirmed, readSlotState, readSwapType, bootSetNext, type AppCallResult } from './public-api.js';
export { sweepStep, type SweepOptions, type SweepReport, type SweepIssue, type SweepIssueKind, type SweepStep } from './sweep.js';
export { explainBoot, trailerWords, toVectorResult, toVectorOp, toVectorTrailer } from './report.js';
export { SWAP_TABLE, decideSwapType, type SwapTableRow } from './swap-type.js';
export { SCRATCH_STATUS_TABLE } from './status.js';
export { trailerSize, readSwapState, type SwapState, type TrailerLayout } from './trailer.js';
export { SwapType, swapTypeName } from './constants.js';
export type { BootEvent } from './boot-state.js';
export type { SlotValidator, SlotValidation, SlotValidationContext } from './validate.js';
export { inspectFlash, describeInspection, type FlashInspection, type SlotInspection, type SlotImage, type SlotTrailer } from './inspect.js';
