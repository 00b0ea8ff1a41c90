/**
 * @module boot/loader
 * The bootloader twin's entry point: context_boot_go and what it calls in loader.c
 * (boot_prepare_image_for_update, boot_validated_swap_type, boot_validate_slot,
 * boot_perform_update, boot_complete_partial_swap, boot_swap_image, check_downgrade_prevention,
 * boot_read_image_headers). Single image (MCUBOOT_IMAGE_NUMBER 1). Synchronous and pure over
 * the flash: a PowerLoss thrown by the flash propagates (power loss is not an error); MCUboot's
 * assert() ends the run with outcome `assert`.
 */
import { openFlashArea, type FlashArea } from '../flash/flash-area.js';
import { NorFlash, type FlashOp } from '../flash/nor-flash.js';
import type { FlashGeometry } from '../flash/geometry.js';
import { resolveBootConfig, type BootConfig, type ResolvedBootConfig } from './config.js';
import type { SlotValidation, SlotValidationContext, SlotValidator } from './validate.js';
import { IMAGE_F_NON_BOOTABLE, IMAGE_MAGIC, IMAGE_TLV_SEC_CNT, SwapType, swapTypeName } from './constants.js';
import {
  BootAssertion, bootAssert, isStatusReset, newStatus, resetStatus, scrambleSlot, scrambleTrailerSectors,
  type BootEvent, type BootState, type BootStatus,
} from './boot-state.js';
import {
  compareVersion, findProtectedTlv, isHeaderErased, isHeaderValid, readImageHeader, readTlvInfo, versionString,
  type ImageHeader, type ImageVersion,
} from './image-header.js';
import { decideSwapType } from './swap-type.js';
import { readSwapSize, readSwapState, readU32le, writeCopyDone, writeImageOk, type SwapState, type TrailerLayout } from './trailer.js';
import { findStatusArea, swapReadStatus } from './swap/misc.js';
import { moveStrategy } from './swap/move.js';
import { offsetStrategy } from './swap/offset.js';
import { overwriteStrategy } from './swap/overwrite.js';
import { scratchStrategy } from './swap/scratch.js';
import type { SwapStrategy } from './swap/strategy.js';

export type BootOutcome = 'ok' | 'fail' | 'assert';

/** Which image boots (boot_rsp). */
export interface BootImage {
  readonly slot: 'primary';
  readonly flashDevId: 0;
  /** Device offset of the image header. */
  readonly imageOff: number;
  readonly version: string;
  readonly versionParts: ImageVersion;
  readonly imgSize: number;
}

export interface BootResult {
  readonly outcome: BootOutcome;
  /** 0 when an image boots, -1 on fail; absent on assert. */
  readonly rc?: number;
  readonly boot?: BootImage;
  /** The swap type this boot acted on (after a resume: the resumed one). */
  readonly swapType: string;
  /** Trailers after the boot, as boot_read_swap_state decodes them. */
  readonly trailers: { readonly primary: SwapState; readonly secondary: SwapState };
  /** The decision path: what was read, decided and done, in order. */
  readonly events: readonly BootEvent[];
  /** Every erase/write, in order (write data copied unless recordData is false). */
  readonly ops: readonly FlashOp[];
  /** Where MCUboot asserted (outcome `assert`). */
  readonly assertion?: string;
}

export interface BootOptions {
  /** Keep a copy of every written byte in `ops` (default true). */
  readonly recordData?: boolean;
  /** Record `ops` at all (default true; sweeps that only judge outcomes turn it off). */
  readonly recordOps?: boolean;
}

export function strategyFor(cfg: ResolvedBootConfig): SwapStrategy {
  switch (cfg.mode) {
    case 'swap-scratch': return scratchStrategy;
    case 'swap-move': return moveStrategy;
    case 'swap-offset': return offsetStrategy;
    case 'overwrite-only': return overwriteStrategy;
  }
}

export function trailerLayoutOf(cfg: ResolvedBootConfig): TrailerLayout {
  return { bootMaxAlign: cfg.bootMaxAlign, maxImgSectors: cfg.maxImgSectors, mode: cfg.mode };
}

const isUpgrade = (t: number): boolean => t === SwapType.TEST || t === SwapType.PERM || t === SwapType.REVERT;

type Validity = 'ok' | 'no-image' | 'fail';

interface MemoEntry { readonly bytes: Uint8Array; readonly ctx: SlotValidationContext; readonly result: SlotValidation }
const memo = new WeakMap<SlotValidator, MemoEntry[]>();

/**
 * Validation is a pure function of (validator, bytes, context): a sweep re-validates the same
 * image after every cut, so the last few results are kept and found by comparing the slot's bytes
 * in place (cheaper than reading and hashing them again).
 */
