/**
 * @module flash/create-command
 * `slotwise flash create`: a new flash file for a layout, erased everywhere, with the primary
 * image at the start of the primary slot and the upgrade image in the secondary (one sector in
 * for swap-offset, where MCUboot expects the upload), each padded with the erased value to the
 * write size, as the boot vectors' initial flash is built. Written atomically.
 */
import { SlotwiseError } from '@slotwise/core/errors';
import { maxImageSize } from '@slotwise/core/boot/loader';
import type { NorFlash } from '@slotwise/core/flash/nor-flash';
import { createFlashWithImages, secondaryImageOffset } from '@slotwise/core/boards/layout';
import { writeFlashFile } from '@slotwise/core/node/file-flash';
import { ExitCode } from '../exit-codes.js';
import { resolvePath, type CommandIo } from '../image/io.js';
import { bootSetup, flashSha256, hex, readImageFile, type BootSetup } from './context.js';

export interface CreateOptions {
  readonly layout: string;
  readonly mode?: string;
  readonly primary: string;
  readonly secondary?: string;
  readonly output: string;
  readonly json?: boolean;
}

/** An image placed on the device. */
export interface PlacedImage {
  readonly slot: 'primary' | 'secondary';
  readonly file: string;
  readonly off: number;
  readonly size: number;
}

/**
 * A new, erased device for `setup` holding the images.
 * @throws SlotwiseError SW_ERR_FLASH_IMAGE_TOO_LARGE when an image does not fit its slot.
 */
export function buildDevice(io: CommandIo, setup: BootSetup, files: { primary: string; secondary?: string | undefined }): { flash: NorFlash; placed: PlacedImage[] } {
  const g = setup.layout.geometry;
  const max = maxImageSize(g, setup.config);
  const placed: PlacedImage[] = [];
  const read = (slot: 'primary' | 'secondary', file: string): Uint8Array => {
    const image = readImageFile(io, file, `${slot} image`);
    const area = g.areas[slot] as { off: number; size: number };
    const offset = slot === 'secondary' ? secondaryImageOffset(setup.layout, setup.mode) : 0;
    if (offset + image.length > area.size) {
      throw new SlotwiseError('SW_ERR_FLASH_IMAGE_TOO_LARGE',
        `${slot} image '${file}' has ${image.length} bytes but the ${slot} slot of ${setup.layout.name} holds ${area.size - offset}${offset > 0 ? ` after the ${offset}-byte swap-offset gap` : ''}`);
    }
    if (image.length > max) {
      io.stderr(`warning: ${slot} image '${file}' (${image.length} bytes) is larger than the ${max} bytes ${setup.mode} allows on ${setup.layout.name} (bootutil_max_image_size): MCUboot will reject it\n`);
    }
    placed.push({ slot, file, off: area.off + offset, size: image.length });
    return image;
  };
  const primary = read('primary', files.primary);
  const secondary = files.secondary === undefined ? undefined : read('secondary', files.secondary);
  return { flash: createFlashWithImages(setup.layout, setup.mode, primary, secondary), placed };
}

export function create(o: CreateOptions, io: CommandIo): number {
  const setup = bootSetup(io, { layout: o.layout, mode: o.mode }, false);
  const g = setup.layout.geometry;
  const { flash, placed } = buildDevice(io, setup, { primary: o.primary, secondary: o.secondary });
  writeFlashFile(resolvePath(io, o.output), flash);
  const sha = flashSha256(flash);
  if (o.json === true) {
    io.stdout(JSON.stringify({ file: o.output, layout: setup.layout.name, mode: setup.mode, flash_size: g.size, flash_sha256: sha, images: placed }, null, 2) + '\n');
  } else {
    const lines = [`${o.output}: ${g.size} bytes (${setup.layout.name}, ${setup.mode}), sha256 ${sha}`];
    for (const p of placed) lines.push(`  ${p.slot}: ${p.file} (${p.size} bytes) at ${hex(p.off)}`);
    io.stdout(lines.join('\n') + '\n');
  }
  return ExitCode.OK;
}
