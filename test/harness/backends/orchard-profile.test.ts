// --backend orchard's profile: credentials from Orchard's own variables (masked), usage errors
// that name what is missing, and the operations Orchard cannot do refused with a typed error.
import test from 'ava';
import { orchardSettings } from '../../../harness/backends/orchard/orchard-profile.ts';
import { createBackend } from '../../../harness/backends/registry.ts';
import { BackendUnsupportedError, ConfigError } from '../../../harness/errors.ts';

const env = {
  ORCHARD_URL: 'http://127.0.0.1:6120',
  ORCHARD_SERVICE_ACCOUNT_NAME: 'ci',
  ORCHARD_SERVICE_ACCOUNT_TOKEN: 's3cret-token',
};

test('credentials come from ORCHARD_URL and ORCHARD_SERVICE_ACCOUNT_NAME/_TOKEN; settings win', (t) => {
  t.deepEqual(orchardSettings({}, env), {
    url: 'http://127.0.0.1:6120',
    serviceAccountName: 'ci',
    serviceAccountToken: 's3cret-token',
  });
  t.is(orchardSettings({ url: 'https://fleet:6120' }, env).url, 'https://fleet:6120');
  t.is(orchardSettings({}, { ORCHARD_URL: 'http://x:1' }).serviceAccountName, undefined);
});

test('usage errors name the variable, the expected and the got value', (t) => {
  const missing = t.throws(() => orchardSettings({}, {}), { instanceOf: ConfigError });
  t.regex(missing?.message ?? '', /ORCHARD_URL/);
  t.regex(
    t.throws(() => orchardSettings({}, { ORCHARD_URL: 'fleet:6120' }))?.message ?? '',
    /http:\/\/ or https:\/\/ address, got "fleet:6120"/,
  );
  t.regex(
    t.throws(() => orchardSettings({}, { ORCHARD_URL: 'http://x:1', ORCHARD_SERVICE_ACCOUNT_NAME: 'ci' }))
      ?.message ?? '',
    /ORCHARD_SERVICE_ACCOUNT_TOKEN must be set/,
  );
  t.regex(
    t.throws(() => orchardSettings({ ssh: 'telnet' }, env))?.message ?? '',
    /port-forward or direct, got "telnet"/,
  );
  t.regex(
    t.throws(() => createBackend('orchard', { url: 'http://x:1', seed: 3 }))?.message ?? '',
    /--seed works only with --backend sim/,
  );
});

test('the token and the guest password are secrets; suspend and resume are refused with a typed error', async (t) => {
  const profile = createBackend('orchard', {
    url: env.ORCHARD_URL,
    serviceAccountName: 'ci',
    serviceAccountToken: 's3cret-token',
  });
  t.deepEqual(profile.secrets.map((s) => s.value).sort(), ['admin', 's3cret-token']);
  t.false(JSON.stringify(profile.record).includes('s3cret-token'));
  const suspend = await t.throwsAsync(profile.vms.suspend('sxl-x-1'), {
    instanceOf: BackendUnsupportedError,
  });
  t.is(suspend?.name, 'BackendUnsupportedError');
  t.regex(suspend?.message ?? '', /^Backend orchard cannot suspend sxl-x-1: /);
  await t.throwsAsync(profile.vms.resume('sxl-x-1', { logFile: '/dev/null' }), {
    instanceOf: BackendUnsupportedError,
  });
  await profile.vms.clone('ghcr.io/cirruslabs/macos-sequoia-base:latest', 'sxl-x-2');
  await t.throwsAsync(profile.vms.start('sxl-x-2', { logFile: '/dev/null', suspendable: true }), {
    instanceOf: BackendUnsupportedError,
  });
});
