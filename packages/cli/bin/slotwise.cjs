#!/usr/bin/env node
// The installed `slotwise` command. `slotwise image …` runs the single-file CommonJS build of the
// image command (dist/image.cjs, made by `npm run build`) so imgtool-style calls start almost as
// fast as bare Node; when that file is missing or older than the compiled sources, and for every
// other command, it loads the compiled ES modules (dist/main.js).
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};

function imageBundleIsFresh() {
  const bundle = mtime(join(dist, 'image.cjs'));
  if (bundle < 0) return false;
  const sources = [join(dist, '.tsbuildinfo'), join(__dirname, '..', '..', 'core', 'dist', '.core.tsbuildinfo'), join(__dirname, '..', '..', 'core', 'dist', '.node.tsbuildinfo')];
  return sources.every((source) => mtime(source) <= bundle);
}

if (process.argv[2] === 'image' && imageBundleIsFresh()) {
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  require(join(dist, 'image.cjs'))
    .run(process.argv.slice(3))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error) => {
        process.stderr.write(`slotwise: internal error: ${error && error.stack ? error.stack : String(error)}\n`);
        process.exitCode = 70;
      },
    );
} else {
  import(require('node:url').pathToFileURL(join(dist, 'main.js')).href);
}
