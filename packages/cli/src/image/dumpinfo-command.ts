/**
 * @module image/dumpinfo-command
 * `slotwise image dumpinfo IMAGE [-o OUT] [-f human|yaml|json]`: mirrors imgtool
 * `scripts/imgtool/dumpinfo.py`. Like imgtool it reads what is there without judging it (no
 * magic or hash check: that is `verify`'s job), and prints the same facts in the same shape.
 * Unlike imgtool, a file that ends before a field it needs gives a clear "truncated" error
 * instead of a Python `struct.error`.
 */
import { basename } from 'node:path';
import { SlotwiseError } from '@slotwise/core/errors';
import { stringOption, flagOption, type ParsedArgs } from './args.js';
import { readImageFile } from './image-files.js';
import { writeOutput, type CommandIo } from './io.js';

/** imgtool's TLV names (`image.py: TLV_VALUES`). */
const TLV_NAMES: Readonly<Record<number, string>> = {
  0x01: 'KEYHASH', 0x02: 'PUBKEY', 0x10: 'SHA256', 0x11: 'SHA384', 0x12: 'SHA512', 0x20: 'RSA2048', 0x22: 'ECDSASIG', 0x23: 'RSA3072',
  0x24: 'ED25519', 0x25: 'SIG_PURE', 0x30: 'ENCRSA2048', 0x31: 'ENCKW', 0x32: 'ENCEC256', 0x33: 'ENCX25519', 0x34: 'ENCX25519_SHA512',
  0x40: 'DEPENDENCY', 0x50: 'SEC_CNT', 0x60: 'BOOT_RECORD', 0x70: 'DECOMP_SIZE', 0x71: 'DECOMP_SHA', 0x72: 'DECOMP_SIGNATURE',
  0x73: 'COMP_DEC_SIZE', 0x74: 'UUID_VID', 0x75: 'UUID_CID',
};

/** imgtool's header flag names (`image.py: IMAGE_F`), in its order. */
const FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['PIC', 0x1], ['ENCRYPTED_AES128', 0x4], ['ENCRYPTED_AES256', 0x8], ['NON_BOOTABLE', 0x10], ['RAM_LOAD', 0x20], ['ROM_FIXED', 0x100],
  ['COMPRESSED_LZMA1', 0x200], ['COMPRESSED_LZMA2', 0x400], ['COMPRESSED_ARM_THUMB', 0x800],
];

const BOOT_MAGIC = Uint8Array.from([0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80]);
const BOOT_MAGIC_2_TAIL = Uint8Array.from([0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a]);
const LINE = 60;

interface Tlv {
  type: number;
  type_name: string;
  len: number;
  data: Uint8Array;
}

/** What dumpinfo reads, shaped as imgtool's `imginfo` dictionary. */
export interface ImageInfo {
  filename: string;
  header: { magic: number; load_addr: number; hdr_size: number; protected_tlv_size: number; img_size: number; flags: number; version: string };
  tlv_area: { tlv_hdr_prot: { magic?: number; tlv_tot?: number }; tlvs_prot: Tlv[]; tlv_hdr: { magic?: number; tlv_tot?: number }; tlvs: Tlv[] };
  trailer: { magic?: Uint8Array; image_ok?: number; copy_done?: number; swap_info?: number; swap_size?: number; key_field_len?: number };
  /** Set when the trailer magic is neither form (imgtool prints a warning). */
  invalidTrailerMagic: boolean;
}

function truncated(what: string, offset: number, size: number): SlotwiseError {
  return new SlotwiseError('SW_ERR_IMAGE_TRUNCATED', `the file ends before the ${what} at offset 0x${offset.toString(16)} (file size 0x${size.toString(16)})`);
}

