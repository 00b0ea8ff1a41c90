/**
 * Replays the MCUboot boot vectors (../shared/vectors/boot, README there) against the twin:
 * every step's ops, flash hash, decision and trailers; every sweep cut and second cut.
 * Returns mismatches as data so the test can report all of them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createFlashGeometry } from '../../src/flash/geometry.js';
import { NorFlash, type FlashOp, type FlashSnapshot } from '../../src/flash/nor-flash.js';
import { isPowerLoss } from '../../src/flash/power-loss.js';
import { openFlashArea } from '../../src/flash/flash-area.js';
import { boot, type BootResult } from '../../src/boot/loader.js';
import type { BootConfig, UpgradeMode } from '../../src/boot/config.js';
import { setConfirmed, setPending } from '../../src/boot/public-api.js';
import { swapTypeName } from '../../src/boot/constants.js';
import type { SwapState, TrailerLayout } from '../../src/boot/trailer.js';
import { createSlotValidator } from '../../src/image/slot-validator.js';
import { loadKey } from '../../src/image/keys.js';
import { nodeCrypto } from '../../src/node/crypto.js';

export const VECTORS = join(new URL('.', import.meta.url).pathname, '../../../../../shared/vectors');
export const BOOT_VECTORS = join(VECTORS, 'boot');

interface VOp { op: 'erase' | 'write'; off: number; len: number; area: string; area_off: number; sha256?: string; data?: string }
interface VTrailer { magic: string; swap_type: string; copy_done: string; image_ok: string; image_num: number }
interface VResult { outcome: string; ops: number; trace_sha256: string; flash_sha256: string; rc?: number; boot?: { image_off: number; version: string }; trailers?: { primary: VTrailer; secondary: VTrailer }; trace?: VOp[] }
interface VStep { index: number; action: string; ops: VOp[]; result: VResult }
interface VCut { cut_at: number; ops_completed: number; refused_op: VOp; flash_sha256_after_cut: string; recovery: VResult; second_cuts?: VCut[] }
export interface VScenario {
  id: string;
  config: { upgrade_mode: UpgradeMode; signature: 'ecdsa-p256' | 'hash-sha256'; validate_primary_slot: boolean; boot_max_align: number; max_img_sectors: number; signing_key: string | null };
  geometry: { name: string; sectors: number[]; write_align: number; erased_val: number; areas: Record<string, { id: number; off: number; size: number }> };
  initial_flash: { file: string; sha256: string };
  sequence: VStep[];
  sweeps: { step_index: number; file: string }[];
}

export const sha256hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const verifiedFlash = new Map<string, FlashSnapshot>();
const verifiedTraces = new Map<string, FlashOp[]>();

/** True when the device hashes to `hex`; states already proven to hash so are compared directly. */
export function flashMatches(flash: NorFlash, hex: string): boolean {
  const known = verifiedFlash.get(hex);
  if (known !== undefined && flash.equalsSnapshot(known)) return true;
  if (flashHash(flash) !== hex) return false;
  if (verifiedFlash.size > 64) verifiedFlash.clear();
  verifiedFlash.set(hex, flash.snapshot());
  return true;
}

const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a === undefined || b === undefined ? a === b : Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

/** True when the op list hashes to `hex` (lists already proven to hash so are compared op by op). */
export function traceMatches(ops: readonly FlashOp[], hex: string): boolean {
  const known = verifiedTraces.get(hex);
  if (known !== undefined && known.length === ops.length
    && known.every((k, i) => { const o = ops[i] as FlashOp; return k.op === o.op && k.off === o.off && k.len === o.len && sameBytes(k.data, o.data); })) return true;
  if (traceHash(ops) !== hex) return false;
  if (verifiedTraces.size > 256) verifiedTraces.clear();
  verifiedTraces.set(hex, ops.slice());
  return true;
}

/** SHA-256 of the whole device, fed sector by sector. */
export function flashHash(flash: NorFlash): string {
  const h = createHash('sha256');
  flash.forEachSectorBytes((b) => h.update(b));
  return h.digest('hex');
}

export function traceHash(ops: readonly FlashOp[]): string {
  const h = createHash('sha256');
  for (const o of ops) h.update(o.op === 'erase' ? `erase:${o.off}:${o.len}\n` : `write:${o.off}:${o.len}:${sha256hex(o.data as Uint8Array)}\n`);
  return h.digest('hex');
}

export function listScenarios(): { id: string; path: string; mode: string; geometry: string }[] {
  return (JSON.parse(readFileSync(join(BOOT_VECTORS, 'index.json'), 'utf8')) as { scenarios: { id: string; path: string; mode: string; geometry: string }[] }).scenarios;
}

