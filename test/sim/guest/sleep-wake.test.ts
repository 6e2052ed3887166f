import test, { type ExecutionContext } from 'ava';
import type ssh2 from 'ssh2';
import { parsePmsetAssertions } from '../../../harness/parse/pmset-assertions.ts';
import { parsePmsetLog } from '../../../harness/parse/pmset-log.ts';
import { parseUnifiedLog } from '../../../harness/parse/unified-log.ts';
import { exec, q, TestGuest } from './guest-harness.ts';
import { SampleBuilds } from './sample-setup.ts';

const builds = new SampleBuilds();
test.before(() => builds.make());
test.after.always(() => builds.cleanup());

const PROVIDER = 'process == "com.example.sxl.app.proxy"';
// The provider logs its flows at Debug: persisted only once log config says so.
const PERSIST_FLOWS = `sudo -n log config --subsystem com.example.sxl.app.proxy --mode ${q('level:debug,persist:debug')}`;

async function providerMessages(client: ssh2.Client): Promise<string[]> {
  const raw = (await exec(client, `log show --style ndjson --info --debug --predicate ${q(PROVIDER)}`))
    .stdout;
  return parseUnifiedLog(raw).entries.map((e) => e.message);
}

/** Closes when the guest drops the connection (sleep), or after timeoutMs. */
function dropped(client: ssh2.Client, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function sleepAndWake(t: ExecutionContext, guest: TestGuest, client: ssh2.Client) {
  const gone = dropped(client);
  t.deepEqual(await exec(client, 'sudo -n pmset relative wake 1'), { stdout: '', stderr: '', code: 0 });
  t.deepEqual(await exec(client, 'sudo -n pmset sleepnow'), {
    stdout: 'Sleeping now...\n',
    stderr: '',
    code: 0,
  });
  const wasDropped = await gone;
  return { wasDropped, client: await guest.connectRetry() };
}

test.serial('pmset: schedule, -g sched, root checks and usage', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    t.is((await exec(client, 'pmset -g sched')).stdout, '');
    t.deepEqual(await exec(client, 'pmset relative wake 30'), {
      stdout: '',
      stderr: 'pmset: This operation must be run as root\n',
      code: 1,
    });
    t.deepEqual(await exec(client, 'sudo -n pmset relative wake 0'), {
      stdout: '',
      stderr: 'pmset: Error in scheduling operation\n',
      code: 1,
    });
    // A relative wake is the kernel's, counted from the end of the next sleep: powerd lists nothing.
    t.is((await exec(client, 'sudo -n pmset relative wake 30')).code, 0);
    t.is((await exec(client, 'pmset -g sched')).stdout, '');
    t.is((await exec(client, `sudo -n pmset schedule wake ${q('12/24/99 12:00:00')}`)).code, 0);
    t.is((await exec(client, `sudo -n pmset schedule wake ${q('12/24/98 08:30:00')} goguma`)).code, 0);
    t.is(
      (await exec(client, 'pmset -g sched')).stdout,
      "Scheduled power events:\n [0]  wake at 12/24/2098 08:30:00 by 'goguma'\n [1]  wake at 12/24/2099 12:00:00 by 'pmset'\n",
    );
    t.is((await exec(client, `sudo -n pmset schedule wake ${q('tomorrow')}`)).code, 1);
    const assertions = await exec(client, 'pmset -g assertions');
    t.regex(assertions.stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 \nAssertion status system-wide:\n/);
  } finally {
    await guest.close();
  }
});

