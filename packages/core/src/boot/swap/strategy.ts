/**
 * @module boot/swap/strategy
 * What each upgrade algorithm provides to the loader (mirrors swap_priv.h: boot_read_image_header,
 * swap_status_source, swap_read_status_bytes, boot_slots_compatible, swap_run, app_max_size).
 */
import type { FlashArea } from '../../flash/flash-area.js';
import type { BootState, BootStatus } from '../boot-state.js';
import type { StatusSourceDecision } from '../status.js';

export interface SwapStrategy {
  readonly name: 'scratch' | 'move' | 'offset' | 'overwrite';
  /** boot_read_image_header: reads slot's header into st.hdr; returns 0 or an error code. */
  readImageHeader(st: BootState, slot: 0 | 1, bs: BootStatus | undefined): number;
  /** swap_status_source. */
  statusSource(st: BootState): StatusSourceDecision;
  /** swap_read_status_bytes: fills bs.idx/state/op from the status entries of `area`. */
  readStatusBytes(st: BootState, area: FlashArea, bs: BootStatus): void;
  /** boot_slots_compatible. */
  slotsCompatible(st: BootState): boolean;
  /** swap_run. */
  run(st: BootState, bs: BootStatus, copySize: number): void;
  /** bootutil_max_image_size. */
  maxImageSize(st: BootState, area: FlashArea): number;
}
