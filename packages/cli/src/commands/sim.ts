/**
 * @module commands/sim
 * `slotwise sim run SCENARIO.json [--seed S] [--devices N] [--json] [--trace-device ID]`: a
 * deterministic fleet simulation against the real server in-process (issue 6). Text report by
 * default, one JSON object with `--json`; a progress bar over virtual time on a terminal only.
 * Exit status: 0 the run finished with no bricked and no unbootable device; 1 it did not;
 * 2 usage error; 3 the scenario file is unreadable or invalid (SW_ERR_SIM_SCENARIO_INVALID).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ExitCode } from '../exit-codes.js';

const USAGE = `Usage: slotwise sim run SCENARIO.json [--seed S] [--devices N] [--json] [--trace-device ID]

  Runs a fleet scenario on virtual time against the real server in-process and prints its
  report: outcomes per version, time to 50/90/99 %, bytes sent per image byte, polls/s,
  p99 server latency and the trace digest. Same scenario and seed, same report and digest.

Options:
  --seed S           override the scenario's seed (integer)
  --devices N        override the number of devices
  --json             print one JSON object instead of the text report
  --trace-device ID  print the trace lines of one device (e.g. sim-000003)
Exit status: 0 ok, 1 a device bricked or ended unbootable, 2 usage error, 3 bad scenario.
`;

function int(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new RangeError(`--${name}: expected an integer >= ${min}, got '${text}'`);
  return Number(text);
}

export async function run(args: string[]): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h' || args.length === 0) {
    process.stdout.write(USAGE);
    return args.length === 0 ? ExitCode.USAGE : ExitCode.OK;
  }
  if (args[0] !== 'run') {
    process.stderr.write(`slotwise sim: unknown subcommand '${args[0]}'\n${USAGE}`);
    return ExitCode.USAGE;
  }
  let parsed;
  let seed: number | undefined;
  let devices: number | undefined;
  try {
    parsed = parseArgs({
      args: args.slice(1),
      allowPositionals: true,
      options: { seed: { type: 'string' }, devices: { type: 'string' }, json: { type: 'boolean' }, 'trace-device': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    seed = int('seed', parsed.values.seed, 0);
    devices = int('devices', parsed.values.devices, 1);
    if (parsed.values.help === true) {
      process.stdout.write(USAGE);
      return ExitCode.OK;
    }
    if (parsed.positionals.length !== 1) throw new RangeError('expected exactly one SCENARIO.json');
  } catch (error) {
    process.stderr.write(`slotwise sim run: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.USAGE;
  }
  const file = parsed.positionals[0]!;
  const { parseScenario, formatReport, reportJson } = await import('@slotwise/core/fleet/index');
  let scenario;
  try {
    scenario = parseScenario(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`slotwise sim run: ${file}: ${message}${typeof code === 'string' && code.startsWith('SW_ERR_') ? ` [${code}]` : ''}\n`);
    return ExitCode.BAD_INPUT;
  }
  const { runScenario } = await import('@slotwise/server/sim/run-scenario');
  const bar = process.stderr.isTTY && parsed.values.json !== true ? await startBar(scenario.durationMs) : undefined;
  let result;
  try {
    result = await runScenario(scenario, {
      ...(seed === undefined ? {} : { seed }),
      ...(devices === undefined ? {} : { devices }),
      ...(parsed.values['trace-device'] === undefined ? {} : { traceDevice: parsed.values['trace-device'] }),
      ...(bar === undefined ? {} : { onProgress: (p: { virtualMs: number; updated: number; devices: number }) => bar.update(p.virtualMs, p.updated, p.devices) }),
    });
  } finally {
    bar?.stop();
  }
  if (parsed.values.json === true) process.stdout.write(JSON.stringify(reportJson(result)) + '\n');
  else {
    process.stdout.write(formatReport(result) + '\n');
    if (result.trace.length > 0) process.stdout.write(`\nTrace of ${parsed.values['trace-device']}:\n${result.trace.join('\n')}\n`);
  }
  return result.outcomes.bricked === 0 && result.notBootable.length === 0 ? ExitCode.OK : ExitCode.FAILURE;
}

async function startBar(durationMs: number): Promise<{ update(virtualMs: number, updated: number, devices: number): void; stop(): void }> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar({ format: 'simulating [{bar}] {percentage}% of virtual time | updated {updated}/{devices}', hideCursor: true, clearOnComplete: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(durationMs, 0, { updated: 0, devices: 0 });
  return {
    update: (virtualMs, updated, devices) => bar.update(virtualMs, { updated, devices }),
    stop: () => bar.stop(),
  };
}
