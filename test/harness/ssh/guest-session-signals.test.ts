// A command killed by a signal and a channel refused over MaxSessions, against an ssh2 server that
// answers as OpenSSH's sshd does (exit-signal with the signal's name; an `open failed` channel
// refusal, administratively prohibited), over real SSH on loopback. Neither is a lost connection.
import type { AddressInfo } from 'node:net';
import test from 'ava';
import ssh2 from 'ssh2';

const { Server } = ssh2;

import { CommandError } from '../../../harness/errors.ts';
import { retryUntil } from '../../../harness/retry.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { generateHostKeyPair } from '../../../sim/guest/ssh/host-key.ts';

/** Each command's word picks the answer: `segv`, `term`, `kill` end by that signal; others exit 0. */
async function startSshd(options: {
  maxSessions: number;
}): Promise<{ port: number; close: () => void; release: () => void }> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const hostKey = generateHostKeyPair().private;
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    let open = 0;
    client.on('authentication', (ctx) => ctx.accept());
    client.on('error', () => {});
    client.on('ready', () => {
      client.on('session', (accept, reject) => {
        if (open >= options.maxSessions) {
          // What sshd's session_open failure sends back (channels.c: "open failed").
          reject();
          return;
        }
        open += 1;
        const session = accept();
        session.on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec();
          channel.on('close', () => {
            open -= 1;
          });
          // Read (and drop) stdin, or the channel never ends and never closes.
          channel.resume();
          const signals: Record<string, string> = { segv: 'SEGV', term: 'TERM', kill: 'KILL', abrt: 'ABRT' };
          const name = signals[info.command.trim()];
          if (info.command.trim() === 'hold') {
            // Holds its channel until the test releases it.
            void released.then(() => {
              channel.exit(0);
              channel.end();
            });
            return;
          }
          channel.write('partial output\n');
          if (name) channel.exit(name, name === 'SEGV' || name === 'ABRT', '');
          else channel.exit(0);
          channel.end();
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close(), release };
}

test('a command killed by a signal is a non-zero exit with the signal, not a lost connection', async (t) => {
  const sshd = await startSshd({ maxSessions: 10 });
  t.teardown(sshd.close);
  const guest = await GuestSession.connect(
    { host: '127.0.0.1', port: sshd.port, credentials: { username: 'admin', password: 'admin' } },
    { label: 'sxl-test-1' },
  );
  t.teardown(() => guest.close());
  const segv = await guest.exec('segv', { allowFailure: true });
  t.is(segv.signal, 'SIGSEGV');
  t.is(segv.exitCode, 139);
  t.is(segv.stdout, 'partial output\n');
  const error = await t.throwsAsync(guest.exec('abrt'), { instanceOf: CommandError });
  t.is(error.signal, 'SIGABRT');
  t.is(error.exitCode, 134);
  t.regex(error.message, /^Killed by SIGABRT \(exit code 134\) from `abrt` on sxl-test-1/);
  t.notRegex(error.message, /connection lost/);
  for (const [command, code] of [
    ['term', 143],
    ['kill', 137],
  ] as const) {
    const result = await guest.exec(command, { allowFailure: true });
    t.is(result.exitCode, code, command);
  }
  t.true(guest.isConnected);
  t.is((await guest.exec('ok')).exitCode, 0);
});

test('more channels than the server allows says so, and the connection stays usable', async (t) => {
  const sshd = await startSshd({ maxSessions: 2 });
  t.teardown(sshd.close);
  const guest = await GuestSession.connect(
    { host: '127.0.0.1', port: sshd.port, credentials: { username: 'admin', password: 'admin' } },
    { label: 'sxl-test-1' },
  );
  t.teardown(() => guest.close());
  const holders = new AbortController();
  const held = [
    guest.exec('hold', { signal: holders.signal }),
    guest.exec('hold', { signal: holders.signal }),
  ];
  for (const h of held) h.catch(() => {});
  // Both holders have their channels once a third command is refused.
  const error = await t.throwsAsync(guest.exec('ok', { allowFailure: true }), { instanceOf: CommandError });
  t.regex(error.message, /^No channel for the command \(the server refused a new channel .*MaxSessions/);
  t.notRegex(error.message, /connection lost/);
  t.true(guest.isConnected);
  sshd.release();
  for (const h of held) t.is((await h).exitCode, 0);
  // The server frees the slots when it sees the holders' channels close: a refusal until then.
  const freed = await retryUntil(() => guest.exec('ok'), {
    what: 'a free channel',
    vm: 'sxl-test-1',
    timeoutMs: 30_000,
    intervalMs: 20,
  });
  t.is(freed.exitCode, 0);
});
