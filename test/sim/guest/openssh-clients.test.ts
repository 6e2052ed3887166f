// Debian's OpenSSH clients (openssh-client: ssh, sftp, scp) against a sim guest, as a user who keeps
// a VM with --keep-vm would use them: commands and their exit codes, sftp batches, scp in both
// directions over SFTP and the legacy protocol (-O), a 100 MiB round trip with equal checksums, and
// the session rules of OpenSSH's sshd (MaxSessions, answers in request order, exit-status then EOF
// then close). Every client run is bounded, so a server that never closes a channel fails the test.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type ssh2 from 'ssh2';
import { exec, TestGuest } from './guest-harness.ts';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let guest: TestGuest;
let client: ssh2.Client;
let work: string;
let key: string;

/** openssh-client from Debian when a client is missing (we may be root in a fresh container). */
function ensureOpenSshClient(): void {
  const missing = ['ssh', 'sftp', 'scp', 'ssh-keygen'].filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
  );
  if (missing.length === 0) return;
  const install = spawnSync(
    'sh',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client'],
    { stdio: 'ignore', timeout: 300_000 },
  );
  if (install.status !== 0)
    throw new Error(`openssh-client is missing (${missing.join(', ')}) and apt-get failed`);
}

/** Runs a client with a hard bound: a hang is a kill and a failed assertion, never a stuck test. */
function run(command: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: work,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Options every client gets: the test key, no host key bookkeeping, no prompts (unless `prompts`). */
function common(prompts = false): string[] {
  return [
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    `BatchMode=${prompts ? 'no' : 'yes'}`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=10',
    '-i',
    key,
  ];
}

// `extra` goes first: for ssh the first value given for an option wins.
const ssh = (command: string, extra: string[] = []) =>
  run('ssh', [...extra, ...common(), '-p', String(guest.port), `admin@${guest.host}`, command]);

const sha256 = (path: string) =>
  new Promise<string>((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });

test.before(async () => {
  ensureOpenSshClient();
  guest = await TestGuest.create();
  client = await guest.connect();
  work = await mkdtemp(join(tmpdir(), 'sxl-openssh-'));
  key = join(work, 'id_ed25519');
  const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  if (keygen.code !== 0) throw new Error(`ssh-keygen failed: ${keygen.stderr}`);
  // The guest's sshd reads ~/.ssh/authorized_keys, as OpenSSH's does by default.
  const publicKey = await readFile(`${key}.pub`, 'utf8');
  const installed = await exec(client, 'mkdir -p .ssh && cat > .ssh/authorized_keys', publicKey);
  if (installed.code !== 0) throw new Error(`authorized_keys: ${installed.stderr}`);
});

test.after.always(async () => {
  await guest?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('ssh runs commands with their exit codes: 0, 1, exit N, a signal death, a connection failure', async (t) => {
  const hello = await ssh('echo hello from $USER');
  t.is(hello.code, 0, hello.stderr);
  t.is(hello.stdout, 'hello from admin\n');
  t.is((await ssh('false')).code, 1);
  const seven = await ssh('echo out; echo err >&2; exit 7');
  t.is(seven.code, 7);
  t.is(seven.stdout, 'out\n');
  t.is(seven.stderr, 'err\n');
  t.is((await ssh('no-such-tool')).code, 127);
  const noProcess = await ssh('kill -9 99999; echo after');
  t.is(noProcess.code, 0);
  t.is(noProcess.stdout, 'after\n');
  t.is(noProcess.stderr, 'kill: kill 99999 failed: no such process\n');
  // A shell killed by a signal: sshd sends exit-signal, and OpenSSH's ssh then has no exit status
  // (it prints "Exit status -1" and exits 255).
  const killed = await ssh('kill -SEGV $$', ['-o', 'LogLevel=DEBUG1']);
  t.is(killed.code, 255);
  t.regex(killed.stderr, /rtype exit-signal/);
  t.regex(killed.stderr, /Exit status -1/);
  // The same death seen through ssh2: exit code null and the signal's name.
  const viaSsh2 = await new Promise<{ code: unknown; signal: unknown }>((resolve, reject) => {
    client.exec('kill -9 $$', (error, stream) => {
      if (error) return reject(error);
      stream.on('exit', (code: unknown, signal: unknown) => resolve({ code, signal }));
      stream.resume();
      stream.stderr.resume();
    });
  });
  t.deepEqual(viaSsh2, { code: null, signal: 'SIGKILL' });
  // Nothing listens on port 1 of the guest's address: ssh's own failure is 255.
  const refused = await run('ssh', [...common(), '-p', '1', `admin@${guest.host}`, 'true']);
  t.is(refused.code, 255);
  t.regex(refused.stderr, /Connection refused/);
});

/** Runs `ssh` with `input` on its stdin (the login shell reads it). */
function sshWithInput(args: string[], input: string) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn('ssh', [...args, ...common(), '-p', String(guest.port), `admin@${guest.host}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

test('ssh with no command gets a login shell that keeps cd, export and $? from line to line', async (t) => {
  const piped = await sshWithInput(
    ['-T'],
    'cd Documents\nexport X=5\nfalse\necho $X $? $PWD\nexit 3\necho never\n',
  );
  t.is(piped.code, 3, piped.stderr);
  t.is(piped.stdout, '5 1 /Users/admin/Documents\n');
  // EOF ends it with the last status.
  t.is((await sshWithInput(['-T'], 'echo a\nfalse')).code, 1);
  // With a terminal: the zsh prompt, the typed line echoed (typeahead too, as a tty echoes it while
  // a command runs), CRLF line ends.
  const tty = await sshWithInput(['-tt'], 'sw_vers -productVersion\rexit\r');
  t.is(tty.code, 0, tty.stderr);
  t.regex(tty.stdout, /^admin@[\w-]+ ~ % sw_vers -productVersion\r\n/);
  t.regex(tty.stdout, /\r\n15\.\d+(\.\d+)?\r\n/);
  t.notRegex(tty.stdout, /[^\r]\n/);
});

test('password login through SSH_ASKPASS, and a wrong password is refused', async (t) => {
  const askpass = join(work, 'askpass.sh');
  await writeFile(askpass, '#!/bin/sh\necho "$SXL_TEST_PASSWORD"\n');
  await chmod(askpass, 0o755);
  const options = [
    '-o',
    'PubkeyAuthentication=no',
    '-o',
    'NumberOfPasswordPrompts=1',
    '-p',
    String(guest.port),
    `admin@${guest.host}`,
    'echo in',
  ];
  const base = common(true);
  const env = { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' };
  const good = await run('ssh', [...base, ...options], { env: { ...env, SXL_TEST_PASSWORD: 'admin' } });
  t.is(good.code, 0, good.stderr);
  t.is(good.stdout, 'in\n');
  const bad = await run('ssh', [...base, ...options], { env: { ...env, SXL_TEST_PASSWORD: 'wrong' } });
  t.is(bad.code, 255);
  t.regex(bad.stderr, /Permission denied/);
});

test('sftp batch put, ls and get end with exit 0 and equal files', async (t) => {
  const data = Buffer.alloc(3 * 1024 * 1024 + 123);
  for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);
  await writeFile(join(work, 'batch-up.bin'), data);
  await writeFile(
    join(work, 'batch.txt'),
    'put batch-up.bin batch.bin\nls -1\nget batch.bin batch-down.bin\nrm batch.bin\n',
  );
  const result = await run('sftp', [
    ...common(),
    '-P',
    String(guest.port),
    '-b',
    'batch.txt',
    `admin@${guest.host}`,
  ]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /^batch\.bin$/m);
  t.true((await readFile(join(work, 'batch-down.bin'))).equals(data));
  t.is((await exec(client, 'ls batch.bin')).code, 1);
  // A failing batch line ends sftp with 1.
  await writeFile(join(work, 'missing.txt'), 'get no-such-file.bin x.bin\n');
  const missing = await run('sftp', [
    ...common(),
    '-P',
    String(guest.port),
    '-b',
    'missing.txt',
    `admin@${guest.host}`,
  ]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no-such-file\.bin" not found/);
});

test('scp copies both ways over SFTP and over the legacy protocol (-O)', async (t) => {
  const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
  await writeFile(join(work, 'scp-up.bin'), data);
  for (const legacy of [false, true]) {
    const mode = legacy ? ['-O'] : [];
    const remote = legacy ? 'legacy.bin' : 'modern.bin';
    const down = join(work, `${remote}.down`);
    const up = await run('scp', [
      ...common(),
      ...mode,
      '-P',
      String(guest.port),
      'scp-up.bin',
      `admin@${guest.host}:~/${remote}`,
    ]);
    // `~/` is expanded by the guest: expand-path@openssh.com over SFTP, the shell for legacy scp.
    t.is(up.code, 0, `${remote} up: ${up.stderr}`);
    const back = await run('scp', [
      ...common(),
      ...mode,
      '-P',
      String(guest.port),
      `admin@${guest.host}:${remote}`,
      down,
    ]);
    t.is(back.code, 0, `${remote} down: ${back.stderr}`);
    t.true((await readFile(down)).equals(data), remote);
    const missing = await run('scp', [
      ...common(),
      ...mode,
      '-P',
      String(guest.port),
      `admin@${guest.host}:nope.bin`,
      down,
    ]);
    t.is(missing.code, 1, `${remote}: ${missing.stderr}`);
    t.regex(missing.stderr, /No such file/);
  }
  const sums = await exec(client, 'shasum -a 256 modern.bin legacy.bin');
  const local = await sha256(join(work, 'scp-up.bin'));
  t.is(sums.stdout, `${local}  modern.bin\n${local}  legacy.bin\n`);
});

test('a 100 MiB round trip (sftp up, scp down) keeps its sha256', async (t) => {
  const up = join(work, 'big.bin');
  // Random bytes: any lost, repeated or reordered read changes the checksum.
  await writeFile(up, randomFillSync(Buffer.allocUnsafe(100 * 1024 * 1024)));
  await writeFile(join(work, 'big.txt'), 'put big.bin big.bin\n');
  const put = await run(
    'sftp',
    [...common(), '-P', String(guest.port), '-b', 'big.txt', `admin@${guest.host}`],
    {
      timeoutMs: 120_000,
    },
  );
  t.is(put.code, 0, put.stderr);
  const local = await sha256(up);
  t.is((await exec(client, 'shasum -a 256 big.bin')).stdout, `${local}  big.bin\n`);
  const down = join(work, 'big.down');
  const get = await run('scp', [...common(), '-P', String(guest.port), `admin@${guest.host}:big.bin`, down], {
    timeoutMs: 120_000,
  });
  t.is(get.code, 0, get.stderr);
  t.is(await sha256(down), local);
  await exec(client, 'rm big.bin');
});

test('MaxSessions: the 11th session on a connection fails as sshd refuses it, the connection stays', async (t) => {
  const conn = await guest.connect();
  const holders: ssh2.ClientChannel[] = [];
  for (let i = 0; i < 10; i++) {
    holders.push(
      await new Promise<ssh2.ClientChannel>((resolve, reject) =>
        conn.exec('sleep 30', (error, stream) => {
          if (error) return reject(error);
          // Flowing, so that the channel's close is seen once the server closes it.
          stream.resume();
          stream.stderr.resume();
          resolve(stream);
        }),
      ),
    );
  }
  const refused = await new Promise<Error & { reason?: number }>((resolve, reject) =>
    conn.exec('echo eleventh', (error) =>
      error ? resolve(error) : reject(new Error('the 11th session opened')),
    ),
  );
  // serverloop.c: SSH2_OPEN_CONNECT_FAILED (2) with the text "open failed".
  t.is(refused.reason, 2);
  t.regex(refused.message, /open failed/);
  const closed = new Promise((resolve) => holders[0]!.once('close', resolve));
  holders[0]!.close();
  await closed;
  t.is((await exec(conn, 'echo again')).stdout, 'again\n');
  for (const holder of holders.slice(1)) holder.close();
  conn.end();
});

test('sftp answers in request order and ends with exit-status 0, EOF and close after the client EOF', async (t) => {
  await exec(client, 'printf 0123456789abcdef > order.txt');
  const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
    client.subsys('sftp', (error, stream) => (error ? reject(error) : resolve(stream))),
  );
  const events: string[] = [];
  let input = Buffer.alloc(0);
  const packets: Buffer[] = [];
  let wake = () => {};
  channel.on('data', (d: Buffer) => {
    input = Buffer.concat([input, d]);
    while (input.length >= 4 && input.length >= 4 + input.readUInt32BE(0)) {
      packets.push(input.subarray(4, 4 + input.readUInt32BE(0)));
      input = input.subarray(4 + input.readUInt32BE(0));
    }
    wake();
  });
  channel.on('exit', (code: unknown) => events.push(`exit-status ${String(code)}`));
  channel.on('end', () => events.push('eof'));
  const closed = new Promise<void>((resolve) =>
    channel.on('close', () => {
      events.push('close');
      resolve();
    }),
  );
  const next = async () => {
    const deadline = Date.now() + 10_000;
    while (packets.length === 0) {
      if (Date.now() > deadline) throw new Error('no SFTP answer within 10 s');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return packets.shift()!;
  };
  const packet = (type: number, body: Buffer) => {
    const head = Buffer.alloc(5);
    head.writeUInt32BE(body.length + 1);
    head[4] = type;
    return Buffer.concat([head, body]);
  };
  const str = (s: string | Buffer) => {
    const b = typeof s === 'string' ? Buffer.from(s) : s;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
  };
  channel.write(packet(1, u32(3)));
  const version = await next();
  t.is(version[0], 2);
  t.true(version.includes(Buffer.from('limits@openssh.com')));
  channel.write(packet(3, Buffer.concat([u32(1), str('order.txt'), u32(1), u32(0)])));
  const opened = await next();
  t.is(opened[0], 102);
  const handle = opened.subarray(9, 9 + opened.readUInt32BE(5));
  // Forty reads in one write, the last ones past the end: the answers come back in request order.
  const ids = Array.from({ length: 40 }, (_, i) => 100 + i);
  channel.write(
    Buffer.concat(ids.map((id, i) => packet(5, Buffer.concat([u32(id), str(handle), u64(i % 20), u32(4)])))),
  );
  const answers: number[] = [];
  const kinds: number[] = [];
  for (const _ of ids) {
    const answer = await next();
    kinds.push(answer[0]!);
    answers.push(answer.readUInt32BE(1));
  }
  t.deepEqual(answers, ids);
  t.deepEqual(
    kinds,
    ids.map((_, i) => (i % 20 < 16 ? 103 : 101)),
  );
  channel.end();
  // Bounded: a server that never closes fails here instead of hanging the test.
  const bound = setTimeout(() => channel.close(), 10_000);
  await closed;
  clearTimeout(bound);
  t.deepEqual(events, ['exit-status 0', 'eof', 'close']);
});

test('an SFTP packet over 256 KiB ends the subsystem with exit-status 11, as sftp-server exits', async (t) => {
  const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
    client.subsys('sftp', (error, stream) => (error ? reject(error) : resolve(stream))),
  );
  const events: string[] = [];
  channel.on('exit', (code: unknown) => events.push(`exit-status ${String(code)}`));
  channel.resume();
  const closed = new Promise<void>((resolve) => channel.on('close', () => resolve()));
  const init = Buffer.from([0, 0, 0, 5, 1, 0, 0, 0, 3]);
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(300 * 1024);
  channel.write(Buffer.concat([init, huge, Buffer.alloc(16)]));
  const bound = setTimeout(() => channel.close(), 10_000);
  await closed;
  clearTimeout(bound);
  t.deepEqual(events, ['exit-status 11']);
});
