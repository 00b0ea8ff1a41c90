/**
 * Issue 5 (b), device side: a power cut at every flash operation the application performs
 * during an OTA (secondary-slot erases and writes, the test request, the saved action, the
 * confirm). After each cut the device boots a valid image, nothing is bricked, and — except
 * when the cut lands on the confirm itself, which MCUboot rightly reverts — it finishes the
 * update afterwards. Uses the flash/MCUboot stand-in until the boot twin lands.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRig, messages } from './support.js';
import { createFakeDdiServer, createFakeFlashBoot, fakeImage, type FakeFlashBoot } from './ota-fakes.js';
import type { BootControlPort, SecondarySlotPort } from '../../src/device/driver.js';

const SLOT = 0x20000;

class PowerCut extends Error {}

/** Delegates to the fake, counting mutating operations and cutting power before the n-th. */
function cuttable(flash: FakeFlashBoot, cutAt: number): { port: SecondarySlotPort & BootControlPort; ops: () => number; disarm: () => void } {
  let ops = 0;
  let armed = true;
  const op = (name: string): void => {
    ops++;
    if (armed && ops === cutAt) {
      armed = false;
      throw new PowerCut(name);
    }
  };
  return {
    ops: () => ops,
    disarm: () => (armed = false),
    port: {
      erase: (o, l) => (op('erase'), flash.erase(o, l)),
      write: (o, b) => (op('write'), flash.write(o, b)),
      sha256: (l) => flash.sha256(l),
      bootInfo: () => flash.bootInfo(),
      requestTestUpgrade: () => (op('request'), flash.requestTestUpgrade()),
      confirm: () => (op('confirm'), flash.confirm()),
      saveAction: (a) => (op('save'), flash.saveAction(a)),
    },
  };
}

async function runWithCut(cutAt: number) {
  const server = createFakeDdiServer();
  const flash = createFakeFlashBoot(fakeImage('1.0.0', 30_000), SLOT);
  server.deploy('400', '1.1.0', fakeImage('1.1.0', 70_000));
  const c = cuttable(flash, cutAt);
  const rig = createRig({
    ota: { transport: server, secondary: c.port, boot: c.port },
    firmware: () => flash.firmware(),
    device: { ota: { slotSizeBytes: SLOT } },
    onReset: () => flash.runBootloader(),
  });
  let cutOp: string | undefined;
  rig.driver.start();
  const end = 1_800_000;
  while (rig.scheduler.nowMs() < end) {
    try {
      await rig.driver.runUntil(end);
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      cutOp = e.message;
      rig.driver.powerCut();
      flash.runBootloader();
      rig.driver.start();
    }
  }
  return { server, flash, rig, ops: c.ops(), cutOp };
}

test('a power cut at every OTA flash operation never bricks the device; the update completes unless the confirm itself was cut', async () => {
  const clean = await runWithCut(0);
  assert.equal(clean.flash.primaryVersion, '1.1.0');
  const total = clean.ops;
  assert.ok(total > 20, `a clean OTA performs many flash operations (${total})`);
  const kinds = new Set<string>();
  for (let n = 1; n <= total; n++) {
    const r = await runWithCut(n);
    kinds.add(r.cutOp ?? 'none');
    const banners = messages(r.rig.text()).filter((l) => l.startsWith('***'));
    assert.ok(banners.every((b) => /firmware (1\.0\.0|1\.1\.0) /.test(b)), `cut ${n}: always a valid image (${banners.join(' | ')})`);
    assert.notEqual(r.flash.primaryVersion, null, `cut ${n}: primary holds an image`);
    if (r.cutOp === 'confirm') {
      assert.equal(r.flash.primaryVersion, '1.0.0', `cut ${n} at confirm: MCUboot reverts`);
      assert.deepEqual(r.server.feedback.map((f) => f.finished), ['failure'], 'and the rollback is reported');
    } else {
      assert.equal(r.flash.primaryVersion, '1.1.0', `cut ${n} at ${r.cutOp}: the update completes afterwards`);
      assert.equal(r.flash.bootInfo().confirmed, true);
      // At least once: a cut before the saved action is cleared repeats the (idempotent) report.
      const finished = r.server.feedback.map((f) => f.finished);
      assert.ok(finished.length >= 1 && finished.every((f) => f === 'success'), `cut ${n} at ${r.cutOp}: reported as success (${finished.join(', ')})`);
      assert.equal(r.server.reportedVersion, '1.1.0');
    }
  }
  assert.deepEqual([...kinds].sort(), ['confirm', 'erase', 'request', 'save', 'write']);
});
