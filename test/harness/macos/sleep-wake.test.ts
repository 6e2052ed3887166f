// The harness's own sleep/wake steps against the sim's fake tart: what it proves before a check
// may count, and that a wait for a guest stops as soon as its VM process has ended.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runHostCommand } from '../../../harness/backends/host-command.ts';
import { TartBackend } from '../../../harness/backends/tart/tart-backend.ts';
import {
  CheckFailedError,
  NoFullWakeError,
  NoSleepError,
  SuspendFailedError,
} from '../../../harness/errors.ts';
import { waitForDrop } from '../../../harness/macos/connection-drop.ts';
import { sleepAndWake } from '../../../harness/macos/sleep-wake.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { candidateAddresses } from '../../../sim/tart/vmnet.ts';
import { fakeTart, makeSimEnv } from '../../helpers/sim-env.ts';

const image = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';

async function startVm(
  timeScale: number,
  name: string,
  beforeStart?: (sim: ReturnType<typeof makeSimEnv>) => Promise<void>,
) {
  const sim = makeSimEnv(timeScale);
  const backend = new TartBackend(sim.backendOptions());
  await backend.clone(image, name);
  await beforeStart?.(sim);
  const startOptions = {
    logFile: join(mkdtempSync(join(sim.dir, 'it-')), 'tart-run.log'),
    suspendable: true,
  };
  await backend.start(name, startOptions);
  const endpoint = await backend.endpoint(name, { timeoutMs: 60_000 });
  const guest = await GuestSession.connect(endpoint, { label: name, timeoutMs: 60_000 });
  const cleanup = async () => {
    guest.close();
    await backend.stop(name).catch(() => {});
    await backend.delete(name).catch(() => {});
  };
  return { sim, backend, guest, startOptions, cleanup };
}

test('a VM process that ends while the guest sleeps ends the reconnect at once (NoSleepError), not after its timeout', async (t) => {
  t.timeout(120_000);
  // Scaled so that the scheduled wake is 30 s away: the VM is stopped long before it.
  const vm = await startVm(0.05, 'sxl-sleep-1');
  t.teardown(vm.cleanup);
  vm.guest.onClose(() => {
    setTimeout(() => void runHostCommand(fakeTart, ['stop', 'sxl-sleep-1'], { env: vm.sim.env }), 200);
  });
  const started = performance.now();
  const error = await t.throwsAsync(
    sleepAndWake(
      { guest: vm.guest, backend: vm.backend, vm: 'sxl-sleep-1', startOptions: vm.startOptions },
      { strategy: 'guest', wakeAfterSeconds: 600, reconnectTimeoutMs: 90_000 },
    ),
    { instanceOf: NoSleepError },
  );
  t.regex(
    error.message,
    /^No sleep happened on sxl-sleep-1: the VM process ended while the guest slept: Exit code 0 from `\S*tart run sxl-sleep-1 --no-graphics --suspendable --no-clipboard`: Stopping VM\.\.\./,
  );
  // A "did not hang" bound far below the 90 s the reconnect would otherwise have spent.
  t.true(performance.now() - started < 45_000);
});

test('a resume that boots afresh is refused: no restore lines from tart run (SuspendFailedError)', async (t) => {
  t.timeout(120_000);
  const vm = await startVm(0, 'sxl-resume-1');
  t.teardown(vm.cleanup);
  await vm.backend.suspend('sxl-resume-1');
  t.deepEqual(await vm.backend.list(), [{ name: 'sxl-resume-1', state: 'suspended' }]);
  // Stopping a suspended VM discards its snapshot (tart-cli.md): the next run is a cold boot.
  await runHostCommand(fakeTart, ['stop', 'sxl-resume-1'], { env: vm.sim.env });
  await vm.backend.resume('sxl-resume-1', vm.startOptions);
  await vm.guest.reconnect({ timeoutMs: 60_000 });
  const error = await t.throwsAsync(vm.backend.confirmResumed('sxl-resume-1'), {
    instanceOf: SuspendFailedError,
  });
  t.regex(
    error.message,
    /^Resume of sxl-resume-1 did not happen as a snapshot: `\S*tart run sxl-resume-1 --no-graphics --suspendable --no-clipboard` did not print "restoring VM state from a snapshot\.\.\." and "resuming VM\.\.\.", so it did not restore a snapshot/,
  );
  t.is(error.stage, 'resume');
});

