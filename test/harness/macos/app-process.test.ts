// The harness's guards around launching and the GUI session, against a simulated guest over real
// SSH: relaunchApp quits the running app and proves a new pid plus a new sysextd request; a launch
// that starts nothing is AppNotRelaunchedError; waitForGuiSession waits for the auto-login session.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { AppNotRelaunchedError, WaitTimeoutError } from '../../../harness/errors.ts';
import { launchApp } from '../../../harness/macos/activation.ts';
import { processIds, relaunchApp } from '../../../harness/macos/app-process.ts';
import { readGuestTime } from '../../../harness/macos/guest-clock.ts';
import { waitForGuiSession } from '../../../harness/macos/gui-session.ts';
import { installBuild } from '../../../harness/macos/install-build.ts';
import { type ExecRecord, GuestSession } from '../../../harness/ssh/guest-session.ts';
import { makeSampleBuilds } from '../../../sim/builds/make-sample-builds.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sxl-relaunch-'));
  await makeSampleBuilds(dir);
});
test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const EXTENSION = 'com.example.sxl.app.proxy';

async function session(options: { timeScale?: number } = {}) {
  const vm = await bootTestGuest(options);
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  return {
    guest,
    [Symbol.asyncDispose]: async () => {
      guest.close();
      await vm.guest.powerOff();
    },
  };
}

test('relaunchApp: a new pid and a new activation request each time; open -a alone only brings the app forward', async (t) => {
  await using s = await session();
  const { guest } = s;
  const build = await installBuild(guest, join(dir, 'SXL Sample 1.0.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  const first = await relaunchApp(guest, build.appPath, { extensionIds: [EXTENSION] });
  t.deepEqual(await processIds(guest, 'SXL Sample'), [first.pid]);

  // What the harness used to do: the running instance comes forward, no new process.
  await launchApp(guest, build.appPath);
  t.deepEqual(await processIds(guest, 'SXL Sample'), [first.pid]);

  const second = await relaunchApp(guest, build.appPath, { extensionIds: [EXTENSION] });
  t.not(second.pid, first.pid);
  t.deepEqual(await processIds(guest, 'SXL Sample'), [second.pid]);
});

test('relaunchApp reads the guest time with the Info.plist in one exec, returns it, and the pids once', async (t) => {
  await using s = await session();
  const { guest } = s;
  const build = await installBuild(guest, join(dir, 'SXL Sample 1.0.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  const before = await readGuestTime(guest);
  const records: ExecRecord[] = [];
  guest.onExec((record) => records.push(record));
  const { pid, since } = await relaunchApp(guest, build.appPath, { extensionIds: [EXTENSION] });
  t.deepEqual(await processIds(guest, 'SXL Sample'), [pid]);
  t.true(since.at.getTime() >= before.at.getTime());
  t.regex(since.logStart, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  // The first exec: the clock's two dates and the plist, nothing else reads the clock.
  t.deepEqual(
    records.filter((record) => record.batch?.of === 3).map((record) => record.command.split(' ')[0]),
    ['date', 'date', 'plutil'],
  );
  t.is(records.filter((record) => record.command.startsWith('date')).length, 2);
  // One look before the launch (the app was not running: nothing to quit), then the polls.
  const commands = records.map((record) => record.command);
  const launch = commands.findIndex((command) => command.startsWith('open -a'));
  t.is(commands.slice(0, launch).filter((command) => command.startsWith('pgrep')).length, 1);
});

test('relaunchApp: a launch that starts no new process is AppNotRelaunchedError, with the evidence', async (t) => {
  await using s = await session();
  const { guest } = s;
  const build = await installBuild(guest, join(dir, 'SXL Sample 1.0.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  await relaunchApp(guest, build.appPath, { extensionIds: [EXTENSION] });
  const error = await t.throwsAsync(
    relaunchApp(guest, build.appPath, {
      extensionIds: [EXTENSION],
      launchCommand: ['true'],
      requestTimeoutMs: 300,
    }),
    { instanceOf: AppNotRelaunchedError },
  );
  t.regex(
    error?.message ?? '',
    /^The app \/Applications\/SXL Sample\.app was not relaunched on sxl-test-1: after `true \/Applications\/SXL Sample\.app`, within 300 ms: no new SXL Sample process/,
  );
  t.deepEqual(Object.keys(error?.evidence ?? {}).sort(), ['pgrep.txt', 'sysextd-log.txt']);
  // The old instance was quit first: nothing runs now.
  t.deepEqual(await processIds(guest, 'SXL Sample'), []);
});

test('waitForGuiSession: waits from the first SSH answer until the console belongs to the user and gui/501 exists', async (t) => {
  // 0.4 of real time: sshd answers after 8 s, the GUI session about 2 s later.
  await using s = await session({ timeScale: 0.4 });
  const { guest } = s;
  const early = await t.throwsAsync(waitForGuiSession(guest, { timeoutMs: 50 }), {
    instanceOf: WaitTimeoutError,
  });
  t.regex(
    early?.message ?? '',
    /waiting for the GUI session of admin .*; last seen: \/dev\/console belongs to root, not admin/,
  );
  await waitForGuiSession(guest, { timeoutMs: 30_000 });
  t.is((await guest.exec(['stat', '-f%Su', '/dev/console'])).stdout, 'admin\n');
  t.is((await guest.exec(['launchctl', 'print', 'gui/501'], { allowFailure: true })).exitCode, 0);
});
