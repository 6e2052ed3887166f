// A reboot stays inside one `tart run`: if that process ends meanwhile, the reconnect gives up at
// once with the run's own words, instead of retrying SSH for its whole timeout.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runHostCommand } from '../../../harness/backends/host-command.ts';
import { TartBackend } from '../../../harness/backends/tart/tart-backend.ts';
import { HostCommandError } from '../../../harness/errors.ts';
import { rebootGuest } from '../../../harness/macos/reboot.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { fakeTart, makeSimEnv } from '../../helpers/sim-env.ts';

const image = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';

async function startVm(name: string) {
  // Scaled so that the reboot's boot takes seconds: the VM is stopped while it reboots.
  const sim = makeSimEnv(0.2);
  const backend = new TartBackend(sim.backendOptions());
  await backend.clone(image, name);
  await backend.start(name, { logFile: join(mkdtempSync(join(sim.dir, 'it-')), 'tart-run.log') });
  const endpoint = await backend.endpoint(name, { timeoutMs: 60_000 });
  const guest = await GuestSession.connect(endpoint, { label: name, timeoutMs: 60_000 });
  const cleanup = async () => {
    guest.close();
    await backend.stop(name).catch(() => {});
    await backend.delete(name).catch(() => {});
  };
  return { sim, backend, guest, cleanup };
}

test('a VM process that ends during a reboot ends the reconnect at once, naming tart run', async (t) => {
  t.timeout(120_000);
  const vm = await startVm('sxl-reboot-1');
  t.teardown(vm.cleanup);
  vm.guest.onClose(() => {
    setTimeout(() => void runHostCommand(fakeTart, ['stop', 'sxl-reboot-1'], { env: vm.sim.env }), 100);
  });
  const started = performance.now();
  const error = await t.throwsAsync(
    rebootGuest(vm.guest, {
      reconnectTimeoutMs: 90_000,
      vm: { backend: vm.backend, name: 'sxl-reboot-1' },
    }),
    { instanceOf: HostCommandError },
  );
  t.regex(
    error.message,
    /the VM process ended during the reboot: Exit code \S+ from `\S*tart run sxl-reboot-1/,
  );
  // A "did not hang" bound far below the 90 s the reconnect would otherwise have spent.
  t.true(performance.now() - started < 60_000);
});

test('a reboot inside a running VM reconnects and finds the GUI session again', async (t) => {
  t.timeout(120_000);
  const vm = await startVm('sxl-reboot-2');
  t.teardown(vm.cleanup);
  const before = (await vm.guest.exec(['sysctl', '-n', 'kern.boottime'])).stdout;
  await rebootGuest(vm.guest, {
    reconnectTimeoutMs: 60_000,
    vm: { backend: vm.backend, name: 'sxl-reboot-2' },
  });
  const after = (await vm.guest.exec(['sysctl', '-n', 'kern.boottime'])).stdout;
  t.not(after, before, 'kern.boottime changed: the guest really rebooted');
  t.is((await vm.guest.exec(['stat', '-f%Su', '/dev/console'])).stdout.trim(), 'admin');
});
