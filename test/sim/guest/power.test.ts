import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import test from 'ava';
import { bootGuest } from '../../../sim/guest/boot.ts';
import { exec, TestGuest } from './guest-harness.ts';

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

test('state survives a hard power-off and a new boot', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    await exec(client, 'echo kept > note.txt; sudo systemextensionsctl developer on');
    await guest.running!.powerOff();
    await guest.running!.powerOff();
    await t.throwsAsync(() => exec(client, 'true'));
    await guest.boot();
    const again = await guest.connect();
    t.is((await exec(again, 'cat note.txt')).stdout, 'kept\n');
    t.is((await exec(again, 'systemextensionsctl developer')).stdout, 'Developer mode is on\n');
    const state = JSON.parse(await readFile(join(guest.vmDir, 'guest/state.json'), 'utf8')) as {
      bootCount: number;
    };
    t.is(state.bootCount, 2);
  } finally {
    await guest.close();
  }
});

test('the host key survives reboots', async (t) => {
  const guest = await TestGuest.create();
  try {
    const key = await readFile(join(guest.vmDir, 'guest/ssh_host_ed25519_key'), 'utf8');
    t.regex(key, /OPENSSH PRIVATE KEY/);
    await guest.running!.powerOff();
    await guest.boot();
    t.is(await readFile(join(guest.vmDir, 'guest/ssh_host_ed25519_key'), 'utf8'), key);
  } finally {
    await guest.close();
  }
});

test('shutdown -h now replies 0, then drops connections, stops listening and reports power-off', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    t.deepEqual(await exec(client, 'shutdown -h now'), {
      stdout: '',
      stderr: 'shutdown: NOT super-user\n',
      code: 1,
    });
    t.deepEqual(await exec(client, 'halt'), {
      stdout: '',
      stderr: 'halt: Operation not permitted\n',
      code: 1,
    });
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    t.is((await exec(client, 'sudo shutdown -h now')).code, 0);
    await closed;
    t.true(await waitUntil(() => guest.powerOffs === 1));
    await t.throwsAsync(() => guest.connect());
  } finally {
    await guest.close();
  }
});

test('reboot drops connections and comes back on the same address with a new boot', async (t) => {
  const guest = await TestGuest.create();
  try {
    const client = await guest.connect();
    const before = JSON.parse(await readFile(join(guest.vmDir, 'guest/state.json'), 'utf8')) as {
      bootUuid: string;
    };
    const closed = new Promise<void>((resolve) => client.on('close', () => resolve()));
    t.is((await exec(client, 'sudo reboot')).code, 0);
    await closed;
    const again = await guest.connectRetry();
    t.is((await exec(again, 'whoami')).stdout, 'admin\n');
    const after = JSON.parse(await readFile(join(guest.vmDir, 'guest/state.json'), 'utf8')) as {
      bootUuid: string;
      bootCount: number;
    };
    t.not(after.bootUuid, before.bootUuid);
    t.is(after.bootCount, 2);
    t.is(guest.powerOffs, 0);
  } finally {
    await guest.close();
  }
});

test('a taken address rejects with EADDRINUSE', async (t) => {
  const guest = await TestGuest.create();
  const blocker = createServer();
  try {
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await guest.running!.powerOff();
    const error = await t.throwsAsync(() =>
      bootGuest({
        vmDir: guest.vmDir,
        vmName: guest.vmName,
        host: '127.0.0.1',
        port,
        settings: { quirks: {}, seed: 0, timeScale: 0 },
        onPowerOff: () => {},
      }),
    );
    t.is((error as NodeJS.ErrnoException).code, 'EADDRINUSE');
  } finally {
    blocker.close();
    await guest.close();
  }
});
