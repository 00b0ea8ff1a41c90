#!/usr/bin/env node
// Bundles the built CLI (packages/cli/dist/main.js, from `tsc -b`) into
// packages/cli/dist/bundle/slotwise.mjs plus lazily loaded chunks, one per command module.
// Why: Node 20 pays about 1 ms per ESM module at start-up; `slotwise image verify` walks some
// 25 modules unbundled. @slotwise/core is bundled in; every other package (server, commander,
// cli-progress, native addons) stays an external import, loaded only by the command that
// needs it. Code that locates files through import.meta.url must not be bundled this way.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: { slotwise: `${root}packages/cli/dist/main.js` },
  outdir: `${root}packages/cli/dist/bundle`,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      name: 'bundle-only-slotwise-core',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@slotwise/core') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