test.serial(
  'sleepnow with a relative wake: SSH drops, the guest wakes, pmset log and provider lines show it',
  async (t) => {
    const { guest, client } = await builds.activated({}, 'sxl-sleep-1');
    t.is((await exec(client, PERSIST_FLOWS)).code, 0);
    t.is((await exec(client, `scutil --nc start ${q('SXL Transparent Proxy')}`)).code, 0);
    t.is((await exec(client, "curl -sS -o /dev/null -w '%{http_code}' https://example.com/")).stdout, '200');
    const { wasDropped, client: again } = await sleepAndWake(t, guest, client);
    t.true(wasDropped);
    const events = parsePmsetLog((await exec(again, 'pmset -g log')).stdout).events;
    const sleep = events.find((e) => e.kind === 'sleep');
    const wake = events.find((e) => e.kind === 'wake');
    t.regex(
      sleep?.message ?? '',
      /^Entering Sleep state due to 'Software Sleep pid=\d+': Using AC \(Charge:100%\)$/,
    );
    t.is(wake?.message, 'Wake from Deep Idle [CDNVA] : due to RTC/Maintenance Using AC (Charge:100%)');
    t.is(typeof wake?.durationSeconds, 'number');
    t.is((await exec(again, 'pmset -g sched')).stdout, '');
    t.is((await exec(again, "curl -sS -o /dev/null -w '%{http_code}' https://example.com/")).stdout, '200');
    const messages = await providerMessages(again);
    t.deepEqual(messages.slice(0, 1), ['startProxy(options:)']);
    t.regex(messages[1] ?? '', /^handleNewFlow TCP com\.apple\.curl remote 93\.184\.\d+\.\d+:443$/);
    t.deepEqual(messages.slice(2, 4), ['sleep(completionHandler:)', 'wake()']);
    t.regex(messages[4] ?? '', /^handleNewFlow TCP com\.apple\.curl remote /);
  },
);

test.serial(
  'without a scheduled wake the guest stays asleep: the port refuses until powered off',
  async (t) => {
    const guest = await TestGuest.create();
    try {
      const client = await guest.connect();
      const gone = dropped(client);
      t.is((await exec(client, 'sudo -n pmset sleepnow')).stdout, 'Sleeping now...\n');
      t.true(await gone);
      await new Promise((r) => setTimeout(r, 200));
      await t.throwsAsync(() => guest.connect());
    } finally {
      await guest.close();
    }
  },
);

test.serial(
  'quirk no-sleep at 1: "Sleeping now..." but SSH stays up and no Sleep line is logged',
  async (t) => {
    const guest = await TestGuest.create({ quirks: { 'no-sleep': 1 } });
    try {
      const client = await guest.connect();
      t.is((await exec(client, 'sudo -n pmset sleepnow')).stdout, 'Sleeping now...\n');
      await new Promise((r) => setTimeout(r, 300));
      t.is((await exec(client, 'echo up')).stdout, 'up\n');
      t.false((await exec(client, 'pmset -g log')).stdout.includes('Entering Sleep'));
    } finally {
      await guest.close();
    }
  },
);

test.serial(
  'quirk flows-stop-after-wake at 1: curl still 200, no handleNewFlow until the proxy restarts',
  async (t) => {
    const { guest, client } = await builds.activated({ 'flows-stop-after-wake': 1 }, 'sxl-sleep-2');
    t.is((await exec(client, PERSIST_FLOWS)).code, 0);
    await exec(client, `scutil --nc start ${q('SXL Transparent Proxy')}`);
    const { client: again } = await sleepAndWake(t, guest, client);
    t.is((await exec(again, "curl -sS -o /dev/null -w '%{http_code}' https://example.com/")).stdout, '200');
    t.is(
      (await exec(again, `scutil --nc status ${q('SXL Transparent Proxy')}`)).stdout.split('\n')[0],
      'Connected',
    );
    t.deepEqual(await providerMessages(again), [
      'startProxy(options:)',
      'sleep(completionHandler:)',
      'wake()',
    ]);
    await exec(again, `scutil --nc stop ${q('SXL Transparent Proxy')}`);
    await exec(again, `scutil --nc start ${q('SXL Transparent Proxy')}`);
    await exec(again, 'curl -sS -o /dev/null https://example.com/');
    const after = await providerMessages(again);
    t.regex(after.at(-1) ?? '', /^handleNewFlow TCP com\.apple\.curl remote /);
  },
);

