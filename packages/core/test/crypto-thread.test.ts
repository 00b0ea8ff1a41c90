/**
 * The second-thread crypto port (node/crypto-thread.ts): verifying every imgtool vector through
 * it gives exactly the verdict of the plain port, and the verdict really came from the thread;
 * ECDSA images signed with its prepared nonces verify; a thread that is busy or gone changes
 * nothing but speed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCrypto } from '../src/node/crypto.js';
import { createThreadedCrypto, type ThreadedCrypto } from '../src/node/crypto-thread.js';
import type { CryptoPort } from '../src/crypto/port.js';
import { loadKey, type ImageKey, type ImagePrivateKey } from '../src/image/keys.js';
import { signImage } from '../src/image/sign.js';
import { verifyImage, type VerifyResult } from '../src/image/verify.js';
import { toHex } from '../src/bytes/hex.js';
import { manifest, vectorFile, vectorText, verifyKeyFile } from './image-manifest.js';

let threaded: ThreadedCrypto;
before(async () => {
  threaded = createThreadedCrypto();
  await threaded.ready();
});
after(async () => threaded.close());

/** The threaded port, counting what it does on the calling thread and on the worker. */
function counting(port: ThreadedCrypto): { port: CryptoPort; counts: { verify: number; ahead: number; sign: number; signAhead: number } } {
  const counts = { verify: 0, ahead: 0, sign: 0, signAhead: 0 };
  return {
    counts,
    port: {
      ...port,
      verify: (r) => (counts.verify++, port.verify(r)),
      sign: (r) => (counts.sign++, port.sign(r)),
      verifyAhead: (r) => {
        const join = port.verifyAhead?.(r) ?? null;
        if (join) counts.ahead++;
        return join;
      },
      signAhead: (r) => {
        const finish = port.signAhead?.(r) ?? null;
        if (finish) counts.signAhead++;
        return finish;
      },
    },
  };
}

const keys = new Map<string, ImageKey>();
const keyOf = (file: string): ImageKey => {
  let k = keys.get(file);
  if (!k) keys.set(file, (k = loadKey(vectorText(file), nodeCrypto)));
  return k;
};

const summary = (r: VerifyResult): string => (r.ok ? `ok ${toHex(r.digest)} ${JSON.stringify(r.signature)}` : `${r.reason}: ${r.detail}`);

describe('verifying through the second thread gives the plain verdicts', () => {
  const cases = [
    ...manifest.vectors.filter((v) => v.kind === 'image' && !v.output.endsWith('.hex')).map((v) => ({ id: v.id, file: v.output, records: [v.verify, v.verify_public_key] })),
    ...manifest.negative.map((n) => ({ id: n.id, file: n.input, records: [n.verify] })),
    ...manifest.lenient.map((n) => ({ id: n.id, file: n.input, records: [n.verify] })),
  ];
  test(`${cases.length} vectors, both policies`, () => {
    let aheadUsed = 0;
    for (const c of cases) {
      const bytes = vectorFile(c.file);
      for (const record of c.records) {
        const kf = record ? verifyKeyFile(record) : undefined;
        if (!kf) continue;
        for (const policy of ['bootloader', 'imgtool'] as const) {
          const { port, counts } = counting(threaded);
          const plain = verifyImage(bytes, { crypto: nodeCrypto, keys: keyOf(kf), policy });
          const viaThread = verifyImage(bytes, { crypto: port, keys: keyOf(kf), policy });
          assert.equal(summary(viaThread), summary(plain), `${c.id} (${policy})`);
          aheadUsed += counts.ahead;
        }
      }
    }
    assert.ok(aheadUsed > 40, `the thread checked ${aheadUsed} signatures`);
  });

  test('a valid or forged signature is judged by the thread alone; a changed body never reaches it', () => {
    for (const file of ['root-ed25519.pem', 'root-ec-p256.pem', 'root-rsa-2048.pem']) {
      const key = keyOf(`keys/${file}`) as ImagePrivateKey;
      const signed = signImage({ payload: new Uint8Array(4096).fill(7), version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 0x200, padHeader: true, slotSize: 0, key }, nodeCrypto);
      assert.equal(signed.kind, 'image');
      if (signed.kind !== 'image') return;
      const good = signed.image;
      let { port, counts } = counting(threaded);
      assert.ok(verifyImage(good, { crypto: port, keys: key }).ok, file);
      assert.deepEqual([counts.ahead, counts.verify], [1, 0], `${file}: the verdict came from the thread`);

      const forged = Uint8Array.from(good);
      forged[forged.length - 5] = (forged[forged.length - 5] as number) ^ 0x10; // inside the signature
      ({ port, counts } = counting(threaded));
      const r = verifyImage(forged, { crypto: port, keys: key });
      assert.ok(!r.ok && r.reason === 'INVALID_SIGNATURE', `${file}: ${summary(r)}`);
      assert.equal(counts.verify, 0);

      const changed = Uint8Array.from(good);
      changed[0x300] = (changed[0x300] as number) ^ 1;
      ({ port, counts } = counting(threaded));
      const c = verifyImage(changed, { crypto: port, keys: key });
      assert.ok(!c.ok && c.reason === 'INVALID_HASH', `${file}: ${summary(c)}`);
    }
  });
});

describe('signing with nonces prepared on the second thread', () => {
  for (const file of ['root-ec-p256.pem', 'root-ec-p384.pem']) {
    test(file, () => {
      const key = keyOf(`keys/${file}`) as ImagePrivateKey;
      for (let i = 0; i < 10; i++) {
        const { port, counts } = counting(threaded);
        const signed = signImage({ payload: new Uint8Array(1000 + i).fill(i), version: { major: 1, minor: i, revision: 0, build: 0 }, headerSize: 0x200, padHeader: true, slotSize: 0, key }, port);
        assert.equal(signed.kind, 'image');
        if (signed.kind !== 'image') return;
        assert.deepEqual([counts.signAhead, counts.sign], [1, 0], 'the prepared nonce made the signature');
        const v = verifyImage(signed.image, { crypto: nodeCrypto, keys: key });
        assert.ok(v.ok, summary(v));
      }
    });
  }

  test('a request while the slot is taken falls back to the calling thread', () => {
    const key = keyOf('keys/root-ec-p256.pem') as ImagePrivateKey;
    const hold = threaded.signAhead?.({ scheme: 'ecdsa-p256', key: key.material });
    assert.ok(hold, 'the slot was free');
    const { port, counts } = counting(threaded);
    const signed = signImage({ payload: new Uint8Array(100), version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 0x200, padHeader: true, slotSize: 0, key }, port);
    hold(null);
    assert.deepEqual([counts.signAhead, counts.sign], [0, 1]);
    assert.ok(signed.kind === 'image' && verifyImage(signed.image, { crypto: nodeCrypto, keys: key }).ok);
  });
});

test('after close the port still signs and verifies on the calling thread', async () => {
  const port = createThreadedCrypto();
  await port.ready();
  await port.close();
  const key = keyOf('keys/root-ec-p256.pem') as ImagePrivateKey;
  assert.equal(port.signAhead?.({ scheme: 'ecdsa-p256', key: key.material }), null);
  const signed = signImage({ payload: new Uint8Array(100), version: { major: 1, minor: 0, revision: 0, build: 0 }, headerSize: 0x200, padHeader: true, slotSize: 0, key }, port);
  assert.ok(signed.kind === 'image' && verifyImage(signed.image, { crypto: port, keys: key }).ok);
});
