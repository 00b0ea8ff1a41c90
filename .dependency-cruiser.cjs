/** Layering rules of STYLE.md §4.3, checked by `npm run layers` (part of `npm test`). */
const core = '^packages/core/src/';
const pureCore = `${core}(?!node/)`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'core-is-pure', comment: 'The core imports no node:* module and no npm package (adapters live in core/src/node).', severity: 'error',
      from: { path: pureCore }, to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] } },
    { name: 'core-imports-no-package', severity: 'error', from: { path: core }, to: { path: '^packages/(server|cli|dashboard)/' } },
    { name: 'server-imports-no-cli', severity: 'error', from: { path: '^packages/server/' }, to: { path: '^packages/cli/' } },
    { name: 'bytes-is-a-leaf', severity: 'error', from: { path: `${core}bytes/` }, to: { path: core, pathNot: `${core}(bytes/|errors\\.ts)` } },
    { name: 'sim-is-a-leaf', severity: 'error', from: { path: `${core}sim/` }, to: { path: core, pathNot: `${core}(sim/|errors\\.ts)` } },
    { name: 'image-layer', severity: 'error', from: { path: `${core}image/` }, to: { path: core, pathNot: `${core}(image/|bytes/|crypto/|errors\\.ts)` } },
    { name: 'flash-layer', severity: 'error', from: { path: `${core}flash/` }, to: { path: core, pathNot: `${core}(flash/|bytes/|errors\\.ts)` } },
    { name: 'boot-layer', severity: 'error', from: { path: `${core}boot/` }, to: { path: core, pathNot: `${core}(boot/|image/|flash/|bytes/|crypto/|errors\\.ts)` } },
    { name: 'boards-layer', severity: 'error', from: { path: `${core}boards/` }, to: { path: core, pathNot: `${core}(boards/|flash/|boot/|errors\\.ts)` } },
    { name: 'protocol-layer', severity: 'error', from: { path: `${core}protocol/` }, to: { path: core, pathNot: `${core}(protocol/|bytes/|image/|errors\\.ts)` } },
    { name: 'device-uses-public-boot-api-only', severity: 'error', from: { path: `${core}device/` }, to: { path: `${core}(boot/(loader|swap/)|fleet/)` } },
    { name: 'dashboard-runs-in-the-browser', comment: 'The dashboard imports no node:* module (eslint restricts its @slotwise imports to core/image and core/protocol).', severity: 'error',
      from: { path: '^packages/dashboard/src/' }, to: { dependencyTypes: ['core'] } },
    { name: 'fleet-layer', severity: 'error', from: { path: `${core}fleet/` }, to: { path: `${core}(flash/nor|boot/swap/)` } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js'] },
    exclude: { path: '(\\.test\\.ts$|/dist/)' },
  },
};
