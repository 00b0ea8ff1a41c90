/**
 * @module service/versions
 * Version strings as devices report them: MCUboot `major.minor.revision+build`, where a build of
 * 0 may be omitted (`1.2.3` = `1.2.3+0`). Used to compare a device's reported running version
 * with a release, and for the upload downgrade guard.
 */

/** Canonical form: `1.2.3+0` → `1.2.3`; other strings are trimmed and returned as they are. */
export function normalizeVersion(v: string): string {
  const t = v.trim();
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\+(\d+))?$/.exec(t);
  if (m === null) return t;
  const base = `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}`;
  return m[4] === undefined || Number(m[4]) === 0 ? base : `${base}+${Number(m[4])}`;
}

export function sameVersion(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && normalizeVersion(a) === normalizeVersion(b);
}

/** Numeric comparison of MCUboot versions; null when either is not of that form. */
export function compareMcubootVersions(a: string, b: string): number | null {
  const parse = (v: string): number[] | null => {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:\+(\d+))?$/.exec(v.trim());
    return m === null ? null : [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  };
  const x = parse(a);
  const y = parse(b);
  if (x === null || y === null) return null;
  for (let i = 0; i < 4; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return 0;
}
