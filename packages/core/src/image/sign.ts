/**
 * @module image/sign
 * Builds and signs an image byte-exactly as `imgtool sign` does (scripts/imgtool/main.py
 * `sign`, scripts/imgtool/image.py `Image.load/create/save`); the recipe is spec §1.17–1.20.
 * `SignOptions` mirrors imgtool's options one to one (the CLI translates its argv into it).
 * Encryption and compression plug in through `SignExtension` (owned by the image-tools code).
 *
 * Option problems are usage errors: SlotwiseError SW_ERR_INPUT_INVALID with imgtool's message.
 */
import { concatBytes } from '../bytes/hex.js';
import { base64Decode, base64Encode } from '../bytes/base64.js';
import { SlotwiseError } from '../errors.js';
import { HASH_SIZE, type CryptoPort, type HashAlgorithm } from '../crypto/port.js';
import { ALLOWED_HASHES, imgtoolKeyName, signatureTlvOf } from './algorithms.js';
import { MAX_SW_TYPE_LENGTH, encodeBootRecord } from './boot-record.js';
import { CUSTOM_TLV_MAX, CUSTOM_TLV_MIN, HASH_TLV, IMAGE_HEADER_SIZE, IMGTOOL_TLV_NAMES, ImageFlag, TlvInfoMagic, TlvType } from './constants.js';
import { encodeImageHeader } from './header.js';
import { signatureSchemeOf, type ImagePrivateKey, type ImagePublicKey, type KeyType } from './keys.js';
import { encodeTlvArea, type TlvInput } from './tlv.js';
import { toIntelHex, type HexSegment } from './intel-hex.js';
import { ALLOWED_ALIGNS, ALLOWED_MAX_ALIGNS, imgtoolTrailerSize, magicAreaSize, padToSlot, trailerMagic, type TrailerLayout } from './trailer.js';
import { classUuid, vendorUuid } from './uuid.js';
import type { ImageVersion } from './version.js';

/** One `-d/--dependencies` entry: `(image_id, version)`. */
export interface ImageDependency {
  readonly imageId: number;
  readonly version: ImageVersion;
}

/**
 * Hooks for encryption and compression (imgtool `-E`, `--compression`), applied where imgtool
 * applies them. Everything here is optional; an empty extension changes nothing.
 */
export interface SignExtension {
  /** OR-ed into ih_flags (ENCRYPTED_AES128/256, COMPRESSED_*). */
  readonly flags?: number;
  /** Zero-pad header area + payload to a multiple of this before the header is written (16 when encrypting). */
  readonly padBodyTo?: number;
  /** Protected TLVs placed after DEPENDENCY and before UUID_VID (imgtool's compression TLVs). */
  readonly protectedTlvs?: readonly TlvInput[];
  /** Unprotected TLVs appended after the signature (imgtool's encryption TLV). */
  readonly unprotectedTlvs?: readonly TlvInput[];
  /** Replaces the payload after hashing and signing (imgtool encrypts it here). Must keep the length. */
  readonly transformBody?: (body: Uint8Array) => Uint8Array;
  /** Trailer key field for trailer math, see TrailerLayout.encKeyField. */
  readonly encKeyField?: number;
}

