// The fleet checks read the controller through as few requests as they can: doctor's describe
// already asked the controller's info, and the worker and VM lists that prove the credentials also
// give the free slots.
import test from 'ava';
import type { OrchardBackend } from '../../../../harness/backends/orchard/orchard-backend.ts';
import { orchardFleetChecks } from '../../../../harness/backends/orchard/orchard-doctor.ts';
import { ConfigError, OrchardApiError } from '../../../../harness/errors.ts';

const described = { backend: 'orchard', tool: 'http://controller.test:6120', toolVersion: 'orchard 0.40.0' };

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

test('each list is asked once, the info not again, and the free slots come from those answers', async (t) => {
  const { vms, asked } = fleetWith(2);
  const checks = await orchardFleetChecks(vms, described);
  t.deepEqual(
    checks.map((c) => [c.id, c.status]),
    [
      ['fleet-controller', 'ok'],
      ['fleet-credentials', 'ok'],
      ['fleet-slots', 'ok'],
    ],
  );
  t.is(checks[0]!.message, 'http://controller.test:6120 answers (orchard 0.40.0)');
  t.regex(checks[2]!.message, /^3 free VM slot\(s\) on 2 worker\(s\)/);
  t.deepEqual(asked.sort(), ['vms', 'workers']);
});

test('a fleet without workers fails fleet-slots', async (t) => {
  const { vms } = fleetWith(0);
  const checks = await orchardFleetChecks(vms, described);
  t.is(checks.at(-1)?.status, 'fail');
  t.is(checks.at(-1)?.message, 'the controller has no worker');
});

test('an info request the controller refused: it answers, the credentials fail, nothing else is asked', async (t) => {
  const { vms, asked } = fleetWith(1);
  const refused = new OrchardApiError('GET', '/v1/info', 401, 'unauthorized');
  const checks = await orchardFleetChecks(
    vms,
    new ConfigError('ORCHARD_URL', refused.message, { cause: refused }),
  );
  t.deepEqual(
    checks.map((c) => [c.id, c.status]),
    [
      ['fleet-controller', 'ok'],
      ['fleet-credentials', 'fail'],
    ],
  );
  t.is(checks[1]!.message, refused.message);
  t.deepEqual(asked, []);
});

test('a controller that does not answer fails fleet-controller with the cause', async (t) => {
  const { vms } = fleetWith(1);
  const down = new Error('connect ECONNREFUSED 127.0.0.1:6120');
  const checks = await orchardFleetChecks(
    vms,
    new ConfigError('ORCHARD_URL', 'does not answer', { cause: down }),
  );
  t.deepEqual(
    checks.map((c) => [c.id, c.status]),
    [['fleet-controller', 'fail']],
  );
  t.regex(checks[0]!.message, /does not answer: connect ECONNREFUSED/);
});
