import test from 'ava';
import fc from 'fast-check';
import { ShellSyntaxError } from '../../../../sim/guest/errors.ts';
import { expandWord, parseScript } from '../../../../sim/guest/shell/parse.ts';

const q = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const words = (line: string, env: Record<string, string> = {}) =>
  parseScript(line)[0]!.first[0]!.words.map((w) => expandWord(w, env));

test('single-quoted words arrive literally, whatever they hold', (t) => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), (args) => {
      const clean = args.map((a) => a.replace(/\0/g, ''));
      t.deepEqual(words(`echo ${clean.map(q).join(' ')}`), ['echo', ...clean]);
    }),
  );
});

test('hostile names keep brackets, quotes, spaces and $(...) as text', (t) => {
  t.deepEqual(words(`sudo -n installer -pkg '/Users/admin/sxl/[T] it'\\''s $(x).pkg' -target /`), [
    'sudo',
    '-n',
    'installer',
    '-pkg',
    "/Users/admin/sxl/[T] it's $(x).pkg",
    '-target',
    '/',
  ]);
});

test('double quotes expand variables and honour backslash escapes', (t) => {
  // The braces are shell syntax under test, not a template literal.
  const line = 'echo "$HOME/a b" "\\$HOME" "q\\"x" $' + '{USER}x plain\\ word';
  t.deepEqual(
    words(line, {
      HOME: '/Users/admin',
      USER: 'admin',
    }),
    ['echo', '/Users/admin/a b', '$HOME', 'q"x', 'adminx', 'plain word'],
  );
});

test('command substitution outside single quotes is refused at parse time', (t) => {
  t.throws(() => parseScript('echo $(touch /pwned)'), { instanceOf: ShellSyntaxError });
  t.throws(() => parseScript('echo "`touch /pwned`"'), { instanceOf: ShellSyntaxError });
  t.throws(() => parseScript("echo 'unterminated"), { instanceOf: ShellSyntaxError });
});

test('operators and redirections are parsed', (t) => {
  const script = parseScript('a 2>/dev/null && b | c > out.txt 2>&1 || d; e < in');
  t.is(script.length, 2);
  const [first] = script;
  t.is(first!.first[0]!.redirections[0]!.kind, 'file');
  t.deepEqual(
    first!.rest.map((r) => [r.op, r.pipeline.length]),
    [
      ['&&', 2],
      ['||', 1],
    ],
  );
  t.deepEqual(first!.rest[0]!.pipeline[1]!.redirections.at(1), { kind: 'dup', fd: 2, to: 1 });
  t.is(script[1]!.first[0]!.redirections[0]!.kind, 'input');
  t.throws(() => parseScript('a && && b'), { instanceOf: ShellSyntaxError });
});
