import test from 'ava';
import { parseUnifiedLog } from '../../../harness/parse/unified-log.ts';
import { evaluatePredicate, formatPredicate, parsePredicate } from '../../../sim/guest/log/predicate.ts';
import type { StoredLogLine } from '../../../sim/guest/unified-log.ts';
import { exec, q, TestGuest, waitFor } from './guest-harness.ts';
import { SampleBuilds } from './sample-setup.ts';

const builds = new SampleBuilds();
test.before(() => builds.make());
test.after.always(() => builds.cleanup());

const line = (over: Partial<StoredLogLine>): StoredLogLine => ({
  timestamp: '2026-01-02 03:04:05.678000+0000',
  eventType: 'logEvent',
  bootUUID: 'B',
  process: 'sysextd',
  pid: 312,
  subsystem: 'com.apple.sx',
  category: 'XPC',
  messageType: 'Default',
  eventMessage: 'client activation request for com.example',
  processImagePath: '/usr/libexec/sysextd',
  ...over,
});

test('predicates: operators, modifiers, AND/OR/NOT, parentheses and normalized echo', (t) => {
  const cases: [string, string, boolean][] = [
    ['process == "sysextd"', 'process == "sysextd"', true],
    ['process != "sysextd"', 'process != "sysextd"', false],
    ['eventMessage CONTAINS "activation"', 'eventMessage CONTAINS "activation"', true],
    ['eventMessage contains[c] "ACTIVATION"', 'eventMessage CONTAINS[c] "ACTIVATION"', true],
    ['processImagePath BEGINSWITH "/usr/libexec"', 'processImagePath BEGINSWITH "/usr/libexec"', true],
    ['senderImagePath ENDSWITH "sysextd"', 'senderImagePath ENDSWITH "sysextd"', true],
    [
      'subsystem == "com.apple.sx" && category == "XPC"',
      'subsystem == "com.apple.sx" AND category == "XPC"',
      true,
    ],
    [
      '(process == "x" || process == "sysextd") AND NOT category == "y"',
      '(process == "x" OR process == "sysextd") AND NOT category == "y"',
      true,
    ],
    ['!(process == "sysextd")', 'NOT process == "sysextd"', false],
    [
      'eventType == logEvent AND subsystem CONTAINS "com.apple"',
      'eventType == 1024 AND subsystem CONTAINS "com.apple"',
      true,
    ],
    ['messageType == error', 'messageType == 16', false],
    ['processImagePath CONTAINS[cd] "LIBÉXEC"', 'processImagePath CONTAINS[cd] "LIBÉXEC"', true],
  ];
  for (const [text, normalized, expected] of cases) {
    const predicate = parsePredicate(text);
    t.is(formatPredicate(predicate), normalized, text);
    t.is(evaluatePredicate(predicate, line({})), expected, text);
  }
  for (const bad of [
    'process ==',
    'process == "x" AND',
    'foo == "x"',
    '(process == "x"',
    'process ~ "x"',
    '"x"',
  ]) {
    t.throws(() => parsePredicate(bad), undefined, bad);
  }
});

test('log show: the four styles round-trip through the harness parser with the same entries', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    const predicate = 'process == "sysextd" OR process == "launchd"';
    const styles = ['default', 'compact', 'json', 'ndjson'] as const;
    const parsed = [];
    for (const style of styles) {
      const result = await exec(
        client,
        `/usr/bin/log show --style ${style} --info --debug --predicate ${q(predicate)}`,
      );
      t.is(result.code, 0, style);
      t.true(
        result.stdout.startsWith(
          `Filtering the log data using "process == "sysextd" OR process == "launchd""\n`,
        ),
      );
      const log = parseUnifiedLog(result.stdout);
      t.is(log.style, style);
      parsed.push(log.entries);
    }
    const ndjson = parsed[3]!;
    t.true(ndjson.length >= 2);
    t.deepEqual([...new Set(ndjson.map((e) => e.process))].sort(), ['launchd', 'sysextd']);
    for (const entries of parsed) {
      t.deepEqual(
        entries.map((e) => [e.process, e.pid, e.subsystem, e.category, e.type, e.message]),
        ndjson.map((e) => [e.process, e.pid, e.subsystem, e.category, e.type, e.message]),
      );
    }
    const raw = (await exec(client, `log show --style ndjson --predicate ${q('process == "sysextd"')}`))
      .stdout;
    const object = JSON.parse(raw.split('\n')[2]!) as Record<string, unknown>;
    t.false('process' in object);
    t.is(object.processImagePath, '/usr/libexec/sysextd');
    t.regex(String(object.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+0000$/);
    t.true(raw.includes('"processImagePath":"\\/usr\\/libexec\\/sysextd"'));
    t.is(raw.split('\n')[1], 'Skipping info and debug messages, pass --info and/or --debug to include.');
  } finally {
    await guest.close();
  }
});

