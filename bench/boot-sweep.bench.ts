/**
 * Power-cut sweep speed: a TEST upgrade of a 1 MiB image (256 x 4 KiB sectors) cut at every
 * operation, each cut followed by the recovery boot (what MCUboot's simulator does, 7.3), for
 * swap-move and swap-scratch. Anchor: the real MCUboot C code re-running the step up to each cut
 * took 99 s (swap-move, 4 616 ops) and 88 s (swap-scratch, 3 955 ops) on this machine, one core.
 * The twin never replays: the state after each op of the uninterrupted step is a copy-on-write
 * snapshot. Prints wall and CPU time (the machine is shared: wall time includes waiting);
 * never asserts on time.
 */
import { NorFlash } from '../packages/core/src/flash/nor-flash.js';
import { openFlashArea } from '../packages/core/src/flash/flash-area.js';
import { createFlashGeometry } from '../packages/core/src/flash/geometry.js';
import { sweepStep } from '../packages/core/src/boot/sweep.js';
import { setPending } from '../packages/core/src/boot/public-api.js';
import { maxImageSize } from '../packages/core/src/boot/loader.js';
import type { BootConfig, UpgradeMode } from '../packages/core/src/boot/config.js';
import { createHash } from 'node:crypto';
import { createSlotValidator } from '../packages/core/src/image/slot-validator.js';
import { nodeCrypto } from '../packages/core/src/node/crypto.js';

/** A hash-only MCUboot image of exactly `total` bytes (32-byte header, SHA-256 TLV), version major.0.1. */
function buildImage(total: number, major: number): Uint8Array {
  const imgSize = total - 72;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x96f3b83d, true);
  dv.setUint16(8, 32, true);
  dv.setUint32(12, imgSize, true);
  b[20] = major;
  dv.setUint16(22, 1, true);
  for (let i = 32; i < 32 + imgSize; i++) b[i] = (i * 31 + major * 7) & 0xff;
  b.set([0x07, 0x69, 40, 0, 0x10, 0, 32, 0], 32 + imgSize);
  b.set(createHash('sha256').update(b.subarray(0, 32 + imgSize)).digest(), 40 + imgSize);
  return b;
}

const S = 4096;
const IMAGE = 256 * S;
const C_SECONDS: Record<string, number> = { 'swap-move': 99, 'swap-scratch': 88 };

function run(mode: UpgradeMode): void {
  const slot = 259 * S;
  const scratch = 4 * S;
  const geometry = createFlashGeometry({
    sectors: new Array<number>((2 * slot + scratch) / S + 2).fill(S), writeAlign: 4, erasedValue: 0xff,
    areas: { primary: { id: 1, off: S, size: slot }, secondary: { id: 2, off: S + slot, size: slot }, scratch: { id: 3, off: S + 2 * slot, size: scratch } },
  });
  const config: BootConfig = { mode, bootMaxAlign: 8, maxImgSectors: 512, validatePrimarySlot: true, validator: createSlotValidator({ crypto: nodeCrypto }) };
  if (maxImageSize(geometry, config) < IMAGE) throw new Error(`layout too small for ${mode}`);
  const flash = new NorFlash(geometry);
  flash.load(S, buildImage(IMAGE, 1));
  flash.load(S + slot, buildImage(IMAGE, 2));
  setPending(openFlashArea(flash, 'secondary'), { bootMaxAlign: 8, maxImgSectors: 512, mode }, false);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = sweepStep(flash, { config, step: 'boot', checkRevert: false });
  const cpu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const c = C_SECONDS[mode] as number;
  console.log(`${mode.padEnd(12)} ops ${r.totalOps}  cut points ${r.cutPoints}  wall ${seconds.toFixed(1)} s (${(r.cutPoints / seconds).toFixed(0)} cut points/s)  `
    + `cpu ${cpuSeconds.toFixed(1)} s (${(r.cutPoints / cpuSeconds).toFixed(0)} cut points/s)  clean ${r.clean}  `
    + `(C code re-running: ${c} s; ${(c / seconds).toFixed(1)}x wall, ${(c / cpuSeconds).toFixed(1)}x cpu)`);
}

for (const mode of ['swap-move', 'swap-scratch'] as const) run(mode);
