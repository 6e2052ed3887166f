// Guest symlinks: followed in guest space (an absolute target means the guest's /, `..` stops at
// the guest's root), never by the host; rm removes the link; loops end in ELOOP; SFTP's LSTAT and
// directory listings show a link as a link, STAT shows its target.
import test from 'ava';
import type ssh2 from 'ssh2';
import { exec, TestGuest } from './guest-harness.ts';

const guests: TestGuest[] = [];
test.after.always(() => Promise.all(guests.map((g) => g.close())));

async function client(): Promise<ssh2.Client> {
  const guest = await TestGuest.create();
  guests.push(guest);
  return guest.connect();
}

test('absolute and climbing targets stay inside the guest', async (t) => {
  const c = await client();
  await exec(c, 'echo guest-file > note.txt');
  t.is((await exec(c, 'ln -s /Users/admin/note.txt abs && cat abs')).stdout, 'guest-file\n');
  // On the host this would climb out of the rootfs; in the guest `..` stops at /.
  await exec(c, 'ln -s ../../../../../../../../../../etc/hostname climb');
  const climbed = await exec(c, 'cat climb');
  t.is(climbed.code, 1);
  t.is(climbed.stderr, 'cat: climb: No such file or directory\n');
  t.is((await exec(c, 'realpath abs')).stdout, '/Users/admin/note.txt\n');
  // A link into a folder the user may not write does not lend its permissions.
  await exec(c, 'ln -s /Applications apps');
  t.is((await exec(c, 'touch apps/evil')).stderr, 'touch: apps/evil: Permission denied\n');
});

test('rm removes the link, not its target; a loop is ELOOP; readlink and test -L', async (t) => {
  const c = await client();
  await exec(c, 'mkdir -p d/sub && echo x > d/sub/f && ln -s d/sub link');
  t.is((await exec(c, 'cat link/f')).stdout, 'x\n');
  t.is((await exec(c, 'readlink link')).stdout, 'd/sub\n');
  t.is((await exec(c, 'test -L link')).code, 0);
  t.is((await exec(c, 'test -L d')).code, 1);
  t.is((await exec(c, 'readlink d')).code, 1);
  t.is((await exec(c, 'rm link')).code, 0);
  t.is((await exec(c, 'cat d/sub/f')).stdout, 'x\n');
  await exec(c, 'ln -s loop2 loop1 && ln -s loop1 loop2');
  t.is((await exec(c, 'cat loop1')).stderr, 'cat: loop1: Too many levels of symbolic links\n');
  // Into an existing folder, ln puts the link inside it under the target's name.
  t.is(
    (await exec(c, 'ln -s /private/tmp/elsewhere d && readlink d/elsewhere')).stdout,
    '/private/tmp/elsewhere\n',
  );
  t.is((await exec(c, 'ln -s x d/sub/f')).stderr, 'ln: d/sub/f: File exists\n');
  t.is((await exec(c, 'ln -sf y d/sub/f && readlink d/sub/f')).stdout, 'y\n');
});

test('sftp: LSTAT and listings show the link, STAT its target', async (t) => {
  const c = await client();
  await exec(c, 'mkdir -p dir && ln -s dir dirlink');
  const sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) =>
    c.sftp((e, s) => (e ? reject(e) : resolve(s))),
  );
  const lstat = await new Promise<ssh2.Stats>((resolve, reject) =>
    sftp.lstat('dirlink', (e, s) => (e ? reject(e) : resolve(s))),
  );
  const stat = await new Promise<ssh2.Stats>((resolve, reject) =>
    sftp.stat('dirlink', (e, s) => (e ? reject(e) : resolve(s))),
  );
  t.true(lstat.isSymbolicLink());
  t.true(stat.isDirectory());
  const listing = await new Promise<ssh2.FileEntry[]>((resolve, reject) =>
    sftp.readdir('.', (e, l) => (e ? reject(e) : resolve(l))),
  );
  t.regex(listing.find((f) => f.filename === 'dirlink')?.longname ?? '', /^lrwx/);
  sftp.end();
});
