// The GUI session and app processes as macOS runs them: the session arrives after SSH; `open -a`
// of a running app only brings it forward, `open -n` starts another; quit by bundle id, pkill -x
// and a reboot end apps; the approval script needs the administrator password; screencapture.
import test from 'ava';
import { exec, q, TestGuest, waitFor } from './guest-harness.ts';
import { ALLOW_CONFIGURATION, APP, APPROVE, APPROVE_ONLY, SampleBuilds } from './sample-setup.ts';

const builds = new SampleBuilds();
test.before(() => builds.make());
test.after.always(() => builds.cleanup());

const requests = `log show --predicate ${q('process == "sysextd" AND eventMessage CONTAINS "client activation request"')}`;
const countRequests = async (client: Parameters<typeof exec>[0]) =>
  (await exec(client, requests)).stdout.split('\n').filter((l) => l.includes('client activation request for'))
    .length;

test('the GUI session arrives after SSH: before it the console is root, gui/501 is missing, open and System Events fail with -10810', async (t) => {
  // A quarter of real time: sshd answers after 5 s, the session about 1.25 s later.
  const guest = await TestGuest.create({ vmName: 'sxl-gui-1', timeScale: 0.25 });
  builds.guests.push(guest);
  const client = await guest.connectRetry(30_000);
  // One round trip, so that it runs well inside the window before the session.
  const before = await exec(
    client,
    `stat -f%Su /dev/console; launchctl print gui/501; echo "launchctl=$?"; open -a ${q('Safari')} 2>&1; open ${q('x-apple.systempreferences:com.apple.LoginItems-Settings.extension')}; echo "open=$?"; osascript -e ${q('tell application "System Events" to get name of every process')}; echo "osascript=$?"; screencapture -x /tmp/s.png; echo "screencapture=$?"`,
  );
  t.is(
    before.stdout,
    "root\nlaunchctl=125\nUnable to find application named 'Safari'\nopen=1\nosascript=1\nscreencapture=1\n",
  );
  t.is(
    before.stderr,
    'Could not print domain: 125\nLSOpenURLsWithRole() failed with error -10810 for the URL x-apple.systempreferences:com.apple.LoginItems-Settings.extension.\n0:61: execution error: An error of type -10810 has occurred. (-10810)\ncould not create image from display\n',
  );
  await waitFor(client, 'stat -f%Su /dev/console', (r) => r.stdout === 'admin\n', 30_000);
  const gui = await exec(client, 'launchctl print gui/501');
  t.is(gui.code, 0);
  t.regex(gui.stdout, /^gui\/501 = \{\n\ttype = login\n/);
  t.is(
    (await exec(client, `open ${q('x-apple.systempreferences:com.apple.LoginItems-Settings.extension')}`))
      .code,
    0,
  );
});

test('open -a of a running app brings it forward (no new process, no new request); open -n starts another; quit and pkill end it; a reboot ends every app', async (t) => {
  const { client, install, guest } = await builds.guest({}, 'sxl-apps-1');
  await install('1.0');
  t.is((await exec(client, 'pgrep -x "SXL Sample"')).code, 1);
  t.is((await exec(client, `open -a ${q(APP)}`)).code, 0);
  const first = await waitFor(client, 'pgrep -x "SXL Sample"', (r) => r.code === 0);
  const pid = first.stdout.trim();
  t.regex(pid, /^\d+$/);
  await waitFor(client, 'systemextensionsctl list', (r) => r.stdout.includes('[activated waiting for user]'));
  t.is(await countRequests(client), 1);

  // LaunchServices activates the running instance.
  t.is((await exec(client, `open -a ${q(APP)}`)).code, 0);
  t.is((await exec(client, 'pgrep -x "SXL Sample"')).stdout, `${pid}\n`);
  t.is(await countRequests(client), 1);

  // -n: a second instance, which sends its own request.
  t.is((await exec(client, `open -n -a ${q(APP)}`)).code, 0);
  const two = await waitFor(client, 'pgrep -x "SXL Sample"', (r) => r.stdout.trim().split('\n').length === 2);
  const second = two.stdout
    .trim()
    .split('\n')
    .find((p) => p !== pid);
  t.truthy(second);
  await waitFor(
    client,
    requests,
    (r) => r.stdout.split('\n').filter((l) => l.includes('client activation request for')).length === 2,
  );

  // quit app id ends every instance (a moment after the reply); quitting nothing is not an error.
  t.deepEqual(await exec(client, `osascript -e ${q('quit app id "com.example.sxl.app"')}`), {
    stdout: '',
    stderr: '',
    code: 0,
  });
  await waitFor(client, 'pgrep -x "SXL Sample"', (r) => r.code === 1 && r.stdout === '');
  t.is((await exec(client, `osascript -e ${q('quit app id "com.example.sxl.app"')}`)).code, 0);

  // A new launch is a new pid; pkill -x ends it at once, and a second pkill finds nothing.
  await exec(client, `open -a ${q(APP)}`);
  const third = (await waitFor(client, 'pgrep -x "SXL Sample"', (r) => r.code === 0)).stdout.trim();
  t.false([pid, second].includes(third));
  t.deepEqual(await exec(client, 'pkill -x "SXL Sample"'), { stdout: '', stderr: '', code: 0 });
  t.is((await exec(client, 'pgrep -x "SXL Sample"')).code, 1);
  t.is((await exec(client, 'pkill -x "SXL Sample"')).code, 1);
  t.is((await exec(client, 'pkill -x')).code, 2);

  await exec(client, `open -a ${q(APP)}`);
  await waitFor(client, 'pgrep -x "SXL Sample"', (r) => r.code === 0);
  await exec(client, 'sudo -n reboot');
  const again = await guest.connectRetry();
  t.is((await exec(again, 'pgrep -x "SXL Sample"')).code, 1);
});

test('approval: the switch needs the administrator password in SecurityAgent; a wrong one keeps the prompt up; under approval-ui-ignored the script succeeds and nothing changes', async (t) => {
  const waiting = async (quirks = {}, vmName = 'sxl-approve-1') => {
    const setup = await builds.guest(quirks, vmName);
    await setup.install('1.0');
    await setup.launch();
    await waitFor(setup.client, 'systemextensionsctl list', (r) =>
      r.stdout.includes('[activated waiting for user]'),
    );
    return setup;
  };
  const wrong = APPROVE_ONLY.replace(q('set adminPassword to "admin"'), q('set adminPassword to "nimda"'));
  t.not(wrong, APPROVE_ONLY);

  const plain = await waiting();
  const refused = await exec(plain.client, wrong);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /execution error: The password prompt stayed up \(wrong password\?\) \(-2700\)\n$/);
  // The prompt is SecurityAgent's window, still up, with the field emptied.
  const prompt = await exec(
    plain.client,
    `osascript -e ${q('tell application "System Events" to get entire contents of window 1 of process "SecurityAgent"')}`,
  );
  t.regex(prompt.stdout, /^static text 1 of window 1 of application process SecurityAgent, /);
  t.regex(prompt.stdout, /text field Password of window 1 of application process SecurityAgent/);
  t.regex(prompt.stdout, /button Modify Settings of window 1 of application process SecurityAgent/);
  t.regex((await exec(plain.client, 'systemextensionsctl list')).stdout, /\[activated waiting for user\]/);
  // The next run quits System Settings (the prompt goes with it) and starts afresh.
  t.like(await exec(plain.client, APPROVE), { code: 0, stderr: '' });
  t.regex((await exec(plain.client, 'systemextensionsctl list')).stdout, /\[activated enabled\]/);

  const ignored = await waiting({ 'approval-ui-ignored': 1 }, 'sxl-approve-2');
  t.like(await exec(ignored.client, APPROVE_ONLY), { code: 0, stderr: '' });
  t.like(await exec(ignored.client, APPROVE_ONLY), { code: 0, stderr: '' });
  t.regex((await exec(ignored.client, 'systemextensionsctl list')).stdout, /\[activated waiting for user\]/);
});

