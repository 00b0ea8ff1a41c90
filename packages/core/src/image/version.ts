/**
 * @module image/version
 * Image versions: imgtool's `maj[.min[.rev[+build]]]` syntax (scripts/imgtool/version.py
 * `decode_version`), formatting as `a.b.c+d`, and the bootloader's comparison
 * (bootutil `boot_compare_version`: build ignored unless asked for).
 */

export interface ImageVersion {
  readonly major: number;
  readonly minor: number;
  readonly revision: number;
  readonly build: number;
}

const VERSION_RE = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\+(0|[1-9]\d*))?)?)?$/;

export type ParseVersionResult =
  | { readonly ok: true; readonly version: ImageVersion }
  | { readonly ok: false; readonly reason: 'SYNTAX' | 'RANGE'; readonly detail: string };

/** Parses imgtool's version syntax and checks each field fits the header (u8.u8.u16+u32). */
export function parseVersion(text: string): ParseVersionResult {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return { ok: false, reason: 'SYNTAX', detail: `Invalid version number "${text}", should be maj.min.rev+build with later parts optional` };
  const [major, minor, revision, build] = [m[1], m[2], m[3], m[4]].map((s) => (s === undefined ? 0 : Number(s))) as [number, number, number, number];
  const limits: Array<[string, number, number]> = [
    ['major', major, 0xff],
    ['minor', minor, 0xff],
    ['revision', revision, 0xffff],
    ['build', build, 0xffff_ffff],
  ];
  for (const [name, value, max] of limits) {
    if (value > max) return { ok: false, reason: 'RANGE', detail: `Version ${name} ${value} is out of range (0..${max})` };
  }
  return { ok: true, version: { major, minor, revision, build } };
}

/** `a.b.c+d` as imgtool prints it. */
export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}+${v.build}`;
}

/** -1 / 0 / 1 like boot_compare_version; the build number counts only with `useBuild`. */
export function compareVersions(a: ImageVersion, b: ImageVersion, useBuild = false): -1 | 0 | 1 {
  const keys = useBuild ? (['major', 'minor', 'revision', 'build'] as const) : (['major', 'minor', 'revision'] as const);
  for (const k of keys) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}
