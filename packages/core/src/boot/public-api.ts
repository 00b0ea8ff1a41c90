/**
 * @module boot/public-api
 * What the application links from MCUboot (bootutil_public.c): boot_set_pending,
 * boot_set_confirmed (via boot_set_next), boot_read_swap_state, boot_swap_type.
 * Writes the same trailer bytes in the same order as the real library. The device firmware
 * may import only this module (and trailer.ts), never the loader or swap algorithms.
 */
import type { FlashArea } from '../flash/flash-area.js';
import { BootRc, SwapType } from './constants.js';
import { decideSwapType, type SwapDecision } from './swap-type.js';
import { readSwapState, writeImageOk, writeMagic, writeSwapInfo, type SwapState, type TrailerLayout } from './trailer.js';

export type { SwapState, TrailerLayout } from './trailer.js';

/** An application call's result: rc 0 on success, a BOOT_E* code otherwise. */
export interface AppCallResult {
  readonly rc: number;
  /** What was done, in words. */
  readonly action: string;
}

/** boot_set_next(area, active, confirm). */
export function bootSetNext(area: FlashArea, layout: TrailerLayout, active: boolean, confirm: boolean, imageIndex = 0): AppCallResult {
  const doConfirm = active || confirm;
  const st = readSwapState(area, layout);
  switch (st.magic) {
    case 'good':
      if (active && st.imageOk === 'unset') {
        writeImageOk(area, layout);
        return { rc: BootRc.OK, action: 'wrote image_ok' };
      }
      return { rc: BootRc.OK, action: active ? 'image_ok already set: nothing to do' : 'an upgrade is already pending: nothing to do' };
    case 'unset':
      if (active) return { rc: BootRc.OK, action: 'no trailer (factory image): nothing to do' };
      writeMagic(area, layout);
      if (doConfirm) writeImageOk(area, layout);
      writeSwapInfo(area, layout, doConfirm ? SwapType.PERM : SwapType.TEST, imageIndex);
      return { rc: BootRc.OK, action: doConfirm ? 'requested a permanent upgrade (magic, image_ok, swap_info)' : 'requested a test upgrade (magic, swap_info)' };
    case 'bad':
      return { rc: active ? BootRc.EBADVECT : BootRc.EBADIMAGE, action: 'trailer magic is corrupt: nothing written' };
  }
}

/** boot_set_pending_multi(i, permanent): marks the secondary slot for a test or permanent upgrade. */
export function setPending(secondary: FlashArea, layout: TrailerLayout, permanent: boolean, imageIndex = 0): AppCallResult {
  return bootSetNext(secondary, layout, false, permanent, imageIndex);
}

/** boot_set_confirmed_multi(i): confirms the running image (image_ok in the primary). */
export function setConfirmed(primary: FlashArea, layout: TrailerLayout, imageIndex = 0): AppCallResult {
  return bootSetNext(primary, layout, true, true, imageIndex);
}

/** boot_read_swap_state. */
export function readSlotState(area: FlashArea, layout: TrailerLayout): SwapState {
  return readSwapState(area, layout);
}

/** boot_swap_type_multi: what the bootloader will decide from the trailers alone. */
export function readSwapType(primary: FlashArea, secondary: FlashArea, layout: TrailerLayout): SwapDecision {
  return decideSwapType(readSwapState(primary, layout), readSwapState(secondary, layout), layout.mode === 'swap-offset');
}