test('the proxy configuration is saved only once its alert is answered with Allow', async (t) => {
  const setup = await builds.guest({}, 'sxl-allow-1');
  await setup.install('1.0');
  await setup.launch();
  await waitFor(setup.client, 'systemextensionsctl list', (r) =>
    r.stdout.includes('[activated waiting for user]'),
  );
  t.like(await exec(setup.client, APPROVE_ONLY), { code: 0 });
  t.regex((await exec(setup.client, 'systemextensionsctl list')).stdout, /\[activated enabled\]/);
  const alert = await waitFor(
    setup.client,
    `osascript -e ${q('tell application "System Events" to get value of static text 1 of window 1 of process "UserNotificationCenter"')}`,
    (r) => r.code === 0,
  );
  t.is(alert.stdout, '"SXL Sample" Would Like to Add Proxy Configurations\n');
  // Unanswered, a relaunch saves nothing either.
  await setup.launch();
  await new Promise((r) => setTimeout(r, 50));
  t.notRegex((await exec(setup.client, 'scutil --nc list')).stdout, /SXL Transparent Proxy/);
  t.is((await exec(setup.client, ALLOW_CONFIGURATION)).stdout, 'allowed\n');
  await waitFor(setup.client, 'scutil --nc list', (r) => r.stdout.includes('SXL Transparent Proxy'));
  // Consent given: the next launch saves without asking.
  await setup.launch();
  t.is(
    (await exec(setup.client, ALLOW_CONFIGURATION.replace('repeat 40 times', 'repeat 2 times'))).stdout,
    'no alert\n',
  );
});

test('screencapture -x writes a PNG once the GUI session exists', async (t) => {
  const { client } = await builds.guest({}, 'sxl-shot-1');
  t.deepEqual(await exec(client, 'screencapture -x /tmp/shot.png'), { stdout: '', stderr: '', code: 0 });
  // The PNG signature: \x89 (not UTF-8, decoded as one replacement character), then "PNG".
  t.is((await exec(client, 'cat /tmp/shot.png')).stdout.slice(1, 4), 'PNG');
});