function validateMemo(validator: SlotValidator, area: FlashArea, off: number, len: number, ctx: SlotValidationContext): SlotValidation {
  let list = memo.get(validator);
  if (list === undefined) {
    list = [];
    memo.set(validator, list);
  }
  for (const e of list) {
    if (e.bytes.length === len && e.ctx.slot === ctx.slot && e.ctx.maxImageSize === ctx.maxImageSize && area.equalsAt(off, e.bytes)) return e.result;
  }
  const bytes = area.read(off, len);
  const result = validator.validate(bytes, ctx);
  list.unshift({ bytes, ctx, result });
  if (list.length > 4) list.pop();
  return result;
}

class Loader {
  readonly st: BootState;
  readonly strategy: SwapStrategy;
  readonly bs: BootStatus;

  constructor(flash: NorFlash, cfg: ResolvedBootConfig) {
    const pri = openFlashArea(flash, cfg.areas.primary);
    const sec = openFlashArea(flash, cfg.areas.secondary);
    const scr = cfg.mode === 'swap-scratch' ? openFlashArea(flash, cfg.areas.scratch) : undefined;
    this.st = {
      cfg, flash, layout: trailerLayoutOf(cfg), pri, sec, scr,
      priSectors: [], secSectors: [], hdr: [undefined, undefined], secondaryOffset: 0,
      swapType: SwapType.NONE, writeSz: pri.writeAlign, imageIndex: 0, events: [],
    };
    this.strategy = strategyFor(cfg);
    this.bs = newStatus(cfg.mode);
  }

  private get ev(): BootEvent[] {
    return this.st.events;
  }

  /** boot_read_image_headers. */
  readImageHeaders(requireAll: boolean, bs: BootStatus | undefined): number {
    for (const i of [0, 1] as const) {
      const rc = this.strategy.readImageHeader(this.st, i, bs);
      if (rc !== 0) return i > 0 && !requireAll ? 0 : rc;
    }
    return 0;
  }

  /** boot_read_sectors. */
  readSectors(): boolean {
    const st = this.st;
    st.priSectors = st.pri.sectors();
    st.secSectors = st.sec.sectors();
    st.writeSz = st.scr !== undefined ? Math.max(st.pri.writeAlign, st.scr.writeAlign) : st.pri.writeAlign;
    return st.priSectors.length <= st.cfg.maxImgSectors;
  }

  imageOffset(slot: 0 | 1): number {
    return slot === 1 && this.st.cfg.mode === 'swap-offset' ? this.st.secondaryOffset : 0;
  }

  /** boot_image_check -> bootutil_img_validate, through the validator port, plus the size limit. */
  imageCheck(slot: 0 | 1, area: FlashArea, h: ImageHeader): { valid: boolean; reason: string } {
    const off = this.imageOffset(slot);
    const maxImageSize = this.strategy.maxImageSize(this.st, area);
    const info = readTlvInfo(area, off, h);
    // Hand the validator the image only when its extent is known; otherwise the rest of the slot.
    const len = info !== undefined && off + info.tlvEnd <= area.size ? info.tlvEnd : area.size - off;
    const ctx = { slot: slot === 0 ? 'primary' as const : 'secondary' as const, maxImageSize };
    const res = validateMemo(this.st.cfg.validator, area, off, len, ctx);
    if (!res.valid) return { valid: false, reason: `${res.reason}: ${res.detail}` };
    if (info === undefined) return { valid: false, reason: 'TLV info invalid' };
    if (info.tlvEnd > maxImageSize) return { valid: false, reason: `image of ${info.tlvEnd} bytes exceeds the ${maxImageSize}-byte maximum for this mode and layout` };
    return { valid: true, reason: res.detail };
  }

