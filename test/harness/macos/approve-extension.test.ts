// The approval strategies against a simulated guest over real SSH: `auto` approves through System
// Settings on both images (the (i) sheet on 15, By Category first on 26) and answers the proxy
// configuration's Allow; `ui` forced under approval-ui-ignored is ApprovalAutomationError with the UI
// tree and a PNG; `auto` then falls back to the database (SIP off) and labels it bypassed; the
// database refuses with SIP on; `preapproved` only verifies; a wrong element path in the harness's
// script fails with System Events' -1719/-1728.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ApprovalAutomationError } from '../../../harness/errors.ts';
import { relaunchApp } from '../../../harness/macos/app-process.ts';
import { approvalScript } from '../../../harness/macos/approval/ui-script.ts';
import { type ApprovalOptions, approveExtension } from '../../../harness/macos/approve-extension.ts';
import { readGuestTime } from '../../../harness/macos/guest-clock.ts';
import { waitForGuiSession } from '../../../harness/macos/gui-session.ts';
import { installBuild } from '../../../harness/macos/install-build.ts';
import { awaitActivationOutcome } from '../../../harness/macos/sysextd-log.ts';
import { listNetworkServices } from '../../../harness/macos/transparent-proxy.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { makeSampleBuilds } from '../../../sim/builds/make-sample-builds.ts';
import type { ImageManifest } from '../../../sim/images.ts';
import type { QuirkSettings } from '../../../sim/quirks.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sxl-approve-'));
  await makeSampleBuilds(dir);
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const EXTENSION = { bundleId: 'com.example.sxl.app.proxy', shortVersion: '1.0', bundleVersion: '100' };
const NAME = 'SXL Transparent Proxy';
const SEQUOIA = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';
const TAHOE = 'ghcr.io/cirruslabs/macos-tahoe-base:latest';

/** A guest whose sample extension 1.0 waits for the user; `since` is from before its request. */
async function waiting(
  options: {
    quirks?: QuirkSettings;
    image?: string;
    mutate?: (m: ImageManifest) => void;
    timeScale?: number;
  } = {},
) {
  const vm = await bootTestGuest(options);
  let guest: GuestSession | undefined;
  const localDir = await mkdtemp(join(tmpdir(), 'sxl-approve-evidence-'));
  const dispose = async () => {
    guest?.close();
    await vm.guest.powerOff();
    await rm(localDir, { recursive: true, force: true });
  };
  try {
    guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
    return await waitingOn(guest, localDir, dispose);
  } catch (error) {
    // A setup that fails (not the test's own assertion) must not leave the guest's sshd serving:
    // its open sockets would keep the test worker alive after the last test.
    await dispose();
    throw error;
  }
}

