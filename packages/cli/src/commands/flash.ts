/**
 * @module commands/flash
 * `slotwise flash …`: the MCUboot bootloader twin on flash image files, where the file IS the
 * device (every erase/write goes through to it as it happens, so killing the process is a real
 * power cut). Subcommands: create, boot, app set-pending|set-confirmed, inspect, sweep. The
 * command line is parsed with commander; each subcommand's module loads only when it runs.
 *
 * Exit codes (src/exit-codes.ts): 0 ok; 1 the answer is "no" (no image boots, a sweep found a
 * brick); 2 usage; 3 unusable input (bad layout, unreadable file, image too large); 4 power cut.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { processIo, type CommandIo } from '../image/io.js';
import { presetNames } from '@slotwise/core/boards/layout';
import { FlashUsageError, positiveInt } from '../flash/context.js';

const LAYOUT_HELP = `flash layout: a JSON file with "geometry" and "config" objects as in a boot vector's scenario.json (a scenario.json works), or a preset: ${presetNames().join(', ')}`;
const MODE_HELP = 'upgrade mode: swap-scratch, swap-move, swap-offset or overwrite-only (default: the layout\'s config.upgrade_mode, or the preset\'s first mode)';
const KEY_HELP = 'a public or private key (PEM) the bootloader trusts; repeat for several. Without --key images are checked like an MCUboot built without signature support: hash TLV only';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface Common { layout: string; mode?: string; key?: string[] }

function build(io: CommandIo, done: (code: number) => void): Command {
  const program = new Command('slotwise flash')
    .description('MCUboot on a flash image file: create a device, boot it, cut its power, inspect it, sweep power cuts')
    .usage('<command> [options]')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run with --help for the options)');
  program.addHelpText('after', '\nExit codes: 0 ok, 1 no image boots / sweep found a brick, 2 usage, 3 bad input, 4 power cut (--cut-at).');

  program.command('create')
    .description('write a new flash file: erased device, PRIMARY image in the primary slot, SECONDARY (if given) in the secondary (one sector in for swap-offset)')
    .requiredOption('--layout <layout>', LAYOUT_HELP)
    .option('--mode <mode>', MODE_HELP)
    .requiredOption('--primary <file>', 'the image running now (imgtool output)')
    .option('--secondary <file>', 'the upgrade image')
    .requiredOption('-o, --output <file>', 'the flash file to write (written atomically)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { layout: string; mode?: string; primary: string; secondary?: string; output: string; json?: boolean }) => {
      done((await import('../flash/create-command.js')).create(o, io));
    });

  program.command('boot')
    .description('run the bootloader once on the flash file (every operation goes to the file) and print which image boots')
    .argument('<flash-file>', 'the device')
    .requiredOption('--layout <layout>', LAYOUT_HELP)
    .option('--mode <mode>', MODE_HELP)
    .option('--key <pem>', KEY_HELP, collect)
    .option('--cut-at <n>', 'power cut: refuse the N-th flash operation and stop there (exit code 4); the file keeps the operations before it')
    .option('--trace-out <file>', 'write every flash operation as one JSON line (op, off, len, area, area_off, sha256, data) as it happens')
    .option('--explain', 'say why: trailers read, decision-table row, validation, what was copied and erased, outcome')
    .option('--fixed', 'run the corrected algorithm for the MCUboot defects of mcuboot.md §8 instead of reproducing them')
    .option('--json', 'print the result with the field names of the boot vectors\' result (outcome, boot.image_off, boot.version, trailers)')
    .addOption(new Option('--op-delay-ms <ms>', 'sleep after every flash operation (tests kill the process mid-run)').hideHelp())
    .action(async (file: string, o: Common & { cutAt?: string; traceOut?: string; explain?: boolean; fixed?: boolean; json?: boolean; opDelayMs?: string }) => {
      const { bootCommand } = await import('../flash/boot-command.js');
      done(bootCommand(file, { ...o, cutAt: positiveInt('--cut-at', o.cutAt), opDelayMs: positiveInt('--op-delay-ms', o.opDelayMs) }, io));
    });

  const app = program.command('app')
    .description('what the running application does through MCUboot\'s bootutil API')
    .usage('set-pending [--permanent] | set-confirmed --layout L <flash-file>');
  for (const call of ['set-pending', 'set-confirmed'] as const) {
    const c = app.command(call)
      .description(call === 'set-pending'
        ? 'boot_set_pending(): mark the secondary image for a test upgrade (or, with --permanent, a permanent one)'
        : 'boot_set_confirmed(): confirm the running image (image_ok in the primary trailer)')
      .argument('<flash-file>', 'the device')
      .requiredOption('--layout <layout>', LAYOUT_HELP)
      .option('--mode <mode>', MODE_HELP)
      .option('--cut-at <n>', 'power cut at the N-th flash operation of the call (exit code 4)')
      .option('--trace-out <file>', 'write every flash operation as one JSON line')
      .option('--json', 'print the result as JSON');
    if (call === 'set-pending') c.option('--permanent', 'request a permanent upgrade (image_ok set): no revert');
    c.action(async (file: string, o: { layout: string; mode?: string; permanent?: boolean; cutAt?: string; traceOut?: string; json?: boolean }) => {
      const { appCommand } = await import('../flash/app-command.js');
      done(appCommand(call, file, { ...o, cutAt: positiveInt('--cut-at', o.cutAt) }, io));
    });
  }

  program.command('inspect')
    .description('show the slots, image headers (version, sizes, hash/signature validity), trailers and swap state of a flash file (read only)')
    .argument('<flash-file>', 'the device')
    .requiredOption('--layout <layout>', LAYOUT_HELP)
    .option('--mode <mode>', MODE_HELP)
    .option('--key <pem>', KEY_HELP, collect)
    .option('--json', 'print the inspection as JSON')
    .action(async (file: string, o: Common & { json?: boolean }) => {
      done((await import('../flash/inspect-command.js')).inspectCommand(file, o, io));
    });

  program.command('sweep')
    .description('cut the power at every flash operation of an upgrade (or revert) boot, boot again, and check that the right image always boots')
    .requiredOption('--layout <layout>', LAYOUT_HELP)
    .option('--mode <mode>', MODE_HELP)
    .option('--key <pem>', KEY_HELP, collect)
    .requiredOption('--primary <file>', 'the image running now')
    .requiredOption('--secondary <file>', 'the upgrade image')
    .addOption(new Option('--scenario <scenario>', 'test: sweep the test-upgrade boot; permanent: the permanent-upgrade boot; revert: the boot that reverts an unconfirmed test').choices(['test', 'permanent', 'revert']).default('test'))
    .option('--double', 'also cut every recovery boot at each of its operations')
    .option('--torn', 'also let the cut operation land partially (seeded garbage); reported apart, MCUboot assumes atomic writes')
    .option('--random <runs>', 'also run this many seeded random multi-cut sequences')
    .option('--seed <n>', 'seed for --torn and --random (default 1)')
    .option('--fixed', 'run the corrected algorithm for MCUboot\'s known defects (the sweep must then be clean)')
    .option('--json', 'print the report as JSON')
    .action(async (o: Common & { primary: string; secondary: string; scenario: 'test' | 'permanent' | 'revert'; double?: boolean; torn?: boolean; random?: string; seed?: string; fixed?: boolean; json?: boolean }) => {
      const { sweepCommand } = await import('../flash/sweep-command.js');
      done(await sweepCommand({ ...o, random: positiveInt('--random', o.random), seed: o.seed === undefined ? undefined : positiveInt('--seed', o.seed) }, io));
    });

  return program;
}

function errorCode(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Runs one `slotwise flash` command line with the given I/O; returns the exit code. */
export async function runFlash(argv: readonly string[], io: CommandIo): Promise<number> {
  let code: number = ExitCode.OK;
  const program = build(io, (c) => { code = c; });
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return ExitCode.USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (error instanceof FlashUsageError) {
      io.stderr(`error: ${error.message}\n`);
      return ExitCode.USAGE;
    }
    const sw = errorCode(error);
    if (sw !== undefined && sw.startsWith('SW_ERR_')) {
      io.stderr(`error: ${(error as Error).message} [${sw}]\n`);
      return ExitCode.BAD_INPUT;
    }
    throw error;
  }
}

/** Entry point used by `main.ts`. */
export async function run(args: string[]): Promise<number> {
  return runFlash(args, processIo());
}