  /** boot_validate_slot. */
  validateSlot(slot: 0 | 1, bs: BootStatus | undefined, expected: number): Validity {
    const st = this.st;
    const area = slot === 0 ? st.pri : st.sec;
    const name = slot === 0 ? 'primary' : 'secondary';
    const h = st.hdr[slot];
    const swapMode = st.cfg.mode !== 'overwrite-only';
    if (h === undefined) {
      this.ev.push({ kind: 'validation', slot: name, result: 'invalid', reason: 'no header was read', erased: 'nothing' });
      return 'no-image';
    }
    if (isHeaderErased(h, area.erasedValue) || (h.flags & IMAGE_F_NON_BOOTABLE) !== 0) {
      let erased: 'nothing' | 'trailer' = 'nothing';
      if (swapMode && slot !== 0) {
        scrambleTrailerSectors(st, area);
        erased = 'trailer';
        if (st.cfg.mode === 'swap-move') {
          const revert = (bs !== undefined && bs.swapType === SwapType.REVERT)
            || decideSwapType(readSwapState(st.pri, st.layout), readSwapState(st.sec, st.layout), false).swapType === SwapType.REVERT;
          if (revert) {
            scrambleTrailerSectors(st, st.pri);
            this.ev.push({ kind: 'action', what: 'cleared the primary trailer (stuck revert: the secondary holds no image)' });
          }
        }
      }
      this.ev.push({ kind: 'validation', slot: name, result: 'no-image', reason: isHeaderErased(h, area.erasedValue) ? 'header erased' : 'image is NON_BOOTABLE', erased });
      return 'no-image';
    }
    let failReason: string | undefined;
    if (st.cfg.mode === 'swap-offset' && slot !== 0 && bs !== undefined && isStatusReset(bs, st.cfg.mode)
      && (expected === SwapType.TEST || expected === SwapType.PERM)) {
      const m = readU32le(st.sec.read(0, 4));
      if (m === IMAGE_MAGIC) failReason = 'an image header sits at offset 0 of the secondary: wrong upload address for swap-offset';
    }
    if (failReason === undefined && st.cfg.mode === 'overwrite-only' && st.cfg.downgradePrevention !== 'off' && slot !== 0) {
      const p = st.hdr[0];
      if (p !== undefined && compareVersion(h.version, p.version) < 0 && !isHeaderErased(p, st.pri.erasedValue)) {
        scrambleSlot(area);
        this.ev.push({ kind: 'validation', slot: name, result: 'invalid', reason: `downgrade prevented: ${versionString(h.version)} < ${versionString(p.version)}`, erased: 'slot' });
        return 'no-image';
      }
    }
    if (failReason === undefined) {
      if (!isHeaderValid(h, area.size)) failReason = 'header invalid (magic, sizes or unsupported flags)';
      else {
        const r = this.imageCheck(slot, area, h);
        if (!r.valid) failReason = r.reason;
        else {
          this.ev.push({ kind: 'validation', slot: name, result: 'valid', reason: `${versionString(h.version)}: ${r.reason}`, erased: 'nothing' });
          return 'ok';
        }
      }
    }
    const erase = slot !== 0;
    if (erase) scrambleSlot(area);
    this.ev.push({ kind: 'validation', slot: name, result: 'invalid', reason: failReason, erased: erase ? 'slot' : 'nothing' });
    return 'no-image';
  }

  /** boot_validated_swap_type. */
  validatedSwapType(bs: BootStatus): number {
    const st = this.st;
    const p = readSwapState(st.pri, st.layout);
    const s = readSwapState(st.sec, st.layout);
    this.ev.push({ kind: 'trailers', primary: p, secondary: s });
    const d = decideSwapType(p, s, st.cfg.mode === 'swap-offset');
    this.ev.push({ kind: 'decision', swapType: swapTypeName(d.swapType), row: d.row?.row, meaning: d.row?.meaning ?? 'no row of the decision table matched: boot the primary as it is' });
    let t = d.swapType;
    if (isUpgrade(t)) {
      const v = this.validateSlot(1, bs, t);
      if (v !== 'ok') t = v === 'no-image' ? SwapType.NONE : SwapType.FAIL;
    }
    return t;
  }

  /** boot_swap_image. */
  swapImage(bs: BootStatus): void {
    const st = this.st;
    let copySize = 0;
    if (isStatusReset(bs, st.cfg.mode)) {
      let size = 0;
      const h0 = st.hdr[0];
      if (h0 !== undefined && h0.magic === IMAGE_MAGIC) {
        const info = readTlvInfo(st.pri, 0, h0);
        bootAssert(info !== undefined, 'boot_swap_image (loader.c): assert(rc == 0) after boot_read_image_size(primary)');
        copySize = info.tlvEnd;
        bs.unprotPri = info.unprotTot;
      }
      const h1 = st.hdr[1];
      if (h1 !== undefined && h1.magic === IMAGE_MAGIC) {
        const info = readTlvInfo(st.sec, this.imageOffset(1), h1);
        bootAssert(info !== undefined, 'boot_swap_image (loader.c): assert(rc == 0) after boot_read_image_size(secondary)');
        size = info.tlvEnd;
        bs.unprotSec = info.unprotTot;
      }
      if (size > copySize) copySize = size;
      bs.swapSize = copySize;
    } else {
      const area = findStatusArea(st);
      bs.swapSize = readSwapSize(area, st.layout);
      // swap-offset's unprotected TLV sizes are read back only inside swap_run (swap_offset.c), so a
      // trailer written before that (the revert fix-up on resume) carries the reset value 0.
      copySize = bs.swapSize;
    }
    this.strategy.run(st, bs, copySize);
  }

