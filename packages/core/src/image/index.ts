/**
 * @module image
 * Public face of the MCUboot image module (`@slotwise/core/image`): parse, verify, sign,
 * keys, Intel HEX and the format constants. Mirrors boot/bootutil (image.h, tlv.c,
 * image_validate.c) and scripts/imgtool; see docs/mcuboot-parity.md.
 */
export * from './constants.js';
export { parseImageHeader, decodeImageHeader, encodeImageHeader, flagNames, type ImageHeader, type HeaderResult } from './header.js';
export { parseVersion, formatVersion, compareVersions, type ImageVersion, type ParseVersionResult } from './version.js';
export { tlvName, tlvAreaSize, encodeTlvArea, type TlvEntry, type TlvInput, type TlvAreaInfo } from './tlv.js';
export { parseImage, type ParsedImage, type ParseResult, type ParseOptions, type ParseIssue, type ParseIssueReason, type ParseFailureReason } from './parse.js';
export { verifyImage, type VerifyOptions, type VerifyResult, type VerifyPolicy, type VerifyFailureReason, type VerifiedSignature } from './verify.js';
export { loadKey, decodePem, publicKeyFromSpki, publicOf, signatureSchemeOf, type KeyType, type ImageKey, type ImagePublicKey, type ImagePrivateKey } from './keys.js';
export { ALLOWED_HASHES, signatureTlvOf, hashOfTlv, imgtoolKeyName } from './algorithms.js';
export { fromIntelHex, toIntelHex, type HexImage, type HexSegment, type HexReadResult } from './intel-hex.js';
export {
  signImage,
  toBinaryOutput,
  toHexOutput,
  encodeSignatureFile,
  decodeSignatureFile,
  type SignOptions,
  type SignResult,
  type SignedImage,
  type SignExtension,
  type ImageDependency,
} from './sign.js';
export { imgtoolTrailerSize, trailerMagic, magicAreaSize, imageOkOffset, padToSlot, ALLOWED_ALIGNS, ALLOWED_MAX_ALIGNS, type TrailerLayout } from './trailer.js';
export { parseImgtoolInt, parseImgtoolVersion, parseImgtoolDependencies, parseImgtoolCustomTlv, parseImgtoolSha } from './imgtool-values.js';
export { encodeBootRecord, MAX_SW_TYPE_LENGTH, type BootRecordInput } from './boot-record.js';
export { vendorUuid, classUuid, uuid5, NAMESPACE_DNS } from './uuid.js';
export { createSlotValidator, withVerifyCache, type SlotValidatorOptions, type SlotValidation } from './slot-validator.js';
