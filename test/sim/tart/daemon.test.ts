// The sim daemon behind the thin `tart` client: its wire format, its life (claim, idle exit,
// retirement), and that a call through it prints and exits exactly as a Node process of its own.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parseRequest, readDaemonFile, serveDaemon } from '../../../sim/tart/daemon.ts';
import {
  createTartHome,
  IMAGE,
  simDaemons,
  TART_BIN,
  type TartHome,
  type TartResult,
} from './tart-process.ts';

const request = (...fields: string[]) => Buffer.from(fields.map((field) => `${field}\0`).join(''));

test('a request is the magic, the pid and the arguments, NUL-separated; what follows is kept', (t) => {
  const parsed = parseRequest(
    Buffer.concat([request('SXLTART1', '4711', '3', 'get', 'a b\nc', 'caf\u00e9'), Buffer.from('sSIGINT\n')]),
  );
  t.deepEqual(parsed?.request, { pid: 4711, argv: ['get', 'a b\nc', 'caf\u00e9'] });
  t.is(parsed?.rest.toString(), 'sSIGINT\n');
  t.deepEqual(parseRequest(request('SXLTART1', '1', '0'))?.request, { pid: 1, argv: [] });
});

test('an incomplete request waits for more bytes; a malformed one is an error naming what is wrong', (t) => {
  t.is(parseRequest(request('SXLTART1', '4711', '2', 'ip')), undefined);
  t.is(parseRequest(Buffer.from('SXLTART1\u00004711')), undefined);
  t.throws(() => parseRequest(request('HELLO', '1', '0')), { message: /not a tart client request.*HELLO/ });
  t.throws(() => parseRequest(request('SXLTART1', 'me', '0')), {
    message: /malformed request header: pid "me"/,
  });
  t.throws(() => parseRequest(request('SXLTART1', '1', '-2')), { message: /argc "-2"/ });
});

/** One invocation over a raw connection: the frames the daemon answers with. */
function ask(port: number, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(request('SXLTART1', String(process.pid), String(argv.length), ...argv));
  });
}