  swapSetImageOk(): void {
    if (readSwapState(this.st.pri, this.st.layout).imageOk === 'unset') {
      writeImageOk(this.st.pri, this.st.layout);
      this.ev.push({ kind: 'action', what: 'wrote image_ok into the primary trailer' });
    }
  }

  swapSetCopyDone(): void {
    writeCopyDone(this.st.pri, this.st.layout);
    this.ev.push({ kind: 'action', what: 'wrote copy_done into the primary trailer' });
  }

  /** boot_complete_partial_swap. */
  completePartialSwap(bs: BootStatus): void {
    this.ev.push({ kind: 'progress', idx: bs.idx, state: bs.state, op: bs.op, swapType: swapTypeName(bs.swapType), resume: true });
    this.swapImage(bs);
    this.st.swapType = bs.swapType;
    if (bs.swapType === SwapType.REVERT || bs.swapType === SwapType.PERM) this.swapSetImageOk();
    if (isUpgrade(bs.swapType)) this.swapSetCopyDone();
  }

  /** boot_prepare_image_for_update. */
  prepare(): void {
    const st = this.st;
    const bs = this.bs;
    if (!this.readSectors()) {
      this.ev.push({ kind: 'action', what: `the primary slot has more than ${st.cfg.maxImgSectors} sectors (MCUBOOT_MAX_IMG_SECTORS): no upgrade considered` });
      st.swapType = SwapType.NONE;
      return;
    }
    if (this.readImageHeaders(false, undefined) !== 0) {
      this.ev.push({ kind: 'action', what: 'no image header in the primary slot: no upgrade considered' });
      st.swapType = SwapType.NONE;
      return;
    }
    if (!this.strategy.slotsCompatible(st)) {
      this.ev.push({ kind: 'action', what: `the slots' sector layouts are not compatible with ${st.cfg.mode}: no upgrade possible` });
      st.swapType = SwapType.NONE;
      return;
    }
    resetStatus(bs, st.cfg.mode);
    if (st.cfg.mode !== 'overwrite-only') swapReadStatus(st, this.strategy, bs);
    if (st.cfg.mode === 'swap-move' || st.cfg.mode === 'swap-offset') {
      if (this.readImageHeaders(!isStatusReset(bs, st.cfg.mode), bs) !== 0) {
        this.ev.push({ kind: 'action', what: 'no valid image header where this mode expects one: no upgrade considered' });
        st.swapType = SwapType.NONE;
        return;
      }
    }
    if (!isStatusReset(bs, st.cfg.mode)) {
      bootAssert(st.cfg.mode !== 'overwrite-only', 'boot_prepare_image_for_update: status in overwrite-only');
      this.completePartialSwap(bs);
      bootAssert(this.readImageHeaders(false, bs) === 0, 'boot_prepare_image_for_update (loader.c): assert(rc == 0) after re-reading headers');
      st.swapType = SwapType.NONE;
      return;
    }
    if (bs.swapType === SwapType.NONE) {
      st.swapType = this.validatedSwapType(bs);
    } else {
      this.ev.push({ kind: 'progress', idx: bs.idx, state: bs.state, op: bs.op, swapType: swapTypeName(bs.swapType), resume: false });
      const v = this.validateSlot(1, bs, 0);
      st.swapType = v === 'ok' ? bs.swapType : SwapType.FAIL;
    }
  }

  /** check_downgrade_prevention (swap modes): true when the upgrade must be refused. */
  downgradeRefused(): boolean {
    const st = this.st;
    const p = st.hdr[0];
    const s = st.hdr[1];
    if (p === undefined || s === undefined) return false;
    if (st.cfg.downgradePrevention === 'version') {
      return compareVersion(s.version, p.version) < 0;
    }
    const pc = findProtectedTlv(st.pri, 0, p, IMAGE_TLV_SEC_CNT);
    if (pc === undefined || pc.length !== 4) return false;
    const sc = findProtectedTlv(st.sec, this.imageOffset(1), s, IMAGE_TLV_SEC_CNT);
    if (sc === undefined || sc.length !== 4) return true;
    return readU32le(pc) > readU32le(sc);
  }

