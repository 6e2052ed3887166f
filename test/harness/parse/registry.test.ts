import test from 'ava';
import fc from 'fast-check';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parseByKind, parseKinds, UnknownParseKindError } from '../../../harness/parse/registry.ts';
import { fixture } from './helpers.ts';

test('the CLI kinds are registered with a description each', (t) => {
  for (const kind of [
    'systemextensions-list',
    'launchctl-print',
    'launchctl-list',
    'sw-vers',
    'launchctl-error',
  ]) {
    t.true(kind in parseKinds, kind);
  }
  for (const [kind, entry] of Object.entries(parseKinds)) {
    t.true(entry.description.length > 0, kind);
    t.is(typeof entry.parse, 'function', kind);
  }
});

test('parseByKind dispatches to the parser', (t) => {
  t.deepEqual(parseByKind('sw-vers', fixture('sw-vers-14.txt')), {
    productName: 'macOS',
    productVersion: '14.2.1',
    buildVersion: '23C71',
  });
});

test('an unknown kind names itself and the valid kinds', (t) => {
  const error = t.throws(() => parseByKind('sysext-list', ''), { instanceOf: UnknownParseKindError });
  t.is(error.kind, 'sysext-list');
  t.true(error.message.startsWith('Unknown parse kind "sysext-list": valid kinds are '));
  for (const kind of Object.keys(parseKinds)) t.true(error.message.includes(kind), kind);
  t.throws(() => parseByKind('toString', ''), { instanceOf: UnknownParseKindError });
  t.throws(() => parseByKind('__proto__', ''), { instanceOf: UnknownParseKindError });
});

test('property: every kind either parses or throws ParseError on random text', (t) => {
  const kinds = Object.keys(parseKinds);
  const text = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 20 })).map((parts) => parts.join('\t\n{} = "[]')),
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.constantFrom(...kinds), text, (kind, input) => {
        try {
          parseByKind(kind, input);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
      }),
      { numRuns: 1000 },
    ),
  );
});
