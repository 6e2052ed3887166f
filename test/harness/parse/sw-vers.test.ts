import test from 'ava';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parseSwVers } from '../../../harness/parse/sw-vers.ts';
import { expandTabs, fixture, windowsPaste } from './helpers.ts';

test('macOS 11+ form with two TABs', (t) => {
  t.deepEqual(parseSwVers(fixture('sw-vers-14.txt')), {
    productName: 'macOS',
    productVersion: '14.2.1',
    buildVersion: '23C71',
  });
});

test('10.13 form with one TAB and a name with spaces', (t) => {
  t.deepEqual(parseSwVers(fixture('sw-vers-10.13.txt')), {
    productName: 'Mac OS X',
    productVersion: '10.13',
    buildVersion: '17A405',
  });
});

test('spaces, CRLF, a missing final newline and an extra key parse the same', (t) => {
  const text = fixture('sw-vers-14.txt');
  const expected = parseSwVers(text);
  t.deepEqual(parseSwVers(expandTabs(text)), expected);
  t.deepEqual(parseSwVers(windowsPaste(text)), expected);
  t.deepEqual(parseSwVers(text.trimEnd()), expected);
  t.deepEqual(parseSwVers(text.replace('BuildVersion', 'OtherKey:\t1\nBuildVersion')), expected);
});

test('a missing key, `sw_vers -productVersion` output and garbage are ParseErrors', (t) => {
  const missing = t.throws(() => parseSwVers('ProductName:\t\tmacOS\nProductVersion:\t\t14.2.1\n'), {
    instanceOf: ParseError,
  });
  t.is(
    missing.message,
    'Cannot parse sw_vers: line 3: expected a line "BuildVersion:<TAB><value>" but reached the end of the input',
  );
  t.like(
    t.throws(() => parseSwVers('14.2.1\n'), { instanceOf: ParseError }),
    { line: 1, got: '14.2.1' },
  );
  t.throws(() => parseSwVers(''), { instanceOf: ParseError });
});

test('an excerpt cut in the last value names the missing key', (t) => {
  const text = fixture('sw-vers-14.txt');
  const error = t.throws(() => parseSwVers(text.slice(0, text.indexOf('BuildVersion:') + 13)), {
    instanceOf: ParseError,
  });
  t.regex(error.message, /BuildVersion/);
});
