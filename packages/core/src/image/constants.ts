/**
 * @module image/constants
 * The single source of truth for MCUboot image-format numbers: header magic, header flags,
 * TLV info magics and every TLV type. Mirrors `boot/bootutil/include/bootutil/image.h` and
 * `scripts/imgtool/image.py` (`IMAGE_F`, `TLV_VALUES`) at the commit pinned in
 * docs/mcuboot-parity.md. Note: `docs/design.md` lists UUID_VID/CID as 0x80/0x81; image.h and
 * imgtool use 0x74/0x75, which is what we follow.
 */

/** `struct image_header` is 32 bytes (image.h `IMAGE_HEADER_SIZE`). */
export const IMAGE_HEADER_SIZE = 32;

export const ImageMagic = {
  /** image.h IMAGE_MAGIC: the only magic the bootloader and imgtool accept. */
  CURRENT: 0x96f3b83d,
  /** image.h IMAGE_MAGIC_V1: historic, rejected. */
  V1: 0x96f3b83c,
  /** image.h IMAGE_MAGIC_NONE: erased header, rejected. */
  NONE: 0xffffffff,
} as const;

/** `ih_flags` bits (image.h IMAGE_F_*). */
export const ImageFlag = {
  /** image.h IMAGE_F_PIC: defined, not supported. */
  PIC: 0x0000_0001,
  /** image.h IMAGE_F_ENCRYPTED_AES128: payload is AES-128-CTR encrypted. */
  ENCRYPTED_AES128: 0x0000_0004,
  /** image.h IMAGE_F_ENCRYPTED_AES256: payload is AES-256-CTR encrypted. */
  ENCRYPTED_AES256: 0x0000_0008,
  /** image.h IMAGE_F_NON_BOOTABLE: a secondary-only image, never booted. */
  NON_BOOTABLE: 0x0000_0010,
  /** image.h IMAGE_F_RAM_LOAD: ih_load_addr is a RAM address to copy the image to. */
  RAM_LOAD: 0x0000_0020,
  /** image.h IMAGE_F_ROM_FIXED: ih_load_addr is the flash address the image was linked for. */
  ROM_FIXED: 0x0000_0100,
  /** image.h IMAGE_F_COMPRESSED_LZMA1. */
  COMPRESSED_LZMA1: 0x0000_0200,
  /** image.h IMAGE_F_COMPRESSED_LZMA2. */
  COMPRESSED_LZMA2: 0x0000_0400,
  /** image.h IMAGE_F_COMPRESSED_ARM_THUMB_FLT: ARM-thumb BCJ filter applied before LZMA2. */
  COMPRESSED_ARM_THUMB_FLT: 0x0000_0800,
} as const;
export type ImageFlagName = keyof typeof ImageFlag;

/** TLV area info magics (image.h IMAGE_TLV_INFO_MAGIC / IMAGE_TLV_PROT_INFO_MAGIC). */
export const TlvInfoMagic = {
  /** image.h IMAGE_TLV_INFO_MAGIC: unprotected area, always present. */
  UNPROTECTED: 0x6907,
  /** image.h IMAGE_TLV_PROT_INFO_MAGIC: protected area, present iff ih_protect_tlv_size != 0. */
  PROTECTED: 0x6908,
} as const;

/** Size of a TLV area info header and of one TLV entry header (image.h). */
export const TLV_INFO_SIZE = 4;
export const TLV_HEADER_SIZE = 4;

