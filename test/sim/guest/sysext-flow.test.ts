import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type ssh2 from 'ssh2';
import { makeSampleBuilds, type SampleBuildFile } from '../../../sim/builds/make-sample-builds.ts';
import type { QuirkSettings } from '../../../sim/quirks.ts';
import { exec, q, TestGuest, waitFor } from './guest-harness.ts';

let buildsDir: string;
let builds: SampleBuildFile[];
const guests: TestGuest[] = [];

test.before(async () => {
  buildsDir = await mkdtemp(join(tmpdir(), 'sxl-builds-'));
  builds = await makeSampleBuilds(buildsDir);
});
test.after.always(async () => {
  await Promise.all(guests.map((g) => g.close()));
  if (buildsDir) await rm(buildsDir, { recursive: true, force: true });
});

const HEADER =
  "--- com.apple.system_extension.network_extension (Go to 'System Settings > General > Login Items & Extensions > Network Extensions' to modify these system extension(s))\nenabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n";
const row = (enabled: boolean, version: string, state: string) =>
  `${enabled ? '*\t*' : '\t'}\tSXLAB12345\tcom.example.sxl.app.proxy (${version})\tSXL Transparent Proxy\t[${state}]\n`;
const LABEL = (v: string) => `NetworkExtension.com.example.sxl.app.proxy.${v}`;

import { APPROVE } from './sample-setup.ts';

function expectedJobPrint(label: string, program: string, pid: string, port: string | undefined): string {
  const endpoints =
    port === undefined
      ? ''
      : `\tendpoints = {\n\t\t"SXLAB12345.group.com.example.sxl.app.proxy.xpc" = {\n\t\t\tport = ${port}\n\t\t\tactive = 1\n\t\t\tmanaged = 1\n\t\t\treset = 0\n\t\t\thide = 0\n\t\t\twatching = 1\n\t\t}\n\t}\n\n`;
  return `system/${label} = {\n\tactive count = 1\n\tpath = (submitted by sysextd.312)\n\ttype = Submitted\n\tstate = running\n\n\tprogram = ${program}\n\tdomain = system\n\tminimum runtime = 10\n\texit timeout = 5\n\truns = 1\n\tpid = ${pid}\n\timmediate reason = speculative\n\tlast exit code = (never exited)\n\n${endpoints}\tspawn type = daemon (3)\n\tjetsam priority = 40\n\tjetsam memory limit (active) = (unlimited)\n\tjetsam memory limit (inactive) = (unlimited)\n\tjetsamproperties category = daemon\n\tsubmitted job. ignore execute allowed\n\tjob state = running\n\n\tproperties = supports transactions\n}\n`;
}

async function setup(quirks: QuirkSettings = {}, vmName = 'sxl-flow-1', timeScale = 0) {
  const guest = await TestGuest.create({ quirks, vmName, timeScale });
  guests.push(guest);
  const client = await guest.connectRetry(30_000);
  // With delays on, the GUI session (and with it `open`) comes a moment after SSH.
  if (timeScale > 0) await waitFor(client, 'stat -f%Su /dev/console', (r) => r.stdout === 'admin\n', 30_000);
  const sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) =>
    client.sftp((e, s) => (e ? reject(e) : resolve(s))),
  );
  await exec(client, 'mkdir -p sxl');
  for (const b of builds.filter((x) => x.format !== 'app')) {
    await new Promise<void>((resolve, reject) =>
      sftp.fastPut(b.path, `sxl/[T] ${b.name}`, (e) => (e ? reject(e) : resolve())),
    );
  }
  const install = (label: string) =>
    exec(client, `sudo -n installer -pkg ${q(`/Users/admin/sxl/[T] SXL Sample ${label}.pkg`)} -target /`);
  // A running app is only brought forward by open -a: end it first, as the harness does.
  const launch = () => exec(client, `pkill -x 'SXL Sample'; open -a ${q('/Applications/SXL Sample.app')}`);
  return { guest, client, install, launch };
}

async function printJob(client: ssh2.Client, label: string) {
  return exec(client, `sudo launchctl print ${q(`system/${label}`)}`);
}

