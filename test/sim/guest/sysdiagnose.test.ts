import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type ssh2 from 'ssh2';
import { writeTar } from '../../../sim/guest/tar-writer.ts';
import { exec, TestGuest } from './guest-harness.ts';

async function download(client: ssh2.Client, remote: string, local: string): Promise<void> {
  const sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) =>
    client.sftp((e, s) => (e ? reject(e) : resolve(s))),
  );
  await new Promise<void>((resolve, reject) =>
    sftp.fastGet(remote, local, (e) => (e ? reject(e) : resolve())),
  );
  sftp.end();
}

test('the tar writer makes archives GNU tar lists and extracts, long names included', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sxl-tar-'));
  try {
    const long = `${'d'.repeat(90)}/${'e'.repeat(60)}/file-with-a-long-name.txt`;
    const tar = writeTar([
      { name: 'top/', mtime: 1_700_000_000 },
      { name: 'top/a.txt', data: Buffer.from('hello\n'), mtime: 1_700_000_000 },
      { name: `top/${long}`, data: Buffer.alloc(1000, 65), mtime: 1_700_000_000 },
      { name: 'top/empty', data: Buffer.alloc(0), mtime: 1_700_000_000 },
    ]);
    t.is(tar.length % 512, 0);
    await writeFile(join(dir, 'x.tar'), tar);
    const listing = execFileSync('tar', ['-tf', join(dir, 'x.tar')], { encoding: 'utf8' });
    t.deepEqual(listing.trim().split('\n'), ['top/', 'top/a.txt', `top/${long}`, 'top/empty']);
    t.is(execFileSync('tar', ['-xOf', join(dir, 'x.tar'), 'top/a.txt'], { encoding: 'utf8' }), 'hello\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sysdiagnose -u -b -f DIR -A NAME writes a real .tar.gz of state files and says where', async (t) => {
  const guest = await TestGuest.create();
  const local = await mkdtemp(join(tmpdir(), 'sxl-sysdiag-'));
  try {
    const client = await guest.connect();
    t.is(
      (await exec(client, 'sysdiagnose -u -b -f /tmp/sd -A run1')).stderr,
      'sysdiagnose must be run as root\n',
    );
    await exec(client, 'mkdir -p /tmp/sd');
    const result = await exec(client, 'sudo -n sysdiagnose -u -b -f /tmp/sd -A run1');
    t.is(result.code, 0);
    t.true(result.stdout.endsWith("\nOutput available at '/tmp/sd/run1.tar.gz'.\n"));
    await exec(client, 'sudo -n chmod 644 /tmp/sd/run1.tar.gz');
    const archive = join(local, 'run1.tar.gz');
    await download(client, '/tmp/sd/run1.tar.gz', archive);
    const names = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
    for (const name of [
      'run1/',
      'run1/logs/install.log',
      'run1/system_logs.logarchive/unified-log.ndjson',
      'run1/ps.txt',
      'run1/systemextensionsctl_list.txt',
      'run1/launchctl_print_system.txt',
      'run1/pmset_-g_log.txt',
    ]) {
      t.true(names.includes(name), name);
    }
    const list = execFileSync('tar', ['-xzOf', archive, 'run1/systemextensionsctl_list.txt'], {
      encoding: 'utf8',
    });
    t.is(list, '0 extension(s)\n');
    const pmset = execFileSync('tar', ['-xzOf', archive, 'run1/pmset_-g_log.txt'], { encoding: 'utf8' });
    t.true(pmset.startsWith('Sleep/Wakes since boot at '));
  } finally {
    await guest.close();
    await rm(local, { recursive: true, force: true });
  }
});

test('quirk sysdiagnose-hang at 1: it never finishes until the channel closes, and writes nothing', async (t) => {
  const guest = await TestGuest.create({ quirks: { 'sysdiagnose-hang': 1 } });
  try {
    const client = await guest.connect();
    const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) =>
      client.exec('sudo -n sysdiagnose -u -b -f /tmp -A hung', (e, s) => (e ? reject(e) : resolve(s))),
    );
    let exited = false;
    channel.on('exit', () => {
      exited = true;
    });
    channel.resume();
    await new Promise((r) => setTimeout(r, 500));
    t.false(exited);
    channel.close();
    await new Promise((r) => setTimeout(r, 100));
    t.is((await exec(client, 'test -e /tmp/hung.tar.gz')).code, 1);
    guest.quirks = { 'sysdiagnose-hang': 0 };
    await guest.running!.powerOff();
    await guest.boot();
    const again = await guest.connect();
    t.is((await exec(again, 'sudo -n sysdiagnose -u -b -f /tmp -A ok')).code, 0);
  } finally {
    await guest.close();
  }
});

test('sysdiagnose, pmset and log refuse misspelt commands, unknown flags and missing arguments', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    const refusals: [string, number, RegExp][] = [
      ['sudo -n sysdiagnose -l', 64, /^sysdiagnose: unrecognized option '-l'\n$/],
      ['sudo -n sysdiagnose -u -b -f', 64, /^sysdiagnose: option requires an argument -- f\n$/],
      ['sudo -n sysdiagnose -u -b -f /tmp -A', 64, /^sysdiagnose: option requires an argument -- A\n$/],
      ['sudo -n sysdiagnos -u', 127, /command not found: sysdiagnos/],
      ['pmset -g logs', 1, /^Usage: pmset <options>\n/],
      ['pmset sleepnoww', 1, /^Usage: pmset <options>\n/],
      ['pmest -g log', 127, /command not found: pmest/],
      ['log show --styl json', 64, /^log: Unknown option: --styl\n/],
      ['log show --style jsn', 64, /^log: Invalid style: jsn\n$/],
      ['log sho', 64, /^usage:\n {4}log <command>\n/],
      ['log show --last 5x', 64, /^log: Invalid duration: 5x\n$/],
    ];
    for (const [line, code, stderr] of refusals) {
      const result = await exec(client, line);
      t.is(result.code, code, line);
      t.regex(result.stderr, stderr, line);
      t.is(result.stdout, '', line);
    }
    client.end();
  } finally {
    await guest.close();
  }
});
