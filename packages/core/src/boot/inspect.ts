/**
 * @module boot/inspect
 * A read-only look at a device, as the bootloader would see it before its next run: each slot's
 * image header (version, sizes, hash/signature verdict through the config's validator, with the
 * mode's maximum image size), each trailer's fields, where swap progress would be read from, and
 * the swap type the decision table picks. Pure: reads the flash, performs no operation.
 * Reuses boot_read_swap_state (trailer.ts), boot_swap_type_multi (swap-type.ts), the status
 * source tables (status.ts) and bootutil_max_image_size (loader.ts).
 */
import { openFlashArea, type FlashArea } from '../flash/flash-area.js';
import type { NorFlash } from '../flash/nor-flash.js';
import { resolveBootConfig, type BootConfig } from './config.js';
import { IMAGE_MAGIC, swapTypeName } from './constants.js';
import { isHeaderErased, readImageHeader, readTlvInfo, versionString } from './image-header.js';
import { maxImageSize } from './loader.js';
import { moveStatusSource, scratchStatusSource } from './status.js';
import { decideSwapType } from './swap-type.js';
import { readSwapSize, readSwapState, statusOff, statusSize, type SwapState, type TrailerLayout } from './trailer.js';

/** The image found at one place of a slot. */
export interface SlotImage {
  /** Offset of the header inside the slot. */
  readonly offset: number;
  readonly version: string;
  readonly hdrSize: number;
  readonly imgSize: number;
  readonly protectTlvSize: number;
  readonly flags: number;
  readonly loadAddr: number;
  /** Header + body + TLVs, when the TLV info headers are readable. */
  readonly totalSize: number | undefined;
  readonly validation: { readonly valid: boolean; readonly reason: string };
}

export interface SlotTrailer {
  readonly magic: SwapState['magic'];
  readonly swapType: string;
  readonly copyDone: SwapState['copyDone'];
  readonly imageOk: SwapState['imageOk'];
  readonly imageNum: number;
  /** swap_size, when the magic is good (otherwise the field holds nothing meaningful). */
  readonly swapSize: number | undefined;
}

export interface SlotInspection {
  readonly area: string;
  readonly off: number;
  readonly size: number;
  readonly sectors: number;
  /** 'image' | 'erased' (header erased) | 'other' (bytes that are not an image header). */
  readonly content: 'image' | 'erased' | 'other';
  readonly image: SlotImage | undefined;
  readonly trailer: SlotTrailer;
}

export interface FlashInspection {
  readonly device: { readonly name: string; readonly size: number; readonly writeAlign: number; readonly erasedValue: number };
  readonly mode: BootConfig['mode'];
  readonly maxImageSize: number;
  readonly primary: SlotInspection;
  readonly secondary: SlotInspection;
  readonly scratch: { readonly off: number; readonly size: number; readonly trailer: SlotTrailer } | undefined;
  readonly swap: {
    /** What the decision table picks from the two trailers (before validation). */
    readonly swapType: string;
    readonly row: number | undefined;
    readonly meaning: string;
    /** Where the next boot reads swap progress from (status-source tables). */
    readonly statusSource: 'none' | 'primary' | 'scratch';
    /** Status entries written there. */
    readonly statusEntries: number;
    /** A swap was interrupted: its status area holds a good magic or entries; the next boot resumes it. */
    readonly interrupted: boolean;
  };
}

function trailerOf(area: FlashArea, l: TrailerLayout): SlotTrailer {
  const s = readSwapState(area, l);
  return {
    magic: s.magic, swapType: swapTypeName(s.swapType), copyDone: s.copyDone, imageOk: s.imageOk, imageNum: s.imageNum,
    // A request written by the application has no swap_size yet: the field reads erased.
    swapSize: s.magic === 'good' && readSwapSize(area, l) !== 0xffffffff ? readSwapSize(area, l) : undefined,
  };
}

function inspectSlot(area: FlashArea, offsets: readonly number[], l: TrailerLayout, validate: (bytes: Uint8Array, slot: 'primary' | 'secondary') => { valid: boolean; reason: string }, slot: 'primary' | 'secondary'): SlotInspection {
  const base = { area: area.name, off: area.off, size: area.size, sectors: area.sectors().length, trailer: trailerOf(area, l) };
  let sawOther = false;
  for (const offset of offsets) {
    const h = readImageHeader(area, offset);
    if (h.magic !== IMAGE_MAGIC) {
      if (!isHeaderErased(h, area.erasedValue)) sawOther = true;
      continue;
    }
    const info = readTlvInfo(area, offset, h);
    // Header fields are untrusted: only hand the validator bytes that lie inside the slot.
    const len = info !== undefined && offset + info.tlvEnd <= area.size ? info.tlvEnd : area.size - offset;
    const image: SlotImage = {
      offset, version: versionString(h.version), hdrSize: h.hdrSize, imgSize: h.imgSize, protectTlvSize: h.protectTlvSize,
      flags: h.flags, loadAddr: h.loadAddr, totalSize: info?.tlvEnd, validation: validate(area.read(offset, len), slot),
    };
    return { ...base, content: 'image', image };
  }
  return { ...base, content: sawOther ? 'other' : 'erased', image: undefined };
}