/** `imgtool sign` options. Names follow imgtool's long options in camelCase. */
export interface SignOptions {
  /** The input file's bytes (for a .hex input: `fromIntelHex(...).image.bytes`). */
  readonly payload: Uint8Array;
  /** base_addr of a .hex input (its lowest address); undefined for binary input. */
  readonly baseAddress?: number;
  /** `-v/--version` */
  readonly version: ImageVersion;
  /** `-H/--header-size`, >= 32 */
  readonly headerSize: number;
  /** `--pad-header` */
  readonly padHeader?: boolean;
  /** `-S/--slot-size` (0: no size check) */
  readonly slotSize: number;
  /** `-k/--key` (private). */
  readonly key?: ImagePrivateKey;
  /** `--public-key-format hash|full` (default hash). */
  readonly publicKeyFormat?: 'hash' | 'full';
  /** `--sha auto|256|384|512` as an algorithm name (default auto). */
  readonly sha?: 'auto' | HashAlgorithm;
  /** `--pure` (Ed25519 over the image itself). */
  readonly pure?: boolean;
  /** `--align` (default 1). */
  readonly align?: number;
  /** `--max-align` (default max(8, align)). */
  readonly maxAlign?: number;
  /** `-M/--max-sectors` (default 128). */
  readonly maxSectors?: number;
  /** `--overwrite-only` */
  readonly overwriteOnly?: boolean;
  /** `--pad` (implied by confirm and test). */
  readonly pad?: boolean;
  /** `--confirm` */
  readonly confirm?: boolean;
  /** `--test` */
  readonly test?: boolean;
  /** `-R/--erased-val` 0 or 0xff (default 0xff). */
  readonly erasedValue?: number;
  /** `-s/--security-counter` */
  readonly securityCounter?: number | 'auto';
  /** `-d/--dependencies` */
  readonly dependencies?: readonly ImageDependency[];
  /** `--boot-record SW_TYPE` */
  readonly bootRecord?: string;
  /** `--vid`, `--cid` (raw UUID text or a name turned into a UUIDv5). */
  readonly vid?: string;
  readonly cid?: string;
  /** `--custom-tlv` then `--custom-tlv-file` entries, in command-line order. */
  readonly customTlvs?: readonly TlvInput[];
  /** `-L/--load-addr` */
  readonly loadAddress?: number;
  /** `-F/--rom-fixed` */
  readonly romFixed?: number;
  /** `--non-bootable` */
  readonly nonBootable?: boolean;
  /** `--pad-sig` (legacy ECDSA padding). */
  readonly padSig?: boolean;
  /** `-e/--endian` (default little). */
  readonly endian?: 'little' | 'big';
  /** `--fix-sig` + `--fix-sig-pubkey`: insert a precomputed signature. */
  readonly fixedSignature?: { readonly signature: Uint8Array; readonly publicKey: ImagePublicKey };
  /** `--vector-to-sign payload|digest`: output the data to be signed instead of an image. */
  readonly vectorToSign?: 'payload' | 'digest';
  /** Encryption / compression hooks. */
  readonly extension?: SignExtension;
}

export interface SignedImage {
  readonly kind: 'image';
  /**
   * The image, unpadded: header area + payload + protected + unprotected TLVs, as consecutive
   * parts. The payload part is a view of `SignOptions.payload` (not copied); write the parts in
   * order to produce the file without joining them.
   */
  readonly parts: readonly Uint8Array[];
  /** Total length of `parts` in bytes. */
  readonly length: number;
  /** The parts joined into one buffer (computed on first access, then cached). */
  readonly image: Uint8Array;
  readonly hashAlgorithm: HashAlgorithm;
  readonly digest: Uint8Array;
  /** Length of the hashed region (header + payload + protected TLVs). */
  readonly hashedLength: number;
  /** The signature written (for `--sig-out`), null when unsigned. */
  readonly signature: Uint8Array | null;
  /** base_addr for Intel HEX output (undefined for binary input). */
  readonly baseAddress: number | undefined;
  readonly slotSize: number;
  readonly pad: boolean;
  readonly confirm: boolean;
  readonly test: boolean;
  readonly erasedValue: number;
  readonly trailer: TrailerLayout;
  readonly trailerSize: number;
}

export type SignResult = SignedImage | { readonly kind: 'vector-to-sign'; readonly bytes: Uint8Array };

function usage(message: string): SlotwiseError {
  return new SlotwiseError('SW_ERR_INPUT_INVALID', message);
}