/** Reads an image the way imgtool's `_read_imginfo` does, with bounds checks. */
export function readImageInfo(bytes: Uint8Array, filename: string): ImageInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (offset: number, length: number, what: string): void => {
    if (offset < 0 || offset + length > bytes.length) throw truncated(what, offset, bytes.length);
  };
  need(0, 28, 'image header');
  const magic = view.getUint32(0, true);
  if (magic === 0x3db8f396) {
    throw new SlotwiseError('SW_ERR_IMAGE_MALFORMED', 'this is a big-endian image (imgtool --endian big); dumpinfo reads little-endian images only, as imgtool does');
  }
  const header = {
    magic,
    load_addr: view.getUint32(4, true),
    hdr_size: view.getUint16(8, true),
    protected_tlv_size: view.getUint16(10, true),
    img_size: view.getUint32(12, true),
    flags: view.getUint32(16, true),
    version: `${view.getUint8(20)}.${view.getUint8(21)}.${view.getUint16(22, true)}+${view.getUint32(24, true)}`,
  };
  const area: ImageInfo['tlv_area'] = { tlv_hdr_prot: {}, tlvs_prot: [], tlv_hdr: {}, tlvs: [] };
  let offset = header.hdr_size + header.img_size;
  const readTlvs = (end: number, into: Tlv[], what: string): void => {
    while (offset < end) {
      need(offset, 4, `${what} TLV header`);
      const type = view.getUint16(offset, true);
      const len = view.getUint16(offset + 2, true);
      offset += 4;
      need(offset, len, `${what} TLV 0x${type.toString(16)} data (${len} bytes)`);
      into.push({ type, type_name: TLV_NAMES[type] ?? 'UNKNOWN', len, data: bytes.slice(offset, offset + len) });
      offset += len;
    }
  };
  if (header.protected_tlv_size !== 0) {
    need(offset, 4, 'protected TLV info');
    area.tlv_hdr_prot = { magic: view.getUint16(offset, true), tlv_tot: view.getUint16(offset + 2, true) };
    const end = offset + (area.tlv_hdr_prot.tlv_tot as number);
    offset += 4;
    readTlvs(end, area.tlvs_prot, 'protected');
  }
  need(offset, 4, 'TLV info');
  area.tlv_hdr = { magic: view.getUint16(offset, true), tlv_tot: view.getUint16(offset + 2, true) };
  const tlvEnd = offset + (area.tlv_hdr.tlv_tot as number);
  offset += 4;
  readTlvs(tlvEnd, area.tlvs, 'unprotected');

  const trailer: ImageInfo['trailer'] = {};
  let invalidTrailerMagic = false;
  if (bytes.length > tlvEnd) {
    need(bytes.length - 16, 16, 'trailer magic');
    const trailerMagic = bytes.slice(bytes.length - 16);
    trailer.magic = trailerMagic;
    let maxAlign: number | undefined;
    if (trailerMagic.every((b, i) => b === BOOT_MAGIC[i])) maxAlign = 8;
    else if (trailerMagic.subarray(2).every((b, i) => b === BOOT_MAGIC_2_TAIL[i])) maxAlign = view.getUint16(bytes.length - 16, true);
    else invalidTrailerMagic = true;
    if (maxAlign !== undefined) {
      let at = bytes.length - 16;
      if (maxAlign > 16) at -= maxAlign - 16;
      at -= maxAlign;
      need(at - 3 * maxAlign, 4, 'trailer fields');
      trailer.image_ok = bytes[at] as number;
      at -= maxAlign;
      trailer.copy_done = bytes[at] as number;
      at -= maxAlign;
      trailer.swap_info = bytes[at] as number;
      at -= maxAlign;
      trailer.swap_size = view.getUint32(at, true);
      if (header.flags & 0x0c) trailer.key_field_len = Math.ceil(16 / maxAlign) * maxAlign * 2;
    }
  }
  return { filename, header, tlv_area: area, trailer, invalidTrailerMagic };
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const h = (n: number): string => `0x${n.toString(16)}`;

