/**
 * @module boot/validate
 * The slot-validation seam: bootutil_img_validate (image_validate.c) behind a small port, so the
 * boot twin can use the image module's verifier, or a test's own. A validator receives the bytes
 * of a slot from the image start to the end of the area and answers valid / invalid with a reason.
 */

export interface SlotValidationContext {
  readonly slot: 'primary' | 'secondary';
  /** bootutil_max_image_size for this slot: TLV end must not exceed it. */
  readonly maxImageSize: number;
}

export type SlotValidation =
  | { readonly valid: true; readonly detail: string }
  | { readonly valid: false; readonly reason: string; readonly detail: string };

export interface SlotValidator {
  /** `image` starts at the image header; it may run past the image up to the end of the slot. */
  validate(image: Uint8Array, ctx: SlotValidationContext): SlotValidation;
}