function chooseHash(o: SignOptions, signer: KeyType | null): HashAlgorithm {
  const sha = o.sha ?? 'auto';
  if (o.pure) {
    if (sha !== 'auto') throw usage('Pure signatures, currently, enforces preferred hash algorithm, and forbids sha selection by user.');
    if (signer !== 'ed25519') throw usage(`Could not find allowed hash algorithms for ${signer ? imgtoolKeyName(signer) : 'an unsigned image'} with --pure (only Ed25519 signs pure)`);
    return 'sha512';
  }
  if (signer === null) return sha === 'auto' ? 'sha256' : sha;
  const allowed = ALLOWED_HASHES[signer];
  if (allowed.length === 0) throw usage(`Key ${imgtoolKeyName(signer)} cannot sign images`);
  if (sha === 'auto') return allowed[0] as HashAlgorithm;
  if (!allowed.includes(sha)) {
    throw usage(`Key ${imgtoolKeyName(signer)} can not be used with --sha ${sha.slice(3)}; allowed sha are one of ${allowed.map((a) => a.slice(3)).join(', ')}`);
  }
  return sha;
}

function u32(value: number, endian: 'little' | 'big'): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, endian === 'little');
  return b;
}

function dependencyValue(d: ImageDependency, endian: 'little' | 'big'): Uint8Array {
  // struct.pack('B3xBBHI'): image id, 3 pad bytes, then a version in header layout.
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  const le = endian === 'little';
  v.setUint8(0, d.imageId);
  v.setUint8(4, d.version.major);
  v.setUint8(5, d.version.minor);
  v.setUint16(6, d.version.revision, le);
  v.setUint32(8, d.version.build, le);
  return b;
}

function checkOptions(o: SignOptions): void {
  if (!Number.isInteger(o.headerSize) || o.headerSize < IMAGE_HEADER_SIZE || o.headerSize > 0xffff) {
    throw usage(`Minimum value for -H/--header-size is ${IMAGE_HEADER_SIZE} (and it must fit in 16 bits), got ${o.headerSize}`);
  }
  const align = o.align ?? 1;
  if (!ALLOWED_ALIGNS.includes(align)) throw usage(`Invalid alignment: ${align}; --align must be one of ${ALLOWED_ALIGNS.join(', ')}`);
  if (o.maxAlign !== undefined && !ALLOWED_MAX_ALIGNS.includes(o.maxAlign)) throw usage(`--max-align must be one of ${ALLOWED_MAX_ALIGNS.join(', ')}, got ${o.maxAlign}`);
  if (o.erasedValue !== undefined && o.erasedValue !== 0 && o.erasedValue !== 0xff) throw usage(`--erased-val must be 0 or 0xff, got ${o.erasedValue}`);
  if (o.loadAddress && o.romFixed) throw usage('Can not set rom_fixed and load_addr at the same time');
  if (o.bootRecord !== undefined && o.bootRecord.length > MAX_SW_TYPE_LENGTH) {
    throw usage(`'${o.bootRecord}' is too long (${o.bootRecord.length} characters) for sw_type. Its maximum allowed length is ${MAX_SW_TYPE_LENGTH} characters.`);
  }
  const seen = new Set<number>();
  for (const t of o.customTlvs ?? []) {
    if (IMGTOOL_TLV_NAMES[t.type] !== undefined) throw usage(`Custom TLV 0x${t.type.toString(16).padStart(2, '0')} conflicts with predefined TLV.`);
    if (t.type < CUSTOM_TLV_MIN || t.type > CUSTOM_TLV_MAX) {
      throw usage(`Invalid custom TLV type value '0x${t.type.toString(16).padStart(4, '0')}', allowed value should be between 0x00a0 and 0xfffe`);
    }
    if (seen.has(t.type)) throw usage(`Custom TLV 0x${t.type.toString(16)} is given more than once`);
    seen.add(t.type);
  }
  for (const d of o.dependencies ?? []) {
    if (!Number.isInteger(d.imageId) || d.imageId < 0 || d.imageId > 0xff) throw usage(`Dependency image id must be 0..255, got ${d.imageId}`);
  }
  if (o.securityCounter !== undefined && o.securityCounter !== 'auto' && (!Number.isInteger(o.securityCounter) || o.securityCounter < 0 || o.securityCounter > 0xffff_ffff)) {
    throw usage(`--security-counter must be a 32-bit unsigned integer or 'auto', got ${o.securityCounter}`);
  }
  for (const [name, v] of [['major', o.version.major, 0xff], ['minor', o.version.minor, 0xff], ['revision', o.version.revision, 0xffff], ['build', o.version.build, 0xffff_ffff]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > (name === 'build' ? 0xffff_ffff : name === 'revision' ? 0xffff : 0xff)) throw usage(`Version ${name} ${v} is out of range`);
  }
}

