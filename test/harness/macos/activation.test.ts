// activateExtension over real SSH to a simulated guest: it relaunches the app, approves the
// extension when macOS waits for the user, and returns at [activated enabled]. Only macOS refusing
// is a failed check (test/harness/checks/xpc-endpoint-registered.test.ts); a guest that goes away
// while the activation is awaited is a typed error that names the lost connection, never a
// CheckFailedError.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CheckFailedError, CommandError, WaitTimeoutError } from '../../../harness/errors.ts';
import { activateExtension } from '../../../harness/macos/activation.ts';
import { installBuild } from '../../../harness/macos/install-build.ts';
import { readSystemExtensions } from '../../../harness/macos/system-extensions.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { makeSampleBuilds } from '../../../sim/builds/make-sample-builds.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sxl-activation-'));
  await makeSampleBuilds(dir);
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function installed() {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const build = await installBuild(guest, join(dir, 'SXL Sample 1.1.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  const proxy = build.extensions.find((e) => e.machServiceName);
  if (!proxy) throw new Error('sample 1.1 has no network extension');
  return {
    vm,
    guest,
    build,
    proxy,
    [Symbol.asyncDispose]: async () => {
      guest.close();
      await vm.guest.powerOff();
    },
  };
}

test('a first activation is approved on the way and ends [activated enabled]', async (t) => {
  await using s = await installed();
  const findings: Record<string, string> = {};
  await activateExtension(s.guest, s.build.appPath, s.proxy, {
    timeoutMs: 10_000,
    approvalSettleMs: 2_000,
    recordFinding: (name, value) => {
      findings[name] = value;
    },
  });
  const list = await readSystemExtensions(s.guest);
  const row = list.extensions.find((e) => e.bundleId === s.proxy.bundleId);
  t.like(row, { state: 'activated enabled', shortVersion: '1.1', bundleVersion: '110' });
  // macOS asked for the user: the approval ran (through the UI on the sim's default image).
  t.like(findings, { 'approval-strategy': 'ui' });
});

test('the guest powering off while the activation is awaited is an error naming the lost connection, not a failed check', async (t) => {
  await using s = await installed();
  // Once the relaunched app's request is being awaited, the VM goes away under the harness.
  s.guest.onExec((record) => {
    if (record.command.includes('systemextensionsctl')) void s.vm.guest.powerOff();
  });
  const error = await t.throwsAsync(
    activateExtension(s.guest, s.build.appPath, s.proxy, { timeoutMs: 3_000, approvalSettleMs: 2_000 }),
  );
  t.false(error instanceof CheckFailedError, `${error?.name}: ${error?.message}`);
  // Where the drop lands decides the error: the state poll reads on until its deadline
  // (WaitTimeoutError naming its last read), or the approval's osascript loses its channel.
  const lost = error instanceof WaitTimeoutError ? error.cause : error;
  t.true(lost instanceof CommandError, `${error?.name}: ${error?.message}`);
  t.regex((lost as Error | undefined)?.message ?? '', /^Exit code none \(connection lost\) from `/);
});
