// The lifecycle the harness drives, through sim/bin/tart and the real simulated guest: clone, set,
// run in the background, ip, SSH, stop, delete; the two-VM limit; signals; suspend and resume.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Client } from 'ssh2';
import {
  type BackgroundTart,
  createTartHome,
  IMAGE,
  seedVm,
  simDaemons,
  TART_BIN,
  type TartHome,
  waitUntilBooted,
} from './tart-process.ts';

let cacheHome: TartHome;
// A VM cloned once by the real `tart clone`; each test's VMs are in-process copies of it.
let template: string;

test.before(async () => {
  cacheHome = createTartHome();
  const cloned = await cacheHome.tart('clone', IMAGE, 'template');
  if (cloned.exitCode !== 0) throw new Error(`clone failed: ${cloned.stderr}`);
  template = join(cacheHome.dir, 'vms', 'template');
});

test.after.always(async () => {
  await cacheHome?.cleanup();
});

async function homeWith(t: ExecutionContext, ...vms: string[]): Promise<TartHome> {
  const home = createTartHome({ sharedCache: join(cacheHome.dir, 'cache', 'OCIs') });
  t.teardown(() => home.cleanup());
  for (const vm of vms) seedVm(home, template, vm);
  return home;
}

/** Reads the SSH identification line the guest sends first. */
function sshBanner(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`no SSH banner from ${host}:${port}`)), 10_000);
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
      if (data.includes('\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.split('\n')[0]!.trim());
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function sshExec(host: string, port: number, command: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on('ready', () => {
        client.exec(command, (error, channel) => {
          if (error) return reject(error);
          channel.on('exit', (code: number) => {
            resolve(code);
            client.end();
          });
          channel.resume();
          channel.stderr.resume();
        });
      })
      .on('error', reject)
      .connect({ host, port, username: 'admin', password: 'admin', readyTimeout: 10_000 });
  });
}

async function ipOf(t: ExecutionContext, home: TartHome, vm: string, run: BackgroundTart): Promise<string> {
  await waitUntilBooted(home, vm, run);
  const result = await home.tart('ip', vm, '--wait', '5');
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^127\.64\.\d+\.\d+\n$/);
  return result.stdout.trim();
}

const port = (home: TartHome) => Number(home.env.SXL_SIM_SSH_PORT);

