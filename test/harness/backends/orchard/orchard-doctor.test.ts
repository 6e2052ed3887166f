// The fleet checks read the controller through as few requests as they can: the worker and VM lists
// that prove the credentials also give the free slots.
import test from 'ava';
import type { OrchardBackend } from '../../../../harness/backends/orchard/orchard-backend.ts';
import { orchardFleetChecks } from '../../../../harness/backends/orchard/orchard-doctor.ts';

function fleetWith(workers: number) {
  const asked: string[] = [];
  const now = new Date().toISOString();
  const api = {
    base: 'http://controller.test:6120',
    authorization: 'Basic x',
    async controllerInfo() {
      asked.push('info');
      return { version: '0.40.0' };
    },
    async listWorkers() {
      asked.push('workers');
      return Array.from({ length: workers }, (_, i) => ({
        name: `worker-${i}`,
        last_seen: now,
        resources: { 'org.cirruslabs.tart-vms': 2 },
      }));
    },
    async listVms() {
      asked.push('vms');
      return [{ name: 'busy', image: 'x', worker: 'worker-0', resources: { 'org.cirruslabs.tart-vms': 1 } }];
    },
  };
  return { vms: { api } as unknown as OrchardBackend, asked };
}

test('each list is asked once, and the free slots come from those answers', async (t) => {
  const { vms, asked } = fleetWith(2);
  const checks = await orchardFleetChecks(vms);
  t.deepEqual(
    checks.map((c) => [c.id, c.status]),
    [
      ['fleet-controller', 'ok'],
      ['fleet-credentials', 'ok'],
      ['fleet-slots', 'ok'],
    ],
  );
  t.regex(checks[2]!.message, /^3 free VM slot\(s\) on 2 worker\(s\)/);
  t.deepEqual(asked.sort(), ['info', 'vms', 'workers']);
});

test('a fleet without workers fails fleet-slots', async (t) => {
  const { vms } = fleetWith(0);
  const checks = await orchardFleetChecks(vms);
  t.deepEqual(checks.at(-1)?.status, 'fail');
  t.is(checks.at(-1)?.message, 'the controller has no worker');
});