function jobFacts(text: string) {
  return {
    program: /\n\tprogram = (.+)\n/.exec(text)?.[1] ?? '',
    pid: /\n\tpid = (\d+)\n/.exec(text)?.[1] ?? '',
    port: /\n\t\t\tport = (0x[0-9a-f]+)\n/.exec(text)?.[1],
  };
}

test('install, activate, approve, upgrade and reboot: exact list and launchctl texts', async (t) => {
  const { guest, client, install, launch } = await setup({ 'xpc-endpoint-lost-on-upgrade': 0 });
  t.deepEqual(await install('1.0'), {
    stdout:
      'installer: Package name is SXL Sample\ninstaller: Installing at base path /\ninstaller: The install was successful.\n',
    stderr: '',
    code: 0,
  });
  t.regex(
    (await exec(client, 'pkgutil --pkg-info com.example.sxl.app.pkg')).stdout,
    /^package-id: com\.example\.sxl\.app\.pkg\nversion: 1\.0\nvolume: \/\nlocation: Applications\ninstall-time: \d+\n$/,
  );
  t.is((await exec(client, 'systemextensionsctl list')).stdout, '0 extension(s)\n');
  t.is((await launch()).code, 0);
  const waiting = await waitFor(client, 'systemextensionsctl list', (r) => r.stdout.startsWith('1 '));
  t.is(waiting.stdout, `1 extension(s)\n${HEADER}${row(false, '1.0/100', 'activated waiting for user')}`);
  t.is((await printJob(client, LABEL('1.0.100'))).code, 113);

  t.like(await exec(client, APPROVE), { stderr: '', code: 0 });
  t.is(
    (await exec(client, 'systemextensionsctl list')).stdout,
    `1 extension(s)\n${HEADER}${row(true, '1.0/100', 'activated enabled')}`,
  );
  const first = await printJob(client, LABEL('1.0.100'));
  const f1 = jobFacts(first.stdout);
  t.regex(
    f1.program,
    /^\/Library\/SystemExtensions\/[0-9A-F-]{36}\/com\.example\.sxl\.app\.proxy\.systemextension\/Contents\/MacOS\/com\.example\.sxl\.app\.proxy$/,
  );
  t.is(first.stdout, expectedJobPrint(LABEL('1.0.100'), f1.program, f1.pid, f1.port));
  t.truthy(f1.port);
  t.regex(
    (await exec(client, 'launchctl list')).stdout,
    new RegExp(`\\n${f1.pid}\\t0\\t${LABEL('1.0.100').replace(/\./g, '\\.')}\\n`),
  );

  // Upgrade: a replacement keeps the approval, the old version waits for the reboot.
  t.is(
    (await install('1.1')).stdout,
    'installer: Package name is SXL Sample\ninstaller: Upgrading at base path /\ninstaller: The upgrade was successful.\n',
  );
  await launch();
  // The old version is [terminating for upgrade via delegate] for a moment first (see below).
  const upgraded = await waitFor(client, 'systemextensionsctl list', (r) =>
    r.stdout.includes('[terminated waiting'),
  );
  t.is(
    upgraded.stdout,
    `2 extension(s)\n${HEADER}${row(false, '1.0/100', 'terminated waiting to uninstall on reboot')}${row(true, '1.1/110', 'activated enabled')}`,
  );
  t.deepEqual(await printJob(client, LABEL('1.0.100')), {
    stdout: '',
    stderr: `Could not find service "${LABEL('1.0.100')}" in domain for system\n`,
    code: 113,
  });
  // launchd gets the new job in the background.
  const second = await waitFor(client, `sudo launchctl print ${q(`system/${LABEL('1.1.110')}`)}`, (r) =>
    r.stdout.includes('endpoints'),
  );
  const f2 = jobFacts(second.stdout);
  t.truthy(f2.port);
  t.is(second.stdout, expectedJobPrint(LABEL('1.1.110'), f2.program, f2.pid, f2.port));

  const log = await readFile(join(guest.vmDir, 'guest/unified-log.ndjson'), 'utf8');
  const sysextd = log
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { process: string; eventMessage: string; category: string })
    .filter((l) => l.process === 'sysextd');
  const messages = sysextd.map((l) => l.eventMessage);
  t.true(
    sysextd.some(
      (l) =>
        l.category === 'XPC' && l.eventMessage === 'client activation request for com.example.sxl.app.proxy',
    ),
  );
  t.true(messages.includes('attempting to realize extension with identifier com.example.sxl.app.proxy'));
  t.true(
    messages.includes(
      'activateDecision found entry to replace: com.example.sxl.app.proxy, BundleVersion(CFBundleShortVersionString: "1.0", CFBundleVersion: "100")',
    ),
  );
  t.true(
    messages.some((m) =>
      /^initial activation decision: requestAppReplaceAction\(<sysextd\.Extension: 0x[0-9a-f]+>\)$/.test(m),
    ),
  );
  t.true(messages.includes('notifying client of activation conflict'));

  // Reboot: the terminated entry and its staged folder go, the enabled one restarts with endpoints.
  t.is((await exec(client, 'sudo reboot')).code, 0);
  const after = await guest.connectRetry();
  t.is(
    (await exec(after, 'systemextensionsctl list')).stdout,
    `1 extension(s)\n${HEADER}${row(true, '1.1/110', 'activated enabled')}`,
  );
  const third = jobFacts((await printJob(after, LABEL('1.1.110'))).stdout);
  t.truthy(third.port);
  t.is((await exec(after, 'ls /Library/SystemExtensions')).stdout, `${f2.program.split('/')[3]}\n`);
});

