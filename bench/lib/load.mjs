// Load generator for the server benchmarks, run as its own process so it does not share the
// server's event loop: autocannon on loopback. Input (argv[2]): JSON file with
// { url, connections, durationSec, pipelining, paths?: [{path, headers}], headers? }.
// Output: one JSON line with requests/s, bytes/s and latency percentiles (ms).
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let i = 0;
const paths = spec.paths ?? null;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationSec,
  pipelining: spec.pipelining ?? 1,
  headers: spec.headers ?? {},
  requests: paths === null
    ? undefined
    : [
        {
          setupRequest(req) {
            const p = paths[i++ % paths.length];
            return { ...req, path: p.path, headers: { ...req.headers, ...p.headers } };
          },
        },
      ],
});
const codes = {};
for (const [k, v] of Object.entries(result.statusCodeStats ?? {})) codes[k] = v.count;
process.stdout.write(
  JSON.stringify({
    requestsPerSec: result.requests.average,
    bytesPerSec: result.throughput.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    codes,
  }) + '\n',
);