/** Signs (or, without a key, hashes) an image exactly as `imgtool sign` would. */
export function signImage(o: SignOptions, crypto: CryptoPort): SignResult {
  checkOptions(o);
  const endian = o.endian ?? 'little';
  const erased = o.erasedValue ?? 0xff;
  const ext = o.extension ?? {};
  const signerPublic: ImagePublicKey | null = o.key?.publicKey ?? o.fixedSignature?.publicKey ?? null;
  if (signerPublic && signatureTlvOf(signerPublic.type) === null) throw usage(`A ${signerPublic.type} key cannot sign images`);
  const alg = chooseHash(o, signerPublic?.type ?? null);

  // 1–2. Load: the header area is prepended (--pad-header) or must already be zero.
  let baseAddress = o.baseAddress;
  if (o.padHeader) {
    // imgtool adjusts base_addr only when it is truthy (`if self.base_addr:`), so 0 stays 0.
    if (baseAddress) baseAddress -= o.headerSize;
  } else if (o.payload.length < o.headerSize) {
    throw usage(`The input (${o.payload.length} bytes) is shorter than the header size ${o.headerSize}; use --pad-header`);
  } else if (o.payload.subarray(0, o.headerSize).some((b) => b !== 0)) {
    throw usage('Header padding was not requested and image does not start with zeros');
  }
  let bodyEnd = o.padHeader ? o.headerSize + o.payload.length : o.payload.length;
  // 3. Encryption padding of header area + payload (zero bytes).
  const padTo = ext.padBodyTo ?? 0;
  if (padTo > 1 && bodyEnd % padTo !== 0) bodyEnd += padTo - (bodyEnd % padTo);

  // 4–6. Protected TLVs in imgtool's order.
  const keyHash = signerPublic ? crypto.createHash(alg).update(signerPublic.imgtoolDer).digest() : null;
  const prot: TlvInput[] = [];
  if (o.securityCounter !== undefined) {
    const v = o.version;
    const counter = o.securityCounter === 'auto' ? ((v.major << 24) + (v.minor << 16) + v.revision) >>> 0 : o.securityCounter;
    prot.push({ type: TlvType.SEC_CNT, value: u32(counter, endian) });
  }
  if (o.bootRecord !== undefined) {
    prot.push({
      type: TlvType.BOOT_RECORD,
      value: encodeBootRecord({
        swType: o.bootRecord,
        version: `${o.version.major}.${o.version.minor}.${o.version.revision}`,
        // imgtool uses 32 zero bytes as signer id when there is no key.
        signerId: keyHash ?? new Uint8Array(32),
        measurementDescription: alg.toUpperCase(),
        digestLength: HASH_SIZE[alg],
      }),
    });
  }
  for (const d of o.dependencies ?? []) prot.push({ type: TlvType.DEPENDENCY, value: dependencyValue(d, endian) });
  prot.push(...(ext.protectedTlvs ?? []));
  let vendor: Uint8Array | null = null;
  if (o.vid !== undefined) {
    vendor = vendorUuid(crypto, o.vid);
    prot.push({ type: TlvType.UUID_VID, value: vendor });
  }
  if (o.cid !== undefined) {
    const cls = classUuid(crypto, o.cid, vendor);
    if (!cls) throw usage('--cid given as a name needs --vid (the vendor UUID is its namespace)');
    prot.push({ type: TlvType.UUID_CID, value: cls });
  }
  for (const t of o.customTlvs ?? []) prot.push({ ...t, custom: true });
  const protArea = encodeTlvArea(TlvInfoMagic.PROTECTED, prot, endian);
  if (protArea.length > 0xffff) throw usage(`protected TLV area of ${protArea.length} bytes does not fit in ih_protect_tlv_size`);

  // The image is kept as consecutive parts: the payload is never copied (copying 1 MiB into
  // fresh memory costs as much as hashing it). Only the header area is new memory.
  const headerArea = new Uint8Array(o.headerSize);
  let body: Uint8Array;
  if (o.padHeader) {
    headerArea.fill(erased);
    body = o.payload;
  } else {
    headerArea.set(o.payload.subarray(0, o.headerSize));
    body = o.payload.subarray(o.headerSize);
  }
  const bodyPad = new Uint8Array(bodyEnd - o.headerSize - body.length);

  // 5. Header.
  let flags = ext.flags ?? 0;
  if (o.loadAddress) flags |= ImageFlag.RAM_LOAD;
  if (o.romFixed !== undefined) flags |= ImageFlag.ROM_FIXED;
  if (o.nonBootable) flags |= ImageFlag.NON_BOOTABLE;
  const imgSize = bodyEnd - o.headerSize;
  headerArea.set(
    encodeImageHeader({ loadAddr: (o.romFixed ?? o.loadAddress ?? 0) >>> 0, hdrSize: o.headerSize, protectTlvSize: protArea.length, imgSize, flags: flags >>> 0, version: o.version }, endian),
    0,
  );
  const hashedParts = [headerArea, body, bodyPad, protArea].filter((p) => p.length > 0);
  const hashedLength = bodyEnd + protArea.length;

  // 7. Digest. A port that can prepare the signature's digest-independent half on another
  // thread (an ECDSA nonce) starts it now, so it costs no time after the hash.
  const aheadScheme = o.key && !o.fixedSignature && !o.pure && o.vectorToSign === undefined ? signatureSchemeOf(o.key.type) : null;
  let finishAhead = aheadScheme !== null && o.key && crypto.signAhead ? crypto.signAhead({ scheme: aheadScheme, key: o.key.material }) : null;
  try {
    const h = crypto.createHash(alg);
    for (const p of hashedParts) h.update(p);
    const digest = h.digest();
    if (o.vectorToSign === 'payload') return { kind: 'vector-to-sign', bytes: concatBytes(...hashedParts) };
    if (o.vectorToSign === 'digest') return { kind: 'vector-to-sign', bytes: digest };

    // 8. Unprotected TLVs.
    const unprot: TlvInput[] = [{ type: HASH_TLV[alg], value: digest }];
    if (o.pure) unprot.push({ type: TlvType.SIG_PURE, value: new Uint8Array([1]) });
    let signature: Uint8Array | null = null;
    if (signerPublic) {
      unprot.push(o.publicKeyFormat === 'full' ? { type: TlvType.PUBKEY, value: signerPublic.imgtoolDer } : { type: TlvType.KEYHASH, value: keyHash as Uint8Array });
      const prepared = finishAhead?.(digest) ?? null;
      finishAhead = null;
      signature = o.fixedSignature ? o.fixedSignature.signature : sign(crypto, o.key as ImagePrivateKey, hashedParts, digest, !!o.pure, !!o.padSig, prepared);
      unprot.push({ type: signatureTlvOf(signerPublic.type) as number, value: signature });
    }
    unprot.push(...(ext.unprotectedTlvs ?? []));
    const unprotArea = encodeTlvArea(TlvInfoMagic.UNPROTECTED, unprot, endian, true);

    // 9. Encrypt (or otherwise transform) the payload after hashing.
    let bodyParts = [body, bodyPad];
    if (ext.transformBody) {
      const transformed = ext.transformBody(concatBytes(body, bodyPad));
      if (transformed.length !== imgSize) throw new RangeError(`transformBody: must keep the payload length ${imgSize}, got ${transformed.length}`);
      bodyParts = [transformed];
    }
    // 10. Assemble (as parts; `image` concatenates them once, on first use).
    const parts = [headerArea, ...bodyParts, protArea, unprotArea].filter((p) => p.length > 0);
    const imageLength = hashedLength + unprotArea.length;

    // 11. Size check against the slot.
    const trailer: TrailerLayout = {
      align: o.align ?? 1,
      maxAlign: o.maxAlign ?? Math.max(8, o.align ?? 1),
      maxSectors: o.maxSectors ?? 128,
      overwriteOnly: !!o.overwriteOnly,
      ...(ext.encKeyField !== undefined ? { encKeyField: ext.encKeyField } : {}),
    };
    const trailerSize = imgtoolTrailerSize(trailer);
    if (o.slotSize > 0 && imageLength + trailerSize > o.slotSize) {
      throw usage(`Image size (0x${imageLength.toString(16)}) + trailer (0x${trailerSize.toString(16)}) exceeds requested size 0x${o.slotSize.toString(16)}`);
    }
    let joined: Uint8Array | null = null;
    return {
      kind: 'image',
      parts,
      length: imageLength,
      get image(): Uint8Array {
        joined ??= parts.length === 1 ? (parts[0] as Uint8Array) : concatBytes(...parts);
        return joined;
      },
      hashAlgorithm: alg,
      digest,
      hashedLength,
      signature,
      baseAddress,
      slotSize: o.slotSize,
      pad: !!(o.pad || o.confirm || o.test),
      confirm: !!o.confirm,
      test: !!o.test,
      erasedValue: erased,
      trailer,
      trailerSize,
    };
  } finally {
    finishAhead?.(null);
  }
}

