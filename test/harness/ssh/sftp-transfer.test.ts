// Parallel SFTP copies: against a simulated guest over real SSH, and against a scripted SFTP peer
// that answers out of order and short, to pin the file order, the window and the end of file.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { SFTPWrapper } from 'ssh2';
import { TransferChecksumError } from '../../../harness/errors.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { sftpDownload } from '../../../harness/ssh/sftp-transfer.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('upload then download round-trips files of awkward sizes with many requests in flight', async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const local = mkdtempSync(join(tmpdir(), 'sxl-transfer-'));
  for (const [size, chunkBytes] of [
    [0, 4096],
    [1, 4096],
    [4096, 4096],
    [3 * 1024 * 1024 + 17, 4096],
    [5 * 1024 * 1024 + 1, 65536],
  ] as const) {
    const data = randomBytes(size);
    const source = join(local, `up-${size}.bin`);
    writeFileSync(source, data);
    const remote = `/Users/admin/copy ${size}.bin`;
    const progress: number[] = [];
    await guest.upload(source, remote, { chunkBytes, inFlight: 16 });
    const sum = await guest.exec(['shasum', '-a', '256', remote]);
    t.is(sum.stdout.split(' ')[0], sha256(data), `upload of ${size} bytes`);
    const back = join(local, `down-${size}.bin`);
    await guest.download(remote, back, { chunkBytes, inFlight: 16, onProgress: (n) => progress.push(n) });
    t.true(readFileSync(back).equals(data), `download of ${size} bytes`);
    // Progress is reported in file order: it only grows, and ends at the size.
    t.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
    );
    t.is(progress.at(-1) ?? 0, size);
  }
  guest.close();
  await vm.guest.powerOff();
});

test('a guest file rewritten during the download is a TransferChecksumError', async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const hostFile = join(vm.vmDir, 'guest', 'rootfs', 'Users', 'admin', 'changing.bin');
  writeFileSync(hostFile, randomBytes(256 * 1024));
  const local = join(mkdtempSync(join(tmpdir(), 'sxl-transfer-')), 'changing.bin');
  // New content after every piece: the copy mixes versions, which no hash of the guest's file matches
  // (the guest hashes while the copy runs, so which version it sees is left open).
  const error = await t.throwsAsync(
    guest.download('/Users/admin/changing.bin', local, {
      chunkBytes: 4096,
      inFlight: 4,
      onProgress: () => writeFileSync(hostFile, randomBytes(256 * 1024)),
    }),
    { instanceOf: TransferChecksumError },
  );
  t.is(error.localSha256, sha256(readFileSync(local)));
  t.not(error.remoteSha256, error.localSha256);
  t.regex(
    error.message,
    /^Checksum mismatch after the download of \/Users\/admin\/changing\.bin on sxl-test-1/,
  );
  // Without verification the same copy is accepted.
  await guest.download('/Users/admin/changing.bin', local, { verify: false });
  guest.close();
  await vm.guest.powerOff();
});

test('a guest file that changes once the upload is acknowledged is a TransferChecksumError', async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const local = join(mkdtempSync(join(tmpdir(), 'sxl-transfer-')), 'up.bin');
  const data = randomBytes(64 * 1024 + 5);
  writeFileSync(local, data);
  const hostFile = join(vm.vmDir, 'guest', 'rootfs', 'Users', 'admin', 'up.bin');
  const error = await t.throwsAsync(
    guest.upload(local, '/Users/admin/up.bin', {
      chunkBytes: 4096,
      // The last write is acknowledged: the guest's file then changes before it is hashed.
      onProgress: (bytes) => (bytes === data.length ? writeFileSync(hostFile, 'changed\n') : undefined),
    }),
    { instanceOf: TransferChecksumError },
  );
  t.is(error.direction, 'upload');
  t.is(error.localSha256, sha256(data));
  t.is(error.remoteSha256, sha256(Buffer.from('changed\n')));
  guest.close();
  await vm.guest.powerOff();
});

/**
 * An SFTP peer that holds every read until `inFlight` are outstanding (or the file ends), then
 * answers them last first, each at most `maxAnswer` bytes: the order a server may use.
 */
function scriptedPeer(data: Buffer, maxAnswer: number) {
  const held: Array<() => void> = [];
  let outstanding = 0;
  let peak = 0;
  const release = () => {
    while (held.length > 0) held.pop()!();
  };
  const peer = {
    open: (_path: string, _mode: string, cb: (e: Error | undefined, h: Buffer) => void) =>
      setImmediate(() => cb(undefined, Buffer.from('h'))),
    fstat: (_h: Buffer, cb: (e: Error | undefined, s: { size: number }) => void) =>
      setImmediate(() => cb(undefined, { size: data.length })),
    close: (_h: Buffer, cb: (e?: Error) => void) => setImmediate(() => cb()),
    read: (
      _h: Buffer,
      buffer: Buffer,
      offset: number,
      length: number,
      position: number,
      cb: (e: Error | undefined, n: number) => void,
    ) => {
      outstanding += 1;
      peak = Math.max(peak, outstanding);
      held.push(() => {
        outstanding -= 1;
        const n = data.copy(
          buffer,
          offset,
          position,
          Math.min(position + Math.min(length, maxAnswer), data.length),
        );
        cb(undefined, position >= data.length ? 0 : n);
      });
      setImmediate(release);
    },
  };
  return { sftp: peer as unknown as SFTPWrapper, peak: () => peak };
}

test('reads answered out of order and short still land in file order, with the window bounded', async (t) => {
  const data = randomBytes(1024 * 1024 + 333);
  const peer = scriptedPeer(data, 1000);
  const local = join(mkdtempSync(join(tmpdir(), 'sxl-transfer-')), 'scripted.bin');
  const result = await sftpDownload(peer.sftp, '/x', local, { chunkBytes: 4096, inFlight: 8 });
  t.true(readFileSync(local).equals(data));
  t.is(result.bytes, data.length);
  t.is(result.sha256, sha256(data));
  t.true(peer.peak() > 1, 'more than one read in flight');
  t.true(
    peer.peak() <= 8 * 2,
    `at most the window (and the rests of short answers) in flight, got ${peer.peak()}`,
  );
});

test('an abort ends a download with the signal reason', async (t) => {
  const data = randomBytes(256 * 1024);
  const peer = scriptedPeer(data, 4096);
  const local = join(mkdtempSync(join(tmpdir(), 'sxl-transfer-')), 'aborted.bin');
  const controller = new AbortController();
  const reason = new Error('stop');
  await t.throwsAsync(
    sftpDownload(peer.sftp, '/x', local, {
      chunkBytes: 4096,
      signal: controller.signal,
      onProgress: (n) => (n > 64 * 1024 ? controller.abort(reason) : undefined),
    }),
    { is: reason },
  );
});

test('a local file that cannot be opened ends a download without a close on an ended channel', async (t) => {
  // ssh2 queues a request on an ended channel forever: a close there would never answer.
  let closes = 0;
  const peer = {
    readable: false,
    open: (_path: string, _mode: string, cb: (e: Error | undefined, h: Buffer) => void) =>
      setImmediate(() => cb(undefined, Buffer.from('h'))),
    close: () => {
      closes += 1;
    },
  } as unknown as SFTPWrapper;
  const local = join(mkdtempSync(join(tmpdir(), 'sxl-transfer-')), 'missing', 'x.bin');
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the download still waits after 5 s')), 5_000);
  });
  try {
    await t.throwsAsync(Promise.race([sftpDownload(peer, '/x', local), hung]), { code: 'ENOENT' });
  } finally {
    clearTimeout(timer);
  }
  t.is(closes, 0);
});
