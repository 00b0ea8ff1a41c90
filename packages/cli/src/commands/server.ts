/**
 * @module commands/server
 * `slotwise server [--data DIR] [--db sqlite:FILE|postgres://…] [--host H] [--port N]
 * [--public-url URL] [--trusted-proxy IP]… [--max-upload BYTES] [--insecure-lab]
 * [--admin-key KEY] [--log-level L]`: runs the update server until SIGINT/SIGTERM.
 * Defaults: SQLite in ./data, port 8080 on all interfaces.
 */
import { parseArgs } from 'node:util';
import { ExitCode } from '../exit-codes.js';

const HELP = `Usage: slotwise server [options]

Runs the hawkBit-compatible update server (device API under /{tenant}/controller/v1,
management API under /api/v1, OpenAPI at /docs, /healthz, /metrics).

Options:
  --data DIR            data directory (SQLite file, artifacts, admin key)   [./data]
  --db URL              sqlite:FILE or postgres://user@host:port/db          [sqlite:DIR/slotwise.db]
  --host HOST           listen address                                       [0.0.0.0]
  --port N              listen port                                          [8080]
  --public-url URL      base URL used in links given to devices              [from the Host header]
  --trusted-proxy IP    accept X-Controller-Id/X-Authority certificate headers from IP (repeatable)
  --max-upload BYTES    artifact size limit                                  [67108864]
  --admin-key KEY       install this admin API key if none exists (else one is written to DIR/admin-key)
  --rate-limit R/W|off  DDI requests per second per public client address   [200/50]
  --insecure-lab        accept DDI requests without credentials (lab only; loudly logged)
  --log-level LEVEL     pino level: fatal error warn info debug              [info]
`;

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        data: { type: 'string', default: './data' },
        db: { type: 'string' },
        host: { type: 'string', default: '0.0.0.0' },
        port: { type: 'string', default: '8080' },
        'public-url': { type: 'string' },
        'trusted-proxy': { type: 'string', multiple: true, default: [] },
        'max-upload': { type: 'string', default: String(64 * 1024 * 1024) },
        'admin-key': { type: 'string' },
        'insecure-lab': { type: 'boolean', default: false },
        'rate-limit': { type: 'string', default: '200/50' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`slotwise server: ${error instanceof Error ? error.message : String(error)}\n${HELP}`);
    return ExitCode.USAGE;
  }
  const v = parsed.values;
  if (v.help === true) {
    process.stdout.write(HELP);
    return ExitCode.OK;
  }
  const port = Number(v.port);
  const maxUpload = Number(v['max-upload']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`slotwise server: --port must be 0–65535, got ${v.port}\n`);
    return ExitCode.USAGE;
  }
  if (!Number.isInteger(maxUpload) || maxUpload < 1) {
    process.stderr.write(`slotwise server: --max-upload must be a positive integer, got ${v['max-upload']}\n`);
    return ExitCode.USAGE;
  }
  const limit = v['rate-limit'] ?? '200/50';
  const lm = /^(\d+)\/(\d+)$/.exec(limit);
  if (limit !== 'off' && lm === null) {
    process.stderr.write(`slotwise server: --rate-limit must be READS/WRITES per second (200/50) or off, got ${limit}\n`);
    return ExitCode.USAGE;
  }
  const { startServer, closeOnSignals } = await import('@slotwise/server/main');
  try {
    const server = await startServer({
      dataDir: v.data ?? './data',
      db: v.db ?? null,
      host: v.host ?? '0.0.0.0',
      port,
      publicUrl: v['public-url'] ?? null,
      insecureLab: v['insecure-lab'] === true,
      trustedProxies: v['trusted-proxy'] ?? [],
      maxUploadBytes: maxUpload,
      logLevel: v['log-level'] ?? 'info',
      adminKey: v['admin-key'] ?? process.env.SLOTWISE_ADMIN_KEY ?? null,
      rateLimit: lm === null ? null : { readsPerSec: Number(lm[1]), writesPerSec: Number(lm[2]), exemptPrivate: true },
    });
    closeOnSignals(server);
    if (server.adminKeyFile !== null) process.stderr.write(`slotwise server: admin API key written to ${server.adminKeyFile}\n`);
    await new Promise<void>((resolve) => server.app.server.once('close', () => resolve()));
    return ExitCode.OK;
  } catch (error) {
    process.stderr.write(`slotwise server: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.UNAVAILABLE;
  }
}
