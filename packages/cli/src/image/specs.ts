/**
 * @module image/specs
 * The grammar of every `slotwise image` subcommand: imgtool's option names, short flags,
 * choices and defaults (spec §1.21, imgtool `scripts/imgtool/main.py`), plus our additions
 * (`verify --json`). Pure data, cheap to load.
 */
import type { CommandSpec } from './args.js';

const SIGN_NOTES = `INFILE and OUTFILE are Intel HEX when their names end in .hex, raw binary otherwise.
Exit status: 0 image written, 1 bad input (unreadable file, malformed key), 2 usage error.
No output file is created when the command fails.`;

export const signSpec: CommandSpec = {
  name: 'sign',
  summary: 'Create a signed or unsigned MCUboot image (imgtool-compatible; alias: create).',
  positionals: [
    { name: 'infile', required: true },
    { name: 'outfile', required: true },
  ],
  options: [
    { long: 'key', short: 'k', kind: 'value', metavar: 'FILENAME', help: 'Private key (PEM) to sign with; no key: hash only' },
    { long: 'public-key-format', kind: 'value', choices: ['hash', 'full'], help: 'Embed the key hash (KEYHASH, default) or the full key (PUBKEY)' },
    { long: 'align', kind: 'value', choices: ['1', '2', '4', '8', '16', '32'], help: 'Flash write alignment for trailer math (default 1)' },
    { long: 'max-align', kind: 'value', choices: ['8', '16', '32'], help: 'Trailer field alignment (default max(8, align))' },
    { long: 'version', short: 'v', kind: 'value', required: true, metavar: 'VERSION', help: 'Image version maj[.min[.rev[+build]]]' },
    { long: 'security-counter', short: 's', kind: 'value', metavar: 'N|auto', help: 'Add a SEC_CNT TLV; auto derives it from the version' },
    { long: 'dependencies', short: 'd', kind: 'value', metavar: 'DEPS', help: 'Dependencies "(ID, VERSION), (ID, VERSION)"' },
    { long: 'pad-sig', kind: 'flag', help: 'Pad ECDSA signatures to a fixed length (MCUboot < 1.5)' },
    { long: 'header-size', short: 'H', kind: 'value', required: true, metavar: 'SIZE', help: 'Header size (ih_hdr_size), at least 32' },
    { long: 'pad-header', kind: 'flag', help: 'Prepend --header-size bytes of erased value to the input' },
    { long: 'slot-size', short: 'S', kind: 'value', required: true, metavar: 'SIZE', help: 'Slot size (use the secondary slot when they differ)' },
    { long: 'pad', kind: 'flag', help: 'Pad the image to --slot-size and add the trailer magic' },
    { long: 'confirm', kind: 'flag', help: 'Mark the padded image confirmed (implies --pad)' },
    { long: 'test', kind: 'flag', help: 'Mark the padded image for a test boot (implies --pad)' },
    { long: 'max-sectors', short: 'M', kind: 'value', metavar: 'N', help: 'Sector count for trailer math (default 128)' },
    { long: 'boot-record', kind: 'value', metavar: 'SW_TYPE', help: 'Add a CBOR boot record TLV (max 12 characters)' },
    { long: 'overwrite-only', kind: 'flag', help: 'Trailer math for overwrite-only upgrades' },
    { long: 'endian', short: 'e', kind: 'value', choices: ['little', 'big'], help: 'Byte order of header and TLV fields (default little)' },
    { long: 'encrypt', short: 'E', kind: 'value', metavar: 'FILENAME', help: 'Encrypt the payload for this public key (EC P-256, X25519, RSA-2048 PEM)' },
    { long: 'encrypt-keylen', kind: 'value', choices: ['128', '256'], help: 'AES key size in bits (default 128)' },
    { long: 'aes-bits', kind: 'value', choices: ['128', '256'], help: 'Same as --encrypt-keylen' },
    { long: 'clear', short: 'c', kind: 'flag', help: 'Add the encryption TLV and flag but keep the payload plaintext' },
    { long: 'compression', kind: 'value', choices: ['disabled', 'lzma2', 'lzma2armthumb'], help: 'Compress the payload (needs the xz tool)' },
    { long: 'save-enctlv', kind: 'flag', help: 'Trailer math for MCUBOOT_SWAP_SAVE_ENCTLV' },
    { long: 'load-addr', short: 'L', kind: 'value', metavar: 'ADDR', help: 'RAM load address (sets RAM_LOAD)' },
    { long: 'rom-fixed', short: 'F', kind: 'value', metavar: 'ADDR', help: 'Flash address the image is linked for (sets ROM_FIXED)' },
    { long: 'hex-addr', short: 'x', kind: 'value', metavar: 'ADDR', help: 'Base address of Intel HEX output' },
    { long: 'erased-val', short: 'R', kind: 'value', choices: ['0', '0xff'], help: 'Value of erased flash (default 0xff)' },
    { long: 'custom-tlv', kind: 'pair', multiple: true, metavar: 'TAG VALUE', help: 'Protected custom TLV; 0x-prefixed VALUE is hex, else text' },
    { long: 'custom-tlv-file', kind: 'pair', multiple: true, metavar: 'TAG FILE', help: 'Protected custom TLV with the bytes of FILE' },
    { long: 'non-bootable', kind: 'flag', help: 'Mark the image non-bootable' },
    { long: 'fix-sig', kind: 'value', metavar: 'FILENAME', help: 'Insert this base64 signature instead of signing' },
    { long: 'fix-sig-pubkey', kind: 'value', metavar: 'FILENAME', help: 'Public key of the --fix-sig signature' },
    { long: 'sig-out', kind: 'value', metavar: 'FILENAME', help: 'Also write the signature, base64' },
    { long: 'vector-to-sign', kind: 'value', choices: ['payload', 'digest'], help: 'Write the data to be signed to OUTFILE instead of an image' },
    { long: 'pure', kind: 'flag', help: 'Pure Ed25519: sign the image itself, not its digest' },
    { long: 'sha', kind: 'value', choices: ['auto', '256', '384', '512'], help: 'Image hash algorithm (default auto)' },
    { long: 'hmac-sha', kind: 'value', choices: ['auto', '256', '512'], help: 'ECIES hash (512: X25519 only)' },
    { long: 'vid', kind: 'value', metavar: 'VID', help: 'Vendor UUID (UUID_VID TLV)' },
    { long: 'cid', kind: 'value', metavar: 'CID', help: 'Device class UUID (UUID_CID TLV)' },
  ],
  notes: SIGN_NOTES,
};

