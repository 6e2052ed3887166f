// Issue 12's fault "an SSH server that dies mid-transfer": the sim's quirk sshd-dies-mid-transfer
// kills the sshd serving an SFTP file after its first piece. An upload and a download then end with
// an error that says the connection was lost, within the "did not hang" bound, and the guest
// answers a new connection.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CommandError } from '../../../harness/errors.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

// Generous: the hang this guards against lasted until the transfer's 600 s timeout.
const didNotHangMs = 60_000;

async function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${didNotHangMs} ms`)), didNotHangMs);
  });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

for (const direction of ['upload', 'download'] as const) {
  test(`the sshd dies in the middle of an ${direction}: a lost-connection error, no hang`, async (t) => {
    t.timeout(120_000);
    const vm = await bootTestGuest({ quirks: { 'sshd-dies-mid-transfer': 1 } });
    t.teardown(() => vm.guest.powerOff());
    const local = mkdtempSync(join(tmpdir(), 'sxl-drop-'));
    const source = join(local, 'source.bin');
    // Several pieces, so that the death comes with more of the file still to go.
    writeFileSync(source, Buffer.alloc(1024 * 1024, 7));
    const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
    t.teardown(() => guest.close());
    // Written straight onto the guest's disk: an upload would meet the quirk too.
    if (direction === 'download')
      writeFileSync(
        join(vm.vmDir, 'guest', 'rootfs', 'Users', 'admin', 'big.bin'),
        Buffer.alloc(1024 * 1024, 7),
      );
    const transfer =
      direction === 'upload'
        ? guest.upload(source, '/Users/admin/copy.bin')
        : guest.download('/Users/admin/big.bin', join(local, 'copy.bin'));
    const error = await bounded(t.throwsAsync(transfer, { instanceOf: CommandError }));
    t.is(error?.exitCode, null);
    t.regex(
      error?.message ?? '',
      /^Exit code none \(connection lost\) from `sftp (put|get) .*big\.bin|copy\.bin/,
    );
    t.false(guest.isConnected, 'the connection is gone with its sshd');
    // launchd starts a new sshd for the next connection.
    const again = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
    t.is((await again.exec(['whoami'])).stdout, 'admin\n');
    again.close();
  });
}
