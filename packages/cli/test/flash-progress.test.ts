/**
 * `slotwise flash sweep` draws a progress bar on a terminal only: in-process runs with a fake
 * terminal stream see the bar; the same sweep without a terminal draws nothing; the report is
 * the same either way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runFlash } from '../src/commands/flash.js';
import type { CommandIo } from '../src/image/io.js';

const p = fileURLToPath(new URL('../../../../shared/vectors/boot/nrf52840/swap-move/test-then-revert/', import.meta.url));

async function sweep(isTty: boolean): Promise<{ code: number; stdout: string; drawn: string }> {
  let stdout = '';
  let drawn = '';
  const stream = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, {
    isTTY: isTty, columns: 100,
    write: (s: string | Uint8Array): boolean => { drawn += String(s); return true; },
  });
  const io: CommandIo = { cwd: process.cwd(), isTty, progressStream: stream, stdout: (s) => { stdout += String(s); }, stderr: () => undefined };
  const code = await runFlash(['sweep', '--layout', join(p, 'scenario.json'), '--primary', join(p, 'images/v1.bin'), '--secondary', join(p, 'images/v2.bin'), '--json'], io);
  return { code, stdout, drawn };
}

test('the sweep progress bar is drawn on a terminal only, and does not change the report', async () => {
  const tty = await sweep(true);
  const pipe = await sweep(false);
  assert.equal(tty.code, 0);
  assert.equal(pipe.code, 0);
  assert.match(tty.drawn, /sweep \[.*\] \d+\/96 cut points/);
  assert.equal(pipe.drawn, '');
  assert.deepEqual(JSON.parse(tty.stdout), JSON.parse(pipe.stdout));
  assert.equal((JSON.parse(pipe.stdout) as { cut_points: number }).cut_points, 96);
});
