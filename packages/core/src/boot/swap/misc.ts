/**
 * @module boot/swap/misc
 * Shared swap helpers of swap_misc.c: swap_read_status (status source + entries + swap_info),
 * boot_find_status, and the plain header read used by swap-scratch and overwrite-only.
 */
import type { FlashArea } from '../../flash/flash-area.js';
import { BootRc, SwapType } from '../constants.js';
import type { BootState, BootStatus } from '../boot-state.js';
import { readImageHeader } from '../image-header.js';
import { bootMagic, BOOT_MAGIC_SZ, magicOff, swapInfoOff } from '../trailer.js';
import type { SwapStrategy } from './strategy.js';

/** swap_read_status. */
export function swapReadStatus(st: BootState, strategy: SwapStrategy, bs: BootStatus): number {
  const decision = strategy.statusSource(st);
  bs.source = decision.source;
  st.events.push({ kind: 'status', source: decision.source, row: decision.row });
  let area: FlashArea;
  switch (decision.source) {
    case 'none':
      return BootRc.OK;
    case 'scratch':
      area = st.scr as FlashArea;
      break;
    case 'primary':
      area = st.pri;
      break;
  }
  strategy.readStatusBytes(st, area, bs);
  const info = area.read(swapInfoOff(area.size, st.layout), 1)[0] as number;
  bs.swapType = info === area.erasedValue ? SwapType.NONE : info & 0x0f;
  return BootRc.OK;
}

/**
 * boot_find_status: the scratch (swap-scratch) or the primary, whichever has a GOOD magic first;
 * when none has, MCUboot still hands back the primary (mcuboot.md §8 pitfall 24).
 */
export function findStatusArea(st: BootState): FlashArea {
  const magic = bootMagic(st.cfg.bootMaxAlign);
  const candidates = st.cfg.mode === 'swap-scratch' && st.scr !== undefined ? [st.scr, st.pri] : [st.pri];
  for (const a of candidates) {
    const m = a.read(magicOff(a.size), BOOT_MAGIC_SZ);
    if (m.every((b, i) => b === magic[i])) return a;
  }
  return st.pri;
}

/** boot_read_image_header of swap_scratch.c: a plain read at offset 0 (never fails). */
export function readHeaderPlain(st: BootState, slot: 0 | 1): number {
  st.hdr[slot] = readImageHeader(slot === 0 ? st.pri : st.sec, 0);
  return BootRc.OK;
}