function sign(crypto: CryptoPort, key: ImagePrivateKey, hashed: readonly Uint8Array[], digest: Uint8Array, pure: boolean, padSig: boolean, prepared: Uint8Array | null): Uint8Array {
  const scheme = signatureSchemeOf(key.type);
  if (scheme === null) throw usage(`A ${key.type} key cannot sign images`);
  if (scheme === 'ed25519') return crypto.sign({ scheme, key: key.material, message: pure ? hashed : digest });
  const sig = prepared ?? crypto.sign({ scheme, key: key.material, message: hashed, digest });
  if (padSig && (scheme === 'ecdsa-p256' || scheme === 'ecdsa-p384')) {
    // imgtool --pad-sig: zero-pad the DER signature to its maximum length (72 / 103).
    const target = scheme === 'ecdsa-p256' ? 72 : 103;
    if (sig.length < target) return concatBytes(sig, new Uint8Array(target - sig.length));
  }
  return sig;
}

/** Encodes a SignedImage for a `.bin` output: the image, padded to the slot when asked. */
export function toBinaryOutput(s: SignedImage): Uint8Array {
  if (!s.pad) return s.image;
  return padToSlot(s.parts, s.slotSize, { ...s.trailer, confirm: s.confirm, erasedValue: s.erasedValue });
}