test.serial(
  'darkwake-only: the wake is a DarkWake, the guest sleeps again and wakes dark for maintenance',
  async (t) => {
    const guest = await TestGuest.create({ quirks: { 'darkwake-only': 1 } });
    try {
      const client = await guest.connect();
      const { wasDropped, client: again } = await sleepAndWake(t, guest, client);
      t.true(wasDropped);
      // caffeinate -u declares user activity, and still nothing promotes the DarkWake (Reconstructed).
      const caffeinated = exec(again, 'caffeinate -u -t 2').catch(() => ({ code: null }));
      // SSH drops again when the DarkWake ends.
      t.true(await dropped(again));
      await caffeinated;
      const later = await guest.connectRetry();
      const raw = (await exec(later, 'pmset -g log')).stdout;
      t.regex(raw, /Dark Wake Count in this sleep cycle:[1-9]/);
      const events = parsePmsetLog(raw).events;
      const power = events.filter((e) => e.kind !== 'other').map((e) => `${e.domain}: ${e.message}`);
      t.regex(
        power[0] ?? '',
        /^Sleep: Entering Sleep state due to 'Software Sleep pid=\d+': Using AC \(Charge:100%\)$/,
      );
      t.is(
        power[1],
        'DarkWake: DarkWake from Deep Idle [CDNP] : due to RTC/Maintenance Using AC (Charge:100%)',
      );
      t.is(power[2], "Sleep: Entering Sleep state due to 'Maintenance Sleep': Using AC (Charge:100%)");
      t.is(
        power[3],
        'DarkWake: DarkWake from Deep Idle [CDNP] : due to RTC/Maintenance Using AC (Charge:100%)',
      );
      t.false(power.some((line) => line.startsWith('Wake:')));
    } finally {
      await guest.close();
    }
  },
);

test.serial('sysctl -n kern.boottime: the boot time, unchanged by a resume, new after a boot', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    const boottime = (await exec(client, 'sysctl -n kern.boottime')).stdout;
    t.regex(
      boottime,
      /^\{ sec = \d+, usec = \d+ \} [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\n$/,
    );
    t.regex((await exec(client, 'sysctl kern.boottime')).stdout, /^kern\.boottime: \{ sec = /);
    t.deepEqual(await exec(client, 'sysctl -n kern.nosuch'), {
      stdout: '',
      stderr: "sysctl: unknown oid 'kern.nosuch'\n",
      code: 1,
    });
    await guest.running!.suspend();
    await guest.boot({ resume: true });
    t.is((await exec(await guest.connectRetry(), 'sysctl -n kern.boottime')).stdout, boottime);
    await guest.running!.powerOff();
    await guest.boot();
    t.not((await exec(await guest.connectRetry(), 'sysctl -n kern.boottime')).stdout, boottime);
  } finally {
    await guest.close();
  }
});

test.serial(
  'caffeinate: silent, exit 0 after -t; usage errors; without -t it holds until the channel closes',
  async (t) => {
    const guest = await TestGuest.create();
    try {
      const client = await guest.connect();
      t.deepEqual(await exec(client, 'caffeinate -u -t 2'), { stdout: '', stderr: '', code: 0 });
      t.deepEqual(await exec(client, 'caffeinate -dis -t 300'), { stdout: '', stderr: '', code: 0 });
      t.is((await exec(client, 'caffeinate -x')).code, 1);
      t.is((await exec(client, 'caffeinate -t')).code, 1);
      // No -t: still running after a while (real caffeinate sits in dispatch_main).
      const held = exec(client, 'caffeinate -dis').then(() => 'ended');
      const first = await Promise.race([held, new Promise((r) => setTimeout(() => r('holding'), 300))]);
      t.is(first, 'holding');
      // While it runs, pmset lists its assertions (and parses as real output does).
      const assertions = parsePmsetAssertions((await exec(client, 'pmset -g assertions')).stdout);
      t.like(assertions.systemWide, {
        PreventUserIdleDisplaySleep: 1,
        PreventUserIdleSystemSleep: 1,
        PreventSystemSleep: 1,
        UserIsActive: 0,
      });
      const mine = assertions.byProcess.filter((a) => a.process === 'caffeinate');
      t.deepEqual(mine.map((a) => a.type).sort(), [
        'PreventSystemSleep',
        'PreventUserIdleDisplaySleep',
        'PreventUserIdleSystemSleep',
      ]);
      t.true(mine.every((a) => a.name === 'caffeinate command-line tool'));
      t.true(mine[0]?.details.some((d) => d.includes('caffeinate asserting forever')));
    } finally {
      await guest.close();
    }
  },
);
