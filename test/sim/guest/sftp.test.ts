import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type ssh2 from 'ssh2';
import { exec, q, TestGuest } from './guest-harness.ts';

let guest: TestGuest;
let client: ssh2.Client;
let sftp: ssh2.SFTPWrapper;
let local: string;

test.before(async () => {
  guest = await TestGuest.create();
  client = await guest.connect();
  sftp = await new Promise((resolve, reject) => client.sftp((e, s) => (e ? reject(e) : resolve(s))));
  local = await mkdtemp(join(tmpdir(), 'sxl-sftp-'));
});
test.after.always(async () => {
  await guest?.close();
  if (local) await rm(local, { recursive: true, force: true });
});

const call = <T>(fn: (cb: (error: Error | null | undefined, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v as T))));

test('upload and download round trip a large file through parallel streaming', async (t) => {
  const data = randomBytes(3 * 1024 * 1024 + 17);
  await writeFile(join(local, 'up.bin'), data);
  const remote = "[T] it's $(x).bin";
  await call((cb) => sftp.fastPut(join(local, 'up.bin'), remote, cb));
  const sum = await exec(client, `shasum -a 256 ${q(remote)}`);
  t.true(
    sum.stdout.startsWith((await import('node:crypto')).createHash('sha256').update(data).digest('hex')),
  );
  await call((cb) => sftp.fastGet(`/Users/admin/${remote}`, join(local, 'down.bin'), cb));
  t.true((await readFile(join(local, 'down.bin'))).equals(data));
});

test('stream write and read, stat, readdir, rename, remove, mkdir, rmdir, realpath', async (t) => {
  await new Promise<void>((resolve, reject) => {
    const stream = sftp.createWriteStream('notes.txt');
    stream.on('close', () => resolve()).on('error', reject);
    stream.end('hello sftp\n');
  });
  t.is((await exec(client, 'cat notes.txt')).stdout, 'hello sftp\n');
  const stats = await call<ssh2.Stats>((cb) => sftp.stat('notes.txt', cb));
  t.is(stats.size, 11);
  t.is(stats.uid, 501);
  t.is(await call<string>((cb) => sftp.realpath('.', cb)), '/Users/admin');
  await call((cb) => sftp.mkdir('dir', cb));
  await call((cb) => sftp.rename('notes.txt', 'dir/n.txt', cb));
  const list = await call<ssh2.FileEntry[]>((cb) => sftp.readdir('dir', cb));
  t.deepEqual(
    list.map((e) => e.filename),
    ['n.txt'],
  );
  await call((cb) => sftp.setstat('dir/n.txt', { mode: 0o600 }, cb));
  t.is((await exec(client, 'stat -f %p dir/n.txt')).stdout, '100600\n');
  await t.throwsAsync(() => call((cb) => sftp.rmdir('dir', cb)));
  await call((cb) => sftp.unlink('dir/n.txt', cb));
  await call((cb) => sftp.rmdir('dir', cb));
  t.is((await exec(client, 'ls dir')).code, 1);
});

test('errors come back as SFTP status codes', async (t) => {
  const noSuchFile = await t.throwsAsync(() => call((cb) => sftp.stat('missing', cb)));
  t.is((noSuchFile as { code?: number }).code, 2);
  const denied = await t.throwsAsync(() => call((cb) => sftp.open('/Library/x', 'w', cb)));
  t.is((denied as { code?: number }).code, 3);
  const deniedDir = await t.throwsAsync(() => call((cb) => sftp.mkdir('/Applications/x', cb)));
  t.is((deniedDir as { code?: number }).code, 3);
});