async function waitingOn(guest: GuestSession, localDir: string, dispose: () => Promise<void>) {
  const build = await installBuild(guest, join(dir, 'SXL Sample 1.0.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  // As the runner does: SSH answers before the auto-login GUI session exists, and `open` fails
  // with -10810 until it does (more so at a time scale above 0).
  await waitForGuiSession(guest, { timeoutMs: 60_000 });
  const since = await readGuestTime(guest);
  await relaunchApp(guest, build.appPath, { extensionIds: [EXTENSION.bundleId] });
  const outcome = await awaitActivationOutcome(guest, EXTENSION, ['activated waiting for user'], {
    start: since.logStart,
    timeoutMs: 10_000,
  });
  if (outcome.kind !== 'state') throw new Error('the sample extension was refused');
  const findings: Record<string, string> = {};
  const saved: string[] = [];
  const approvalOptions: ApprovalOptions = {
    since: since.logStart,
    appPath: build.appPath,
    settleTimeoutMs: 2_000,
    recordFinding: (name, value) => {
      findings[name] = value;
    },
    saveFile: async (name, guestPath) => {
      const local = join(localDir, name);
      await guest.download(guestPath, local);
      saved.push(local);
      return local;
    },
  };
  return {
    guest,
    findings,
    saved,
    approvalOptions,
    [Symbol.asyncDispose]: dispose,
  };
}

async function state(guest: GuestSession): Promise<string> {
  return (await guest.exec(['systemextensionsctl', 'list'])).stdout;
}

for (const image of [SEQUOIA, TAHOE]) {
  test(`auto approves through System Settings on ${image} and allows the proxy configuration`, async (t) => {
    await using s = await waiting({ image });
    const outcome = await approveExtension(s.guest, { ...EXTENSION, name: NAME }, s.approvalOptions);
    t.deepEqual(outcome, { kind: 'approved', strategy: 'ui' });
    t.deepEqual(s.findings, { 'approval-strategy': 'ui' });
    t.regex(await state(s.guest), /\[activated enabled\]/);
    // The app heard the approval and saved its configuration once Allow was clicked.
    t.true((await listNetworkServices(s.guest)).services.some((x) => x.name === 'SXL Transparent Proxy'));
  });
}

test('ui forced under approval-ui-ignored: ApprovalAutomationError with the UI tree and a PNG', async (t) => {
  await using s = await waiting({ quirks: { 'approval-ui-ignored': 1 } });
  const error = await t.throwsAsync(
    approveExtension(s.guest, { ...EXTENSION, name: NAME }, { ...s.approvalOptions, strategy: 'ui' }),
    { instanceOf: ApprovalAutomationError },
  );
  t.regex(error.message, /\(still \[activated waiting for user\]\): 2 System Settings attempt\(s\)/);
  t.regex(
    error.evidence['settings-ui-tree.txt'] ?? '',
    /^\$ osascript .*\nexit 0\n.*window Login Items & Extensions of application process System Settings/s,
  );
  t.regex(
    error.evidence['approval-osascript.txt'] ?? '',
    /^attempt 1: osascript exit 0\n[\s\S]*\nattempt 2: osascript exit 0\n/,
  );
  t.notRegex(error.evidence['approval-osascript.txt'] ?? '', /admin"/);
  t.regex(
    error.evidence['approval-screenshot.txt'] ?? '',
    /^screencapture -x \S+: saved as .*approval-screenshot\.png\n$/,
  );
  t.is((await readFile(s.saved[0]!)).subarray(1, 4).toString(), 'PNG');
  t.deepEqual(s.findings, {});
  t.regex(await state(s.guest), /\[activated waiting for user\]/);
});

test('auto under approval-ui-ignored falls back to the database and labels it bypassed', async (t) => {
  await using s = await waiting({ quirks: { 'approval-ui-ignored': 1 } });
  const outcome = await approveExtension(s.guest, { ...EXTENSION, name: NAME }, s.approvalOptions);
  t.deepEqual(outcome, { kind: 'approved', strategy: 'database' });
  t.deepEqual(s.findings, { 'approval-strategy': 'database', approval: 'database (bypassed)' });
  t.regex(await state(s.guest), /\[activated enabled\]/);
  const db = await s.guest.exec(['sudo', '-n', 'plutil', '-p', '/Library/SystemExtensions/db.plist']);
  t.regex(db.stdout, /"state" => "activated_enabled"/);
  // Relaunched and allowed: the configuration is saved.
  t.true((await listNetworkServices(s.guest)).services.some((x) => x.name === 'SXL Transparent Proxy'));
});

test('database with SIP on: refused before anything is edited', async (t) => {
  await using s = await waiting({ mutate: (m) => Object.assign(m, { sip: 'enabled' }) });
  const error = await t.throwsAsync(
    approveExtension(s.guest, { ...EXTENSION, name: NAME }, { ...s.approvalOptions, strategy: 'database' }),
    { instanceOf: ApprovalAutomationError },
  );
  t.regex(
    error.message,
    /database approval: needs SIP off; csrutil status: System Integrity Protection status: enabled\./,
  );
  // Even with the database edited by hand, sysextd cannot be restarted while SIP protects it.
  const kick = await s.guest.exec(
    ['sudo', '-n', 'launchctl', 'kickstart', '-k', 'system/com.apple.sysextd'],
    {
      allowFailure: true,
    },
  );
  t.is(kick.exitCode, 1);
  t.is(kick.stderr, 'Could not kickstart service "com.apple.sysextd": 1: Operation not permitted\n');
  t.regex(await state(s.guest), /\[activated waiting for user\]/);
});

test('the database edit takes effect only at a sysextd restart, and only as root', async (t) => {
  await using s = await waiting();
  const db = '/Library/SystemExtensions/db.plist';
  const json = JSON.parse((await s.guest.exec(['plutil', '-convert', 'json', '-o', '-', db])).stdout);
  t.like(json.extensions[0], { identifier: EXTENSION.bundleId, state: 'activated_waiting_for_user' });
  const denied = await s.guest.exec(
    ['plutil', '-replace', 'extensions.0.state', '-string', 'activated_enabling', db],
    { allowFailure: true },
  );
  t.is(denied.exitCode, 1);
  await s.guest.exec([
    'sudo',
    '-n',
    'plutil',
    '-replace',
    'extensions.0.state',
    '-string',
    'activated_enabling',
    db,
  ]);
  t.regex(await state(s.guest), /\[activated waiting for user\]/);
  const asUser = await s.guest.exec(['launchctl', 'kickstart', '-k', 'system/com.apple.sysextd'], {
    allowFailure: true,
  });
  t.is(asUser.exitCode, 1);
  t.regex(await state(s.guest), /\[activated waiting for user\]/);
  await s.guest.exec(['sudo', '-n', 'launchctl', 'kickstart', '-k', 'system/com.apple.sysextd']);
  t.regex(await state(s.guest), /\[activated enabled\]/);
});

test('preapproved only verifies: an image that does not pre-approve is ApprovalAutomationError', async (t) => {
  await using s = await waiting();
  const error = await t.throwsAsync(
    approveExtension(
      s.guest,
      { ...EXTENSION, name: NAME },
      { ...s.approvalOptions, strategy: 'preapproved' },
    ),
    { instanceOf: ApprovalAutomationError },
  );
  t.regex(error.message, /--approval preapproved, but the image does not pre-approve it/);
  t.regex(await state(s.guest), /\[activated waiting for user\]/);
});

test("a wrong element path in the harness's script fails with System Events' -1719 or -1728", async (t) => {
  await using s = await waiting();
  const run = (lines: string[]) =>
    s.guest.exec(['osascript', ...lines.flatMap((l) => ['-e', l])], { allowFailure: true });
  const script = approvalScript(NAME, 'admin');
  const byName = script.map((l) =>
    l === '    set theWindow to window 1' ? '    set theWindow to window "No Such Window"' : l,
  );
  t.not(byName.join('\n'), script.join('\n'));
  const named = await run(byName);
  t.is(named.exitCode, 1);
  t.regex(
    named.stderr,
    /^\d+:\d+: execution error: System Events got an error: Can’t get window "No Such Window" of application process "System Settings"\. \(-1728\)\n$/,
  );
  const byIndex = script.map((l) =>
    l === '    set theSheet to sheet 1 of theWindow' ? '    set theSheet to sheet 2 of theWindow' : l,
  );
  t.not(byIndex.join('\n'), script.join('\n'));
  const indexed = await run(byIndex);
  t.is(indexed.exitCode, 1);
  t.regex(
    indexed.stderr,
    /^\d+:\d+: execution error: System Events got an error: Can’t get sheet 2 of window "Login Items & Extensions" of application process "System Settings"\. Invalid index\. \(-1719\)\n$/,
  );
  t.regex(await state(s.guest), /\[activated waiting for user\]/);
});

test('a System Events script that does not end is an attempt without effect: ApprovalAutomationError, not a CommandError', async (t) => {
  // A tenth of real time: System Settings' cold launch alone outlasts the script's 100 ms bound.
  await using s = await waiting({ timeScale: 0.1 });
  const error = await t.throwsAsync(
    approveExtension(
      s.guest,
      { ...EXTENSION, name: NAME },
      { ...s.approvalOptions, strategy: 'ui', attempts: 1, scriptTimeoutMs: 100, settleTimeoutMs: 200 },
    ),
    { instanceOf: ApprovalAutomationError },
  );
  t.regex(
    error.evidence['approval-osascript.txt'] ?? '',
    /^attempt 1: osascript did not end\n[\s\S]*timed out after 100 ms\n$/,
  );
  // The evidence is still gathered (the tree's own script may not end either: then it says so).
  t.regex(error.evidence['settings-ui-tree.txt'] ?? '', /^\$ osascript .*\n(exit \d+|exit null)\n/s);
  t.regex(error.evidence['approval-screenshot.txt'] ?? '', /^screencapture -x /);
  t.deepEqual(s.findings, {});
});