export const verifySpec: CommandSpec = {
  name: 'verify',
  summary:
    'Check an image as the MCUboot bootloader would: header, TLV layout, hash, and the signature of the given key. Stricter than imgtool: images imgtool accepts but the bootloader refuses (a KEYHASH naming another key, a protected TLV size that disagrees with the area, non-signature TLVs in the unprotected area) are rejected, with the reason.',
  positionals: [{ name: 'imgfile', required: true }],
  options: [
    { long: 'key', short: 'k', kind: 'value', metavar: 'FILENAME', help: 'Key (private or public PEM) the signature must verify with; no key: hash only' },
    { long: 'json', kind: 'flag', help: 'Print the result as JSON' },
    { long: 'decrypt-key', kind: 'value', metavar: 'FILENAME', help: 'Decrypt an encrypted image first, as the bootloader does in the secondary slot: the private PEM key, or a base64 AES-KW key for ENC_KW images' },
  ],
  notes: 'Exit status: 0 valid, 1 invalid (reason printed) or unreadable, 2 usage error.',
};

export const dumpinfoSpec: CommandSpec = {
  name: 'dumpinfo',
  summary: "Print an image's header, TLVs and trailer (same facts as imgtool dumpinfo).",
  positionals: [{ name: 'imgfile', required: true }],
  options: [
    { long: 'outfile', short: 'o', kind: 'value', metavar: 'FILENAME', help: 'Write to a file instead of stdout' },
    { long: 'format', short: 'f', kind: 'value', choices: ['human', 'yaml', 'json'], help: 'Output format (default human)' },
    { long: 'silent', short: 's', kind: 'flag', help: 'Print nothing (exit status only)' },
  ],
};

