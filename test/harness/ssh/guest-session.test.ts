// The ssh2 adapter against a simulated macOS guest over real SSH on loopback.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { CommandError, WaitTimeoutError } from '../../../harness/errors.ts';
import { type ExecRecord, GuestSession } from '../../../harness/ssh/guest-session.ts';
import { quoteArg } from '../../../harness/ssh/shell-quote.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

test('exec returns output and exit codes, and reports every command', async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const records: ExecRecord[] = [];
  guest.onExec((record) => records.push(record));
  const whoami = await guest.exec(['whoami']);
  t.is(whoami.stdout, 'admin\n');
  t.is(whoami.exitCode, 0);
  const missing = await guest.exec(['frobnicate', '--now'], { allowFailure: true });
  t.is(missing.exitCode, 127);
  t.regex(missing.stderr, /command not found: frobnicate/);
  const error = await t.throwsAsync(guest.exec(['frobnicate']), { instanceOf: CommandError });
  t.is(error.exitCode, 127);
  t.regex(
    error.message,
    /^Exit code 127 from `frobnicate` on sxl-test-1 \(127\.0\.0\.1:\d+\): .*command not found/,
  );
  t.is(records.length, 3);
  guest.close();
  await vm.guest.powerOff();
});

test('hostile file names survive upload, shell commands and download', async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const local = mkdtempSync(join(tmpdir(), 'sxl-up-'));
  const names = ['[T] TEXT.app', 'it\'s a "quote".pkg', '$(touch pwned).txt', 'semi;colon && amp.txt'];
  await guest.exec(['mkdir', '-p', '/Users/admin/stage dir']);
  for (const name of names) {
    const source = join(local, 'source.bin');
    writeFileSync(source, `content of ${name}\n`);
    const remote = `/Users/admin/stage dir/${name}`;
    await guest.upload(source, remote);
    const cat = await guest.exec(['cat', remote]);
    t.is(cat.stdout, `content of ${name}\n`, name);
    const copy = `/Users/admin/stage dir/copy of ${name}`;
    await guest.exec(`cp ${quoteArg(remote)} ${quoteArg(copy)}`);
    const back = join(local, 'back.bin');
    await guest.download(copy, back);
    t.is(readFileSync(back, 'utf8'), `content of ${name}\n`, name);
  }
  const listing = await guest.exec(['ls', '-1', '/Users/admin/stage dir']);
  for (const name of names) t.true(listing.stdout.split('\n').includes(name), name);
  // `$(touch pwned)` must have stayed a name: quoted, the shell hands it over as it is; unquoted,
  // the sim's shell refuses the substitution, so a quoting slip above would have failed the exec.
  const echoed = await guest.exec(`printf %s ${quoteArg('$(touch pwned).txt')}`);
  t.is(echoed.stdout, '$(touch pwned).txt');
  const unquoted = await guest.exec('printf %s $(touch pwned).txt', { allowFailure: true });
  t.is(unquoted.exitCode, 1);
  t.regex(unquoted.stderr, /command substitution/);
  guest.close();
  await vm.guest.powerOff();
});

test('a command that outlives its timeout is a CommandError marked timedOut', async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const error = await t.throwsAsync(guest.exec(['sleep', '30'], { timeoutMs: 300 }), {
    instanceOf: CommandError,
  });
  t.true(error.timedOut);
  t.regex(error.message, /^Timed out after \d+ ms from `sleep 30`/);
  // The connection is still usable after an abandoned channel.
  t.is((await guest.exec(['echo', 'still here'])).stdout, 'still here\n');
  guest.close();
  await vm.guest.powerOff();
});

test("an abort signal ends a command with the signal's reason", async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 100);
  await t.throwsAsync(guest.exec(['sleep', '30'], { signal: controller.signal }), {
    message: 'user pressed Ctrl-C',
  });
  guest.close();
  await vm.guest.powerOff();
});

test('a guest shutdown drops the connection and is seen by onClose', async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  const closed = new Promise<void>((resolve) => guest.onClose(resolve));
  await guest.exec(['sudo', '-n', 'shutdown', '-h', 'now'], { allowFailure: true }).catch(() => undefined);
  await closed;
  await vm.poweredOff;
  t.false(guest.isConnected);
  await t.throwsAsync(guest.exec(['whoami']), { instanceOf: CommandError });
});

test('connecting to a port where nothing listens times out with the address', async (t) => {
  const error = await t.throwsAsync(
    GuestSession.connect(
      { host: '127.0.0.1', port: 9, credentials: { username: 'admin', password: 'admin' } },
      { label: 'sxl-none', timeoutMs: 1200, attemptTimeoutMs: 500 },
    ),
    { instanceOf: WaitTimeoutError },
  );
  t.regex(
    error.message,
    /^Timed out after 1200 ms waiting for SSH on 127\.0\.0\.1:9 on sxl-none; last seen: .*ECONNREFUSED/,
  );
});

test('wrong credentials fail at once with a clear message', async (t) => {
  const vm = await bootTestGuest();
  const error = await t.throwsAsync(
    GuestSession.connect(
      { ...vm.endpoint, credentials: { username: 'admin', password: 'wrong' } },
      { label: 'sxl-test-1', timeoutMs: 20_000 },
    ),
  );
  t.regex(error.message, /^SSH authentication failed for user "admin"/);
  // Not retried until the timeout: the failure is the authentication error itself.
  t.false(error instanceof WaitTimeoutError);
  await vm.guest.powerOff();
});

test('an SFTP channel that closed is not kept: the next transfer opens a new one', async (t) => {
  const vm = await bootTestGuest();
  t.teardown(() => vm.guest.powerOff());
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  t.teardown(() => guest.close());
  const local = mkdtempSync(join(tmpdir(), 'sxl-up-'));
  const source = join(local, 'a.txt');
  writeFileSync(source, 'first\n');
  await guest.upload(source, '/Users/admin/a.txt');
  // The channel ends as when the guest's sftp-server exits; the connection itself stays up.
  const channel = await (guest as unknown as { sftpSession: Promise<import('ssh2').SFTPWrapper> })
    .sftpSession;
  await new Promise<void>((resolve) => {
    channel.once('close', () => resolve());
    channel.end();
  });
  writeFileSync(source, 'second\n');
  await guest.upload(source, '/Users/admin/a.txt');
  t.is((await guest.exec(['cat', '/Users/admin/a.txt'])).stdout, 'second\n');
});
