/**
 * @module commands/image
 * `slotwise image …`: a drop-in for MCUboot's imgtool (`sign`/`create`, `verify`, `dumpinfo`,
 * `keygen`, `getpub`, `getpubhash`, `getpriv`, `keyinfo`) accepting imgtool's command line
 * unchanged. Each subcommand's module is imported only when it runs, so `verify` never pays
 * for signing, key generation or compression code.
 *
 * Exit status, as imgtool: 0 success; 1 the answer is "no" (verification failed) or an input
 * could not be used (imgtool exits 1 on its exceptions); 2 command-line usage error.
 */
import { ExitCode } from '../exit-codes.js';
import { helpText, parseArgs, UsageError, usageLine, type CommandSpec, type ParsedArgs } from '../image/args.js';
import { processIo, type CommandIo } from '../image/io.js';
import { imageCommands } from '../image/specs.js';

type Handler = (args: ParsedArgs, io: CommandIo) => Promise<number>;

const handlers: Record<string, () => Promise<Handler>> = {
  sign: async () => (await import('../image/sign-command.js')).sign,
  verify: async () => (await import('../image/verify-command.js')).verify,
  dumpinfo: async () => (await import('../image/dumpinfo-command.js')).dumpinfo,
  keygen: async () => (await import('../image/key-commands.js')).keygen,
  getpub: async () => (await import('../image/key-commands.js')).getpub,
  getpubhash: async () => (await import('../image/key-commands.js')).getpubhash,
  getpriv: async () => (await import('../image/key-commands.js')).getpriv,
  keyinfo: async () => (await import('../image/key-commands.js')).keyinfo,
};

function groupHelp(): string {
  const lines = ['Usage: slotwise image COMMAND [OPTIONS] [ARGS]...', '', '  Build, sign, verify and inspect MCUboot images. Accepts imgtool\'s command line.', '', 'Commands:'];
  for (const spec of imageCommands) lines.push(`  ${spec.name.padEnd(11)} ${spec.summary.split('. ')[0]?.replace(/\.$/, '') ?? ''}`);
  lines.push('  create      Alias of sign', '', "Run 'slotwise image COMMAND --help' for a command's options.", 'Exit status: 0 success, 1 invalid image or unusable input, 2 usage error.');
  return lines.join('\n') + '\n';
}

function describeError(error: unknown): { message: string; usage: boolean } | undefined {
  if (error instanceof UsageError) return { message: error.message, usage: true };
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (error instanceof Error && typeof code === 'string' && code.startsWith('SW_ERR_')) return { message: `${error.message} [${code}]`, usage: false };
  return undefined;
}

/** Runs one `slotwise image` command line with the given I/O; returns the exit code.
 * Exported for in-process tests. */
export async function runImage(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(groupHelp());
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (name === '--version' || name === 'version') {
    io.stdout('2.4.0\n');
    return ExitCode.OK;
  }
  const commandName = name === 'create' ? 'sign' : name;
  const spec: CommandSpec | undefined = imageCommands.find((c) => c.name === commandName);
  const load = handlers[commandName];
  if (spec === undefined || load === undefined) {
    io.stderr(`Usage: slotwise image COMMAND [OPTIONS] [ARGS]...\nTry 'slotwise image --help' for help.\n\nError: No such command '${name}'.\n`);
    return ExitCode.USAGE;
  }
  try {
    const args = parseArgs(spec, rest);
    if (args.help) {
      io.stdout(helpText(spec));
      return ExitCode.OK;
    }
    const handler = await load();
    return await handler(args, io);
  } catch (error) {
    const described = describeError(error);
    if (described === undefined) throw error;
    if (described.usage) {
      io.stderr(`${usageLine(spec)}\nTry 'slotwise image ${spec.name} --help' for help.\n\nError: ${described.message}\n`);
      return ExitCode.USAGE;
    }
    io.stderr(`Error: ${described.message}\n`);
    return ExitCode.FAILURE;
  }
}

/** Entry point used by `main.ts`. */
export async function run(args: string[]): Promise<number> {
  return runImage(args, processIo());
}