export function loadScenario(path: string): VScenario {
  return JSON.parse(readFileSync(join(BOOT_VECTORS, path, 'scenario.json'), 'utf8')) as VScenario;
}

export function configFor(sc: VScenario): BootConfig {
  const c = sc.config;
  const keys = c.signature === 'ecdsa-p256'
    ? loadKey(readFileSync(join(VECTORS, 'image/keys', c.signing_key ?? 'root-ec-p256.pem')), nodeCrypto)
    : undefined;
  const validator = createSlotValidator({ crypto: nodeCrypto, ...(keys !== undefined ? { keys } : {}) });
  return { mode: c.upgrade_mode, bootMaxAlign: c.boot_max_align, maxImgSectors: c.max_img_sectors, validatePrimarySlot: c.validate_primary_slot, validator };
}

export function flashFor(sc: VScenario, path: string): NorFlash {
  const g = sc.geometry;
  const geometry = createFlashGeometry({ name: g.name, sectors: g.sectors, writeAlign: g.write_align, erasedValue: g.erased_val, areas: g.areas });
  const flash = new NorFlash(geometry);
  flash.load(0, new Uint8Array(gunzipSync(readFileSync(join(BOOT_VECTORS, path, sc.initial_flash.file)))));
  return flash;
}

const trailerOf = (s: SwapState): VTrailer => ({ magic: s.magic, swap_type: swapTypeName(s.swapType), copy_done: s.copyDone, image_ok: s.imageOk, image_num: s.imageNum });

export interface StepRun {
  outcome: string;
  ops: FlashOp[];
  boot?: { image_off: number; version: string };
  trailers?: { primary: VTrailer; secondary: VTrailer };
  powerLoss?: FlashOp;
  bootResult?: BootResult;
}

/** Runs one action; a PowerLoss is caught and reported with the refused op. */
export function runAction(flash: NorFlash, action: string, cfg: BootConfig): StepRun {
  const ops: FlashOp[] = [];
  const stop = flash.observe((op) => ops.push(op.data !== undefined ? { ...op, data: op.data.slice() } : op));
  const layout: TrailerLayout = { bootMaxAlign: cfg.bootMaxAlign, maxImgSectors: cfg.maxImgSectors, mode: cfg.mode };
  try {
    if (action === 'boot') {
      const r = boot(flash, cfg, { recordData: false });
      return {
        outcome: r.outcome, ops, bootResult: r,
        ...(r.boot !== undefined ? { boot: { image_off: r.boot.imageOff, version: r.boot.version } } : {}),
        trailers: { primary: trailerOf(r.trailers.primary), secondary: trailerOf(r.trailers.secondary) },
      };
    }
    const pri = openFlashArea(flash, 'primary');
    const sec = openFlashArea(flash, 'secondary');
    const r = action === 'set-pending' ? setPending(sec, layout, false) : action === 'set-pending-permanent' ? setPending(sec, layout, true) : setConfirmed(pri, layout);
    return { outcome: r.rc === 0 ? 'ok' : 'fail', ops };
  } catch (e) {
    if (isPowerLoss(e)) return { outcome: 'power-loss', ops, powerLoss: e.refusedOp };
    throw e;
  } finally {
    stop();
  }
}

function opMatches(a: FlashOp, v: VOp): boolean {
  if (a.op !== v.op || a.off !== v.off || a.len !== v.len || a.area !== v.area || a.areaOff !== v.area_off) return false;
  if (v.op === 'write' && v.sha256 !== undefined && a.data !== undefined && sha256hex(a.data) !== v.sha256) return false;
  return true;
}
const fmtOp = (o: FlashOp | VOp | undefined): string => o === undefined ? '(none)' : `${o.op} ${o.area}+0x${('areaOff' in o ? o.areaOff : o.area_off).toString(16)} len ${o.len}`;

export function compareOps(where: string, actual: readonly FlashOp[], expected: readonly VOp[], out: string[]): void {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i];
    const v = expected[i];
    if (a === undefined || v === undefined || !opMatches(a, v)) {
      out.push(`${where}: op #${i + 1} differs: got ${fmtOp(a)}, expected ${fmtOp(v)} (${actual.length} vs ${expected.length} ops)`);
      return;
    }
  }
}

