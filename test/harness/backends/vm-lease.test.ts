// VmLease's teardown: what it asks of the backend and the guest, with and without --keep-vm.
import test from 'ava';
import type { VmBackend } from '../../../harness/backends/vm-backend.ts';
import { VmLease } from '../../../harness/backends/vm-lease.ts';
import type { GuestSession } from '../../../harness/ssh/guest-session.ts';

function recorder() {
  const calls: string[] = [];
  const backend = {
    name: 'fake',
    stop: async (name: string) => void calls.push(`stop ${name}`),
    delete: async (name: string) => void calls.push(`delete ${name}`),
  } as unknown as VmBackend;
  const guest = {
    isConnected: true,
    exec: async (command: string) => {
      calls.push(`guest ${command}`);
      return { command, stdout: '', stderr: '', exitCode: 0, durationMs: 0 };
    },
    close: () => void calls.push('guest close'),
  } as unknown as GuestSession;
  return { calls, backend, guest };
}

test('a VM that is deleted next is stopped hard: no guest shutdown first', async (t) => {
  const { calls, backend, guest } = recorder();
  {
    await using lease = new VmLease(backend, 'sxl-r-1');
    lease.attachGuest(guest);
  }
  t.deepEqual(calls, ['guest close', 'stop sxl-r-1', 'delete sxl-r-1']);
});

test('a kept VM is shut down from inside, then stopped, and not deleted', async (t) => {
  const { calls, backend, guest } = recorder();
  {
    await using lease = new VmLease(backend, 'sxl-r-1', { keep: true });
    lease.attachGuest(guest);
  }
  t.deepEqual(calls, ['guest sudo -n shutdown -h now', 'guest close', 'stop sxl-r-1']);
});

test('teardown problems are reported, never thrown, and teardown goes on', async (t) => {
  const { calls, backend } = recorder();
  backend.stop = async () => {
    throw new Error('tart stop exploded');
  };
  const problems: string[] = [];
  {
    await using _lease = new VmLease(backend, 'sxl-r-2', { onTeardownProblem: (m) => problems.push(m) });
  }
  t.deepEqual(problems, ['Stopping sxl-r-2 failed: tart stop exploded']);
  t.deepEqual(calls, ['delete sxl-r-2']);
});
