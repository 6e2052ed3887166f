import test from 'ava';
import { describeSigning } from '../../../harness/macos/signing-summary.ts';
import { parseCodesignDisplay } from '../../../harness/parse/codesign-display.ts';
import { parseSpctlAssess } from '../../../harness/parse/spctl-assess.ts';
import { fixture } from '../parse/helpers.ts';

test('real codesign and spctl output give the Team ID, authority, runtime, ticket and verdict', (t) => {
  const summary = describeSigning(
    parseCodesignDisplay(fixture('codesign-dv.txt')),
    parseSpctlAssess(fixture('spctl-accepted.txt')),
  );
  t.is(
    summary,
    'Team ID GL9F4DL9W9; iPhone Developer: Maksym Rozdobudko (Y577HTUTT3); no hardened runtime; no stapled ticket; spctl: accepted (Notarized Developer ID)',
  );
});

test('an unsigned bundle and unreadable output say so instead of guessing', (t) => {
  t.is(
    describeSigning(
      parseCodesignDisplay('/Applications/X.app: code object is not signed at all\n'),
      undefined,
    ),
    'not signed',
  );
  t.is(describeSigning(undefined, undefined), 'unknown (codesign and spctl gave nothing readable)');
});