test('quirk at 1: the replacement job has no endpoints block until a reboot', async (t) => {
  const { guest, client, install, launch } = await setup({ 'xpc-endpoint-lost-on-upgrade': 1 });
  await install('1.0');
  await launch();
  await waitFor(client, 'systemextensionsctl list', (r) => r.stdout.includes('waiting for user'));
  await exec(client, APPROVE);
  t.truthy(
    jobFacts((await printJob(client, LABEL('1.0.100'))).stdout).port,
    'a first approval is not a replacement',
  );
  await install('1.1');
  await launch();
  await waitFor(client, 'systemextensionsctl list', (r) => r.stdout.startsWith('2 '));
  // The job comes in the background, without its endpoints block.
  const broken = await waitFor(client, `sudo launchctl print ${q(`system/${LABEL('1.1.110')}`)}`, (r) =>
    r.stdout.includes('program ='),
  );
  const facts = jobFacts(broken.stdout);
  t.is(facts.port, undefined);
  t.false(broken.stdout.includes('endpoints'));
  t.is(broken.stdout, expectedJobPrint(LABEL('1.1.110'), facts.program, facts.pid, undefined));
  const state = JSON.parse(await readFile(join(guest.vmDir, 'guest/state.json'), 'utf8')) as {
    quirkCounters: Record<string, number>;
  };
  t.is(state.quirkCounters['xpc-endpoint-lost-on-upgrade'], 1);

  await exec(client, 'sudo shutdown -r now');
  const after = await guest.connectRetry();
  t.truthy(jobFacts((await printJob(after, LABEL('1.1.110'))).stdout).port);
});

