#!/usr/bin/env node
/**
 * @module main
 * The `slotwise` entry point. It only picks the command group and loads that module, so a
 * `slotwise image verify` pays for image code and nothing else (start-up time is measured in
 * bench/). Each group module exports `run(args) → exit code`.
 */
import { ExitCode } from './exit-codes.js';

interface CommandGroup {
  summary: string;
  load: () => Promise<{ run(args: string[]): Promise<number> }>;
}

const groups: Record<string, CommandGroup> = {
  demo: { summary: 'the whole system live: server, simulated fleet, rollouts and the dashboard', load: () => import('./commands/demo.js') },
  image: { summary: 'build, sign, verify and inspect MCUboot images (imgtool-compatible)', load: () => import('./commands/image.js') },
  flash: { summary: 'MCUboot on a flash image file: create, boot, power-cut, inspect, sweep', load: () => import('./commands/flash.js') },
  server: { summary: 'run the hawkBit-compatible update server (SQLite or PostgreSQL)', load: () => import('./commands/server.js') },
  admin: { summary: 'manage devices, artifacts, releases and rollouts on a running server', load: () => import('./commands/admin.js') },
  firmware: { summary: 'build simulated device firmware as signed MCUboot images', load: () => import('./commands/firmware.js') },
  device: { summary: 'run a simulated device (firmware + MCUboot twin on a flash file) against a server', load: () => import('./commands/device.js') },
  sim: { summary: 'run a deterministic fleet simulation (scenario + seed → report and trace digest)', load: () => import('./commands/sim.js') },
};

function printHelp(): void {
  const lines = ['Usage: slotwise <command> [options]', '', 'Commands:'];
  for (const [name, group] of Object.entries(groups)) lines.push(`  ${name.padEnd(10)} ${group.summary}`);
  lines.push('', "Run 'slotwise <command> --help' for a command's options.");
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const group = groups[name];
  if (group === undefined) {
    process.stderr.write(`slotwise: unknown command '${name}'. Run 'slotwise --help' for the list.\n`);
    return ExitCode.USAGE;
  }
  const command = await group.load();
  return command.run(rest);
}

// A reader that closes early (`slotwise … | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`slotwise: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = ExitCode.INTERNAL;
  },
);
