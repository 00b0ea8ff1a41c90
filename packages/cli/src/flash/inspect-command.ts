/**
 * @module flash/inspect-command
 * `slotwise flash inspect`: reads a flash file (never writes it) and shows the slots, their
 * image headers and validation, the trailers and the swap state the next boot will act on
 * (core boot/inspect.ts), in words or as JSON.
 */
import { SlotwiseError } from '@slotwise/core/errors';
import { describeInspection, inspectFlash, type SlotInspection, type SlotTrailer } from '@slotwise/core/boot/inspect';
import { NorFlash } from '@slotwise/core/flash/nor-flash';
import { ExitCode } from '../exit-codes.js';
import { readInput, type CommandIo } from '../image/io.js';
import { bootSetup } from './context.js';

export interface InspectOptions {
  readonly layout: string;
  readonly mode?: string;
  readonly key?: readonly string[];
  readonly json?: boolean;
}

const trailerJson = (t: SlotTrailer): Record<string, unknown> => ({
  magic: t.magic, swap_type: t.swapType, copy_done: t.copyDone, image_ok: t.imageOk, image_num: t.imageNum, swap_size: t.swapSize ?? null,
});

function slotJson(s: SlotInspection): Record<string, unknown> {
  const i = s.image;
  return {
    area: s.area, off: s.off, size: s.size, sectors: s.sectors, content: s.content,
    image: i === undefined ? null : {
      offset: i.offset, version: i.version, hdr_size: i.hdrSize, img_size: i.imgSize, protect_tlv_size: i.protectTlvSize,
      flags: i.flags, load_addr: i.loadAddr, total_size: i.totalSize ?? null, valid: i.validation.valid, validation: i.validation.reason,
    },
    trailer: trailerJson(s.trailer),
  };
}

export function inspectCommand(file: string, o: InspectOptions, io: CommandIo): number {
  const setup = bootSetup(io, o);
  const g = setup.layout.geometry;
  const bytes = readInput(io, file, 'flash file');
  if (bytes.length !== g.size) {
    throw new SlotwiseError('SW_ERR_FLASH_FILE_SIZE', `flash file '${file}' has ${bytes.length} bytes but the layout ${g.name} describes a ${g.size}-byte device`);
  }
  const flash = new NorFlash(g);
  flash.load(0, bytes);
  const x = inspectFlash(flash, setup.config);
  if (o.json === true) {
    io.stdout(JSON.stringify({
      device: { name: x.device.name, size: x.device.size, write_align: x.device.writeAlign, erased_val: x.device.erasedValue },
      mode: x.mode, max_image_size: x.maxImageSize, keys: setup.keys.description,
      slots: { primary: slotJson(x.primary), secondary: slotJson(x.secondary) },
      scratch: x.scratch === undefined ? null : { off: x.scratch.off, size: x.scratch.size, trailer: trailerJson(x.scratch.trailer) },
      swap: { swap_type: x.swap.swapType, row: x.swap.row ?? null, meaning: x.swap.meaning, status_source: x.swap.statusSource, status_entries: x.swap.statusEntries, in_progress: x.swap.interrupted },
    }, null, 2) + '\n');
  } else {
    io.stdout([...describeInspection(x), `Keys: ${setup.keys.description}`].join('\n') + '\n');
  }
  return ExitCode.OK;
}
