#!/usr/bin/env node
// Bundles the `slotwise image` command (packages/cli/dist/commands/image.js from `tsc -b`, with
// @slotwise/core inlined) into one CommonJS file, packages/cli/dist/image.cjs, which the
// `slotwise` launcher (packages/cli/bin/slotwise.cjs) runs for `slotwise image …`.
// Why: imgtool replacements are called from build scripts many times; on Node 20 the ES-module
// loader alone costs more than the image work (see bench/image-cli.bench.ts), a single CommonJS
// file does not pay it. Other packages stay external; the image command must not use import.meta.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}packages/cli/dist/commands/image.js`],
  outfile: `${root}packages/cli/dist/image.cjs`,
  bundle: true,
  minify: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'error' },
  plugins: [
    {
      name: 'bundle-only-slotwise-core',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@slotwise/core') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
