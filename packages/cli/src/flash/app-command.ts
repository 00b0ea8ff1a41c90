/**
 * @module flash/app-command
 * `slotwise flash app set-pending [--permanent]` and `set-confirmed`: what the application does
 * through MCUboot's bootutil_public.c (boot_set_pending / boot_set_confirmed, core
 * boot/public-api.ts), on the flash file, with the same power-cut and trace options as `boot`.
 */
import { openFlashArea } from '@slotwise/core/flash/flash-area';
import { readSwapState } from '@slotwise/core/boot/trailer';
import { setConfirmed, setPending, type AppCallResult } from '@slotwise/core/boot/public-api';
import { trailerWords } from '@slotwise/core/boot/report';
import { ExitCode } from '../exit-codes.js';
import type { CommandIo } from '../image/io.js';
import { toVectorTrailer } from '@slotwise/core/boot/report';
import { bootSetup, flashSha256 } from './context.js';
import { powerLostJson, powerLostText, runOnDevice } from './device.js';

export interface AppOptions {
  readonly layout: string;
  readonly mode?: string;
  readonly permanent?: boolean;
  readonly cutAt?: number | undefined;
  readonly traceOut?: string;
  readonly json?: boolean;
}

export function appCommand(call: 'set-pending' | 'set-confirmed', file: string, o: AppOptions, io: CommandIo): number {
  const setup = bootSetup(io, { layout: o.layout, mode: o.mode }, false);
  const layout = { bootMaxAlign: setup.config.bootMaxAlign, maxImgSectors: setup.config.maxImgSectors, mode: setup.mode };
  const run = runOnDevice(io, file, setup.layout.geometry, { cutAt: o.cutAt, traceOut: o.traceOut }, (flash) => {
    const pri = openFlashArea(flash, 'primary');
    const sec = openFlashArea(flash, 'secondary');
    const result: AppCallResult = call === 'set-confirmed' ? setConfirmed(pri, layout) : setPending(sec, layout, o.permanent === true);
    return { result, primary: readSwapState(pri, layout), secondary: readSwapState(sec, layout), sha: flashSha256(flash) };
  });
  if (!run.done) {
    io.stdout(o.json === true ? JSON.stringify(powerLostJson(run.lost), null, 2) + '\n' : powerLostText(run.lost));
    return ExitCode.POWER_LOST;
  }
  const v = run.value;
  const api = call === 'set-confirmed' ? 'boot_set_confirmed()' : `boot_set_pending(${o.permanent === true ? 1 : 0})`;
  if (o.json === true) {
    io.stdout(JSON.stringify({
      outcome: v.result.rc === 0 ? 'ok' : 'fail', rc: v.result.rc, api_call: api, action: v.result.action, ops: run.ops, flash_sha256: v.sha,
      trailers: { primary: toVectorTrailer(v.primary), secondary: toVectorTrailer(v.secondary) },
    }, null, 2) + '\n');
  } else {
    io.stdout(`${api}: rc ${v.result.rc}, ${v.result.action} (${run.ops} flash operation${run.ops === 1 ? '' : 's'})\n`
      + `trailers after: primary [${trailerWords(v.primary)}]; secondary [${trailerWords(v.secondary)}]\n`);
  }
  return v.result.rc === 0 ? ExitCode.OK : ExitCode.FAILURE;
}