  /** boot_perform_update. */
  performUpdate(bs: BootStatus): void {
    const st = this.st;
    this.ev.push({ kind: 'action', what: `${st.cfg.mode === 'overwrite-only' ? 'copy the secondary over the primary' : 'swap the slots'} (${swapTypeName(st.swapType)})` });
    if (st.cfg.mode === 'overwrite-only') {
      this.strategy.run(st, bs, 0);
      return;
    }
    this.swapImage(bs);
    const t = st.swapType;
    if (t === SwapType.REVERT || t === SwapType.PERM) this.swapSetImageOk();
    if (isUpgrade(t)) this.swapSetCopyDone();
  }

  run(): Omit<BootResult, 'trailers' | 'ops'> {
    const st = this.st;
    const bs = this.bs;
    this.prepare();
    const acted = st.swapType;
    bs.swapType = st.swapType;
    switch (st.swapType) {
      case SwapType.NONE:
        break;
      case SwapType.TEST:
      case SwapType.PERM:
      case SwapType.REVERT:
        if (st.swapType !== SwapType.REVERT && st.cfg.mode !== 'overwrite-only' && st.cfg.downgradePrevention !== 'off' && this.downgradeRefused()) {
          scrambleSlot(st.sec);
          this.ev.push({ kind: 'validation', slot: 'secondary', result: 'invalid', reason: `downgrade prevented (${st.cfg.downgradePrevention})`, erased: 'slot' });
          st.swapType = SwapType.NONE;
          break;
        }
        this.performUpdate(bs);
        break;
      case SwapType.FAIL:
        if (st.cfg.mode !== 'overwrite-only') this.swapSetImageOk();
        break;
      default:
        bootAssert(false, 'context_boot_go (loader.c): panic, impossible swap type');
    }
    if (st.swapType !== SwapType.NONE) {
      if (this.readImageHeaders(false, bs) !== 0) {
        this.ev.push({ kind: 'action', what: 'no image header readable after the update: boot fails' });
        return { outcome: 'fail', rc: -1, swapType: swapTypeName(acted), events: st.events };
      }
    }
    const h = st.hdr[0];
    if (st.cfg.validatePrimarySlot) {
      if (this.validateSlot(0, undefined, 0) !== 'ok') return { outcome: 'fail', rc: -1, swapType: swapTypeName(acted), events: st.events };
    } else if (h === undefined || h.magic !== IMAGE_MAGIC) {
      this.ev.push({ kind: 'validation', slot: 'primary', result: 'invalid', reason: 'no image magic in the primary slot', erased: 'nothing' });
      return { outcome: 'fail', rc: -1, swapType: swapTypeName(acted), events: st.events };
    }
    const hdr = h as ImageHeader;
    return {
      outcome: 'ok',
      rc: 0,
      boot: { slot: 'primary', flashDevId: 0, imageOff: st.pri.off, version: versionString(hdr.version), versionParts: hdr.version, imgSize: hdr.imgSize },
      swapType: swapTypeName(acted),
      events: st.events,
    };
  }
}

/**
 * Runs the bootloader once over `flash` (context_boot_go). Throws PowerLoss when the flash's
 * armed fault fires; returns ok / fail / assert otherwise, with the decision path and ops.
 */
export function boot(flash: NorFlash, config: BootConfig, options: BootOptions = {}): BootResult {
  const cfg = resolveBootConfig(config);
  const recordData = options.recordData ?? true;
  const ops: FlashOp[] = [];
  const stop = options.recordOps === false ? () => undefined : flash.observe((op) => {
    ops.push(recordData && op.data !== undefined ? { ...op, data: op.data.slice() } : { op: op.op, off: op.off, len: op.len, area: op.area, areaOff: op.areaOff });
  });
  const loader = new Loader(flash, cfg);
  let partial: Omit<BootResult, 'trailers' | 'ops'>;
  try {
    partial = loader.run();
  } catch (e) {
    if (!(e instanceof BootAssertion)) throw e;
    loader.st.events.push({ kind: 'action', what: `MCUboot assertion: ${e.where}` });
    partial = { outcome: 'assert', swapType: swapTypeName(loader.st.swapType), events: loader.st.events, assertion: e.where };
  } finally {
    stop();
  }
  const layout = loader.st.layout;
  return {
    ...partial,
    trailers: { primary: readSwapState(loader.st.pri, layout), secondary: readSwapState(loader.st.sec, layout) },
    ops,
  };
}

/**
 * bootutil_max_image_size for a layout: the largest image (header + body + TLVs) this mode
 * accepts in the primary slot of `geometry`.
 */
export function maxImageSize(geometry: FlashGeometry, config: BootConfig): number {
  const loader = new Loader(new NorFlash(geometry), resolveBootConfig(config));
  loader.readSectors();
  return loader.strategy.maxImageSize(loader.st, loader.st.pri);
}

export { readImageHeader };
