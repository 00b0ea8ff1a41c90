/**
 * @module image/args
 * A small command-line parser that accepts imgtool's (click's) syntax unchanged: `--long
 * value`, `--long=value`, `-s value`, `-svalue`, flags, options taking two values
 * (`--custom-tlv TAG VALUE`), repeatable options and positional arguments, `--` ending
 * options. It is declarative and tiny so `slotwise image verify` starts fast (no commander).
 */

/** One option of a subcommand. */
export interface OptionSpec {
  /** Long name without dashes; also the key in the parsed result. */
  readonly long: string;
  readonly short?: string;
  /** `flag`: no value; `value`: one value; `pair`: two values. */
  readonly kind: 'flag' | 'value' | 'pair';
  readonly multiple?: boolean;
  readonly choices?: readonly string[];
  readonly metavar?: string;
  readonly required?: boolean;
  readonly help: string;
}

/** One subcommand's grammar. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Positional arguments, in order. */
  readonly positionals: readonly { name: string; required: boolean }[];
  readonly options: readonly OptionSpec[];
  /** Extra text printed at the end of `--help`. */
  readonly notes?: string;
}

/** Parsed arguments: flags are `true`, values strings, pairs `[a, b]`; repeatable options
 * collect arrays in command-line order. */
export interface ParsedArgs {
  readonly options: ReadonlyMap<string, true | string | readonly [string, string] | ReadonlyArray<string | readonly [string, string]>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/** A command-line mistake: printed with the usage line, exit code 2 (as click does). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function optionLabel(spec: OptionSpec): string {
  return spec.short === undefined ? `'--${spec.long}'` : `'-${spec.short}' / '--${spec.long}'`;
}

/** Parses `argv` (after the subcommand name) against `spec`.
 * @throws UsageError for unknown options, missing values, bad choices and missing arguments. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = new Map<string, true | string | readonly [string, string] | Array<string | readonly [string, string]>>();
  const positionals: string[] = [];
  let help = false;
  const byLong = new Map(spec.options.map((o) => [o.long, o]));
  const byShort = new Map(spec.options.filter((o) => o.short !== undefined).map((o) => [o.short as string, o]));

  const store = (option: OptionSpec, value: true | string | readonly [string, string]): void => {
    if (option.choices !== undefined && typeof value === 'string' && !option.choices.includes(value)) {
      throw new UsageError(`Invalid value for ${optionLabel(option)}: '${value}' is not one of ${option.choices.map((c) => `'${c}'`).join(', ')}.`);
    }
    if (option.multiple === true) {
      const list = options.get(option.long);
      if (Array.isArray(list)) list.push(value as string | readonly [string, string]);
      else options.set(option.long, [value as string | readonly [string, string]]);
    } else {
      options.set(option.long, value);
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    let option: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
      option = byLong.get(name);
      if (option === undefined) throw new UsageError(`No such option: --${name}`);
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      option = byShort.get(arg[1] as string);
      if (option === undefined) throw new UsageError(`No such option: -${arg[1]}`);
      if (arg.length > 2) inline = arg.slice(2);
    } else {
      positionals.push(arg);
      continue;
    }
    if (option.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`Option '--${option.long}' does not take a value.`);
      store(option, true);
    } else if (option.kind === 'value') {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`Option ${optionLabel(option)} requires an argument.`);
      store(option, value);
    } else {
      const first = inline ?? argv[++i];
      const second = argv[++i];
      if (first === undefined || second === undefined) throw new UsageError(`Option ${optionLabel(option)} requires 2 arguments.`);
      store(option, [first, second]);
    }
  }
  if (!help) {
    for (const option of spec.options) {
      if (option.required === true && !options.has(option.long)) throw new UsageError(`Missing option ${optionLabel(option)}.`);
    }
    const required = spec.positionals.filter((p) => p.required).length;
    if (positionals.length < required) throw new UsageError(`Missing argument '${spec.positionals[positionals.length]?.name.toUpperCase() ?? ''}'.`);
    if (positionals.length > spec.positionals.length) throw new UsageError(`Got unexpected extra argument (${positionals[spec.positionals.length] ?? ''})`);
  }
  return { options, positionals, help };
}

/** The one-line usage of a subcommand. */
export function usageLine(spec: CommandSpec): string {
  const positional = spec.positionals.map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`)).join(' ');
  return `Usage: slotwise image ${spec.name} [OPTIONS]${positional === '' ? '' : ' ' + positional}`;
}

/** Wraps `text` at `width` columns, each line prefixed by `indent`. */
function wrap(text: string, indent: string, width = 88): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

/** Full `--help` text of a subcommand. */
export function helpText(spec: CommandSpec): string {
  const lines = [usageLine(spec), '', ...wrap(spec.summary, '  '), '', 'Options:'];
  const rows = spec.options.map((o) => {
    const names = `${o.short === undefined ? '    ' : `-${o.short}, `}--${o.long}`;
    const meta = o.kind === 'flag' ? '' : o.choices !== undefined ? ` [${o.choices.join('|')}]` : ` ${o.metavar ?? (o.kind === 'pair' ? 'A B' : 'TEXT')}`;
    return [`  ${names}${meta}`, o.help + (o.required === true ? '  [required]' : '')] as const;
  });
  rows.push(['  -h, --help', 'Show this message and exit.']);
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  for (const [left, right] of rows) {
    if (left.length >= width) lines.push(left, ' '.repeat(width) + right);
    else lines.push(left.padEnd(width) + right);
  }
  if (spec.notes !== undefined) lines.push('', spec.notes);
  return lines.join('\n') + '\n';
}

/** A single-valued option as a string, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Whether a flag was given. */
export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** A repeatable option's values, in order. */
export function listOption<T extends string | readonly [string, string]>(args: ParsedArgs, name: string): readonly T[] {
  const value = args.options.get(name);
  return Array.isArray(value) ? (value as readonly T[]) : [];
}

/** Parses an integer the way Python's `int(value, 0)` does (`0x`, `0o`, `0b`, decimal
 * without leading zeros, `_` separators); undefined when it is not one. */
export function parseBasedInt(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '');
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0+|[1-9][0-9]*)$/.exec(t);
  if (m === null) return undefined;
  const body = m[2] as string;
  let value: number;
  if (/^0[xX]/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[oO]/.test(body)) value = parseInt(body.slice(2), 8);
  else if (/^0[bB]/.test(body)) value = parseInt(body.slice(2), 2);
  else value = parseInt(body, 10);
  if (!Number.isSafeInteger(value)) return undefined;
  return m[1] === '-' ? -value : value;
}