export function compareResult(where: string, flash: NorFlash, run: StepRun, exp: VResult, out: string[]): void {
  if (run.outcome !== exp.outcome) out.push(`${where}: outcome ${run.outcome}, expected ${exp.outcome}`);
  if (run.ops.length !== exp.ops) out.push(`${where}: ${run.ops.length} ops, expected ${exp.ops}`);
  else if (!traceMatches(run.ops, exp.trace_sha256)) out.push(`${where}: trace hash differs`);
  if (exp.trace !== undefined) compareOps(`${where} trace`, run.ops, exp.trace, out);
  if (!flashMatches(flash, exp.flash_sha256)) out.push(`${where}: flash hash differs`);
  if (exp.boot !== undefined) {
    if (run.boot?.image_off !== exp.boot.image_off || run.boot.version !== exp.boot.version) {
      out.push(`${where}: boots ${JSON.stringify(run.boot)}, expected image_off ${exp.boot.image_off} version ${exp.boot.version}`);
    }
  } else if (run.boot !== undefined) out.push(`${where}: booted ${run.boot.version}, expected no boot`);
  if (exp.trailers !== undefined && run.trailers !== undefined) {
    if (JSON.stringify(run.trailers) !== JSON.stringify(exp.trailers)) out.push(`${where}: trailers ${JSON.stringify(run.trailers)}, expected ${JSON.stringify(exp.trailers)}`);
  }
}

export interface ReplayStats { steps: number; cuts: number; secondCuts: number }

/** Replays a whole scenario; pushes every mismatch into `out`. */
export function replayScenario(path: string, out: string[], opts: { secondCuts: boolean | ((cutAt: number) => boolean) } = { secondCuts: true }): ReplayStats {
  const sc = loadScenario(path);
  const cfg = configFor(sc);
  const flash = flashFor(sc, path);
  const stats: ReplayStats = { steps: 0, cuts: 0, secondCuts: 0 };
  if (!flashMatches(flash, sc.initial_flash.sha256)) out.push(`${sc.id}: initial flash hash differs`);
  const before = new Map<number, ReturnType<NorFlash['snapshot']>>();
  for (const step of sc.sequence) {
    before.set(step.index, flash.snapshot());
    const run = runAction(flash, step.action, cfg);
    const where = `${sc.id} step ${step.index} (${step.action})`;
    compareOps(where, run.ops, step.ops, out);
    compareResult(where, flash, run, step.result, out);
    stats.steps++;
  }
  for (const sw of sc.sweeps) {
    const data = JSON.parse(gunzipSync(readFileSync(join(BOOT_VECTORS, path, sw.file))).toString('utf8')) as { step_index: number; action: string; cuts: VCut[] };
    const start = before.get(data.step_index);
    if (start === undefined) { out.push(`${sc.id}: sweep of unknown step ${data.step_index}`); continue; }
    for (const cut of data.cuts) {
      const where = `${sc.id} sweep step ${data.step_index} cut ${cut.cut_at}`;
      flash.restore(start);
      flash.armPowerCut(cut.cut_at);
      const r = runAction(flash, data.action, cfg);
      flash.disarm();
      stats.cuts++;
      if (r.powerLoss === undefined) { out.push(`${where}: the step finished (${r.outcome}) before op ${cut.cut_at}`); continue; }
      if (r.ops.length !== cut.ops_completed) out.push(`${where}: ${r.ops.length} ops completed, expected ${cut.ops_completed}`);
      if (!opMatches({ ...r.powerLoss, ...(r.powerLoss.data !== undefined ? { data: r.powerLoss.data } : {}) }, cut.refused_op)) out.push(`${where}: refused ${fmtOp(r.powerLoss)}, expected ${fmtOp(cut.refused_op)}`);
      if (!flashMatches(flash, cut.flash_sha256_after_cut)) out.push(`${where}: flash after cut differs`);
      const afterCut = flash.snapshot();
      const rec = runAction(flash, 'boot', cfg);
      compareResult(`${where} recovery`, flash, rec, cut.recovery, out);
      const doSecond = typeof opts.secondCuts === 'function' ? opts.secondCuts(cut.cut_at) : opts.secondCuts;
      if (!doSecond) continue;
      for (const sc2 of cut.second_cuts ?? []) {
        const w2 = `${where} second cut ${sc2.cut_at}`;
        flash.restore(afterCut);
        flash.armPowerCut(sc2.cut_at);
        const r2 = runAction(flash, 'boot', cfg);
        flash.disarm();
        stats.secondCuts++;
        if (r2.powerLoss === undefined) { out.push(`${w2}: the boot finished (${r2.outcome}) before op ${sc2.cut_at}`); continue; }
        if (r2.ops.length !== sc2.ops_completed) out.push(`${w2}: ${r2.ops.length} ops completed, expected ${sc2.ops_completed}`);
        if (!opMatches(r2.powerLoss, sc2.refused_op)) out.push(`${w2}: refused ${fmtOp(r2.powerLoss)}, expected ${fmtOp(sc2.refused_op)}`);
        if (!flashMatches(flash, sc2.flash_sha256_after_cut)) out.push(`${w2}: flash after cut differs`);
        const rec2 = runAction(flash, 'boot', cfg);
        compareResult(`${w2} recovery`, flash, rec2, sc2.recovery, out);
      }
    }
  }
  return stats;
}