/** Resolves once nothing listens on host:port any more (the guest is powered off). */
async function waitUntilRefused(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    if (Date.now() > deadline)
      throw new Error(`${host}:${port} still accepts connections after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The guest's boot session UUID, read through `tart exec` from the header of `pmset -g log`. */
async function guestBootUuid(t: ExecutionContext, home: TartHome, vm = 'vm'): Promise<string> {
  const result = await home.tart('exec', vm, 'pmset', '-g', 'log');
  t.is(result.exitCode, 0, result.stderr);
  const uuid = /^UUID: (\S+)$/m.exec(result.stdout)?.[1];
  if (!uuid) throw new Error(`no UUID line in pmset -g log: ${result.stdout}`);
  return uuid;
}

async function listed(home: TartHome): Promise<Record<string, unknown>[]> {
  return JSON.parse((await home.tart('list', '--source', 'local', '--format', 'json')).stdout);
}

test('clone, set --random-mac, run, ip, SSH, stop, delete', async (t) => {
  const home = await homeWith(t, 'sxl-t-1');
  t.is((await home.tart('set', 'sxl-t-1', '--random-mac')).exitCode, 0);
  const run = home.spawn('run', 'sxl-t-1', '--no-graphics');
  const ip = await ipOf(t, home, 'sxl-t-1', run);
  t.regex(await sshBanner(ip, port(home)), /^SSH-2\.0-/);

  const [entry] = await listed(home);
  t.like(entry, { Name: 'sxl-t-1', Running: true, State: 'running' });
  const again = await home.tart('run', 'sxl-t-1');
  t.deepEqual([again.stderr, again.exitCode], ['VM "sxl-t-1" is already running!\n', 2]);
  const deleting = await home.tart('delete', 'sxl-t-1');
  t.deepEqual([deleting.stderr, deleting.exitCode], ['VM "sxl-t-1" is running\n', 1]);

  // The lease is in bootpd's format, keyed by the MAC in config.json.
  const leases = readFileSync(join(home.dir, 'sim-host', 'dhcpd_leases'), 'utf8');
  t.regex(
    leases,
    new RegExp(
      `^\\{\\n\\tname=sxl-t-1\\n\\tip_address=${ip.replaceAll('.', '\\.')}\\n\\thw_address=1,[0-9a-f:]+\\n\\tidentifier=1,[0-9a-f:]+\\n\\tlease=0x[0-9a-f]+\\n\\}\\n`,
    ),
  );

  const stopped = await home.tart('stop', 'sxl-t-1', '--timeout', '10');
  t.deepEqual([stopped.stdout, stopped.stderr, stopped.exitCode], ['', '', 0]);
  const ended = await run.wait();
  t.deepEqual([ended.stdout, ended.stderr, ended.exitCode], ['Stopping VM...\n', '', 0]);
  t.like((await listed(home))[0], { Running: false, State: 'stopped' });
  await t.throwsAsync(sshBanner(ip, port(home)));

  const deleted = await home.tart('delete', 'sxl-t-1');
  t.is(deleted.exitCode, 0, deleted.stderr);
  t.deepEqual(await listed(home), []);
});

test('a third concurrent macOS VM hits the system limit', async (t) => {
  const home = await homeWith(t, 'a', 'b', 'c');
  const runA = home.spawn('run', 'a', '--no-graphics');
  const runB = home.spawn('run', 'b', '--no-graphics');
  await ipOf(t, home, 'a', runA);
  await ipOf(t, home, 'b', runB);
  const third = await home.tart('run', 'c', '--no-graphics');
  t.deepEqual(
    [third.stdout, third.stderr, third.exitCode],
    ['', 'The number of VMs exceeds the system limit (other running VMs: a, b)\n', 1],
  );
  t.like((await listed(home))[2], { Name: 'c', State: 'stopped' });

  // A slot frees up when a VM stops.
  t.is((await home.tart('stop', 'a')).exitCode, 0);
  t.is((await runA.wait()).exitCode, 0);
  const runC = home.spawn('run', 'c', '--no-graphics');
  await ipOf(t, home, 'c', runC);
  runB.child.kill('SIGINT');
  runC.child.kill('SIGINT');
  t.is((await runB.wait()).exitCode, 0);
  t.is((await runC.wait()).exitCode, 0);
});

test('SIGINT to tart run stops the VM and releases the lock', async (t) => {
  const home = await homeWith(t, 'vm');
  const run = home.spawn('run', 'vm');
  await ipOf(t, home, 'vm', run);
  run.child.kill('SIGINT');
  const ended = await run.wait();
  t.deepEqual([ended.stdout, ended.exitCode], ['Stopping VM...\n', 0]);
  t.false(existsSync(join(home.dir, 'vms', 'vm', '.sim-run.pid')));
  const stop = await home.tart('stop', 'vm');
  t.deepEqual([stop.stderr, stop.exitCode], ['VM "vm" is not running\n', 2]);
});

test('SIGUSR2 asks the guest to stop and nothing else happens', async (t) => {
  const home = await homeWith(t, 'vm');
  const run = home.spawn('run', 'vm', '--no-graphics');
  const ip = await ipOf(t, home, 'vm', run);
  run.child.kill('SIGUSR2');
  await run.waitForOutput('Requesting guest OS to stop...\n');
  t.regex(await sshBanner(ip, port(home)), /^SSH-2\.0-/);
  t.like((await listed(home))[0], { State: 'running' });
  run.child.kill('SIGINT');
  t.is((await run.wait()).stdout, 'Requesting guest OS to stop...\nStopping VM...\n');
});

test('a shutdown inside the guest ends tart run with exit 0', async (t) => {
  const home = await homeWith(t, 'vm');
  const run = home.spawn('run', 'vm', '--no-graphics');
  const ip = await ipOf(t, home, 'vm', run);
  t.is(await sshExec(ip, port(home), 'sudo shutdown -h now'), 0);
  const ended = await run.wait();
  t.deepEqual([ended.stdout, ended.exitCode], ['guest has stopped the virtual machine\n', 0]);
  t.like((await listed(home))[0], { State: 'stopped' });
});

test('suspend with --suspendable snapshots the VM; the next run resumes it', async (t) => {
  const home = await homeWith(t, 'vm');
  const first = home.spawn('run', 'vm', '--no-graphics', '--suspendable');
  await ipOf(t, home, 'vm', first);
  const bootUuid = await guestBootUuid(t, home);
  const suspended = await home.tart('suspend', 'vm');
  t.deepEqual([suspended.stdout, suspended.stderr, suspended.exitCode], ['', '', 0]);
  const ended = await first.wait();
  t.deepEqual(
    [ended.stdout, ended.exitCode],
    [
      'pausing VM to take a snapshot...\ncreating a snapshot...\nsnapshot created successfully! shutting down the VM...\n',
      0,
    ],
  );
  t.like((await listed(home))[0], { Running: false, State: 'suspended' });

  const second = home.spawn('run', 'vm', '--no-graphics');
  await second.waitForOutput('resuming VM...\n');
  t.is(second.stdout, 'restoring VM state from a snapshot...\nresuming VM...\n');
  t.false(existsSync(join(home.dir, 'vms', 'vm', 'state.vzvmsave')));
  await ipOf(t, home, 'vm', second);
  // Resumed, not booted: the same boot session as before the suspend.
  t.is(await guestBootUuid(t, home), bootUuid);
  t.is((await home.tart('stop', 'vm')).exitCode, 0);
  t.is((await second.wait()).exitCode, 0);

  // A stop discards nothing left to resume: the next run is a cold boot with a new session.
  const third = home.spawn('run', 'vm', '--no-graphics');
  await ipOf(t, home, 'vm', third);
  t.is(third.stdout, '');
  t.not(await guestBootUuid(t, home), bootUuid);
  t.is((await home.tart('stop', 'vm')).exitCode, 0);
  t.is((await third.wait()).exitCode, 0);
});

test('suspend without --suspendable fails inside tart run, which exits 1', async (t) => {
  const home = await homeWith(t, 'vm');
  const run = home.spawn('run', 'vm', '--no-graphics');
  await ipOf(t, home, 'vm', run);
  t.is((await home.tart('suspend', 'vm')).exitCode, 0);
  const ended = await run.wait();
  t.deepEqual(
    [ended.stdout, ended.exitCode],
    [
      'Failed to suspend the VM: Invalid virtual machine configuration. Unsupported console device in configuration.\n',
      1,
    ],
  );
  t.like((await listed(home))[0], { State: 'stopped' });
});

test('suspend-save-fails: a --suspendable run prints the failure, exits 1, leaves no snapshot; the next run boots afresh', async (t) => {
  const home = await homeWith(t, 'vm');
  const first = home.spawnWith(
    { SXL_SIM_QUIRKS: 'suspend-save-fails=1' },
    'run',
    'vm',
    '--no-graphics',
    '--suspendable',
  );
  await ipOf(t, home, 'vm', first);
  const bootUuid = await guestBootUuid(t, home);
  t.is((await home.tart('suspend', 'vm')).exitCode, 0);
  const ended = await first.wait();
  // On stdout, as Run.swift prints it; nothing about a snapshot.
  t.deepEqual(
    [ended.stdout, ended.exitCode],
    [
      'Failed to suspend the VM: Invalid virtual machine configuration. Unsupported console device in configuration.\n',
      1,
    ],
  );
  t.false(existsSync(join(home.dir, 'vms', 'vm', 'state.vzvmsave')));
  t.like((await listed(home))[0], { State: 'stopped' });
  const second = home.spawn('run', 'vm', '--no-graphics', '--suspendable');
  await ipOf(t, home, 'vm', second);
  t.is(second.stdout, '');
  t.not(await guestBootUuid(t, home), bootUuid);
  t.is((await home.tart('stop', 'vm')).exitCode, 0);
  t.is((await second.wait()).exitCode, 0);
});

/** The VM `vm` is listed as stopped, and a new `tart run` takes it, runs it and stops with it. */
async function runsAgain(t: ExecutionContext, home: TartHome): Promise<void> {
  t.like((await listed(home))[0], { State: 'stopped' });
  const rerun = home.spawn('run', 'vm', '--no-graphics');
  await ipOf(t, home, 'vm', rerun);
  t.like((await listed(home))[0], { State: 'running' });
  t.is((await home.tart('stop', 'vm', '-t', '5')).exitCode, 0);
  t.is((await rerun.wait()).exitCode, 0);
}

test('a killed tart run takes its VM with it: the guest is gone and the VM can run again', async (t) => {
  const home = await homeWith(t, 'vm');
  const run = home.spawn('run', 'vm', '--no-graphics');
  const address = await ipOf(t, home, 'vm', run);
  run.child.kill('SIGKILL');
  await run.wait();
  await waitUntilRefused(address, port(home));
  await runsAgain(t, home);
});

test('a crashed sim daemon leaves a stale lock that nothing trusts', async (t) => {
  const home = await homeWith(t, 'vm');
  const run = home.spawn('run', 'vm', '--no-graphics');
  await ipOf(t, home, 'vm', run);
  const daemons = simDaemons(home);
  t.is(daemons.length, 1);
  process.kill(daemons[0]!.pid, 'SIGKILL');
  const ended = await run.wait();
  t.is(ended.exitCode, 70);
  t.regex(ended.stderr, /the sim daemon closed the connection without an exit code/);
  t.true(existsSync(join(home.dir, 'vms', 'vm', '.sim-run.pid')));
  await runsAgain(t, home);
});

test('exec runs the command in the guest as admin, passes output through, exits with its code', async (t) => {
  const home = await homeWith(t, 'vm');
  const run = home.spawn('run', 'vm', '--no-graphics');
  await waitUntilBooted(home, 'vm', run);
  const echoed = await home.tart('exec', 'vm', 'echo', "it's", 'a  b', '$HOME');
  t.deepEqual([echoed.stdout, echoed.stderr, echoed.exitCode], ["it's a  b $HOME\n", '', 0]);
  const whoami = await home.tart('exec', 'vm', 'whoami');
  t.is(whoami.stdout, 'admin\n');
  const failed = await home.tart('exec', 'vm', 'ls', '/no/such/path');
  t.is(failed.stdout, '');
  t.regex(failed.stderr, /No such file or directory\n$/);
  t.not(failed.exitCode, 0);
  t.is((await home.tart('exec', 'vm', 'false')).exitCode, 1);

  // -i streams the host's stdin to the command.
  const child = spawn(TART_BIN, ['exec', '-i', 'vm', 'cat'], {
    env: home.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const piped = new BackgroundTartLike(child);
  child.stdin.end('line one\nline two\n');
  t.deepEqual(await piped.result(), { stdout: 'line one\nline two\n', stderr: '', exitCode: 0 });

  t.is((await home.tart('stop', 'vm')).exitCode, 0);
  t.is((await run.wait()).exitCode, 0);
  const after = await home.tart('exec', 'vm', 'true');
  t.deepEqual([after.stderr, after.exitCode], ['VM "vm" is not running\n', 2]);
});

/** Collects a child's output; kills it after 20 s so the test never hangs. */
class BackgroundTartLike {
  private stdout = '';
  private stderr = '';
  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
  }

  result(): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    return new Promise((resolve) => {
      this.child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ stdout: this.stdout, stderr: this.stderr, exitCode });
      });
    });
  }
}
