// The tart backend against the sim's fake tart: the same code that drives real tart.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parseTartList, TartBackend } from '../../../../harness/backends/tart/tart-backend.ts';
import { HostCommandError, WaitTimeoutError } from '../../../../harness/errors.ts';
import { GuestSession } from '../../../../harness/ssh/guest-session.ts';
import { makeSimEnv } from '../../../helpers/sim-env.ts';

const image = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';

test('clone, start, endpoint, SSH, stop and delete a VM', async (t) => {
  const sim = makeSimEnv();
  const backend = new TartBackend(sim.backendOptions());
  const commands: string[] = [];
  backend.onCommand((record) => commands.push(record.command));
  const description = await backend.describe();
  t.is(description.toolVersion, '2.32.1');
  await backend.clone(image, 'sxl-test-1');
  t.deepEqual(await backend.list(), [{ name: 'sxl-test-1', state: 'stopped' }]);
  const logFile = join(sim.dir, 'run.log');
  await backend.start('sxl-test-1', { logFile });
  const endpoint = await backend.endpoint('sxl-test-1', { timeoutMs: 30_000 });
  t.regex(endpoint.host, /^127\.\d+\.\d+\.\d+$/);
  t.deepEqual(
    (await backend.list()).map((vm) => vm.state),
    ['running'],
  );
  const guest = await GuestSession.connect(endpoint, { label: 'sxl-test-1', timeoutMs: 30_000 });
  t.is((await guest.exec(['whoami'])).stdout.trim(), 'admin');
  guest.close();
  await backend.stop('sxl-test-1');
  t.deepEqual(
    (await backend.list()).map((vm) => vm.state),
    ['stopped'],
  );
  await backend.delete('sxl-test-1');
  t.deepEqual(await backend.list(), []);
  // Cleanup is repeatable: stopping and deleting a VM that is gone is not an error.
  await backend.stop('sxl-test-1');
  await backend.delete('sxl-test-1');
  t.true(commands.some((c) => c.includes('set sxl-test-1 --random-mac')));
  t.regex(readFileSync(logFile, 'utf8'), /Stopping VM\.\.\./);
});

test('a VM that never gets an address times out naming the VM', async (t) => {
  const sim = makeSimEnv();
  const backend = new TartBackend(sim.backendOptions());
  await backend.clone(image, 'sxl-test-2');
  const error = await t.throwsAsync(backend.endpoint('sxl-test-2', { timeoutMs: 1500 }), {
    instanceOf: WaitTimeoutError,
  });
  t.regex(
    error.message,
    /^Timed out after 1500 ms waiting for an IP address \(tart ip sxl-test-2\) on sxl-test-2; last seen: no IP address found, is your VM running\?/,
  );
  await backend.delete('sxl-test-2');
});

test("cloning an unknown image is a HostCommandError with tart's message", async (t) => {
  const sim = makeSimEnv();
  const backend = new TartBackend(sim.backendOptions());
  const error = await t.throwsAsync(backend.clone('ghcr.io/example/nope:latest', 'sxl-test-3'), {
    instanceOf: HostCommandError,
  });
  t.regex(error.message, /tart clone ghcr\.io\/example\/nope:latest sxl-test-3/);
});

test('a missing tart executable fails describe() clearly', async (t) => {
  const backend = new TartBackend({ tartBin: join(mkdtempSync(join(tmpdir(), 'sxl-')), 'no-tart') });
  await t.throwsAsync(backend.describe(), { instanceOf: HostCommandError });
});

test('tart list JSON is read whatever the key order, and garbage is refused', (t) => {
  const text =
    '[\n  {\n    "State" : "running",\n    "Source" : "local",\n    "Name" : "a"\n  },\n  {\n    "Name" : "b",\n    "Running" : false,\n    "State" : "stopped"\n  }\n]';
  t.deepEqual(parseTartList(text), [
    { name: 'a', state: 'running' },
    { name: 'b', state: 'stopped' },
  ]);
  t.throws(() => parseTartList('Source Name Disk'), { message: /not JSON/ });
  t.throws(() => parseTartList('[{"Name": "x", "State": "weird"}]'), { message: /expected Name and State/ });
});