function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-tartd-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function waitForPortFile(portFile: string): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const found = readDaemonFile(portFile);
    if (found) return found.port;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no daemon claimed ${portFile}`);
}

test('the daemon answers with stdout, stderr and exit frames, and exits once idle', async (t) => {
  const portFile = join(scratch(t), 'd.port');
  const served = serveDaemon(portFile, { idleExitMs: 300 });
  const port = await waitForPortFile(portFile);
  t.is(readDaemonFile(portFile)?.pid, process.pid);
  t.is(await ask(port, ['--version']), '12.32.1\nx0\n');
  t.is(
    await ask(port, ['start']),
    "2Error: Unexpected argument 'start'\n2Usage: tart <subcommand>\n2  See 'tart --help' for more information.\nx64\n",
  );
  // tart exec streams bytes both ways: the client runs it directly.
  t.is(await ask(port, ['exec', 'vm', 'true']), 'd\n');
  t.is(await served, 0);
  t.false(existsSync(portFile));
});

test('a daemon that finds sim/ changed retires: the caller is told to start a fresh one', async (t) => {
  const portFile = join(scratch(t), 'd.port');
  const served = serveDaemon(portFile, { isStale: () => true, idleExitMs: 60_000 });
  const port = await waitForPortFile(portFile);
  t.is(await ask(port, ['--version']), 'r\n');
  t.is(await served, 0);
  t.false(existsSync(portFile));
});

test('of two daemons for one port file the second leaves at once; the first keeps it', async (t) => {
  const portFile = join(scratch(t), 'd.port');
  const first = serveDaemon(portFile, { idleExitMs: 200 });
  const port = await waitForPortFile(portFile);
  t.is(await serveDaemon(portFile), 0);
  t.is(readDaemonFile(portFile)?.port, port);
  await first;
});

async function viaClient(home: TartHome, daemon: boolean, args: string[]): Promise<TartResult> {
  return home.tartWith(daemon ? {} : { SXL_SIM_TART_DAEMON: '0' }, ...args);
}

test('through the daemon every call prints and exits exactly as a Node process of its own', async (t) => {
  const home = createTartHome();
  t.teardown(() => home.cleanup());
  const calls = [
    ['--version'],
    ['list', '--format', 'json'],
    ['clone', 'ghcr.io/cirruslabs/macos-sequoia-base:latest', 'vm one'],
    ['list'],
    ['get', 'vm one', '--format', 'json'],
    ['ip', 'vm one'],
    ['get', 'no\nsuch vm'],
    ['set', 'vm one', '--cpu', 'lots'],
    ['stop', 'vm one'],
    ['rename', 'vm one', 'caf\u00e9'],
    ['delete', 'caf\u00e9'],
    ['help', 'run'],
  ];
  // Pulled first: the first clone of an image pulls it, the second does not.
  t.is((await viaClient(home, false, ['pull', 'ghcr.io/cirruslabs/macos-sequoia-base:latest'])).exitCode, 0);
  for (const args of calls) {
    const direct = await viaClient(home, false, args);
    // Undo what the direct call did, so that the daemon's call meets the same state.
    if (args[0] === 'clone') await viaClient(home, false, ['delete', 'vm one']);
    if (args[0] === 'rename') await viaClient(home, false, ['rename', 'caf\u00e9', 'vm one']);
    if (args[0] === 'delete')
      await viaClient(home, false, ['clone', 'ghcr.io/cirruslabs/macos-sequoia-base:latest', 'caf\u00e9']);
    const served = await viaClient(home, true, args);
    // tart's JSON has a random key order per process (Swift's seeded hashing): compare the values.
    // The table's Accessed column is the age at the time of the call ("2 seconds ago"), which can
    // pass a whole second between the two calls, and its padding follows its width: neither counts.
    const comparable = (result: TartResult) =>
      args.includes('json')
        ? { ...result, stdout: JSON.parse(result.stdout) }
        : args[0] === 'list'
          ? {
              ...result,
              stdout: result.stdout.replace(/(in \d+ \w+|\d+ \w+ ago)/g, 'AGE').replace(/ +/g, ' '),
            }
          : result;
    t.deepEqual(comparable(served), comparable(direct), args.join(' '));
  }
  t.is(simDaemons(home).length, 1);
});

test('one daemon per sim setting: another seed or value gets its own, the harness-side SXL_SIM_TART_HOME does not', async (t) => {
  const home = createTartHome();
  t.teardown(() => home.cleanup());
  const pids = () => simDaemons(home).map((daemon) => daemon.pid);
  t.is((await home.tartWith({ SXL_SIM_SEED: '1' }, '--version')).exitCode, 0);
  t.is(pids().length, 1);
  // The harness's own variable names the TART_HOME it hands over; the daemon never reads it.
  t.is(
    (await home.tartWith({ SXL_SIM_SEED: '1', SXL_SIM_TART_HOME: '/elsewhere' }, '--version')).exitCode,
    0,
  );
  t.is(pids().length, 1);
  t.is((await home.tartWith({ SXL_SIM_SEED: '2' }, '--version')).exitCode, 0);
  t.is(pids().length, 2);
  // The settings name the port file: escaped so that two never share one, hashed when the name
  // could be too long (long, or not ASCII); each of these is a daemon of its own.
  for (const value of ['a/b', 'a%2Fb', 'a\nb', 'a%0Ab', 'x'.repeat(300), 'y'.repeat(300), 'é'])
    t.is((await home.tartWith({ SXL_SIM_SEED: '1', TART_X_SETTING: value }, '--version')).exitCode, 0);
  t.is(pids().length, 9);
  // Under a host folder of its own, TART_HOME is a setting again: two homes, two daemons there.
  const hostDir = join(home.dir, 'shared-host');
  for (const tartHome of [join(home.dir, 'a'), join(home.dir, 'b')])
    t.is((await home.tartWith({ SXL_SIM_HOST_DIR: hostDir, TART_HOME: tartHome }, '--version')).exitCode, 0);
  const portFiles = readdirSync(join(hostDir, 'tartd')).filter((name) => name.endsWith('.port'));
  // Not under home's sim-host: its clean-up would not find them.
  t.teardown(() => {
    for (const name of portFiles) {
      const found = readDaemonFile(join(hostDir, 'tartd', name));
      if (found) process.kill(found.pid, 'SIGTERM');
    }
  });
  t.is(portFiles.length, 2);
});

test('a stale port file (a daemon that crashed) is replaced by a fresh daemon', async (t) => {
  const home = createTartHome();
  t.teardown(() => home.cleanup());
  t.is((await home.tart('--version')).stdout, '2.32.1\n');
  const [daemon] = simDaemons(home);
  if (!daemon) return t.fail('no daemon after the first call');
  process.kill(daemon.pid, 'SIGKILL');
  writeFileSync(daemon.portFile, `1 ${daemon.pid}\n`);
  t.is((await home.tart('--version')).stdout, '2.32.1\n');
  const [fresh] = simDaemons(home);
  t.not(fresh?.pid, daemon.pid);
});

test('signals reach tart run through the client, which exits with the code tart run returns', async (t) => {
  const home = createTartHome();
  t.teardown(() => home.cleanup());
  t.is((await home.tart('clone', 'ghcr.io/cirruslabs/macos-sequoia-base:latest', 'vm')).exitCode, 0);
  const child = spawn(TART_BIN, ['run', 'vm', '--no-graphics'], {
    env: home.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 500 && (await home.tart('ip', 'vm')).exitCode !== 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGINT');
  t.is(await exited, 0);
  t.is(stdout, 'Stopping VM...\n');
});

test('a signal sent with the request reaches tart run once it listens: the VM stops at once', async (t) => {
  const home = createTartHome();
  t.teardown(() => home.cleanup());
  t.is((await home.tart('clone', 'ghcr.io/cirruslabs/macos-sequoia-base:latest', 'vm')).exitCode, 0);
  t.is((await home.tart('--version')).exitCode, 0);
  const [daemon] = simDaemons(home);
  if (!daemon) return t.fail('no daemon');
  // One write: the request and an INT that the client relayed before tart run subscribed.
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect({ port: daemon.port, host: '127.0.0.1' });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(
      Buffer.concat([
        request('SXLTART1', String(process.pid), '3', 'run', 'vm', '--no-graphics'),
        Buffer.from('sSIGINT\n'),
      ]),
    );
  });
  t.is(answer, '1Stopping VM...\nx0\n');
  t.like(JSON.parse((await home.tart('list', '--format', 'json')).stdout)[0], { State: 'stopped' });
});

test('a daemon that retires removes its log when it is empty, and keeps one with lines', async (t) => {
  for (const content of ['', 'tartd: something went wrong\n']) {
    const portFile = join(scratch(t), 'd.port');
    writeFileSync(`${portFile}.log`, content);
    const served = serveDaemon(portFile, { idleExitMs: 50 });
    await waitForPortFile(portFile);
    t.is(await served, 0);
    t.is(existsSync(`${portFile}.log`), content !== '', JSON.stringify(content));
  }
});

/**
 * A client killed right after it sent `bytes`: its request and its end are both waiting when the
 * daemon reads. The daemon is stopped meanwhile (SIGSTOP): otherwise, on a loaded host, it could
 * read the request and finish the command before this process's close left, which no daemon could
 * tell from a client that died later.
 */
async function killedRightAfter(daemon: { port: number; pid: number }, bytes: Buffer): Promise<void> {
  process.kill(daemon.pid, 'SIGSTOP');
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ port: daemon.port, host: '127.0.0.1' });
      socket.on('error', reject);
      socket.on('connect', () => {
        socket.write(bytes, () => {
          socket.destroy();
          resolve();
        });
      });
    });
  } finally {
    process.kill(daemon.pid, 'SIGCONT');
  }
}

test.serial('a clone of a cached image whose client is killed as it starts leaves no VM', async (t) => {
  const home = createTartHome();
  t.teardown(() => home.cleanup());
  t.is((await home.tart('pull', IMAGE)).exitCode, 0);
  const [daemon] = simDaemons(home);
  if (!daemon) return t.fail('no daemon');
  // Nothing to pull: the copy is all the clone does, and the kill came with the request.
  await killedRightAfter(daemon, request('SXLTART1', String(process.pid), '3', 'clone', IMAGE, 'vm'));
  for (let i = 0; i < 100; i++) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(JSON.parse((await home.tart('list', '--format', 'json', '--source', 'local')).stdout), []);
});

// The client is gone before the daemon has read its request to the end: the request and its end
// arrive together, so the daemon learns of the death before the pull can finish, whatever the load
// (killing the client when it saw "pulling disk" raced the daemon's disk build and lost, twice).
test.serial('a clone whose client is killed as it starts ends with it: no VM, nothing cached', async (t) => {
  const home = createTartHome();
  t.teardown(() => home.cleanup());
  t.is((await home.tart('--version')).exitCode, 0);
  const [daemon] = simDaemons(home);
  if (!daemon) return t.fail('no daemon');
  // As a harness's SIGKILL right after it started the clone: the request, then nothing but the close.
  await killedRightAfter(daemon, request('SXLTART1', String(process.pid), '3', 'clone', IMAGE, 'vm'));
  // What the daemon still did for the dead client has settled once it is idle again.
  for (let i = 0; i < 100; i++) await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(JSON.parse((await home.tart('list', '--format', 'json')).stdout), []);
  // And the next clone pulls afresh and works.
  t.is((await home.tart('clone', IMAGE, 'vm')).exitCode, 0);
  t.is(JSON.parse((await home.tart('list', '--format', 'json', '--source', 'local')).stdout).length, 1);
});
