// `sysext-lab doctor --backend orchard` against the simulated Orchard controller: the fleet checks
// replace the host checks (controller, credentials, free slots), then a throwaway VM made through
// the API gets the guest checks over the port-forward; a fleet that cannot be used gets no VM.
import test from 'ava';
import type { DoctorCheck } from '../../../harness/doctor/doctor-check.ts';
import { runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';
import { type OrchardFleet, startFleet } from '../../scenarios/run-on-orchard.ts';

function orchardEnv(fleet: OrchardFleet, token = fleet.settings.serviceAccountToken): NodeJS.ProcessEnv {
  return {
    ORCHARD_URL: fleet.url,
    ORCHARD_SERVICE_ACCOUNT_NAME: fleet.settings.serviceAccountName,
    ORCHARD_SERVICE_ACCOUNT_TOKEN: token,
  };
}

async function doctor(env: NodeJS.ProcessEnv, args: string[] = []) {
  const result = await runCli(makeSimEnv(), ['doctor', '--backend', 'orchard', '--json', ...args], env);
  const checks = result.stdout ? (JSON.parse(result.stdout) as { checks: DoctorCheck[] }).checks : [];
  const status = (id: string) => checks.find((c) => c.id === id)?.status;
  return { ...result, checks, status };
}

test('a usable fleet: fleet checks ok, a VM made through the API passes the guest checks, none is left', async (t) => {
  t.timeout(180_000);
  const fleet = await startFleet({ workers: 1 });
  t.teardown(() => fleet.close());
  const result = await doctor(orchardEnv(fleet));
  t.is(result.code, 0, result.stderr + result.stdout);
  t.deepEqual(
    result.checks.filter((c) => c.status === 'fail').map((c) => c.id),
    [],
  );
  t.is(result.status('fleet-controller'), 'ok');
  t.is(result.status('fleet-credentials'), 'ok');
  t.regex(
    result.checks.find((c) => c.id === 'fleet-slots')?.message ?? '',
    /^2 free VM slot\(s\) on 1 worker/,
  );
  // The host is not this machine: no host command was run for it.
  t.deepEqual(
    result.checks.filter((c) => c.id.startsWith('host-') && c.id !== 'host-vm-limit').map((c) => c.id),
    [],
  );
  for (const id of ['guest-boot', 'guest-local-network', 'guest-sw-vers', 'guest-sudo', 'guest-sleep']) {
    t.is(result.status(id), 'ok', `${id}: ${JSON.stringify(result.checks.find((c) => c.id === id))}`);
  }
  t.regex(
    result.checks.find((c) => c.id === 'guest-local-network')?.message ?? '',
    /through the backend's stream/,
  );
  // Orchard offers no guest agent (its exec is SSH through the port-forward): nothing to check, no
  // `tart exec` made up for the record.
  t.is(result.status('guest-agent'), undefined);
  t.is(fleet.controller.created, 1);
  t.is(fleet.controller.vms.size, 0);
});

test('a wrong token fails fleet-credentials (exit 1) and no VM is made', async (t) => {
  t.timeout(60_000);
  const fleet = await startFleet({ workers: 1 });
  t.teardown(() => fleet.close());
  const result = await doctor(orchardEnv(fleet, 'not-the-token'));
  t.is(result.code, 1, result.stderr);
  t.is(result.status('fleet-controller'), 'ok');
  t.is(result.status('fleet-credentials'), 'fail');
  t.regex(result.checks.find((c) => c.id === 'fleet-credentials')?.message ?? '', /HTTP 401/);
  t.is(result.status('guest-boot'), undefined);
  t.is(fleet.controller.created, 0);
  t.false(result.stdout.includes('not-the-token'));
});

test('a controller that does not answer fails fleet-controller (exit 1)', async (t) => {
  t.timeout(60_000);
  const fleet = await startFleet({ workers: 1 });
  const env = orchardEnv(fleet);
  await fleet.close();
  const result = await doctor(env);
  t.is(result.code, 1, result.stderr);
  t.is(result.status('fleet-controller'), 'fail');
  t.deepEqual(
    result.checks.map((c) => c.id),
    ['fleet-controller'],
  );
});
