/**
 * @module node/xz-compress
 * imgtool's LZMA2 compression through liblzma's own command-line front end, `xz`: imgtool
 * calls Python's `lzma.compress(format=FORMAT_RAW)` (liblzma), and only liblzma reproduces its
 * bytes; no JavaScript LZMA2 encoder does, and no npm liblzma binding installs without a
 * native build or a download. Needs `xz` (XZ Utils) on PATH; without it compression is
 * reported as unavailable, never silently replaced by another encoder.
 */
import { spawnSync } from 'node:child_process';
import { SlotwiseError } from '../errors.js';
import { IMGTOOL_LZMA2, type Lzma2Compressor } from '../image/compress.js';

let available: boolean | undefined;

/** Whether the `xz` tool can be run. */
export function isXzAvailable(): boolean {
  if (available === undefined) {
    const probe = spawnSync('xz', ['--version'], { encoding: 'utf8' });
    available = probe.status === 0 && /liblzma/.test(probe.stdout);
  }
  return available;
}

/** Raw LZMA2 with imgtool's filters, by `xz --format=raw`.
 * @throws SlotwiseError SW_ERR_SIGN_FAILED when xz is missing or fails. */
export const xzCompress: Lzma2Compressor = (data, armThumb) => {
  if (!isXzAvailable()) throw new SlotwiseError('SW_ERR_SIGN_FAILED', '--compression needs the xz tool (XZ Utils, liblzma) on PATH to match imgtool byte for byte; install it (Debian: apt-get install xz-utils)');
  const { dictSize, lc, lp, pb, preset } = IMGTOOL_LZMA2;
  const filters = [...(armThumb ? ['--armthumb'] : []), `--lzma2=preset=${preset},dict=${dictSize},lc=${lc},lp=${lp},pb=${pb}`];
  const result = spawnSync('xz', ['--format=raw', ...filters, '--stdout', '--compress', '--threads=1'], { input: data, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0 || !(result.stdout instanceof Buffer)) {
    throw new SlotwiseError('SW_ERR_SIGN_FAILED', `xz failed: ${result.stderr?.toString().trim() || result.error?.message || `exit ${result.status}`}`);
  }
  return new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength);
};