test('log show: --last and --start windows, levels, and a bad predicate exits 64', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    const all = (
      await exec(client, `log show --style ndjson --last 5m --predicate ${q('process == "kernel"')}`)
    ).stdout;
    t.is(parseUnifiedLog(all).entries.length, 1);
    const future = (
      await exec(
        client,
        `log show --style ndjson --start '2999-01-01 00:00:00' --predicate ${q('process == "kernel"')}`,
      )
    ).stdout;
    t.is(parseUnifiedLog(future).entries.length, 0);
    const bad = await exec(client, `log show --predicate ${q('process === "x"')}`);
    t.is(bad.code, 64);
    t.regex(bad.stderr, /^log: Invalid predicate: /);
  } finally {
    await guest.close();
  }
});

test('log stream: follows new lines until --timeout, in ndjson', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    await exec(client, 'mkdir -p Streamed.app/Contents/MacOS');
    const streaming = exec(
      client,
      `log stream --style ndjson --timeout 2 --predicate ${q('process == "launchd" AND eventMessage CONTAINS "Streamed"')}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    // launchd logs the app's spawn; LaunchServices refuses launches until the GUI session exists.
    await waitFor(client, 'open -n Streamed.app', (r) => r.code === 0);
    const result = await streaming;
    t.is(result.code, 0);
    const entries = parseUnifiedLog(result.stdout).entries;
    t.is(entries.length, 1);
    t.regex(
      entries[0]?.message ?? '',
      /spawned \/Users\/admin\/Streamed\.app\/Contents\/MacOS\/Streamed pid \d+$/,
    );
  } finally {
    await guest.close();
  }
});

test('log config: Debug flow lines reach log show only once the subsystem persists Debug; the profile survives a reboot', async (t) => {
  const { guest, client } = await builds.activated({}, 'sxl-log-config');
  const subsystem = 'com.example.sxl.app.proxy';
  const flows = q('subsystem == "com.example.sxl.app.proxy" AND eventMessage CONTAINS "handleNewFlow"');
  const shown = async (c = client) =>
    parseUnifiedLog((await exec(c, `log show --style ndjson --info --debug --predicate ${flows}`)).stdout)
      .entries;
  t.is((await exec(client, `scutil --nc start ${q('SXL Transparent Proxy')}`)).code, 0);

  // Unconfigured: a live reader at --level debug sees the flow, the store keeps nothing of it.
  const streaming = exec(client, `log stream --style ndjson --level debug --timeout 2 --predicate ${flows}`);
  await new Promise((r) => setTimeout(r, 300));
  t.is((await exec(client, "curl -sS -o /dev/null -w '%{http_code}' https://example.com/")).stdout, '200');
  const live = parseUnifiedLog((await streaming).stdout).entries;
  t.is(live.length, 1);
  t.is(live[0]?.type, 'Debug');
  t.deepEqual(await shown(), []);
  t.is(
    (await exec(client, `sudo -n log config --status --subsystem ${subsystem}`)).stdout,
    `Mode for '${subsystem}'  INFO PERSIST_DEFAULT\n`,
  );

  // Only root may change it.
  const mode = `--subsystem ${subsystem} --mode ${q('level:debug,persist:debug')}`;
  t.deepEqual(await exec(client, `log config ${mode}`), {
    stdout: '',
    stderr: "log: Must be admin to run 'config' command\n",
    code: 1,
  });
  t.is((await exec(client, `sudo -n log config --subsystem ${subsystem} --mode level:loud`)).code, 64);
  t.deepEqual(await exec(client, `sudo -n log config ${mode}`), { stdout: '', stderr: '', code: 0 });
  t.is(
    (await exec(client, `sudo -n log config --status --subsystem ${subsystem}`)).stdout,
    `Mode for '${subsystem}'  DEBUG PERSIST_DEBUG\n`,
  );
  t.regex(
    (await exec(client, `cat /Library/Preferences/Logging/Subsystems/${subsystem}.plist`)).stdout,
    /<key>Persist<\/key>\n\t\t\t<string>Debug<\/string>/,
  );
  await exec(client, 'curl -sS -o /dev/null https://example.com/');
  const after = await shown();
  t.is(after.length, 1);
  t.regex(after[0]?.message ?? '', /^handleNewFlow TCP com\.apple\.curl remote /);
  // Without --debug, log show still skips Debug lines.
  const noDebug = await exec(client, `log show --style ndjson --info --predicate ${flows}`);
  t.deepEqual(parseUnifiedLog(noDebug.stdout).entries, []);

  // The profile is on disk, so logd applies it again after a reboot.
  await exec(client, 'sudo -n reboot');
  const again = await guest.connectRetry();
  t.is(
    (await exec(again, `sudo -n log config --status --subsystem ${subsystem}`)).stdout,
    `Mode for '${subsystem}'  DEBUG PERSIST_DEBUG\n`,
  );
  t.is((await exec(again, `scutil --nc start ${q('SXL Transparent Proxy')}`)).code, 0);
  await exec(again, 'curl -sS -o /dev/null https://example.com/');
  t.is((await shown(again)).length, 2);

  // --reset brings the default back: new flows stay out of the store.
  t.is((await exec(again, `sudo -n log config --subsystem ${subsystem} --reset`)).code, 0);
  await exec(again, 'curl -sS -o /dev/null https://example.com/');
  t.is((await shown(again)).length, 2);
  t.is((await exec(again, 'sudo -n log config --status')).stdout, 'System mode = INFO\n');
});