test('a replacement: the old version is terminating for a moment, the new job comes seconds later', async (t) => {
  t.timeout(60_000);
  // Delays on (time scale 0.2) and a VM whose dice give long ones (seed 7, VM #22: the job after
  // 0.89 x 5 s, the old version terminated after 2.5 s, both x 0.2): each window is hundreds of
  // milliseconds, so the reads below land inside them.
  const { guest, client, install, launch } = await setup({}, 'sxl-late-22', 0.2);
  await install('1.0');
  await launch();
  await waitFor(client, 'systemextensionsctl list', (r) => r.stdout.includes('waiting for user'), 10_000);
  await exec(client, APPROVE);
  t.truthy(jobFacts((await printJob(client, LABEL('1.0.100'))).stdout).port, 'an approval starts the job');
  await install('1.1');
  await launch();
  const during = await waitFor(client, 'systemextensionsctl list', (r) => r.stdout.startsWith('2 '), 10_000);
  t.is(
    during.stdout,
    `2 extension(s)\n${HEADER}${row(false, '1.0/100', 'terminating for upgrade via delegate')}${row(true, '1.1/110', 'activated enabled')}`,
  );
  // Enabled, yet launchd has no job for it yet: a single read here would report forum report 1.
  t.is((await printJob(client, LABEL('1.1.110'))).code, 113);
  const late = await waitFor(
    client,
    `sudo launchctl print ${q(`system/${LABEL('1.1.110')}`)}`,
    (r) => r.code === 0,
    10_000,
  );
  const facts = jobFacts(late.stdout);
  t.truthy(facts.port, 'the late job has its endpoints block');
  t.is(late.stdout, expectedJobPrint(LABEL('1.1.110'), facts.program, facts.pid, facts.port));
  t.is(
    (await exec(client, 'systemextensionsctl list')).stdout,
    `2 extension(s)\n${HEADER}${row(false, '1.0/100', 'terminated waiting to uninstall on reboot')}${row(true, '1.1/110', 'activated enabled')}`,
  );
  const messages = (await readFile(join(guest.vmDir, 'guest/unified-log.ndjson'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { process: string; eventMessage: string })
    .filter((l) => l.process === 'sysextd')
    .map((l) => l.eventMessage);
  const old =
    'com.example.sxl.app.proxy BundleVersion(CFBundleShortVersionString: "1.0", CFBundleVersion: "100")';
  const terminating = messages.indexOf(`${old} terminating for upgrade via delegate`);
  t.true(terminating >= 0);
  t.true(messages.indexOf(`${old} terminated waiting to uninstall on reboot`) > terminating);
  const state = JSON.parse(await readFile(join(guest.vmDir, 'guest/state.json'), 'utf8')) as {
    timingCounters?: Record<string, number>;
  };
  t.deepEqual(state.timingCounters, { 'upgrade-termination': 1, 'replacement-job': 1 });
});

test('same versions re-shipped: no replacement, the old binary keeps running', async (t) => {
  const { guest, client, install, launch } = await setup();
  await install('1.1');
  await launch();
  await waitFor(client, 'systemextensionsctl list', (r) => r.stdout.includes('waiting for user'));
  await exec(client, APPROVE);
  const before = jobFacts((await printJob(client, LABEL('1.1.110'))).stdout);
  await install('1.1-reship');
  await launch();
  // The request completes without a change: wait for the app's second request in the log.
  const logFile = join(guest.vmDir, 'guest/unified-log.ndjson');
  const deadline = Date.now() + 5000;
  while (
    (await readFile(logFile, 'utf8')).split('client activation request').length < 3 &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 50));
  t.is(
    (await exec(client, 'systemextensionsctl list')).stdout,
    `1 extension(s)\n${HEADER}${row(true, '1.1/110', 'activated enabled')}`,
  );
  const afterFacts = jobFacts((await printJob(client, LABEL('1.1.110'))).stdout);
  t.deepEqual(afterFacts, before);
  t.regex(
    (await exec(client, `cat ${q(before.program)}`)).stdout,
    /\nbuild: 1\.1\n/,
    'the staged binary is still the first 1.1',
  );
  const shipped =
    '/Applications/SXL Sample.app/Contents/Library/SystemExtensions/com.example.sxl.app.proxy.systemextension/Contents/MacOS/com.example.sxl.app.proxy';
  t.regex((await exec(client, `cat ${q(shipped)}`)).stdout, /\nbuild: 1\.1-reship\n/);
});

test('an app outside /Applications is refused unless developer mode is on', async (t) => {
  const { guest, client } = await setup();
  const r = await exec(client, `ditto -x -k ${q('sxl/[T] SXL Sample 1.0.zip')} Apps && ls Apps`);
  t.is(r.stdout, 'SXL Sample.app\n');
  await exec(client, `open ${q('Apps/SXL Sample.app')}`);
  const logFile = join(guest.vmDir, 'guest/unified-log.ndjson');
  const deadline = Date.now() + 5000;
  while (!(await readFile(logFile, 'utf8')).includes('no policy') && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 20));
  }
  const log = await readFile(logFile, 'utf8');
  t.true(log.includes('"eventMessage":"no policy, cannot allow apps outside /Applications"'));
  t.true(log.includes('OSSystemExtensionErrorDomain Code=3'));
  t.is((await exec(client, 'systemextensionsctl list')).stdout, '0 extension(s)\n');
  t.is((await exec(client, 'systemextensionsctl developer on')).stdout, 'Developer mode is now on\n');
  // The refused app still runs: open would only bring it forward, so end it first.
  await exec(client, `pkill -x 'SXL Sample'; open ${q('Apps/SXL Sample.app')}`);
  await waitFor(client, 'systemextensionsctl list', (x) => x.stdout.startsWith('1 '));
  t.pass();
});

