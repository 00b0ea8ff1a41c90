/**
 * @module commands/firmware
 * `slotwise firmware build --version V [--interval-ms N] [--fault F]… [--size BYTES]
 * [--header-size N] [--slot-size N] --key KEY.pem -o OUT`: makes a simulated firmware build —
 * a signed MCUboot image whose payload carries the device descriptor (version, sample interval,
 * fault switches; @slotwise/core/device/firmware). `slotwise firmware show FILE` prints the
 * descriptor of an image (or of a slot dump whose image starts at offset 0).
 * Faults: sensor-init-fails, never-confirms, network-broken, crash-after=MS.
 */
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { nodeCrypto } from '@slotwise/core/node/crypto';
import { loadKey } from '@slotwise/core/image/keys';
import { buildFirmwareImage, readFirmware, type FirmwareFaults } from '@slotwise/core/device/firmware';
import { ExitCode } from '../exit-codes.js';
import { UsageError, exitCodeForError } from '../command-errors.js';

const HELP = `Usage: slotwise firmware build --version V --key KEY.pem -o OUT [options]
       slotwise firmware show FILE

Builds a simulated device firmware: a signed MCUboot image whose payload is a descriptor
the device runtime reads from the slot MCUboot booted.

Options (build):
  --version V          image version, imgtool syntax (1.2.0, 1.2.0+7)
  --key FILE           private signing key (PEM), as for 'slotwise image sign'
  -o, --output FILE    where to write the signed image
  --interval-ms N      sample interval in ms                         [60000]
  --fault F            fault switch, repeatable: sensor-init-fails, never-confirms,
                       network-broken, crash-after=MS
  --size BYTES         payload size (descriptor + filler)            [the descriptor only]
  --header-size N      MCUboot header size                           [512]
  --slot-size N        fail if the image does not fit a slot of N bytes
`;


function int(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected a non-negative integer, got '${text}'`);
  return n;
}

function faultsOf(list: readonly string[]): FirmwareFaults {
  const faults: { sensorInitFails?: boolean; neverConfirms?: boolean; networkBroken?: boolean; crashAfterMs?: number } = {};
  for (const f of list) {
    if (f === 'sensor-init-fails') faults.sensorInitFails = true;
    else if (f === 'never-confirms') faults.neverConfirms = true;
    else if (f === 'network-broken') faults.networkBroken = true;
    else if (f.startsWith('crash-after=')) {
      const ms = int('fault crash-after', f.slice('crash-after='.length), 0);
      if (ms === 0) throw new UsageError('--fault crash-after: expected a positive number of ms');
      faults.crashAfterMs = ms;
    } else throw new UsageError(`--fault: unknown fault '${f}'; expected sensor-init-fails, never-confirms, network-broken or crash-after=MS`);
  }
  return faults;
}

function build(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      version: { type: 'string' },
      key: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'interval-ms': { type: 'string' },
      fault: { type: 'string', multiple: true, default: [] },
      size: { type: 'string' },
      'header-size': { type: 'string' },
      'slot-size': { type: 'string' },
    },
    strict: true,
  });
  if (values.version === undefined || values.key === undefined || values.output === undefined) throw new UsageError('--version, --key and -o are required');
  const descriptor = { version: values.version, sampleIntervalMs: int('interval-ms', values['interval-ms'], 60_000), faults: faultsOf(values.fault) };
  const payloadSizeBytes = int('size', values.size, 0);
  const headerSize = int('header-size', values['header-size'], 512);
  const slotSize = int('slot-size', values['slot-size'], 0);
  let keyText: string;
  try {
    keyText = readFileSync(values.key, 'utf8');
  } catch (e) {
    process.stderr.write(`slotwise firmware build: cannot read key '${values.key}': ${(e as Error).message}\n`);
    return ExitCode.BAD_INPUT;
  }
  const key = loadKey(keyText, nodeCrypto);
  if (key.kind !== 'private') {
    process.stderr.write(`slotwise firmware build: '${values.key}' is a public key; signing needs the private key\n`);
    return ExitCode.BAD_INPUT;
  }
  const image = buildFirmwareImage({ descriptor, key, payloadSizeBytes, headerSize, slotSize }, nodeCrypto).image;
  // Write beside the target, then rename: never a half-written image under the final name.
  const tmp = `${values.output}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, image);
    renameSync(tmp, values.output);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    process.stderr.write(`slotwise firmware build: cannot write '${values.output}': ${(e as Error).message}\n`);
    return ExitCode.BAD_INPUT;
  }
  process.stdout.write(`${values.output}: firmware ${descriptor.version}, ${image.length} bytes\n`);
  return ExitCode.OK;
}

function show(args: string[]): number {
  const [file] = args;
  if (file === undefined) throw new UsageError('show needs a FILE');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    process.stderr.write(`slotwise firmware show: cannot read '${file}': ${(e as Error).message}\n`);
    return ExitCode.BAD_INPUT;
  }
  const r = readFirmware(bytes);
  if (!r.ok) {
    process.stderr.write(`slotwise firmware show: ${file}: ${r.reason}: ${r.detail}\n`);
    return ExitCode.FAILURE;
  }
  process.stdout.write(`${JSON.stringify(r.descriptor, null, 2)}\n`);
  return ExitCode.OK;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'build') return build(rest);
    if (sub === 'show') return show(rest);
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(HELP);
      return ExitCode.OK;
    }
    process.stderr.write(HELP);
    return ExitCode.USAGE;
  } catch (e) {
    return exitCodeForError('firmware', e);
  }
}
