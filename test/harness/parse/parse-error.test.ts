import test from 'ava';
import { ParseError } from '../../../harness/parse/parse-error.ts';

test('message starts with the reason and subject and ends with the evidence', (t) => {
  const error = new ParseError({ kind: 'k', command: 'cmd', line: 3, expected: 'a thing', got: 'a\tb' });
  t.is(error.message, 'Cannot parse cmd: line 3: expected a thing but got "a\\tb"');
  t.like(error, { name: 'ParseError', kind: 'k', command: 'cmd', line: 3, expected: 'a thing', got: 'a\tb' });
  t.true(error instanceof Error);
});

test('end of input and long lines', (t) => {
  t.is(
    new ParseError({ kind: 'k', command: 'cmd', line: 1, expected: 'x', got: null }).message,
    'Cannot parse cmd: line 1: expected x but reached the end of the input',
  );
  const long = new ParseError({ kind: 'k', command: 'cmd', line: 1, expected: 'x', got: 'y'.repeat(1000) });
  t.true(long.message.length < 250);
  t.is(long.got, 'y'.repeat(1000));
});
