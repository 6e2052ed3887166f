// The harness against the tools a user would use instead, measured in one run, interleaved, medians:
// `make bench-peers` (installs openssh-client, openssh-server and jq from Debian when missing), or
// `npx tsx bench/compare-peers.ts [--runs N] [--download-mb N] [--ndjson-mb N]`. Needs root: it
// starts its own sshd on a loopback port with a temporary host key and authorized key, for a
// temporary user whose shell is /bin/sh (root's own login files, e.g. a version manager's init
// in .bashrc, cost more per command than SSH does and would be measured instead). Prints a
// Markdown table: per guest command (harness vs `ssh` per command vs ControlMaster), 50 commands
// end to end (a node process vs ControlMaster), a download (GuestSession vs sftp and scp) and an
// ndjson filter (the harness's parser vs jq), with wall time, CPU time and peak resident memory.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { build } from 'esbuild';
import { GuestSession } from '../harness/ssh/guest-session.ts';
import { tcpProbe } from '../harness/ssh/tcp-probe.ts';
import { freePort } from '../test/helpers/free-port.ts';
import { bootTestGuest } from '../test/helpers/sim-guest.ts';
import { median } from './median.ts';
import { ndjsonChunks, PROVIDER_SUBSYSTEM } from './ndjson-log.ts';
import { benchRoot } from './sim-run.ts';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = argv.indexOf(name);
  return at === -1 ? fallback : Number(argv[at + 1]);
};
const runs = flag('--runs', 5);
const downloadMb = flag('--download-mb', 1024);
const ndjsonMb = flag('--ndjson-mb', 512);
const perCommandCount = 20;
const endToEndCount = 50;

const root = new URL('..', import.meta.url).pathname;
const sshd = '/usr/sbin/sshd';
for (const tool of ['ssh', 'sftp', 'scp', 'ssh-keygen', 'jq']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    throw new Error(`compare-peers needs ${tool}: apt-get install openssh-client openssh-server jq`);
  }
}
if (!existsSync(sshd)) throw new Error(`compare-peers needs ${sshd}: apt-get install openssh-server`);
if (!existsSync('/usr/bin/time')) throw new Error('compare-peers needs /usr/bin/time: apt-get install time');
if (process.getuid?.() !== 0)
  throw new Error('compare-peers starts sshd and adds a temporary user: run it as root');

const dir = mkdtempSync(join(benchRoot(), 'sxl-peers-'));
// The peer's user reads the files the benchmark makes here.
chmodSync(dir, 0o755);
const user = `sxl-peer-${process.pid}`;
const added = spawnSync(
  'useradd',
  ['--system', '--no-create-home', '--home-dir', dir, '--shell', '/bin/sh', '--password', '*', user],
  {
    encoding: 'utf8',
  },
);
if (added.status !== 0) throw new Error(`useradd ${user} failed: ${added.stderr}`);
// Whatever ends the process, the user goes with it.
process.once('exit', () => spawnSync('userdel', [user]));
process.once('SIGINT', () => process.exit(130));
process.stderr.write(`bench: temporary files under ${dir} (SXL_BENCH_DIR to choose)\n`);

/**
 * Wall, CPU (user + system) and peak RSS of one command, from GNU time, and the busy time of the
 * whole machine meanwhile: the server's share (sshd) that the command made it spend shows there.
 */
interface Measured {
  wallS: number;
  cpuS: number;
  peakMb: number;
  machineCpuS: number;
}