test('a check that fails while the guest sleeps again does not count: whileAwake throws NoFullWakeError over it', async (t) => {
  t.timeout(120_000);
  const vm = await startVm(0, 'sxl-awake-1');
  t.teardown(vm.cleanup);
  const slept = await sleepAndWake(
    { guest: vm.guest, backend: vm.backend, vm: 'sxl-awake-1', startOptions: vm.startOptions },
    { strategy: 'guest', wakeAfterSeconds: 1 },
  );
  t.is(slept.evidence?.wake.domain, 'Wake');
  // The check: the guest goes back to sleep under it, and the flows it looks for never come.
  const error = await t.throwsAsync(
    slept.whileAwake(async () => {
      await vm.guest.exec(['sudo', '-n', 'pmset', 'relative', 'wake', '1']);
      await vm.guest.exec(['sudo', '-n', 'pmset', 'sleepnow']).catch(() => undefined);
      await waitForDrop(vm.guest, { timeoutMs: 10_000 });
      await vm.guest.reconnect({ timeoutMs: 30_000 });
      throw new CheckFailedError('flows-after-wake', 'No flows: found 0 new');
    }),
    { instanceOf: NoFullWakeError },
  );
  t.regex(
    error.message,
    /^No full wake on sxl-awake-1: the guest left its wake of \S+ at \S+ \(Sleep: Entering Sleep state due to 'Software Sleep pid=\d+': Using AC \(Charge:100%\)\) while the check after the wake ran, so its result does not count \(No flows: found 0 new\)/,
  );
  // Without a sleep meanwhile, the check's own failure stands. pmset stamps whole seconds: the next
  // cycle starts in a later one, as any two real sleeps do.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const again = await sleepAndWake(
    { guest: vm.guest, backend: vm.backend, vm: 'sxl-awake-1', startOptions: vm.startOptions },
    { strategy: 'guest', wakeAfterSeconds: 1 },
  );
  await t.throwsAsync(
    again.whileAwake(async () => {
      throw new CheckFailedError('flows-after-wake', 'No flows: found 0 new');
    }),
    { instanceOf: CheckFailedError },
  );
});

test('a resume whose guest booted afresh is refused on kern.boottime, even when tart run looked like a restore (SuspendFailedError)', async (t) => {
  t.timeout(120_000);
  const vm = await startVm(0, 'sxl-boottime-1');
  t.teardown(vm.cleanup);
  // A tart whose restore lines cannot be trusted: its check passes, and the snapshot is discarded
  // under it (stopping a suspended VM does that), so the resume is a cold boot.
  const backend = Object.create(vm.backend) as TartBackend;
  backend.suspend = async (name, options) => {
    await vm.backend.suspend(name, options);
    await runHostCommand(fakeTart, ['stop', name], { env: vm.sim.env });
  };
  backend.confirmResumed = async () => {};
  const error = await t.throwsAsync(
    sleepAndWake(
      { guest: vm.guest, backend, vm: 'sxl-boottime-1', startOptions: vm.startOptions },
      { strategy: 'suspend', suspendedMs: 0, reconnectTimeoutMs: 60_000 },
    ),
    { instanceOf: SuspendFailedError },
  );
  t.regex(
    error.message,
    /^Resume of sxl-boottime-1 did not happen as a snapshot: kern\.boottime changed from "\{ sec = \d+, usec = \d+ \} [^"]+" to "\{ sec = \d+, usec = \d+ \} [^"]+": the guest booted afresh instead of resuming/,
  );
  t.is(error.stage, 'resume');
  t.regex(error.evidence['kern-boottime.txt'] ?? '', /^before suspend: .*\nafter resume: .*\n$/);
});

