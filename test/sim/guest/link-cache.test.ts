// The guest remembers which rootfs entries are symlinks for its path lookups (guest-fs.ts): a folder
// replaced by a symlink, or a symlink by a folder, over SSH or SFTP, is seen as it is now, and a
// power-off forgets what the host may change on the disk while the guest is off.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { exec, TestGuest } from './guest-harness.ts';

const guests: TestGuest[] = [];
test.after.always(() => Promise.all(guests.map((g) => g.close())));

async function guest(): Promise<TestGuest> {
  const created = await TestGuest.create();
  guests.push(created);
  return created;
}

test('a folder replaced by a symlink is followed at the next lookup, and back', async (t) => {
  const c = await (await guest()).connect();
  await exec(c, 'mkdir -p a/d b && echo in-a > a/d/f && echo in-b > b/f');
  t.is((await exec(c, 'cat a/d/f')).stdout, 'in-a\n');
  await exec(c, 'rm -r a/d && ln -s /Users/admin/b a/d');
  t.is((await exec(c, 'cat a/d/f')).stdout, 'in-b\n');
  t.is((await exec(c, 'realpath a/d/f')).stdout, '/Users/admin/b/f\n');
  await exec(c, 'rm a/d && mkdir a/d && echo again > a/d/f');
  t.is((await exec(c, 'cat a/d/f')).stdout, 'again\n');
  t.is((await exec(c, 'cat b/f')).stdout, 'in-b\n');
});

test('a rename over SFTP that puts a symlink where a folder was is followed', async (t) => {
  const c = await (await guest()).connect();
  await exec(c, 'mkdir -p x/d y && echo in-x > x/d/f && echo in-y > y/f && ln -s /Users/admin/y link');
  t.is((await exec(c, 'cat x/d/f')).stdout, 'in-x\n');
  const sftp = await new Promise<import('ssh2').SFTPWrapper>((resolve, reject) =>
    c.sftp((error, s) => (error ? reject(error) : resolve(s))),
  );
  const call = (run: (done: (error?: Error | null) => void) => void) =>
    new Promise<void>((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
  await call((done) => sftp.rename('x/d', 'old-d', done));
  await call((done) => sftp.rename('link', 'x/d', done));
  t.is((await exec(c, 'cat x/d/f')).stdout, 'in-y\n');
  sftp.end();
});

test('after a power-off the guest sees what the host changed on its disk', async (t) => {
  const g = await guest();
  const c = await g.connect();
  await exec(c, 'mkdir -p p/d q && echo in-p > p/d/f && echo in-q > q/f');
  t.is((await exec(c, 'cat p/d/f')).stdout, 'in-p\n');
  c.end();
  await g.running?.powerOff();
  const home = join(g.vmDir, 'guest', 'rootfs', 'Users', 'admin');
  rmSync(join(home, 'p', 'd'), { recursive: true });
  symlinkSync('/Users/admin/q', join(home, 'p', 'd'));
  mkdirSync(join(home, 'r'));
  writeFileSync(join(home, 'r', 'f'), 'in-r\n');
  await g.boot();
  const again = await g.connectRetry();
  t.is((await exec(again, 'cat p/d/f')).stdout, 'in-q\n');
  t.is((await exec(again, 'cat r/f')).stdout, 'in-r\n');
});