export const getpubSpec: CommandSpec = {
  name: 'getpub',
  summary: 'Print the public key in a form the bootloader embeds.',
  positionals: [],
  options: [
    { long: 'key', short: 'k', kind: 'value', required: true, metavar: 'FILENAME', help: 'Key file (PEM)' },
    { long: 'encoding', short: 'e', kind: 'value', choices: ['lang-c', 'lang-rust', 'pem', 'raw'], help: 'Output form (default lang-c)' },
    { long: 'lang', short: 'l', kind: 'value', choices: ['c', 'rust'], help: 'Deprecated: use --encoding lang-c / lang-rust' },
    { long: 'name-suffix', kind: 'value', metavar: 'SUFFIX', help: 'Suffix for the C/Rust identifiers' },
    { long: 'output', short: 'o', kind: 'value', metavar: 'FILENAME', help: 'Write to a file instead of stdout' },
  ],
};

export const getpubhashSpec: CommandSpec = {
  name: 'getpubhash',
  summary: 'Print the SHA-256 of the public key encoding.',
  positionals: [],
  options: [
    { long: 'key', short: 'k', kind: 'value', required: true, metavar: 'FILENAME', help: 'Key file (PEM)' },
    { long: 'encoding', short: 'e', kind: 'value', choices: ['lang-c', 'raw'], help: 'Output form (default lang-c)' },
    { long: 'output', short: 'o', kind: 'value', metavar: 'FILENAME', help: 'Write to a file instead of stdout' },
  ],
};

export const getprivSpec: CommandSpec = {
  name: 'getpriv',
  summary: 'Print the private key as a C array (for the bootloader\'s decryption key).',
  positionals: [],
  options: [
    { long: 'key', short: 'k', kind: 'value', required: true, metavar: 'FILENAME', help: 'Key file (PEM)' },
    { long: 'minimal', kind: 'flag', help: 'Keep only what decryption needs' },
    { long: 'format', short: 'f', kind: 'value', choices: ['openssl', 'pkcs8'], help: 'DER form (RSA: openssl; EC: pkcs8 default, or openssl)' },
  ],
};

export const keygenSpec: CommandSpec = {
  name: 'keygen',
  summary: 'Generate a key pair and write the private key (PKCS#8 PEM).',
  positionals: [],
  options: [
    { long: 'key', short: 'k', kind: 'value', required: true, metavar: 'FILENAME', help: 'Where to write the private key' },
    { long: 'type', short: 't', kind: 'value', required: true, choices: ['rsa-2048', 'rsa-3072', 'ecdsa-p256', 'ecdsa-p384', 'ed25519', 'x25519'], help: 'Key type' },
    { long: 'password', short: 'p', kind: 'flag', help: 'Prompt for a password to protect the key' },
  ],
};

export const keyinfoSpec: CommandSpec = {
  name: 'keyinfo',
  summary: 'Say whether a key file holds a private or a public key.',
  positionals: [],
  options: [
    { long: 'key', short: 'k', kind: 'value', required: true, metavar: 'FILENAME', help: 'Key file (PEM)' },
    { long: 'require', kind: 'value', choices: ['private', 'public'], help: 'Fail unless the key is of this kind' },
  ],
};

/** Every subcommand, in the order `--help` lists them. */
export const imageCommands: readonly CommandSpec[] = [signSpec, verifySpec, dumpinfoSpec, keygenSpec, getpubSpec, getpubhashSpec, getprivSpec, keyinfoSpec];
