import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type ssh2 from 'ssh2';
import { exec, q, TestGuest } from './guest-harness.ts';

let guest: TestGuest;
let client: ssh2.Client;

test.before(async () => {
  guest = await TestGuest.create({ manifest: undefined });
  client = await guest.connect();
});
test.after.always(async () => {
  await guest?.close();
});

test('sw_vers prints the manifest with two TABs', async (t) => {
  t.deepEqual(await exec(client, 'sw_vers'), {
    stdout: 'ProductName:\t\tmacOS\nProductVersion:\t\t15.6.1\nBuildVersion:\t\t24G90\n',
    stderr: '',
    code: 0,
  });
  t.is((await exec(client, 'sw_vers -productVersion; sw_vers -buildVersion')).stdout, '15.6.1\n24G90\n');
});

test('identity commands, sudo and csrutil', async (t) => {
  t.is(
    (await exec(client, 'whoami; id -u; sudo -n whoami; sudo id -u; hostname; uname')).stdout,
    'admin\n501\nroot\n0\nadmins-Virtual-Machine.local\nDarwin\n',
  );
  t.is((await exec(client, 'csrutil status')).stdout, 'System Integrity Protection status: disabled.\n');
});

test("unknown commands exit 127 with zsh's message", async (t) => {
  t.deepEqual(await exec(client, 'frobnicate --now'), {
    stdout: '',
    stderr: 'zsh:1: command not found: frobnicate\n',
    code: 127,
  });
});

test('hostile names travel through every file tool literally and nothing executes', async (t) => {
  const name = `[T] it's "$(touch pwned)" $HOME \`id\`.app`;
  const dir = `/Users/admin/sxl/${name}`;
  let r = await exec(
    client,
    `mkdir -p ${q(dir)} && echo payload > ${q(`${dir}/file.txt`)} && ls -1 /Users/admin/sxl`,
  );
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, `${name}\n`);
  r = await exec(
    client,
    `cat ${q(`${dir}/file.txt`)}; test -d ${q(dir)} && echo dir; [ -f ${q(`${dir}/file.txt`)} ] && echo file`,
  );
  t.is(r.stdout, 'payload\ndir\nfile\n');
  r = await exec(
    client,
    `cp -R ${q(dir)} ${q(`${dir}.copy`)} && mv ${q(`${dir}.copy`)} /Users/admin/sxl/moved && ls /Users/admin/sxl/moved`,
  );
  t.is(r.stdout, 'file.txt\n');
  r = await exec(client, `shasum -a 256 ${q(`${dir}/file.txt`)}; stat -f %z ${q(`${dir}/file.txt`)}`);
  t.is(r.stdout.slice(64), `  ${dir}/file.txt\n8\n`);
  r = await exec(client, `rm -r ${q(dir)} && ls /Users/admin/sxl`);
  t.is(r.stdout, 'moved\n');
  t.false((await readdir(join(guest.vmDir, 'guest/rootfs/Users/admin'))).includes('pwned'));
  t.is((await exec(client, 'ls pwned')).code, 1);
});

test('permission errors as the BSD tools print them', async (t) => {
  t.deepEqual(await exec(client, 'mkdir /Library/x'), {
    stdout: '',
    stderr: 'mkdir: /Library/x: Permission denied\n',
    code: 1,
  });
  t.is(
    (await exec(client, 'echo x > /Applications/a.txt')).stderr,
    'zsh:1: permission denied: /Applications/a.txt\n',
  );
  t.is((await exec(client, 'sudo mkdir /Library/x && ls -d /Library/x')).stdout, '/Library/x\n');
  t.is((await exec(client, 'rm -r /Library/x')).stderr, 'rm: /Library/x: Permission denied\n');
  t.is((await exec(client, 'cat /nope')).stderr, 'cat: /nope: No such file or directory\n');
  t.is((await exec(client, 'echo hi > /tmp/t && cat /private/tmp/t')).stdout, 'hi\n');
});

