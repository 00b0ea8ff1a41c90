/**
 * Artifact download throughput, Slotwise vs nginx serving the same file in the same run
 * (Debian's nginx, one worker, sendfile on; skipped with a message when /usr/sbin/nginx is
 * absent). Both on 127.0.0.1 with a 16 MiB artifact: 1 MiB and 64 KiB Range requests
 * (resume and RAUC streaming clients) from autocannon in a separate process
 * (bench/lib/load.mjs, 8 connections), and whole-file GETs with curl (a C client: autocannon
 * parses bodies in JavaScript and is itself the bottleneck for large bodies), 4 parallel
 * transfers. Goal (issue 4): >= 0.8x nginx. Prints numbers; never asserts.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createRandom } from '../packages/core/src/index.js';
import { systemClock } from '../packages/core/src/node/system.js';
import { buildApp } from '../packages/server/src/app.js';
import { createFsBlobStore } from '../packages/server/src/blob/blob-store.js';
import { createIdGenerator } from '../packages/server/src/service/context.js';
import { openSqliteStore } from '../packages/server/src/store/sqlite/sqlite-store.js';

const LOAD = fileURLToPath(new URL('./lib/load.mjs', import.meta.url));
const NGINX = '/usr/sbin/nginx';
const SIZE = 16 * 1024 * 1024;
const SECONDS = Number(process.env.SLOTWISE_BENCH_SECONDS ?? 5);

interface LoadResult {
  requestsPerSec: number;
  bytesPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(dir: string, name: string, spec: object): Promise<LoadResult> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const child = spawn(process.execPath, [LOAD, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return JSON.parse(out) as LoadResult;
}

const mbps = (r: LoadResult): string => `${(r.bytesPerSec / 1024 / 1024).toFixed(0)} MiB/s (${r.requestsPerSec.toFixed(0)} req/s, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors})`;

const dir = mkdtempSync(join(tmpdir(), 'slotwise-bench-dl-'));
try {
  const bytes = randomBytes(SIZE);
  const store = openSqliteStore(join(dir, 'slotwise.db'));
  await store.migrate();
  const random = createRandom(3);
  const app = await buildApp({ store, blobs: createFsBlobStore(join(dir, 'artifacts')), clock: systemClock, random, ids: createIdGenerator(random.fork('ids')), inspectImage: async () => ({ kind: 'opaque' }), logger: false });
  const { key } = await app.slotwise.services.apiKeys.create('bench', 'bench');
  const admin = { authorization: `Bearer ${key}` };
  const reg = await app.inject({ method: 'POST', url: '/api/v1/devices', headers: { ...admin, 'content-type': 'application/json' }, payload: { controllerId: 'dl-1' } });
  const token = (reg.json() as { token: string }).token;
  const art = await app.inject({ method: 'POST', url: '/api/v1/artifacts?filename=fw.bin', headers: { ...admin, 'content-type': 'application/octet-stream' }, payload: bytes });
  const rel = await app.inject({ method: 'POST', url: '/api/v1/releases', headers: { ...admin, 'content-type': 'application/json' }, payload: { name: 'fw', version: '1', artifacts: [{ sha256: (art.json() as { sha256: string }).sha256 }] } });
  const releaseId = (rel.json() as { id: number }).id;
  await app.inject({ method: 'POST', url: '/api/v1/deployments', headers: { ...admin, 'content-type': 'application/json' }, payload: { controllerId: 'dl-1', releaseId } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const ours = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const path = `/DEFAULT/controller/v1/dl-1/softwaremodules/${releaseId}/artifacts/fw.bin`;
  const auth = { authorization: `TargetToken ${token}` };

  let nginxUrl: string | null = null;
  let stopNginx = (): void => undefined;
  if (existsSync(NGINX)) {
    const root = join(dir, 'www');
    mkdirSync(join(root, 'files'), { recursive: true });
    writeFileSync(join(root, 'files', 'fw.bin'), bytes);
    const port = 20_000 + (process.pid % 20_000);
    writeFileSync(
      join(dir, 'nginx.conf'),
      `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_timeout 65; client_body_temp_path ${dir}/nb; proxy_temp_path ${dir}/np; fastcgi_temp_path ${dir}/nf; uwsgi_temp_path ${dir}/nu; scgi_temp_path ${dir}/ns;
  server { listen 127.0.0.1:${port}; root ${root}; location / { } } }`,
    );
    const nginx = spawn(NGINX, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
    stopNginx = () => nginx.kill('SIGTERM');
    nginxUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      try {
        if ((await fetch(`${nginxUrl}/files/fw.bin`, { method: 'HEAD' })).ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } else {
    console.log('nginx is not installed (/usr/sbin/nginx): no comparison in this run');
  }

  for (const [label, headers] of [
    ['1 MiB ranges', { range: 'bytes=1048576-2097151' }],
    ['64 KiB ranges', { range: 'bytes=65536-131071' }],
  ] as const) {
    const ourRes = await load(dir, 'ours', { url: `${ours}${path}`, connections: 8, durationSec: SECONDS, headers: { ...auth, ...headers } });
    let line = `${label}: slotwise ${mbps(ourRes)}`;
    if (nginxUrl !== null) {
      const ngx = await load(dir, 'nginx', { url: `${nginxUrl}/files/fw.bin`, connections: 8, durationSec: SECONDS, headers });
      line += `\n${' '.repeat(label.length)}  nginx    ${mbps(ngx)}\n${' '.repeat(label.length)}  ratio    ${(ourRes.bytesPerSec / ngx.bytesPerSec).toFixed(2)}x nginx (goal >= 0.8x)`;
    }
    console.log(line);
  }
  if (existsSync('/usr/bin/curl')) {
    const curl = async (url: string, headers: Record<string, string>): Promise<number> => {
      const args = ['-s', '-o', '/dev/null', '-w', '%{size_download}\\n', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`])];
      const started = performance.now();
      let total = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 8; i++) {
            const child = spawn('/usr/bin/curl', [...args, url], { stdio: ['ignore', 'pipe', 'ignore'] });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            await new Promise<void>((resolve) => child.once('exit', () => resolve()));
            total += Number(out.trim());
          }
        }),
      );
      return total / ((performance.now() - started) / 1000);
    };
    const ourCurl = await curl(`${ours}${path}`, auth);
    let line = `whole file, curl x4: slotwise ${(ourCurl / 1024 / 1024).toFixed(0)} MiB/s`;
    if (nginxUrl !== null) {
      const ngxCurl = await curl(`${nginxUrl}/files/fw.bin`, {});
      line += `, nginx ${(ngxCurl / 1024 / 1024).toFixed(0)} MiB/s, ratio ${(ourCurl / ngxCurl).toFixed(2)}x`;
    }
    console.log(line);
  }
  stopNginx();
  await app.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
