/** Unit tests of the imgtool-compatible argument parser and Python-style integer parsing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { helpText, parseArgs, parseBasedInt, UsageError, type CommandSpec } from './args.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'A demo command.',
  positionals: [
    { name: 'infile', required: true },
    { name: 'outfile', required: false },
  ],
  options: [
    { long: 'key', short: 'k', kind: 'value', help: 'key' },
    { long: 'pad', kind: 'flag', help: 'pad' },
    { long: 'sha', kind: 'value', choices: ['256', '512'], help: 'sha' },
    { long: 'custom-tlv', kind: 'pair', multiple: true, help: 'tlv' },
    { long: 'version', short: 'v', kind: 'value', required: true, help: 'version' },
  ],
};

test('long, inline, short and glued forms all parse', () => {
  const a = parseArgs(spec, ['-k', 'a.pem', '--version=1.2', '--pad', 'in.bin', 'out.bin']);
  assert.equal(a.options.get('key'), 'a.pem');
  assert.equal(a.options.get('version'), '1.2');
  assert.equal(a.options.get('pad'), true);
  assert.deepEqual(a.positionals, ['in.bin', 'out.bin']);
  const b = parseArgs(spec, ['-kb.pem', '-v', '3', '--', '--pad']);
  assert.equal(b.options.get('key'), 'b.pem');
  assert.deepEqual(b.positionals, ['--pad']);
});

test('pair options collect in order', () => {
  const a = parseArgs(spec, ['-v', '1', '--custom-tlv', '0xa0', '0x01', 'in', '--custom-tlv', '0xa1', 'hi']);
  assert.deepEqual(a.options.get('custom-tlv'), [['0xa0', '0x01'], ['0xa1', 'hi']]);
  assert.deepEqual(a.positionals, ['in']);
});

test('mistakes are UsageErrors with click-like messages', () => {
  const cases: Array<[string[], RegExp]> = [
    [['-v', '1', '--nope', 'in'], /No such option: --nope/],
    [['-v', '1', '-z', 'in'], /No such option: -z/],
    [['-v', '1', '--sha', '384', 'in'], /'384' is not one of '256', '512'/],
    [['in'], /Missing option '-v' \/ '--version'/],
    [['-v', '1'], /Missing argument 'INFILE'/],
    [['-v', '1', 'a', 'b', 'c'], /unexpected extra argument \(c\)/],
    [['-v', '1', 'in', '--custom-tlv', 'x'], /requires 2 arguments/],
    [['-v', '1', 'in', '--pad=yes'], /does not take a value/],
    [['-v'], /requires an argument/],
  ];
  for (const [argv, message] of cases) assert.throws(() => parseArgs(spec, argv), (e: unknown) => e instanceof UsageError && message.test(e.message), argv.join(' '));
});

test('--help skips required checks and the help text lists every option', () => {
  assert.equal(parseArgs(spec, ['--help']).help, true);
  const text = helpText(spec);
  for (const name of ['-k, --key', '--pad', '--sha [256|512]', '--custom-tlv', '-v, --version', '[required]', '-h, --help']) assert.ok(text.includes(name), name);
  assert.match(text, /^Usage: slotwise image demo \[OPTIONS\] INFILE \[OUTFILE\]\n/);
});

test('parseBasedInt follows Python int(text, 0)', () => {
  assert.equal(parseBasedInt('0x20'), 32);
  assert.equal(parseBasedInt('0X20'), 32);
  assert.equal(parseBasedInt('0o17'), 15);
  assert.equal(parseBasedInt('0b101'), 5);
  assert.equal(parseBasedInt('131072'), 131072);
  assert.equal(parseBasedInt('00'), 0);
  assert.equal(parseBasedInt('1_000'), 1000);
  assert.equal(parseBasedInt('010'), undefined);
  assert.equal(parseBasedInt('0x'), undefined);
  assert.equal(parseBasedInt('ten'), undefined);
  fc.assert(fc.property(fc.nat(), (n) => parseBasedInt(`0x${n.toString(16)}`) === n && parseBasedInt(String(n)) === n && parseBasedInt(`0b${n.toString(2)}`) === n));
});
