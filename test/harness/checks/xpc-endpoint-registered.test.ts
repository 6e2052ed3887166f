// The XPC check's branches against a simulated guest over real SSH: no job at the deadline is the
// check failing with launchctl's answer as evidence; an endpoints block without the service too; a
// connection lost while it polls is not a verdict at all (the poll ends with the SSH error, which the
// runner classifies as `error`). And activation's own failure: macOS refusing is `extension-activated`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { checkXpcEndpointRegistered } from '../../../harness/checks/xpc-endpoint-registered.ts';
import { CheckFailedError } from '../../../harness/errors.ts';
import { activateExtension } from '../../../harness/macos/activation.ts';
import type { BundleInfo } from '../../../harness/macos/bundle-info.ts';
import { installBuild } from '../../../harness/macos/install-build.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { makeSampleBuilds } from '../../../sim/builds/make-sample-builds.ts';
import type { QuirkSettings } from '../../../sim/quirks.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sxl-xpc-check-'));
  await makeSampleBuilds(dir);
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const extension: BundleInfo = {
  path: '/Applications/SXL Sample.app/Contents/Library/SystemExtensions/com.example.sxl.app.proxy.systemextension',
  bundleId: 'com.example.sxl.app.proxy',
  shortVersion: '1.1',
  bundleVersion: '110',
  name: 'SXL Proxy',
  machServiceName: 'SXLAB12345.group.com.example.sxl.app.proxy.xpc',
};

async function session(quirks: QuirkSettings = {}) {
  const vm = await bootTestGuest({ quirks });
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

/** Installs sample 1.1 and activates its network extension; returns it as the build lists it. */
async function activated(guest: GuestSession): Promise<BundleInfo> {
  const build = await installBuild(guest, join(dir, 'SXL Sample 1.1.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  const proxy = build.extensions.find((e) => e.machServiceName);
  if (!proxy) throw new Error('sample 1.1 has no network extension');
  await activateExtension(guest, build.appPath, proxy, { timeoutMs: 10_000, approvalSettleMs: 2_000 });
  return proxy;
}

test('a registered job whose endpoints block lacks the service fails, naming what it holds', async (t) => {
  await using s = await session();
  const proxy = await activated(s.guest);
  // The job and its look-up are there for the real name: the check passes.
  const registration = await checkXpcEndpointRegistered(s.guest, proxy, { deadlineMs: 2_000 });
  t.is(registration.label, 'NetworkExtension.com.example.sxl.app.proxy.1.1.110');
  const error = await t.throwsAsync(
    checkXpcEndpointRegistered(
      s.guest,
      { ...proxy, machServiceName: 'SXLAB12345.other.service' },
      { deadlineMs: 300, bootstrapLookup: 'off' },
    ),
    { instanceOf: CheckFailedError },
  );
  t.regex(
    error?.message ?? '',
    /^XPC endpoint missing: the endpoints block of system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 does not hold "SXLAB12345\.other\.service"; it holds "SXLAB12345\.group\.com\.example\.sxl\.app\.proxy\.xpc"; still so at the 300 ms deadline/,
  );
});

test("macOS refusing the activation fails extension-activated with sysextd's lines", async (t) => {
  await using s = await session({ 'activation-no-policy': 1 });
  const error = await t.throwsAsync(activated(s.guest), { instanceOf: CheckFailedError });
  t.is(error?.check, 'extension-activated');
  t.regex(
    error?.message ?? '',
    /^macOS refused the activation of com\.example\.sxl\.app\.proxy .*no policy, cannot allow apps outside \/Applications/,
  );
  t.regex(error?.evidence['sysextd-log.txt'] ?? '', /no policy, cannot allow apps outside/);
});
