import test from 'ava';
import { splitLines } from '../../../harness/parse/lines.ts';

test('LF, CRLF, CR, BOM, trailing blanks and non-breaking spaces', (t) => {
  t.deepEqual(
    splitLines('\uFEFFa \r\nb\t\rc\u00a0d\u00a0\n').map((l) => l.text),
    ['a', 'b', 'c d'],
  );
});

test('only the last line of text without a final newline may be cut', (t) => {
  t.deepEqual(
    splitLines('a\nb').map((l) => [l.number, l.mayBeCut]),
    [
      [1, false],
      [2, true],
    ],
  );
  t.deepEqual(
    splitLines('a\nb\n').map((l) => l.mayBeCut),
    [false, false],
  );
  t.deepEqual(splitLines(''), []);
});

test('a long run of blanks inside a line is handled in linear time', (t) => {
  const line = ' '.repeat(200_000) + 'x' + ' '.repeat(10);
  t.is(splitLines(line)[0]?.text.length, 200_001);
});
