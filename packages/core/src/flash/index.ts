/**
 * @module flash
 * The public surface of the flash model: geometry, the NOR flash (faults, observers, wear,
 * snapshots), flash areas and the power-loss signal.
 */
export { createFlashGeometry, type FlashGeometry, type FlashGeometryInput, type AreaDef, type Sector } from './geometry.js';
export { NorFlash, createNorFlash, type FlashObserver, type FlashSnapshot, type Random } from './nor-flash.js';
export type { FlashOp } from './flash-op.js';
export { openFlashArea, type FlashArea } from './flash-area.js';
export { PowerLoss, isPowerLoss } from './power-loss.js';
