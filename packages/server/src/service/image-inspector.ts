/**
 * @module service/image-inspector
 * The production ImageInspector: bytes that start with the MCUboot header magic are verified by
 * `@slotwise/core/image` (bootloader policy: what MCUboot itself would accept) with node:crypto,
 * against the tenant's trusted public keys when it has any (hash-only otherwise); everything else
 * is an opaque artifact. Keys are parsed once per distinct PEM set. The server passes a port
 * that checks the signature on a second thread while this one hashes (node/crypto-thread.ts).
 */
import { nodeCrypto } from '@slotwise/core/node/crypto';
import type { CryptoPort } from '@slotwise/core/crypto/port';
import { loadKey, type ImageKey } from '@slotwise/core/image/keys';
import { verifyImage } from '@slotwise/core/image/verify';
import { formatVersion } from '@slotwise/core/image/version';
import type { ImageInspection, ImageInspector } from './artifacts.js';

const MAGIC = 0x96f3b83d;
const MAGIC_V1 = 0x96f3b83c;

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function isMcubootImage(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const magic = ((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24)) >>> 0;
  return magic === MAGIC || magic === MAGIC_V1;
}

export function createImageInspector(crypto: CryptoPort = nodeCrypto): ImageInspector {
  const keyCache = new Map<string, ImageKey[] | Error>();
  const keysFor = (pems: readonly string[]): ImageKey[] | Error => {
    const id = pems.join('\n--\n');
    let keys = keyCache.get(id);
    if (keys === undefined) {
      try {
        keys = pems.map((pem) => loadKey(pem, crypto));
      } catch (error) {
        keys = error instanceof Error ? error : new Error(String(error));
      }
      keyCache.set(id, keys);
    }
    return keys;
  };
  return async (bytes, policy): Promise<ImageInspection> => {
    if (!isMcubootImage(bytes)) return { kind: 'opaque' };
    const keys = keysFor(policy.trustedKeysPem);
    if (keys instanceof Error) return { kind: 'rejected', reason: 'TRUSTED_KEY_INVALID', detail: `the tenant's trusted keys cannot be loaded: ${keys.message}` };
    const result = verifyImage(bytes, { crypto, keys, policy: 'bootloader' });
    if (!result.ok) return { kind: 'rejected', reason: result.reason, detail: result.detail };
    if (keys.length > 0 && result.signature === null) return { kind: 'rejected', reason: 'UNSIGNED', detail: 'the tenant requires images signed with one of its trusted keys' };
    return { kind: 'mcuboot', version: formatVersion(result.header.version), imageHash: hex(result.digest), signed: result.signature !== null };
  };
}