/** imgtool's JSON form (`json.dump(indent=2)`, bytes as hex). */
export function formatJson(info: ImageInfo): string {
  const tlv = (t: Tlv): object => ({ type: t.type, type_name: t.type_name, len: t.len, data: hex(t.data) });
  const trailer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info.trailer)) trailer[key] = value instanceof Uint8Array ? hex(value) : value;
  const out = {
    filename: info.filename,
    header: info.header,
    tlv_area: { tlv_hdr_prot: info.tlv_area.tlv_hdr_prot, tlvs_prot: info.tlv_area.tlvs_prot.map(tlv), tlv_hdr: info.tlv_area.tlv_hdr, tlvs: info.tlv_area.tlvs.map(tlv) },
    trailer,
  };
  return JSON.stringify(out, null, 2);
}

function yamlBinary(data: Uint8Array, indent: string): string {
  const b64 = Buffer.from(data).toString('base64');
  const lines = b64.match(/.{1,76}/g) ?? [''];
  return `!!binary |\n${lines.map((l) => `${indent}  ${l}`).join('\n')}`;
}

/** PyYAML-like block form (`yaml.dump(sort_keys=False)`), bytes as `!!binary`. */
export function formatYaml(info: ImageInfo): string {
  const out: string[] = [`filename: ${info.filename}`, 'header:'];
  for (const [key, value] of Object.entries(info.header)) out.push(`  ${key}: ${typeof value === 'string' ? `${value}` : value}`);
  out.push('tlv_area:');
  const section = (name: string, hdr: { magic?: number; tlv_tot?: number }, tlvs: Tlv[]): void => {
    const hdrName = name === 'tlvs_prot' ? 'tlv_hdr_prot' : 'tlv_hdr';
    if (hdr.magic === undefined) out.push(`  ${hdrName}: {}`);
    else out.push(`  ${hdrName}:`, `    magic: ${hdr.magic}`, `    tlv_tot: ${hdr.tlv_tot ?? 0}`);
    if (tlvs.length === 0) out.push(`  ${name}: []`);
    else {
      out.push(`  ${name}:`);
      for (const t of tlvs) out.push(`  - type: ${t.type}`, `    type_name: ${t.type_name}`, `    len: ${t.len}`, `    data: ${yamlBinary(t.data, '    ')}`);
    }
  };
  section('tlvs_prot', info.tlv_area.tlv_hdr_prot, info.tlv_area.tlvs_prot);
  section('tlvs', info.tlv_area.tlv_hdr, info.tlv_area.tlvs);
  const trailer = Object.entries(info.trailer);
  if (trailer.length === 0) out.push('trailer: {}');
  else {
    out.push('trailer:');
    for (const [key, value] of trailer) out.push(`  ${key}: ${value instanceof Uint8Array ? yamlBinary(value, '  ') : String(value)}`);
  }
  return out.join('\n') + '\n';
}

function frame(headerText: string, content: string): string {
  const header = `#### ${headerText} `;
  const offset = Math.floor((LINE - content.length) / 2);
  const pre = '|' + ' '.repeat(offset - 1);
  const post = ' '.repeat(LINE - pre.length - content.length - 1) + '|';
  return [header + '#'.repeat(LINE - header.length), '|' + ' '.repeat(LINE - 2) + '|', pre + content + post, '|' + ' '.repeat(LINE - 2) + '|', '#'.repeat(LINE)].join('\n');
}

function row(text: string): string {
  const t = `#### ${text} `;
  return t + '#'.repeat(Math.max(0, LINE - t.length));
}

function tlvRecords(tlvs: Tlv[]): string {
  const indent = ' '.repeat(Math.floor(LINE / 8));
  const lines: string[] = [];
  for (const t of tlvs) {
    lines.push(`${indent} ${'-'.repeat(45)}`, `${indent} type: ${t.type_name} (${h(t.type)})`, `${indent} len:  ${h(t.len)}`);
    let line = `${indent} data: `;
    t.data.forEach((b, j) => {
      line += `0x${b.toString(16).padStart(2, '0')} `;
      if ((j + 1) % 8 === 0 && j + 1 !== t.data.length) {
        lines.push(line);
        line = ' '.repeat(indent.length + 7);
      }
    });
    lines.push(line);
  }
  return lines.join('\n');
}

function status(value: number): string {
  const names: Record<number, string> = { 1: 'SET', 2: 'BAD', 3: 'UNSET', 4: 'ANY' };
  return `${names[value] ?? 'INVALID'} (${h(value)})`;
}

