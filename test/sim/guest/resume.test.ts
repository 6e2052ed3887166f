import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { GuestState } from '../../../sim/guest/state.ts';
import { exec, q } from './guest-harness.ts';
import { SampleBuilds } from './sample-setup.ts';

const builds = new SampleBuilds();
test.before(() => builds.make());
test.after.always(() => builds.cleanup());

const readState = async (vmDir: string) =>
  JSON.parse(await readFile(join(vmDir, 'guest/state.json'), 'utf8')) as GuestState;

test('resume after a host-side suspend: no boot sequence, jobs and proxy as they were, clock behind until date sets it', async (t) => {
  const { guest, client } = await builds.activated({}, 'sxl-resume-1');
  await exec(client, `scutil --nc start ${q('SXL Transparent Proxy')}`);
  const before = await readState(guest.vmDir);
  await guest.running!.suspend();
  await new Promise((r) => setTimeout(r, 2100));
  await guest.boot({ resume: true });
  const again = await guest.connect();
  const after = await readState(guest.vmDir);
  t.is(after.bootCount, before.bootCount);
  t.is(after.bootUuid, before.bootUuid);
  t.deepEqual(after.jobs, before.jobs);
  t.is(
    (await exec(again, `scutil --nc status ${q('SXL Transparent Proxy')}`)).stdout.split('\n')[0],
    'Connected',
  );
  const guestNow = Number((await exec(again, 'date -u +%s')).stdout);
  const lag = Date.now() / 1000 - guestNow;
  t.true(lag >= 1.5 && lag < 10, `lag ${lag}`);
  // No sleep()/wake() for the provider: a suspend is invisible to the guest.
  const provider = (
    await exec(again, `log show --style ndjson --predicate ${q('process == "com.example.sxl.app.proxy"')}`)
  ).stdout;
  t.false(provider.includes('sleep(completionHandler:)'));
  // Cirrus CLI's fix: set the guest clock from the host.
  const d = new Date(Date.now());
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${d.getUTCFullYear()}.${two(d.getUTCSeconds())}`;
  t.is(
    (await exec(again, `date -u ${stamp}`)).stderr,
    'date: settimeofday (timeval): Operation not permitted\n',
  );
  const set = await exec(again, `sudo -n date -u ${stamp}`);
  t.is(set.code, 0);
  t.regex(set.stdout, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}\n$/);
  const fixed = Number((await exec(again, 'date -u +%s')).stdout);
  t.true(Math.abs(Date.now() / 1000 - fixed) < 2);
  t.regex(
    (await exec(again, "date '+%Y-%m-%d %H:%M:%S%z'")).stdout,
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000\n$/,
  );
});

test('a normal boot after power-off runs the boot sequence and disconnects the proxy', async (t) => {
  const { guest, client } = await builds.activated({}, 'sxl-resume-2');
  await exec(client, `scutil --nc start ${q('SXL Transparent Proxy')}`);
  const before = await readState(guest.vmDir);
  await guest.running!.powerOff();
  await guest.boot();
  const again = await guest.connect();
  const after = await readState(guest.vmDir);
  t.is(after.bootCount, before.bootCount + 1);
  t.not(after.bootUuid, before.bootUuid);
  t.is(
    (await exec(again, `scutil --nc status ${q('SXL Transparent Proxy')}`)).stdout.split('\n')[0],
    'Disconnected',
  );
  t.is((await exec(again, `scutil --nc status nothing`)).stdout, 'No service\n');
});
