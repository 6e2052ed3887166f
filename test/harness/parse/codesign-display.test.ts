import test from 'ava';
import { parseCodesignDisplay } from '../../../harness/parse/codesign-display.ts';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { fixture, windowsPaste } from './helpers.ts';

test('codesign -dv --verbose=4 sample (stderr)', (t) => {
  const result = parseCodesignDisplay(fixture('codesign-dv.txt'));
  t.like(result, {
    signed: true,
    executable: '/Users/max/.../CodeSignIssueExtension.framework/CodeSignIssueExtension',
    identifier: 'com.github.rozd-bugs.CodeSignIssueExtension',
    format: 'bundle with Mach-O universal (armv7 arm64)',
    flags: '0x0(none)',
    hardenedRuntime: false,
    cdHash: '31a0241d2dfa7aeb0ca66c0eeceda574bc41ff9a',
    teamIdentifier: 'GL9F4DL9W9',
    signedTime: 'Sep 15, 2019 at 6:36:03 PM',
    timestamp: null,
    notarizationTicket: null,
  });
  t.deepEqual(result.authorities, [
    'iPhone Developer: Maksym Rozdobudko (Y577HTUTT3)',
    'Apple Worldwide Developer Relations Certification Authority',
    'Apple Root CA',
  ]);
  t.is(result.fields['Info.plist'], 'not bound');
  t.deepEqual(parseCodesignDisplay(windowsPaste(fixture('codesign-dv.txt'))), result);
});

test('hardened runtime and notarization lines', (t) => {
  const text = fixture('codesign-dv.txt')
    .replace('flags=0x0(none)', 'flags=0x10000(runtime)')
    .replace(
      'TeamIdentifier=',
      'Timestamp=Jan 2, 2026 at 10:00:00 AM\nNotarization Ticket=stapled\nRuntime Version=26.2.0\nTeamIdentifier=',
    );
  t.like(parseCodesignDisplay(text), {
    flags: '0x10000(runtime)',
    hardenedRuntime: true,
    notarizationTicket: 'stapled',
    runtimeVersion: '26.2.0',
  });
});

test('an unsigned binary is a result; garbage is a ParseError', (t) => {
  t.like(parseCodesignDisplay('/Users/admin/a.out: code object is not signed at all\n'), {
    signed: false,
    identifier: null,
  });
  t.like(
    t.throws(() => parseCodesignDisplay('hello\n'), { instanceOf: ParseError }),
    { line: 1 },
  );
  t.throws(() => parseCodesignDisplay('Foo=bar\n'), { instanceOf: ParseError });
});