/** Inspects `flash` for the bootloader `config` describes. Reads only. */
export function inspectFlash(flash: NorFlash, config: BootConfig): FlashInspection {
  const cfg = resolveBootConfig(config);
  const l: TrailerLayout = { bootMaxAlign: cfg.bootMaxAlign, maxImgSectors: cfg.maxImgSectors, mode: cfg.mode };
  const pri = openFlashArea(flash, cfg.areas.primary);
  const sec = openFlashArea(flash, cfg.areas.secondary);
  const scr = cfg.mode === 'swap-scratch' && flash.geometry.areas[cfg.areas.scratch] !== undefined ? openFlashArea(flash, cfg.areas.scratch) : undefined;
  const max = maxImageSize(flash.geometry, config);
  const validate = (bytes: Uint8Array, slot: 'primary' | 'secondary'): { valid: boolean; reason: string } => {
    const r = cfg.validator.validate(bytes, { slot, maxImageSize: max });
    return r.valid ? { valid: true, reason: r.detail } : { valid: false, reason: `${r.reason}: ${r.detail}` };
  };
  // swap-offset uploads the new image one sector into the secondary; a swapped-back image sits at 0.
  const secOffsets = cfg.mode === 'swap-offset' ? [(sec.sectors()[0] as { size: number }).size, 0] : [0];
  const primary = inspectSlot(pri, [0], l, validate, 'primary');
  const secondary = inspectSlot(sec, secOffsets, l, validate, 'secondary');
  const ps = readSwapState(pri, l);
  const ss = readSwapState(sec, l);
  const d = decideSwapType(ps, ss, cfg.mode === 'swap-offset');
  const source = cfg.mode === 'overwrite-only' ? 'none'
    : scr !== undefined ? scratchStatusSource(ps, readSwapState(scr, l)).source
      : moveStatusSource(ps, ss).source;
  const statusArea = source === 'scratch' ? scr : source === 'primary' ? pri : undefined;
  let statusEntries = 0;
  if (statusArea !== undefined) {
    const isScratch = statusArea === scr;
    const w = statusArea.writeAlign;
    const bytes = statusArea.read(statusOff(statusArea, l, isScratch), isScratch ? 3 * w : statusSize(l, w));
    for (let i = 0; i < bytes.length; i += w) if (bytes[i] !== statusArea.erasedValue) statusEntries++;
  }
  return {
    device: { name: flash.geometry.name, size: flash.geometry.size, writeAlign: flash.geometry.writeAlign, erasedValue: flash.geometry.erasedValue },
    mode: cfg.mode,
    maxImageSize: max,
    primary,
    secondary,
    scratch: scr === undefined ? undefined : { off: scr.off, size: scr.size, trailer: trailerOf(scr, l) },
    swap: {
      swapType: swapTypeName(d.swapType), row: d.row?.row,
      meaning: d.row?.meaning ?? 'no row of the decision table matches: the primary boots as it is',
      statusSource: source,
      statusEntries,
      interrupted: statusArea !== undefined && (statusEntries > 0 || readSwapState(statusArea, l).magic === 'good'),
    },
  };
}

const hex = (n: number): string => `0x${n.toString(16)}`;

function slotLines(name: string, s: SlotInspection): string[] {
  const lines = [`${name} slot (${s.area}): ${hex(s.off)}..${hex(s.off + s.size)}, ${s.size} bytes in ${s.sectors} sector${s.sectors === 1 ? '' : 's'}`];
  if (s.image === undefined) lines.push(`  image: none (${s.content === 'erased' ? 'header erased' : 'no image magic: not an MCUboot image'})`);
  else {
    const i = s.image;
    lines.push(`  image: version ${i.version} at +${hex(i.offset)}, header ${i.hdrSize} + body ${i.imgSize}${i.totalSize !== undefined ? ` + TLVs = ${i.totalSize} bytes` : ', TLV info unreadable'}${i.flags !== 0 ? `, flags ${hex(i.flags)}` : ''}`);
    lines.push(`  validation: ${i.validation.valid ? 'valid' : 'INVALID'} (${i.validation.reason})`);
  }
  const t = s.trailer;
  lines.push(`  trailer: magic ${t.magic}, swap_type ${t.swapType}, copy_done ${t.copyDone}, image_ok ${t.imageOk}${t.swapSize !== undefined ? `, swap_size ${t.swapSize}` : ''}`);
  return lines;
}

/** The inspection in words, one line each. */
export function describeInspection(x: FlashInspection): string[] {
  const lines = [
    `Device ${x.device.name}: ${x.device.size} bytes, write size ${x.device.writeAlign}, erased value ${hex(x.device.erasedValue)}; mode ${x.mode}, largest image ${x.maxImageSize} bytes`,
    ...slotLines('Primary', x.primary),
    ...slotLines('Secondary', x.secondary),
  ];
  if (x.scratch !== undefined) {
    const t = x.scratch.trailer;
    lines.push(`Scratch: ${hex(x.scratch.off)}..${hex(x.scratch.off + x.scratch.size)}, trailer magic ${t.magic}`);
  }
  if (x.swap.interrupted) {
    lines.push(`Swap state: a swap was interrupted (${x.swap.statusEntries} status entr${x.swap.statusEntries === 1 ? 'y' : 'ies'} recorded); progress is in the ${x.swap.statusSource} ${x.swap.statusSource === 'scratch' ? 'area' : 'slot'}'s status area. The next boot resumes it.`);
  } else {
    lines.push(`Swap state: next boot decides swap type ${x.swap.swapType}${x.swap.row !== undefined ? ` (row ${x.swap.row})` : ''}: ${x.swap.meaning}.`);
  }
  return lines;
}