test('approving with nothing waiting fails like the UI script does; a wrong element path is -1719/-1728', async (t) => {
  const { client } = await setup();
  const none = await exec(client, APPROVE);
  t.is(none.code, 1);
  t.regex(
    none.stderr,
    /^\d+:\d+: execution error: No Network Extensions row in Login Items & Extensions \(-2700\)\n$/,
  );
  // System Settings is open now: a path that is not in its tree fails as System Events does.
  const byIndex = await exec(
    client,
    `osascript -e ${q('tell application "System Events" to tell process "System Settings" to click button 1 of sheet 1 of window 1')}`,
  );
  t.deepEqual(byIndex, {
    stdout: '',
    stderr:
      '70:107: execution error: System Events got an error: Can’t get button 1 of sheet 1 of window 1 of application process "System Settings". Invalid index. (-1719)\n',
    code: 1,
  });
  const byName = await exec(
    client,
    `osascript -e ${q('tell application "System Events" to tell process "System Settings" to click button "Done" of window "No Such Window"')}`,
  );
  t.is(byName.code, 1);
  t.regex(
    byName.stderr,
    /execution error: System Events got an error: Can’t get button "Done" of window "No Such Window" of application process "System Settings"\. \(-1728\)\n$/,
  );
  t.is((await exec(client, 'osascript -e "return 42"')).stdout, '42\n');
  t.regex(
    (await exec(client, 'osascript', 'tell application "Finder" to frobnicate the')).stderr,
    /syntax error/,
  );
});

test('installer and open error texts', async (t) => {
  const { client } = await setup();
  t.deepEqual(await exec(client, `installer -pkg ${q('sxl/[T] SXL Sample 1.0.pkg')} -target /`), {
    stdout: '',
    stderr: 'installer: Must be run as root to install this package.\n',
    code: 1,
  });
  t.deepEqual(await exec(client, `sudo installer -pkg ${q('/nope/x.pkg')} -target /`), {
    stdout: '',
    stderr: "installer: Error - the package path specified was invalid: '/nope/x.pkg'.\n",
    code: 1,
  });
  t.deepEqual(await exec(client, `open -a ${q('No Such App')}`), {
    stdout: '',
    stderr: "Unable to find application named 'No Such App'\n",
    code: 1,
  });
  t.is(
    (await exec(client, 'pkgutil --pkg-info com.example.none')).stderr,
    "No receipt for 'com.example.none' found at '/'.\n",
  );
});

test('SIP enabled: developer mode is refused with the three-line text', async (t) => {
  const guest = await TestGuest.create({ mutate: (m) => Object.assign(m, { sip: 'enabled' }) });
  guests.push(guest);
  const client = await guest.connect();
  t.deepEqual(await exec(client, 'systemextensionsctl developer on'), {
    stdout: '',
    stderr:
      'At this time, this tool cannot be used if System Integrity Protection is enabled.\nThis limitation will be removed in the near future.\nPlease remember to re-enable System Integrity Protection!\n',
    code: 1,
  });
  t.is((await exec(client, 'csrutil status')).stdout, 'System Integrity Protection status: enabled.\n');
});
