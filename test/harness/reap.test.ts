// `reap` deletes the VMs of runs that died and keeps those of live runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { TartBackend } from '../../harness/backends/tart/tart-backend.ts';
import { reapVms } from '../../harness/reap.ts';
import { makeSimEnv } from '../helpers/sim-env.ts';

const image = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';

test('VMs of dead runs are stopped and deleted, VMs of live runs and other VMs are kept', async (t) => {
  const sim = makeSimEnv();
  const registry = join(sim.dir, 'runs');
  const previous = process.env.SXL_STATE_DIR;
  process.env.SXL_STATE_DIR = registry;
  t.teardown(() => {
    if (previous === undefined) delete process.env.SXL_STATE_DIR;
    else process.env.SXL_STATE_DIR = previous;
  });
  const backend = new TartBackend(sim.backendOptions());
  await backend.clone(image, 'sxl-20260101-000000-dead-1');
  await backend.clone(image, 'sxl-20260101-000000-live-1');
  await backend.clone(image, 'golden-keep-me');
  // The dead run left its VM running, as a harness killed with SIGKILL does.
  await backend.start('sxl-20260101-000000-dead-1', { logFile: join(sim.dir, 'dead.log') });
  await backend.endpoint('sxl-20260101-000000-dead-1', { timeoutMs: 30_000 });
  mkdirSync(registry, { recursive: true });
  writeFileSync(
    join(registry, '20260101-000000-live.json'),
    JSON.stringify({ runId: '20260101-000000-live', pid: process.pid, host: hostname() }),
  );
  const result = await reapVms(backend);
  t.deepEqual(result.deleted, ['sxl-20260101-000000-dead-1']);
  t.deepEqual(result.kept, ['sxl-20260101-000000-live-1']);
  t.deepEqual(result.problems, []);
  t.deepEqual((await backend.list()).map((vm) => vm.name).sort(), [
    'golden-keep-me',
    'sxl-20260101-000000-live-1',
  ]);
  const all = await reapVms(backend, { all: true });
  t.deepEqual(all.deleted, ['sxl-20260101-000000-live-1']);
  t.deepEqual(
    (await backend.list()).map((vm) => vm.name),
    ['golden-keep-me'],
  );
});
