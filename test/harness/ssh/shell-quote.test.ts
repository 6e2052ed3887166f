import { execFileSync } from 'node:child_process';
import test from 'ava';
import fc from 'fast-check';
import { quoteArg, shellCommand } from '../../../harness/ssh/shell-quote.ts';

// A real POSIX shell is the judge: what it receives must be exactly the argument we quoted.
function echoThroughShell(args: string[]): string[] {
  // A leading marker keeps printf from printing one empty field when there are no arguments.
  const out = execFileSync('sh', ['-c', `printf '%s\\0' marker ${args.map(quoteArg).join(' ')}`]);
  return out.toString('utf8').split('\0').slice(1, -1);
}

const hostile = [
  '[T] TEXT.app',
  'SXL Sample 1.0.pkg',
  "it's",
  '"double"',
  '$(touch /tmp/sxl-pwned)',
  '`id`',
  'a;b && c || d | e > f < g',
  '*',
  '~',
  '$HOME',
  'back\\slash',
  'new\nline',
  '',
  '-n',
];

test('hostile arguments arrive literally in a real shell', (t) => {
  t.deepEqual(echoThroughShell(hostile), hostile);
});

test('plain words stay unquoted for readable transcripts', (t) => {
  t.is(
    shellCommand(['sudo', '-n', 'launchctl', 'print', 'system/NetworkExtension.com.example.1.0.100']),
    'sudo -n launchctl print system/NetworkExtension.com.example.1.0.100',
  );
  t.is(quoteArg("[T] it's"), `'[T] it'\\''s'`);
});

test('any string survives quoting (property)', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')),
        { maxLength: 5 },
      ),
      (args) => {
        const valid = args.map((a) => Buffer.from(a, 'utf8').toString('utf8'));
        return JSON.stringify(echoThroughShell(valid)) === JSON.stringify(valid);
      },
    ),
    { numRuns: 150 },
  );
  t.pass();
});

test('shellCommand refuses an empty argv', (t) => {
  t.throws(() => shellCommand([]), { message: /at least the program name/ });
});