/** Every TLV type of image.h (IMAGE_TLV_*). Names follow image.h without the prefix. */
export const TlvType = {
  /** image.h IMAGE_TLV_KEYHASH: hash of the signing public key (same algorithm as the image hash). */
  KEYHASH: 0x01,
  /** image.h IMAGE_TLV_PUBKEY: the full public key (imgtool --public-key-format full). */
  PUBKEY: 0x02,
  /** image.h IMAGE_TLV_SHA256: SHA-256 of header + payload + protected TLVs. */
  SHA256: 0x10,
  /** image.h IMAGE_TLV_SHA384. */
  SHA384: 0x11,
  /** image.h IMAGE_TLV_SHA512. */
  SHA512: 0x12,
  /** image.h IMAGE_TLV_RSA2048_PSS: RSA-2048 PSS signature (256 bytes). */
  RSA2048_PSS: 0x20,
  /** image.h IMAGE_TLV_ECDSA224: obsolete, unsupported. */
  ECDSA224: 0x21,
  /** image.h IMAGE_TLV_ECDSA_SIG: DER ECDSA signature, P-256 or P-384 (imgtool: ECDSASIG). */
  ECDSA_SIG: 0x22,
  /** image.h IMAGE_TLV_RSA3072_PSS: RSA-3072 PSS signature (384 bytes). */
  RSA3072_PSS: 0x23,
  /** image.h IMAGE_TLV_ED25519: Ed25519 signature (64 bytes). */
  ED25519: 0x24,
  /** image.h IMAGE_TLV_SIG_PURE: 1 byte 0x01, the signature is over the image, not its digest. */
  SIG_PURE: 0x25,
  /** image.h IMAGE_TLV_ENC_RSA2048: AES key, RSA-OAEP encrypted. */
  ENC_RSA2048: 0x30,
  /** image.h IMAGE_TLV_ENC_KW: AES key, AES-KW wrapped. */
  ENC_KW: 0x31,
  /** image.h IMAGE_TLV_ENC_EC256: AES key, ECIES-P256. */
  ENC_EC256: 0x32,
  /** image.h IMAGE_TLV_ENC_X25519: AES key, ECIES-X25519 with SHA-256. */
  ENC_X25519: 0x33,
  /** image.h IMAGE_TLV_ENC_X25519_SHA512: AES key, ECIES-X25519 with SHA-512. */
  ENC_X25519_SHA512: 0x34,
  /** image.h IMAGE_TLV_DEPENDENCY: 12 bytes, image id + minimum version. */
  DEPENDENCY: 0x40,
  /** image.h IMAGE_TLV_SEC_CNT: u32 security counter. */
  SEC_CNT: 0x50,
  /** image.h IMAGE_TLV_BOOT_RECORD: CBOR measured-boot record. */
  BOOT_RECORD: 0x60,
  /** image.h IMAGE_TLV_DECOMP_SIZE: u32 decompressed payload size. */
  DECOMP_SIZE: 0x70,
  /** image.h IMAGE_TLV_DECOMP_SHA: digest of the decompressed image. */
  DECOMP_SHA: 0x71,
  /** image.h IMAGE_TLV_DECOMP_SIGNATURE: signature of the decompressed image. */
  DECOMP_SIGNATURE: 0x72,
  /** image.h IMAGE_TLV_COMP_DEC_SIZE: compressed size before encryption padding. */
  COMP_DEC_SIZE: 0x73,
  /** image.h IMAGE_TLV_UUID_VID: 16-byte vendor UUID. */
  UUID_VID: 0x74,
  /** image.h IMAGE_TLV_UUID_CID: 16-byte device-class UUID. */
  UUID_CID: 0x75,
  /** image.h IMAGE_TLV_ANY: iteration wildcard, never stored. */
  ANY: 0xffff,
} as const;
export type TlvTypeName = keyof typeof TlvType;

/** image.h IMAGE_TLV_VENDOR_RES_MIN/MAX: imgtool accepts custom tags in this range. */
export const CUSTOM_TLV_MIN = 0x00a0;
export const CUSTOM_TLV_MAX = 0xfffe;

/**
 * The names imgtool prints (dumpinfo, manifest `name`); they differ from image.h for a few
 * types (ECDSASIG, RSA2048, ENCRSA2048, ...).
 */
export const IMGTOOL_TLV_NAMES: Readonly<Record<number, string>> = {
  0x01: 'KEYHASH',
  0x02: 'PUBKEY',
  0x10: 'SHA256',
  0x11: 'SHA384',
  0x12: 'SHA512',
  0x20: 'RSA2048',
  0x21: 'ECDSA224',
  0x22: 'ECDSASIG',
  0x23: 'RSA3072',
  0x24: 'ED25519',
  0x25: 'SIG_PURE',
  0x30: 'ENCRSA2048',
  0x31: 'ENCKW',
  0x32: 'ENCEC256',
  0x33: 'ENCX25519',
  0x34: 'ENCX25519_SHA512',
  0x40: 'DEPENDENCY',
  0x50: 'SEC_CNT',
  0x60: 'BOOT_RECORD',
  0x70: 'DECOMP_SIZE',
  0x71: 'DECOMP_SHA',
  0x72: 'DECOMP_SIGNATURE',
  0x73: 'COMP_DEC_SIZE',
  0x74: 'UUID_VID',
  0x75: 'UUID_CID',
};

/** Hash TLV type per hash algorithm and back. */
export const HASH_TLV = { sha256: TlvType.SHA256, sha384: TlvType.SHA384, sha512: TlvType.SHA512 } as const;

/**
 * Unprotected TLV types a bootloader built with MCUBOOT_USE_TLV_ALLOW_LIST accepts
 * (image_validate.c `allowed_unprot_tlvs`); SIG_PURE only for pure builds, checked separately.
 */
export const UNPROTECTED_ALLOW_LIST: ReadonlySet<number> = new Set([
  TlvType.KEYHASH,
  TlvType.PUBKEY,
  TlvType.SHA256,
  TlvType.SHA384,
  TlvType.SHA512,
  TlvType.RSA2048_PSS,
  TlvType.ECDSA224,
  TlvType.ECDSA_SIG,
  TlvType.RSA3072_PSS,
  TlvType.ED25519,
  TlvType.SIG_PURE,
  TlvType.ENC_RSA2048,
  TlvType.ENC_KW,
  TlvType.ENC_EC256,
  TlvType.ENC_X25519,
  TlvType.ENC_X25519_SHA512,
]);

/** Trailer magic for BOOT_MAX_ALIGN 8 (bootutil_public.c `boot_img_magic`). */
export const BOOT_MAGIC_STANDARD = new Uint8Array([
  0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
]);
/** The 14-byte tail of the trailer magic when BOOT_MAX_ALIGN > 8 (first two bytes = max align LE). */
export const BOOT_MAGIC_ALIGNED_TAIL = new Uint8Array([
  0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a,
]);
export const BOOT_MAGIC_SIZE = 16;