test('a suspend that tart list does not call suspended is refused (SuspendFailedError), though tart run saved its snapshot', async (t) => {
  t.timeout(180_000);
  const sim = makeSimEnv(0);
  // A tart whose list never shows the saved state (as if no state.vzvmsave were left to restore).
  const wrapper = join(sim.dir, 'tart-list-stopped');
  writeFileSync(
    wrapper,
    [
      '#!/bin/bash',
      `if [ "$1" = list ]; then "${fakeTart}" "$@" | sed 's/"suspended"/"stopped"/g'; exit "\${PIPESTATUS[0]}"; fi`,
      `exec "${fakeTart}" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  const backend = new TartBackend({ ...sim.backendOptions(), tartBin: wrapper });
  const name = 'sxl-listed-1';
  t.teardown(async () => {
    await backend.stop(name).catch(() => {});
    await backend.delete(name).catch(() => {});
  });
  await backend.clone(image, name);
  const logFile = join(mkdtempSync(join(sim.dir, 'it-')), 'tart-run.log');
  await backend.start(name, { logFile, suspendable: true });
  await backend.endpoint(name, { timeoutMs: 60_000 });
  const error = await t.throwsAsync(backend.suspend(name), { instanceOf: SuspendFailedError });
  t.regex(
    error.message,
    /^Suspend of sxl-listed-1 did not happen as a snapshot: `tart list` still shows State stopped \d+ ms after `tart run` ended/,
  );
  t.is(error.stage, 'suspend');
  // tart run itself had saved the snapshot: only the list's word was missing.
  t.regex(error.evidence['tart-run-suspend.log'] ?? '', /snapshot created successfully/);
});

/** Holds `host:port` as another program would (another simulated host on this machine). */
async function occupy(host: string, port: number): Promise<import('node:net').Server> {
  const { createServer } = await import('node:net');
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
  return server;
}

test('a resumed VM keeps its leased address, even when that was not the first free one at its boot', async (t) => {
  t.timeout(120_000);
  const name = 'sxl-resume-lease';
  // The first address this VM's MAC maps to is taken when it boots: it comes up at the second.
  let squatter: import('node:net').Server | undefined;
  const vm = await startVm(0, name, async (sim) => {
    const config = JSON.parse(readFileSync(join(sim.tartHome, 'vms', name, 'config.json'), 'utf8'));
    const [first] = candidateAddresses(config.macAddress);
    squatter = await occupy(first!, 2222);
  });
  t.teardown(vm.cleanup);
  const leased = vm.guest.endpoint.host;
  // Now free again: a resume must still come back at the leased address (bootpd keeps a MAC's lease).
  await new Promise((resolve) => squatter!.close(resolve));
  await vm.backend.suspend(name);
  await vm.backend.resume(name, vm.startOptions);
  await vm.guest.reconnect({ timeoutMs: 60_000 });
  t.is(vm.guest.endpoint.host, leased);
  t.is((await vm.guest.exec(['echo', 'back'])).stdout, 'back\n');
  t.is((await vm.backend.endpoint(name, { timeoutMs: 30_000 })).host, leased);
});

test('a resume that brings the guest back at another address: sleepAndWake asks the address again and reconnects there', async (t) => {
  t.timeout(120_000);
  const vm = await startVm(0, 'sxl-resume-moved');
  t.teardown(vm.cleanup);
  const { host, port } = vm.guest.endpoint;
  // While the VM is suspended something else takes its address: the resumed guest cannot listen
  // there and comes up at another one, which `tart ip` tells once the lease is recorded.
  const originalSuspend = vm.backend.suspend.bind(vm.backend);
  let squatter: import('node:net').Server | undefined;
  vm.backend.suspend = async (name, options) => {
    await originalSuspend(name, options);
    squatter = await occupy(host, port);
  };
  t.teardown(() => squatter?.close());
  const result = await sleepAndWake(
    { guest: vm.guest, backend: vm.backend, vm: 'sxl-resume-moved', startOptions: vm.startOptions },
    { strategy: 'suspend', suspendedMs: 0, reconnectTimeoutMs: 30_000 },
  );
  t.is(result.strategy, 'suspend');
  t.not(vm.guest.endpoint.host, host);
  t.regex(vm.guest.target, new RegExp(`\\(${vm.guest.endpoint.host.replaceAll('.', '\\.')}:${port}\\)$`));
  t.is((await vm.guest.exec(['echo', 'moved'])).stdout, 'moved\n');
});
