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
    t.is(typeof entry.reader, 'function', kind);
    t.true(entry.example.length > 0, kind);
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

// Every registered kind with the fixtures it reads (all of test/fixtures/macos but the domain rows).
const SAMPLES: Record<string, string[]> = {
  'systemextensions-list': [
    'systemextensions-list-older.txt',
    'systemextensions-list-macos15.txt',
    'systemextensions-list-empty.txt',
  ],
  'launchctl-print': [
    'launchctl-print-akd.txt',
    'launchctl-print-login-item.txt',
    'launchctl-print-icloudhelper-excerpt.txt',
    'launchctl-print-ne-sysext.txt',
  ],
  'launchctl-list': ['launchctl-list.txt'],
  'launchctl-error': ['launchctl-error-not-found.txt', 'launchctl-error-bad-request.txt'],
  'launchctl-print-domain': ['launchctl-print-system-domain.txt'],
  'sw-vers': ['sw-vers-14.txt', 'sw-vers-10.13.txt'],
  'pmset-log': ['pmset-log-header.txt', 'pmset-log-wake-sleep.txt'],
  'pmset-assertions': ['pmset-assertions.txt'],
  'unified-log': [
    'log-stream-default.txt',
    'log-show-default-footer.txt',
    'log-show-compact.txt',
    'log-show-json-object.txt',
    'log-show-ne-provider-excerpt.txt',
    'log-stream-lulu-extension.txt',
  ],
  installer: ['installer-upgrade.txt', 'installer-install.txt'],
  'codesign-display': ['codesign-dv.txt'],
  'spctl-assess': ['spctl-accepted.txt'],
  'scutil-nc-list': ['scutil-nc-list-l2tp.txt', 'scutil-nc-list-ne.txt'],
};

test('every fixture parses with its kind', (t) => {
  for (const [kind, names] of Object.entries(SAMPLES)) {
    for (const name of names) t.notThrows(() => parseByKind(kind, fixture(name)), `${kind} ${name}`);
  }
});

test('property: every kind either parses or throws ParseError on mutated fixtures', (t) => {
  const samples = Object.entries(SAMPLES).flatMap(([kind, names]) =>
    names.map((name) => [kind, fixture(name)] as const),
  );
  const mutation = fc.oneof(
    // Cut, splice or insert random text at random places.
    fc
      .tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 8, unit: 'binary' }))
      .map(([a, b, insert]) => (text: string) => {
        const [from, to] = [a % (text.length + 1), b % (text.length + 1)];
        return text.slice(0, Math.min(from, to)) + insert + text.slice(Math.max(from, to));
      }),
    // Duplicate, drop or swap whole lines.
    fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (text: string) => {
      const lines = text.split('\n');
      const i = a % lines.length;
      const j = b % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }),
    fc.constant((text: string) => text.replace(/\t/g, ' ')),
    fc.constant((text: string) => text.replace(/[{}[\]]/g, '')),
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        ([kind, text], edits) => {
          const input = edits.reduce((current, edit) => edit(current), text);
          try {
            parseByKind(kind, input);
          } catch (error) {
            if (!(error instanceof ParseError)) throw error;
          }
        },
      ),
      { numRuns: 3000 },
    ),
  );
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
