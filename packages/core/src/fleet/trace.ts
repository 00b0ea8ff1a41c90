/**
 * @module fleet/trace
 * The run's trace digest: every trace line (virtual time, device, what happened) folds into a
 * 64-bit FNV-1a hash kept as two 32-bit lanes, so two runs agree on the digest exactly when
 * they agree on every line, without keeping millions of lines in memory.
 */

export interface TraceDigest {
  add(line: string): void;
  readonly lines: number;
  hex(): string;
}

export function createTraceDigest(): TraceDigest {
  // 64-bit FNV-1a: offset basis 0xcbf29ce484222325, prime 0x100000001b3 (= 2^40 + 0x1b3).
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  let lines = 0;
  const byte = (b: number): void => {
    lo ^= b;
    // (hi:lo) * (2^40 + 0x1b3) mod 2^64, on 16-bit limbs of lo to stay exact in doubles.
    const loLow = lo & 0xffff;
    const loHigh = lo >>> 16;
    const pLow = loLow * 0x1b3;
    const pHigh = loHigh * 0x1b3 + (pLow >>> 16);
    const newLo = ((pHigh & 0xffff) << 16) | (pLow & 0xffff);
    const carry = Math.floor(pHigh / 0x10000);
    hi = (Math.imul(hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = newLo >>> 0;
  };
  return {
    add(line) {
      for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i);
        byte(c & 0xff);
        if (c > 0xff) byte(c >>> 8);
      }
      byte(0x0a);
      lines++;
    },
    get lines() {
      return lines;
    },
    hex: () => hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0'),
  };
}