/** CPU seconds all processors have been busy since boot (/proc/stat: all but idle and iowait). */
function machineBusyS(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  // USER_HZ is 100 on every Linux architecture the kernel exports to user space.
  return (user + nice + system + irq + softirq + steal) / 100;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Measured {
  const busyBefore = machineBusyS();
  const result = spawnSync('/usr/bin/time', ['-f', 'SXLTIME %e %U %S %M', command, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const line = result.stderr.split('\n').find((l) => l.startsWith('SXLTIME '));
  if (result.status !== 0 || line === undefined) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(-600)}`);
  }
  const [, wall, user, system, rssKb] = line.split(' ').map(Number) as number[];
  return {
    wallS: wall!,
    cpuS: user! + system!,
    peakMb: rssKb! / 1024,
    machineCpuS: machineBusyS() - busyBefore,
  };
}

function msOf(command: string, args: string[]): number {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${command} failed (${result.status}): ${result.stderr.slice(-400)}`);
  return performance.now() - started;
}

// --- the peer: sshd on loopback with its own keys -----------------------------------------------
const port = await freePort();
const key = join(dir, 'user_key');
for (const file of ['host_key', 'user_key']) {
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, file)], { stdio: 'ignore' });
}
writeFileSync(join(dir, 'authorized_keys'), spawnSync('cat', [`${key}.pub`], { encoding: 'utf8' }).stdout);
writeFileSync(
  join(dir, 'sshd_config'),
  [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `AllowUsers ${user}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'Subsystem sftp internal-sftp',
    'MaxStartups 100:30:200',
    'LogLevel ERROR',
    '',
  ].join('\n'),
);
// sshd refuses to start without its privilege separation folder.
mkdirSync('/run/sshd', { recursive: true });
const daemon: ChildProcess = spawn(sshd, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
const children: ChildProcess[] = [daemon];
let cleaned = false;
const cleanup = () => {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) child.kill();
  spawnSync('userdel', [user]);
  rmSync(dir, { recursive: true, force: true });
};
process.once('exit', cleanup);
for (let i = 0; i < 100 && !(await tcpProbe('127.0.0.1', port, { timeoutMs: 1000 })).connected; i += 1) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

const sshOptions = [
  '-i',
  key,
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'BatchMode=yes',
];
const target = `${user}@127.0.0.1`;
const ssh = (...rest: string[]) => ['-p', String(port), ...sshOptions, ...rest];
const endpoint = {
  host: '127.0.0.1',
  port,
  credentials: { username: user, privateKey: spawnSync('cat', [key]).stdout },
};

// --- the harness as a user's node process: bundled as the package's compiled JavaScript ----------
const outdir = join(root, 'node_modules', '.cache', 'sxl-bench');
await build({
  entryPoints: {
    'peer-client': join(root, 'bench/peer-client.ts'),
    'ndjson-filter': join(root, 'bench/ndjson-filter.ts'),
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outdir,
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
const clientEnv = {
  ...process.env,
  SXL_PEER_HOST: '127.0.0.1',
  SXL_PEER_PORT: String(port),
  SXL_PEER_USER: user,
  SXL_PEER_KEY: key,
};

const rows: string[][] = [];
const ratio = (ours: number, theirs: number) => (ours / theirs).toFixed(2);

// --- per guest command ---------------------------------------------------------------------------
{
  const session = await GuestSession.connect(endpoint, { label: 'sshd', timeoutMs: 20_000 });
  const sim = await bootTestGuest();
  const simSession = await GuestSession.connect(sim.endpoint, { label: 'sim', timeoutMs: 20_000 });
  const socket = join(dir, 'cm.sock');
  const master = spawn('ssh', [...ssh('-M', '-N', '-S', socket), target], { stdio: 'ignore' });
  children.push(master);
  for (let i = 0; i < 100 && !existsSync(socket); i += 1) await new Promise((r) => setTimeout(r, 50));
  const times = {
    harness: [] as number[],
    sim: [] as number[],
    perCommand: [] as number[],
    master: [] as number[],
  };
  for (let run = 0; run < runs; run += 1) {
    for (let i = 0; i < perCommandCount; i += 1) {
      let started = performance.now();
      await session.exec(['true']);
      times.harness.push(performance.now() - started);
      started = performance.now();
      await simSession.exec(['true']);
      times.sim.push(performance.now() - started);
      times.master.push(msOf('ssh', [...ssh('-S', socket, '-o', 'ControlMaster=no'), target, 'true']));
    }
    for (let i = 0; i < 5; i += 1) times.perCommand.push(msOf('ssh', [...ssh(), target, 'true']));
  }
  const ms = (values: number[]) => `${median(values).toFixed(2)} ms`;
  rows.push([
    'per guest command vs ControlMaster',
    ms(times.harness),
    ms(times.master),
    ratio(median(times.harness), median(times.master)),
    '',
    '',
  ]);
  rows.push([
    'per guest command vs `ssh` per command',
    ms(times.harness),
    ms(times.perCommand),
    ratio(median(times.harness), median(times.perCommand)),
    '',
    '',
  ]);
  rows.push(['per guest command on the sim (harness only)', ms(times.sim), '', '', '', '']);
  master.kill();
  session.close();
  simSession.close();
  await sim.guest.powerOff();
}

// --- 50 commands end to end -----------------------------------------------------------------------
{
  const socket = join(dir, 'e2e.sock');
  const script = [
    `ssh -p ${port} ${sshOptions.join(' ')} -M -N -f -S ${socket} ${target}`,
    `i=0; while [ $i -lt ${endToEndCount} ]; do ssh -p ${port} ${sshOptions.join(' ')} -S ${socket} -o ControlMaster=no ${target} true; i=$((i+1)); done`,
    `ssh -p ${port} ${sshOptions.join(' ')} -S ${socket} -O exit ${target} 2>/dev/null`,
  ].join('\n');
  const ours: Measured[] = [];
  const theirs: Measured[] = [];
  for (let run = 0; run < runs; run += 1) {
    ours.push(
      timed(
        process.execPath,
        [join(outdir, 'peer-client.mjs'), 'commands', String(endToEndCount)],
        clientEnv,
      ),
    );
    theirs.push(timed('sh', ['-c', script]));
  }
  const wall = (m: Measured[]) => median(m.map((x) => x.wallS));
  rows.push([
    `${endToEndCount} commands end to end (node process vs ControlMaster)`,
    `${wall(ours).toFixed(2)} s`,
    `${wall(theirs).toFixed(2)} s`,
    ratio(wall(ours), wall(theirs)),
    '< 1.0',
    `${median(ours.map((m) => m.peakMb)).toFixed(0)} MB`,
  ]);
}

// --- download ---------------------------------------------------------------------------------------
{
  const remote = join(dir, 'remote.bin');
  spawnSync('sh', ['-c', `head -c ${downloadMb}M /dev/urandom > "${remote}" && chmod 644 "${remote}"`]);
  const local = join(dir, 'local.bin');
  const results = {
    verified: [] as Measured[],
    unverified: [] as Measured[],
    sftp: [] as Measured[],
    scp: [] as Measured[],
    // To /dev/null: the transfer alone, without the machine's cost of filling fresh pages.
    unverifiedNull: [] as Measured[],
    sftpNull: [] as Measured[],
  };
  const client = join(outdir, 'peer-client.mjs');
  // One copy of `remote` to `to` and its measure; a file copied to goes before the next copy.
  const copied = (measured: Measured, to: string) => {
    if (to !== '/dev/null') rmSync(to, { force: true });
    return measured;
  };
  const ours = (to: string, verify: boolean) =>
    copied(
      timed(
        process.execPath,
        [client, 'download', remote, to],
        verify ? clientEnv : { ...clientEnv, SXL_NO_VERIFY: '1' },
      ),
      to,
    );
  const openssh = (tool: 'sftp' | 'scp', to: string) =>
    copied(timed(tool, ['-q', '-P', String(port), ...sshOptions, `${target}:${remote}`, to]), to);
  for (let run = 0; run < runs; run += 1) {
    results.verified.push(ours(local, true));
    results.sftp.push(openssh('sftp', local));
    results.unverified.push(ours(local, false));
    results.scp.push(openssh('scp', local));
    results.unverifiedNull.push(ours('/dev/null', false));
    results.sftpNull.push(openssh('sftp', '/dev/null'));
  }
  rmSync(remote, { force: true });
  const wall = (m: Measured[]) => median(m.map((x) => x.wallS));
  const cpu = (m: Measured[]) => median(m.map((x) => x.cpuS));
  const peak = (m: Measured[]) => `${median(m.map((x) => x.peakMb)).toFixed(0)} MB`;
  const machine = (m: Measured[]) => median(m.map((x) => x.machineCpuS));
  const rate = (m: Measured[]) =>
    `${wall(m).toFixed(2)} s (${(downloadMb / wall(m)).toFixed(0)} MiB/s, CPU ${cpu(m).toFixed(2)} s, machine ${machine(m).toFixed(2)} s)`;
  // This machine's cost of a first write to a page drifts between runs by more than the tools
  // differ: a round's two transfers, run back to back, compare best; the median and the range of
  // those ratios is the figure.
  const paired = (ours: Measured[], theirs: Measured[]) => {
    const ratios = ours.map((m, round) => m.wallS / theirs[round]!.wallS);
    return `${median(ratios).toFixed(2)} (rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`;
  };
  rows.push([
    `${downloadMb} MiB download vs sftp`,
    rate(results.unverified),
    rate(results.sftp),
    paired(results.unverified, results.sftp),
    '<= 1.0',
    peak(results.unverified),
  ]);
  rows.push([
    `${downloadMb} MiB download to /dev/null vs sftp`,
    rate(results.unverifiedNull),
    rate(results.sftpNull),
    paired(results.unverifiedNull, results.sftpNull),
    '',
    peak(results.unverifiedNull),
  ]);
  rows.push([
    `${downloadMb} MiB download vs scp`,
    rate(results.unverified),
    rate(results.scp),
    paired(results.unverified, results.scp),
    '',
    '',
  ]);
  rows.push([
    `${downloadMb} MiB download with the shasum check vs sftp`,
    rate(results.verified),
    rate(results.sftp),
    paired(results.verified, results.sftp),
    '',
    peak(results.verified),
  ]);
}

// --- ndjson filter --------------------------------------------------------------------------------
{
  const log = join(dir, 'log.ndjson');
  // jq reads JSON only: the file starts with the first entry (no "Filtering the log data" line).
  const chunks = ndjsonChunks(ndjsonMb * 1024 * 1024);
  chunks.next();
  await pipeline(Readable.from(chunks), (await import('node:fs')).createWriteStream(log));
  const ours: Measured[] = [];
  const theirs: Measured[] = [];
  const filter = join(outdir, 'ndjson-filter.mjs');
  const count = (command: string) =>
    Number(spawnSync('sh', ['-c', `${command} | wc -l`], { encoding: 'utf8' }).stdout.trim());
  const jqFilter = `select(.subsystem == "${PROVIDER_SUBSYSTEM}")`;
  const same = count(`node ${filter} ${log} ${PROVIDER_SUBSYSTEM}`) === count(`jq -c '${jqFilter}' ${log}`);
  for (let run = 0; run < runs; run += 1) {
    ours.push(timed(process.execPath, [filter, log, PROVIDER_SUBSYSTEM]));
    theirs.push(timed('jq', ['-c', jqFilter, log]));
  }
  rmSync(log, { force: true });
  const wall = (m: Measured[]) => median(m.map((x) => x.wallS));
  const cpu = (m: Measured[]) => median(m.map((x) => x.cpuS));
  const cell = (m: Measured[]) => `${wall(m).toFixed(2)} s (CPU ${cpu(m).toFixed(2)} s)`;
  rows.push([
    `ndjson filter ${ndjsonMb} MiB vs jq${same ? '' : ' (DIFFERENT COUNTS)'}`,
    cell(ours),
    cell(theirs),
    `${ratio(wall(ours), wall(theirs))} (CPU ${ratio(cpu(ours), cpu(theirs))})`,
    '<= 0.7',
    `${median(ours.map((m) => m.peakMb)).toFixed(0)} MB`,
  ]);
}

const header = ['measure', 'harness', 'peer', 'ratio', 'goal', 'harness peak RSS'];
process.stdout.write(
  `compare-peers: ${runs} interleaved run(s), medians; OpenSSH ${spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim()}, ${spawnSync('jq', ['--version'], { encoding: 'utf8' }).stdout.trim()}, node ${process.version}\n\n`,
);
for (const row of [header, header.map(() => '---'), ...rows])
  process.stdout.write(`| ${row.join(' | ')} |\n`);
cleanup();
process.exit(0);