/**
 * Encodes a SignedImage for a `.hex` output at its base address (`hexAddress` = `-x/--hex-addr`
 * overrides). With padding only the trailer magic and (confirm/test) the image_ok block are
 * emitted, no filler, as imgtool does.
 */
export function toHexOutput(s: SignedImage, hexAddress?: number): string {
  const base = hexAddress ?? s.baseAddress;
  if (base === undefined) throw usage('No address exists in input file neither was it provided by user');
  const segments: HexSegment[] = [{ address: base, bytes: s.image }];
  if (s.pad) {
    const ma = magicAreaSize(s.trailer.maxAlign);
    if ((s.confirm || s.test) && !s.trailer.overwriteOnly) {
      const block = new Uint8Array(s.trailer.maxAlign).fill(s.erasedValue);
      if (s.confirm) block[0] = 0x01;
      segments.push({ address: base + s.slotSize - ma - s.trailer.maxAlign, bytes: block });
    }
    segments.push({ address: base + s.slotSize - 16, bytes: trailerMagic(s.trailer.maxAlign) });
  }
  return toIntelHex(segments);
}

/** The text of a `--sig-out` file: base64 of the signature, no newline. */
export function encodeSignatureFile(signature: Uint8Array): string {
  return base64Encode(signature);
}

/** The signature in a `--fix-sig` file (base64 text). */
export function decodeSignatureFile(text: string): Uint8Array {
  try {
    return base64Decode(text);
  } catch (e) {
    throw new SlotwiseError('SW_ERR_INPUT_INVALID', '--fix-sig file is not base64 text', { cause: e });
  }
}