/** imgtool's human-readable form. */
export function formatHuman(info: ImageInfo): string {
  const out: string[] = [`Printing content of signed image: ${info.filename} \n`, row('Image header (offset: 0x0)')];
  for (const [key, raw] of Object.entries(info.header)) {
    let value: string;
    if (key === 'flags') {
      const flags = raw as number;
      value = flags === 0 ? h(0) : FLAG_NAMES.filter(([, bit]) => flags & bit).map(([name, bit]) => `${name} (${h(bit)})`).join('\n' + ' '.repeat(20));
    } else value = typeof raw === 'string' ? raw : h(raw);
    out.push(`${key}:${' '.repeat(Math.max(0, 19 - key.length))}${value}`);
  }
  out.push('#'.repeat(LINE));
  let section = info.header.hdr_size;
  out.push(frame(`Payload (offset: ${h(section)})`, `FW image (size: ${h(info.header.img_size)} Bytes)`));
  section += info.header.img_size;
  if (info.header.protected_tlv_size !== 0) {
    out.push(row(`Protected TLV area (offset: ${h(section)})`), `magic:     ${h(info.tlv_area.tlv_hdr_prot.magic ?? 0)}`, `area size: ${h(info.tlv_area.tlv_hdr_prot.tlv_tot ?? 0)}`, tlvRecords(info.tlv_area.tlvs_prot), '#'.repeat(LINE));
  }
  section += info.header.protected_tlv_size;
  out.push(row(`TLV area (offset: ${h(section)})`), `magic:     ${h(info.tlv_area.tlv_hdr.magic ?? 0)}`, `area size: ${h(info.tlv_area.tlv_hdr.tlv_tot ?? 0)}`, tlvRecords(info.tlv_area.tlvs), '#'.repeat(LINE));
  const t = info.trailer;
  if (t.magic !== undefined) {
    out.push(row('Image trailer (offset: unknown)'), '(Note: some fields may not be used, depending on the update strategy)\n', 'swap status: (len: unknown)');
    out.push(`enc. keys:   ${t.key_field_len === undefined ? 'Image not encrypted' : `(len: ${h(t.key_field_len)}, if BOOT_SWAP_SAVE_ENCTLV is unset)`}`);
    if (t.swap_size !== undefined) out.push(`swap size:   ${t.swap_size === 0xffffffff ? 'unknown' : `${h(t.swap_size)} octal: ${t.swap_size}`}`);
    if (t.swap_info !== undefined) out.push(`swap_info:   ${status(t.swap_info)}`);
    if (t.copy_done !== undefined) out.push(`copy_done:   ${status(t.copy_done)}`);
    if (t.image_ok !== undefined) out.push(`image_ok:    ${status(t.image_ok)}`);
    let magic = '';
    t.magic.forEach((b, i) => {
      magic += `0x${b.toString(16).padStart(2, '0')} `;
      if (i === 7) magic += '\n' + ' '.repeat(13);
    });
    out.push(`boot magic:  ${magic}`, '');
  }
  out.push(row('End of Image'));
  return out.join('\n') + '\n';
}

/** `dumpinfo IMAGE [-o OUT] [-f human|yaml|json] [-s]`. */
export async function dumpinfo(args: ParsedArgs, io: CommandIo): Promise<number> {
  const path = args.positionals[0] as string;
  const output = stringOption(args, 'outfile');
  const format = stringOption(args, 'format') ?? (output === undefined ? 'human' : 'yaml');
  const info = readImageInfo(await readImageFile(io, path), basename(path));
  if (info.invalidTrailerMagic) io.stderr('Warning: the trailer magic value is invalid!\n');
  if (flagOption(args, 'silent')) return 0;
  const text = format === 'json' ? formatJson(info) + (output === undefined ? '\n' : '') : format === 'yaml' ? formatYaml(info) : formatHuman(info);
  if (output === undefined) io.stdout(text);
  else writeOutput(io, output, text);
  return 0;
}
