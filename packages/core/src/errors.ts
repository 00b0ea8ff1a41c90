/**
 * @module errors
 * The core's operational error type and its code registry (STYLE.md §4.7).
 * Expected domain outcomes (an image that fails verification, no update available) are
 * returned as discriminated results, not thrown; misuse throws TypeError/RangeError.
 * Codes are stable API: documented in docs/errors.md, never reused once retired.
 */

/** Every error code the core can raise, with a one-line meaning. Add, never rename or reuse. */
export const CoreErrorCode = {
  SW_ERR_INPUT_INVALID: 'An argument or input file is malformed or out of range',
  SW_ERR_IMAGE_MALFORMED: 'The bytes are not a well-formed MCUboot image',
  SW_ERR_IMAGE_TRUNCATED: 'The image ends before its header, body or TLV area does',
  SW_ERR_KEY_INVALID: 'A key file could not be read or is of an unsupported type',
  SW_ERR_SIGN_FAILED: 'The image could not be built or signed with the given options',
  SW_ERR_FLASH_NOR_VIOLATION: 'A flash operation broke a NOR rule (alignment, erase, double write)',
  SW_ERR_FLASH_OUT_OF_RANGE: 'A flash operation reached outside the device or area',
  SW_ERR_BOOT_CONFIG_INVALID: 'A flash layout or boot configuration is inconsistent',
  SW_ERR_FLASH_FILE_SIZE: 'A flash image file is not the size of the device its layout describes',
  SW_ERR_FLASH_IMAGE_TOO_LARGE: 'An image does not fit the slot it is placed in',
  SW_ERR_SIM_SCENARIO_INVALID: 'A simulation scenario file is malformed',
} as const;

export type CoreErrorCode = keyof typeof CoreErrorCode;

/** An operational failure with a stable code and a message a person can act on. */
export class SlotwiseError extends Error {
  readonly code: string;
  constructor(code: CoreErrorCode | (string & {}), message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SlotwiseError';
    this.code = code;
  }
}

/** True when `value` is a SlotwiseError, optionally with the given code. */
export function isSlotwiseError(value: unknown, code?: string): value is SlotwiseError {
  return value instanceof SlotwiseError && (code === undefined || value.code === code);
}
