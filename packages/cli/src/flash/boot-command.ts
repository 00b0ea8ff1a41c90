/**
 * @module flash/boot-command
 * `slotwise flash boot`: the bootloader twin runs once on the flash file (context_boot_go),
 * writing through every operation; prints which image boots, and with `--explain` why
 * (core boot/report.ts). `--cut-at N` is a power cut at the N-th operation.
 */
import { boot } from '@slotwise/core/boot/loader';
import { explainBoot, trailerWords } from '@slotwise/core/boot/report';
import { ExitCode } from '../exit-codes.js';
import type { CommandIo } from '../image/io.js';
import { bootResultJson, bootSetup, hex } from './context.js';
import { powerLostJson, powerLostText, runOnDevice } from './device.js';

export interface BootOptions {
  readonly layout: string;
  readonly mode?: string;
  readonly key?: readonly string[];
  readonly fixed?: boolean;
  readonly cutAt?: number | undefined;
  readonly traceOut?: string;
  readonly json?: boolean;
  readonly explain?: boolean;
  readonly opDelayMs?: number | undefined;
}

export function bootCommand(file: string, o: BootOptions, io: CommandIo): number {
  const setup = bootSetup(io, o);
  const run = runOnDevice(io, file, setup.layout.geometry, { cutAt: o.cutAt, traceOut: o.traceOut, opDelayMs: o.opDelayMs },
    (flash) => ({ result: boot(flash, setup.config), json: undefined as Record<string, unknown> | undefined, flash }));
  if (!run.done) {
    if (o.json === true) io.stdout(JSON.stringify(powerLostJson(run.lost), null, 2) + '\n');
    else io.stdout(powerLostText(run.lost));
    return ExitCode.POWER_LOST;
  }
  const r = run.value.result;
  if (o.json === true) {
    const out = bootResultJson(r, run.value.flash);
    if (o.explain === true) out.explain = explainBoot(r);
    io.stdout(JSON.stringify(out, null, 2) + '\n');
  } else {
    const lines: string[] = [];
    if (r.outcome === 'ok' && r.boot !== undefined) {
      const resumed = r.events.find((e) => e.kind === 'progress' && e.resume);
      const what = resumed !== undefined && resumed.kind === 'progress' ? `finished the interrupted ${resumed.swapType} swap` : `swap type ${r.swapType}`;
      lines.push(`boot: ok — version ${r.boot.version} boots from the primary slot (header at ${hex(r.boot.imageOff)}); ${what}, ${r.ops.length} flash operation${r.ops.length === 1 ? '' : 's'}`);
    } else if (r.outcome === 'assert') {
      lines.push(`boot: assert — MCUboot stops on an assertion (${r.assertion ?? '?'}) after ${r.ops.length} flash operations; nothing boots`);
    } else {
      lines.push(`boot: fail — no bootable image (boot_go returns -1) after ${r.ops.length} flash operations`);
    }
    lines.push(`trailers after: primary [${trailerWords(r.trailers.primary)}]; secondary [${trailerWords(r.trailers.secondary)}]`);
    if (o.explain === true) lines.push('', 'Why:', ...explainBoot(r).map((l) => `  ${l}`));
    io.stdout(lines.join('\n') + '\n');
  }
  return r.outcome === 'ok' ? ExitCode.OK : ExitCode.FAILURE;
}
