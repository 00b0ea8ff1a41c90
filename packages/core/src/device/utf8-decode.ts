/**
 * @module device/utf8-decode
 * UTF-8 → string without TextDecoder (the pure core's lib has no DOM/Node types), for the
 * small JSON documents the device reads (DDI answers, the firmware descriptor).
 */

/** Decodes strict UTF-8; returns undefined for malformed input. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  let escaped = '';
  for (const b of bytes) escaped += `%${b.toString(16).padStart(2, '0')}`;
  try {
    return decodeURIComponent(escaped);
  } catch {
    return undefined; // URIError: not valid UTF-8
  }
}
