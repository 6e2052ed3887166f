import test from 'ava';
import { parseLaunchctlError } from '../../../harness/parse/launchctl-error.ts';
import { fixture, windowsPaste } from './helpers.ts';

test('service not found in the system domain, with and without "Bad request."', (t) => {
  const expected = { kind: 'service-not-found', label: 'com.foo', domain: 'system' };
  t.deepEqual(parseLaunchctlError(fixture('launchctl-error-not-found.txt')), expected);
  t.deepEqual(parseLaunchctlError(fixture('launchctl-error-bad-request.txt')), expected);
  t.deepEqual(parseLaunchctlError(windowsPaste(fixture('launchctl-error-bad-request.txt'))), expected);
});

test('a per-user domain wording maps to gui/<uid>', (t) => {
  t.deepEqual(
    parseLaunchctlError('Could not find service "com.vendor.helper" in domain for user gui: 501\n'),
    {
      kind: 'service-not-found',
      label: 'com.vendor.helper',
      domain: 'gui/501',
    },
  );
});

test('other text is not recognised: null, never an exception', (t) => {
  t.is(parseLaunchctlError(''), null);
  t.is(parseLaunchctlError('Bad request.\n'), null);
  t.is(parseLaunchctlError('Operation not permitted\n'), null);
  t.is(parseLaunchctlError('Could not print domain: 125\n'), null);
  t.is(parseLaunchctlError(fixture('launchctl-print-akd.txt')), null);
});
