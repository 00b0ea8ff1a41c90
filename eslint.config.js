// Lint rules: typescript-eslint's recommended set, no `any`, and the determinism bans of
// STYLE.md §4.3 (no wall clock, ambient randomness or real timers in the pure core).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ambientBans = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Core code reads time through the Clock port.' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Core code reads time through the Clock port.' },
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Core code draws randomness from the Random port.' },
  { selector: "CallExpression[callee.name=/^(setTimeout|setInterval|setImmediate)$/]", message: 'Core code schedules through the Scheduler port.' },
  { selector: "MemberExpression[object.name='crypto'][property.name='getRandomValues']", message: 'Core code draws randomness from the Random port.' },
  { selector: "Identifier[name='process']", message: 'Core code does not read the process environment.' },
  { selector: "Identifier[name='Buffer']", message: 'Core APIs use Uint8Array, never Buffer.' },
];

export default tseslint.config(
  { ignores: ['eslint.config.js', '.dependency-cruiser.cjs', '**/dist/**', '**/node_modules/**', 'packages/dashboard/dist/**', 'data/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { console: 'readonly', process: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', AbortController: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a derived union (erasableSyntaxOnly).' }, { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
    },
  },
  {
    files: ['packages/dashboard/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(node:|@slotwise/(?!core/(image|protocol)$))', message: 'The dashboard runs in the browser and reads the management API: of Slotwise it imports only @slotwise/core/image and @slotwise/core/protocol.' }] }],
    },
  },
  {
    // The installed launcher is CommonJS on purpose (bin/slotwise.cjs: no ES-module loader for `image`).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/node/**', 'packages/core/src/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a derived union.' }, { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }, ...ambientBans],
    },
  },
);
