/**
 * @module boot/config
 * The bootloader's build configuration (the MCUBOOT_* defines of mcuboot_config.h) as data,
 * validated once (STYLE.md §4.7).
 */
import { SlotwiseError } from '../errors.js';
import type { SlotValidator } from './validate.js';

export type UpgradeMode = 'swap-scratch' | 'swap-move' | 'swap-offset' | 'overwrite-only';
export const UPGRADE_MODES: readonly UpgradeMode[] = ['swap-scratch', 'swap-move', 'swap-offset', 'overwrite-only'];

export interface BootConfig {
  /** MCUBOOT_SWAP_USING_SCRATCH / _MOVE / _OFFSET / MCUBOOT_OVERWRITE_ONLY. */
  readonly mode: UpgradeMode;
  /** MCUBOOT_OVERWRITE_ONLY_FAST (overwrite-only only). */
  readonly overwriteFast?: boolean;
  /** MCUBOOT_BOOT_MAX_ALIGN: 8, 16 or 32. */
  readonly bootMaxAlign: number;
  /** MCUBOOT_MAX_IMG_SECTORS. */
  readonly maxImgSectors: number;
  /** MCUBOOT_VALIDATE_PRIMARY_SLOT. */
  readonly validatePrimarySlot: boolean;
  /** MCUBOOT_DOWNGRADE_PREVENTION (+ _SECURITY_COUNTER). */
  readonly downgradePrevention?: 'off' | 'version' | 'security-counter';
  /** Checks an image (hash, key hash, signature): bootutil_img_validate. */
  readonly validator: SlotValidator;
  /**
   * Run the corrected algorithms for the MCUboot defects of mcuboot.md §8 instead of
   * reproducing them (see boot/swap/offset.ts for what is corrected).
   */
  readonly fixed?: boolean;
  /** Area names in the flash geometry (default primary/secondary/scratch). */
  readonly areas?: { readonly primary: string; readonly secondary: string; readonly scratch?: string };
  /** The chunk size of slot-to-slot copies (MCUboot: 1024). */
  readonly copyChunkBytes?: number;
}

export interface ResolvedBootConfig {
  readonly mode: UpgradeMode;
  readonly overwriteFast: boolean;
  readonly bootMaxAlign: number;
  readonly maxImgSectors: number;
  readonly validatePrimarySlot: boolean;
  readonly downgradePrevention: 'off' | 'version' | 'security-counter';
  readonly validator: SlotValidator;
  readonly fixed: boolean;
  readonly areas: { readonly primary: string; readonly secondary: string; readonly scratch: string };
  readonly copyChunkBytes: number;
}

export function resolveBootConfig(cfg: BootConfig): ResolvedBootConfig {
  if (!UPGRADE_MODES.includes(cfg.mode)) throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', `unknown upgrade mode "${String(cfg.mode)}"; expected one of ${UPGRADE_MODES.join(', ')}`);
  if (![8, 16, 32].includes(cfg.bootMaxAlign)) throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', `bootMaxAlign must be 8, 16 or 32, got ${cfg.bootMaxAlign}`);
  if (!Number.isInteger(cfg.maxImgSectors) || cfg.maxImgSectors < 1) throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', `maxImgSectors must be a positive integer, got ${cfg.maxImgSectors}`);
  if (cfg.overwriteFast === true && cfg.mode !== 'overwrite-only') throw new SlotwiseError('SW_ERR_BOOT_CONFIG_INVALID', 'overwriteFast applies to overwrite-only mode only');
  const chunk = cfg.copyChunkBytes ?? Math.max(1024, cfg.bootMaxAlign);
  return {
    mode: cfg.mode,
    overwriteFast: cfg.overwriteFast ?? false,
    bootMaxAlign: cfg.bootMaxAlign,
    maxImgSectors: cfg.maxImgSectors,
    validatePrimarySlot: cfg.validatePrimarySlot,
    downgradePrevention: cfg.downgradePrevention ?? 'off',
    validator: cfg.validator,
    fixed: cfg.fixed ?? false,
    areas: { primary: cfg.areas?.primary ?? 'primary', secondary: cfg.areas?.secondary ?? 'secondary', scratch: cfg.areas?.scratch ?? 'scratch' },
    copyChunkBytes: chunk,
  };
}
