import test from 'ava';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parseSpctlAssess } from '../../../harness/parse/spctl-assess.ts';
import { fixture, windowsPaste } from './helpers.ts';

test('accepted notarized app', (t) => {
  const expected = {
    path: '/Applications/Chakshu.app',
    verdict: 'accepted',
    accepted: true,
    source: 'Notarized Developer ID',
    origin: 'Developer ID Application: ROBIN SHARMA (R65679C4F3)',
    fields: {
      source: 'Notarized Developer ID',
      origin: 'Developer ID Application: ROBIN SHARMA (R65679C4F3)',
    },
  };
  t.deepEqual(parseSpctlAssess(fixture('spctl-accepted.txt')), expected);
  t.deepEqual(parseSpctlAssess(windowsPaste(fixture('spctl-accepted.txt'))), expected);
});

test('rejected and internal-error forms, paths with spaces and colons', (t) => {
  t.like(parseSpctlAssess('/Applications/My App.app: rejected\n'), {
    path: '/Applications/My App.app',
    accepted: false,
    verdict: 'rejected',
    source: null,
  });
  t.like(parseSpctlAssess('/Applications/A: B.app: rejected\nsource=no usable signature\n'), {
    path: '/Applications/A: B.app',
    source: 'no usable signature',
  });
  t.like(parseSpctlAssess('/x/y.dext: internal error in Code Signing subsystem\n'), {
    verdict: 'internal error in Code Signing subsystem',
    accepted: false,
  });
});

test('garbage and empty input are ParseErrors', (t) => {
  t.throws(() => parseSpctlAssess('hello\n'), { instanceOf: ParseError });
  t.throws(() => parseSpctlAssess('source=x\n'), { instanceOf: ParseError });
  t.like(
    t.throws(() => parseSpctlAssess('/a: accepted\nnonsense\n'), { instanceOf: ParseError }),
    { line: 2 },
  );
  t.throws(() => parseSpctlAssess(''), { instanceOf: ParseError });
});