test('paths cannot escape the rootfs', async (t) => {
  const r = await exec(client, 'ls /../../../..; cat ../../../../../../etc/sudoers.d/admin-nopasswd');
  t.is(r.stdout, 'Applications\nLibrary\nSystem\nUsers\nprivate\nadmin ALL=(ALL) NOPASSWD: ALL\n');
});

test('operators, pipes, redirections and variables', async (t) => {
  t.is((await exec(client, 'false && echo no; false || echo yes; true && echo and')).stdout, 'yes\nand\n');
  t.is((await exec(client, 'launchctl list | grep -c sysextd')).stdout, '1\n');
  t.is((await exec(client, 'cat nope 2>&1 | grep -c "No such"')).stdout, '1\n');
  t.deepEqual(await exec(client, 'cat nope 2>/dev/null'), { stdout: '', stderr: '', code: 1 });
  t.is(
    (
      await exec(
        client,
        'echo a > f; echo b >> f; cat < f; echo "$HOME" $USER; cd /tmp && echo c > g && cat /private/tmp/g',
      )
    ).stdout,
    'a\nb\n/Users/admin admin\nc\n',
  );
  t.is((await exec(client, 'cat', 'from stdin')).stdout, 'from stdin');
  t.is((await exec(client, 'printf "%s-%d\\n" a 1 b 2')).stdout, 'a-1\nb-2\n');
  t.regex((await exec(client, 'date -u +%Y-%m-%dT%H:%M:%SZ')).stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
});

// Ten on a connection of its own: sshd's MaxSessions (openssh-clients.test.ts: an eleventh is refused).
test('many exec channels on one connection run concurrently', async (t) => {
  const own = await guest.connect();
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => exec(own, `echo ${i}; sleep 0`)));
  own.end();
  t.deepEqual(
    results.map((r) => r.stdout),
    Array.from({ length: 10 }, (_, i) => `${i}\n`),
  );
});

test('closing a channel mid-command does not crash the guest', async (t) => {
  await new Promise<void>((resolve, reject) => {
    client.exec('cat', (error, stream) => {
      if (error) return reject(error);
      stream.on('close', () => resolve());
      stream.resume();
      stream.close();
    });
  });
  t.is((await exec(client, 'echo alive')).stdout, 'alive\n');
});

test('plutil converts XML plists and rejects others', async (t) => {
  await exec(
    client,
    `printf '%s' ${q('<?xml version="1.0"?><plist version="1.0"><dict><key>a/b</key><string>x &amp; y</string><key>n</key><integer>3</integer><key>r</key><real>1.5</real><key>t</key><true/><key>l</key><array><false/></array></dict></plist>')} > p.plist`,
  );
  t.deepEqual(await exec(client, 'plutil -convert json -o - p.plist'), {
    stdout: '{"a\\/b":"x & y","n":3,"r":1.5,"t":true,"l":[false]}\n',
    stderr: '',
    code: 0,
  });
  t.is(
    (await exec(client, 'plutil -p p.plist')).stdout,
    '{\n  "a/b" => "x & y"\n  "n" => 3\n  "r" => 1.5\n  "t" => true\n  "l" => [\n    0 => false\n  ]\n}\n',
  );
  t.is((await exec(client, 'echo nope > bad.plist; plutil -convert json -o - bad.plist')).code, 1);
  t.is((await exec(client, 'plutil -convert json -o - missing.plist')).code, 1);
});

test('SystemVersion.plist is seeded from the manifest', async (t) => {
  const r = await exec(client, 'plutil -convert json -o - /System/Library/CoreServices/SystemVersion.plist');
  t.like(JSON.parse(r.stdout), {
    ProductVersion: '15.6.1',
    ProductBuildVersion: '24G90',
    ProductName: 'macOS',
  });
});

test('wrong passwords are rejected', async (t) => {
  await t.throwsAsync(() => guest.connect('admin', 'wrong'));
  await t.throwsAsync(() => guest.connect('root', 'admin'));
});
