/**
 * @module boot/constants
 * MCUboot's boot constants (bootutil_public.h, bootutil_priv.h), as `as const` objects.
 * Stored/decoded values are kept apart from the decision tables' wildcard patterns
 * (see swap-type.ts, status.ts): a wildcard can never be written to flash.
 */

/** BOOT_SWAP_TYPE_* (bootutil_public.h); also the low nibble of the trailer's swap_info byte. */
export const SwapType = {
  NONE: 1,
  TEST: 2,
  PERM: 3,
  REVERT: 4,
  FAIL: 5,
  PANIC: 0xff,
} as const;
export type SwapTypeValue = (typeof SwapType)[keyof typeof SwapType];

export const swapTypeName = (t: number): 'none' | 'test' | 'perm' | 'revert' | 'fail' | 'panic' =>
  t === SwapType.TEST ? 'test' : t === SwapType.PERM ? 'perm' : t === SwapType.REVERT ? 'revert'
    : t === SwapType.FAIL ? 'fail' : t === SwapType.PANIC ? 'panic' : 'none';

/** Decoded trailer magic (BOOT_MAGIC_GOOD/BAD/UNSET). */
export type MagicState = 'good' | 'bad' | 'unset';
/** Decoded trailer flag (BOOT_FLAG_SET/BAD/UNSET). */
export type FlagState = 'set' | 'bad' | 'unset';

/** BOOT_STATUS_SOURCE_* (bootutil_priv.h). */
export type StatusSource = 'none' | 'scratch' | 'primary';

/** BOOT_STATUS_IDX_0 / BOOT_STATUS_STATE_0 (bootutil_priv.h). */
export const BOOT_STATUS_IDX_0 = 1;
export const BOOT_STATUS_STATE_0 = 1;
export const BOOT_STATUS_STATE_1 = 2;
export const BOOT_STATUS_STATE_2 = 3;

/** Error codes returned by bootutil (bootutil.h BOOT_E*). */
export const BootRc = {
  OK: 0,
  EFLASH: 1,
  EFILE: 2,
  EBADIMAGE: 3,
  EBADVECT: 4,
  EBADSTATUS: 5,
  ENOMEM: 6,
  EBADARGS: 7,
  EBADVERSION: 8,
} as const;

/** IMAGE_MAGIC (image.h). */
export const IMAGE_MAGIC = 0x96f3b83d;
export const IMAGE_HEADER_SIZE = 32;
export const IMAGE_TLV_INFO_MAGIC = 0x6907;
export const IMAGE_TLV_PROT_INFO_MAGIC = 0x6908;
/** IMAGE_F_NON_BOOTABLE, IMAGE_F_ENCRYPTED_AES128/256 (image.h). */
export const IMAGE_F_NON_BOOTABLE = 0x10;
export const IMAGE_F_ENCRYPTED_AES128 = 0x04;
export const IMAGE_F_ENCRYPTED_AES256 = 0x08;
export const IMAGE_F_COMPRESSED = 0x600;
/** IMAGE_TLV_SEC_CNT (image.h). */
export const IMAGE_TLV_SEC_CNT = 0x50;
