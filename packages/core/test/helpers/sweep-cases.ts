/**
 * Builds sweep cases: a board preset with a v1 image in the primary and a v2 upgrade in the
 * secondary (one sector in for swap-offset), marked test or permanent, and the flash state before
 * the step to sweep (`upgrade`, `permanent`, or `revert` = the boot after an unconfirmed test).
 */
import { findBoardPreset } from '../../src/boards/presets.js';
import { createFlashGeometry } from '../../src/flash/geometry.js';
import { NorFlash } from '../../src/flash/nor-flash.js';
import { openFlashArea } from '../../src/flash/flash-area.js';
import { boot, maxImageSize } from '../../src/boot/loader.js';
import { setPending } from '../../src/boot/public-api.js';
import type { BootConfig, UpgradeMode } from '../../src/boot/config.js';
import { buildImage, hashOnlyValidator, placeImage } from './test-images.js';

export type SweepScenario = 'upgrade' | 'permanent' | 'revert';
const validator = hashOnlyValidator();

export function sweepCase(board: string, mode: UpgradeMode, scenario: SweepScenario, opts: { fixed?: boolean; sizeA?: number; sizeB?: number } = {}): { flash: NorFlash; config: BootConfig } {
  const p = findBoardPreset(board);
  if (p === undefined) throw new Error(`no preset ${board}`);
  const geometry = createFlashGeometry(p.geometry);
  const config: BootConfig = { mode, bootMaxAlign: p.bootMaxAlign, maxImgSectors: p.maxImgSectors, validatePrimarySlot: true, validator, fixed: opts.fixed ?? false };
  const max = maxImageSize(geometry, config);
  const flash = new NorFlash(geometry);
  const pri = openFlashArea(flash, 'primary');
  const sec = openFlashArea(flash, 'secondary');
  placeImage(flash, pri.off, buildImage(Math.min(max, opts.sizeA ?? 9000), 1, 1));
  placeImage(flash, sec.off + (mode === 'swap-offset' ? (sec.sectors()[0] as { size: number }).size : 0), buildImage(Math.min(max, opts.sizeB ?? 13000), 2, 2));
  setPending(sec, { bootMaxAlign: p.bootMaxAlign, maxImgSectors: p.maxImgSectors, mode }, scenario === 'permanent');
  if (scenario === 'revert') boot(flash, config);
  return { flash, config };
}
