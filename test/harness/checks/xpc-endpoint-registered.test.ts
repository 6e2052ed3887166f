// The XPC check's branches against a simulated guest over real SSH: no job at the deadline is the
// check failing with launchctl's answer as evidence; a connection lost while it polls is not a
// verdict at all (the poll ends with the SSH error, which the runner classifies as `error`).
import test from 'ava';
import { checkXpcEndpointRegistered } from '../../../harness/checks/xpc-endpoint-registered.ts';
import { CheckFailedError } from '../../../harness/errors.ts';
import type { BundleInfo } from '../../../harness/macos/bundle-info.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

const extension: BundleInfo = {
  path: '/Applications/SXL Sample.app/Contents/Library/SystemExtensions/com.example.sxl.app.proxy.systemextension',
  bundleId: 'com.example.sxl.app.proxy',
  shortVersion: '1.1',
  bundleVersion: '110',
  name: 'SXL Proxy',
  machServiceName: 'SXLAB12345.group.com.example.sxl.app.proxy.xpc',
};

async function session() {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  return {
    guest,
    [Symbol.asyncDispose]: async () => {
      guest.close();
      await vm.guest.powerOff();
    },
  };
}

test('no job by the deadline: the check fails with launchctl print as evidence', async (t) => {
  await using s = await session();
  const error = await t.throwsAsync(
    checkXpcEndpointRegistered(s.guest, extension, { deadlineMs: 300, bootstrapLookup: 'off' }),
    { instanceOf: CheckFailedError },
  );
  t.is(error?.check, 'xpc-endpoint-registered');
  t.regex(
    error?.message ?? '',
    /^XPC endpoint missing: launchd has no job system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 for com\.example\.sxl\.app\.proxy; jobs with its prefix: none; still so at the 300 ms deadline \(\d+ reads\)$/,
  );
  t.regex(
    error?.evidence['launchctl-print-NetworkExtension.com.example.sxl.app.proxy.1.1.110.txt'] ?? '',
    /Could not find service "NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110" in domain for system/,
  );
});

test('a connection lost while the check polls ends it with that error, not a failed check', async (t) => {
  await using s = await session();
  const polling = checkXpcEndpointRegistered(s.guest, extension, {
    deadlineMs: 30_000,
    bootstrapLookup: 'off',
    // The first read found no job: the connection goes before the next read.
    note: () => s.guest.close(),
  });
  const error = await t.throwsAsync(polling);
  t.false(error instanceof CheckFailedError, `${error?.name}: ${error?.message}`);
});
