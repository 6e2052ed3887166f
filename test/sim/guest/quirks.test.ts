import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { Machine } from '../../../sim/guest/machine.ts';
import { rollQuirk } from '../../../sim/guest/model/quirk-dice.ts';
import type { GuestState } from '../../../sim/guest/state.ts';
import { parseQuirkList, QUIRKS, type QuirkName } from '../../../sim/quirks.ts';
import { exec, q, TestGuest, waitFor } from './guest-harness.ts';
import { SampleBuilds } from './sample-setup.ts';

const GUEST_QUIRKS: QuirkName[] = [
  'xpc-endpoint-lost-on-upgrade',
  'xpc-invalidated-until-reapproval',
  'flows-stop-after-wake',
  'activation-no-policy',
  'no-sleep',
  'ssh-drop',
  'sysdiagnose-hang',
  'sshd-dies-mid-transfer',
];
const HOST_QUIRKS: QuirkName[] = ['boot-fail', 'no-ip', 'vm-limit-leak'];

const builds = new SampleBuilds();
test.before(() => builds.make());
test.after.always(() => builds.cleanup());

function rolls(
  quirk: QuirkName,
  p: number,
  n: number,
  vmName = 'sxl-rate-3',
): { fired: number; state: GuestState } {
  const machine = {
    settings: { quirks: { [quirk]: p }, seed: 11, timeScale: 0 },
    vmName,
  } as unknown as Machine;
  const state = { quirkCounters: {} } as GuestState;
  let fired = 0;
  for (let k = 0; k < n; k++) if (rollQuirk(machine, state, quirk)) fired++;
  return { fired, state };
}

test('every contract quirk is known, described and parses', (t) => {
  for (const name of [...GUEST_QUIRKS, ...HOST_QUIRKS]) {
    t.true(Object.hasOwn(QUIRKS, name), name);
    t.true(QUIRKS[name].length > 20, name);
    t.deepEqual(parseQuirkList(`${name}=0.2`), { [name]: 0.2 });
  }
});

test('each guest quirk fires at its configured rate: 200 seeded rolls at 0.2 fall in the 99.9% band, 0 never, 1 always', (t) => {
  // Binomial(200, 0.2): mean 40, sd 5.66; z = 3.29 gives [21.4, 58.6].
  for (const quirk of GUEST_QUIRKS) {
    const { fired, state } = rolls(quirk, 0.2, 200);
    t.true(fired >= 22 && fired <= 58, `${quirk}: ${fired}/200`);
    t.is(state.quirkCounters[quirk], 200, quirk);
    t.is(rolls(quirk, 0, 200).fired, 0, quirk);
    t.is(rolls(quirk, 1, 200).fired, 200, quirk);
    // Same seed, VM ordinal and counters: the same outcomes, whatever the run id.
    t.is(rolls(quirk, 0.2, 200, 'sxl-otherrun-3').fired, fired, quirk);
  }
});

test('quirk counters persist in state.json across a reboot, so rolls are not replayed', async (t) => {
  const guest = await TestGuest.create({ quirks: { 'no-sleep': 1 } });
  try {
    const client = await guest.connect();
    await exec(client, 'sudo -n pmset sleepnow');
    await exec(client, 'sudo -n pmset sleepnow');
    await guest.running!.powerOff();
    await guest.boot();
    const again = await guest.connect();
    await exec(again, 'sudo -n pmset sleepnow');
    // The roll happens after the reply; wait for it to reach the disk.
    let counter = 0;
    for (let k = 0; k < 100 && counter < 3; k++) {
      await new Promise((r) => setTimeout(r, 20));
      const state = JSON.parse(await readFile(join(guest.vmDir, 'guest/state.json'), 'utf8')) as GuestState;
      counter = state.quirkCounters['no-sleep'] ?? 0;
    }
    t.is(counter, 3);
  } finally {
    await guest.close();
  }
});

test('quirk activation-no-policy at 1: sysextd refuses an app in /Applications, the list stays empty; at 0 the request goes through', async (t) => {
  const { client, install, launch } = await builds.guest({ 'activation-no-policy': 1 }, 'sxl-policy-1');
  await install('1.0');
  await launch();
  const predicate = 'process == "sysextd" OR process == "SXL Sample"';
  const log = await waitFor(
    client,
    `log show --style ndjson --info --debug --predicate ${q(predicate)}`,
    (r) => r.stdout.includes('code=4'),
  );
  const messages = log.stdout
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { eventMessage: string }).eventMessage);
  const id = 'com.example.sxl.app.proxy';
  t.true(messages.includes(`client activation request for ${id}`));
  t.true(messages.includes(`attempting to realize extension with identifier ${id}`));
  t.true(messages.includes('no policy, cannot allow apps outside /Applications'));
  t.true(
    messages.some((m) =>
      m.includes(
        `OSSystemExtensionErrorDomain code=4 "Extension not found in App bundle. Unable to find any matched extension with identifier: ${id}"`,
      ),
    ),
  );
  t.is((await exec(client, 'systemextensionsctl list')).stdout, '0 extension(s)\n');

  const ok = await builds.guest({ 'activation-no-policy': 0 }, 'sxl-policy-2');
  await ok.install('1.0');
  await ok.launch();
  await waitFor(ok.client, 'systemextensionsctl list', (r) =>
    r.stdout.includes('[activated waiting for user]'),
  );
  t.pass();
});

test('quirk ssh-drop at 1: the connection is reset mid-command (no exit status, the command is cut); at 0 nothing drops', async (t) => {
  const guest = await TestGuest.create({ quirks: { 'ssh-drop': 1 } });
  try {
    for (const command of ['echo fast', 'sleep 0.3; echo done > cut.txt']) {
      const client = await guest.connect();
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      const result = await exec(client, command).catch((e: unknown) => e);
      await closed;
      t.is((result as { code?: number | null }).code ?? null, null, command);
    }
    guest.quirks = {};
    await guest.running!.powerOff();
    await guest.boot();
    const again = await guest.connect();
    t.is((await exec(again, 'cat cut.txt')).code, 1);
    t.deepEqual(await exec(again, 'echo still'), { stdout: 'still\n', stderr: '', code: 0 });
  } finally {
    await guest.close();
  }
});
