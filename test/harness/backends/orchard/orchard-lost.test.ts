// OrchardBackend.lost against the simulated controller: a VM whose worker still reports in is not
// lost (its guest's connection dropped on its own); one whose worker went away is a VmLostError once
// the controller has failed it, never before.
import test, { type ExecutionContext } from 'ava';
import { OrchardBackend } from '../../../../harness/backends/orchard/orchard-backend.ts';
import { VmLostError } from '../../../../harness/errors.ts';
import { GuestSession } from '../../../../harness/ssh/guest-session.ts';
import { startFleet } from '../../../scenarios/run-on-orchard.ts';

const image = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';

/** A one-worker fleet with `vm` running on it; both go when the test ends. */
async function runningVm(t: ExecutionContext, vm: string) {
  const fleet = await startFleet({ workers: 1 });
  t.teardown(() => fleet.close());
  const backend = new OrchardBackend({ ...fleet.settings, pollIntervalMs: 100 });
  await backend.clone(image, vm);
  await backend.start(vm, { logFile: '/dev/null' });
  t.teardown(() => backend.delete(vm).catch(() => {}));
  const loseWorker = () => fleet.controller.loseWorker(fleet.controller.vms.get(vm)?.worker ?? '');
  return { fleet, backend, loseWorker };
}

test('lost: undefined while the worker reports in; VmLostError naming the status once the worker is gone', async (t) => {
  t.timeout(120_000);
  const vm = 'sxl-lost-test-1';
  const { fleet, backend, loseWorker } = await runningVm(t, vm);

  t.is(await backend.lost(vm, { timeoutMs: 20_000 }), undefined);

  t.truthy(fleet.controller.vms.get(vm)?.worker);
  loseWorker();
  const lost = await backend.lost(vm, { timeoutMs: 20_000 });
  t.true(lost instanceof VmLostError, String(lost));
  t.is(lost?.vm, vm);
  t.regex(
    lost?.message ?? '',
    /status failed \(VM is assigned to a worker that lost connection with the controller\)/,
  );
});

test('SSH through the port-forward to a VM the controller failed: VmLostError at once, for a connect and a reconnect', async (t) => {
  t.timeout(120_000);
  const vm = 'sxl-lost-ssh-1';
  const { backend, loseWorker } = await runningVm(t, vm);
  const endpoint = await backend.endpoint(vm);
  const guest = await GuestSession.connect(endpoint, { label: vm, timeoutMs: 30_000 });
  t.teardown(() => guest.close());

  loseWorker();
  t.truthy(await backend.lost(vm, { timeoutMs: 20_000 }));
  // The controller now answers the forward with 417; a wait of its full length would be a
  // WaitTimeoutError, naming the timeout instead of the lost VM.
  for (const attempt of [
    () => guest.reconnect({ timeoutMs: 20_000 }),
    () => GuestSession.connect(endpoint, { label: vm, timeoutMs: 20_000 }),
  ]) {
    const error = await t.throwsAsync(attempt());
    t.true(error instanceof VmLostError, String(error));
    t.regex(error?.message ?? '', /status failed \(VM is assigned to a worker that lost connection/);
    t.regex(
      String((error?.cause as Error | undefined)?.message),
      /HTTP 417 \(VM is in a terminal state 'failed'\)/,
    );
  }
});

test('lost: a VM whose resource was deleted is lost', async (t) => {
  t.timeout(120_000);
  const fleet = await startFleet({ workers: 1 });
  t.teardown(() => fleet.close());
  const backend = new OrchardBackend(fleet.settings);
  const lost = await backend.lost('sxl-never-made-1', { timeoutMs: 5_000 });
  t.true(lost instanceof VmLostError, String(lost));
  t.regex(lost?.message ?? '', /resource was deleted/);
});

test('whenStopped: settles once the worker is gone and the controller failed the VM', async (t) => {
  t.timeout(60_000);
  const vm = 'sxl-stopped-test-1';
  const { backend, loseWorker } = await runningVm(t, vm);
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const stopped = backend.whenStopped(vm, controller.signal);
  loseWorker();
  let bound: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    stopped,
    new Promise<undefined>((resolve) => {
      bound = setTimeout(resolve, 30_000, undefined);
    }),
  ]).finally(() => clearTimeout(bound));
  t.regex(result?.description ?? 'did not settle in 30 s', /status failed/);
});
