// `sysext-lab sim orchard`: a simulated controller in the foreground that prints the variables to
// export, answers Orchard's API with them, and stops cleanly on Ctrl-C; bad flags are exit 2.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from '../../helpers/cli-run.ts';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';

test('sim orchard prints ORCHARD_URL and the account, serves its workers, and stops on SIGINT', async (t) => {
  t.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-sim-orchard-'));
  const child = spawn('node', [cli, 'sim', 'orchard', '--workers', '2', '--port', '0', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!/ORCHARD_SERVICE_ACCOUNT_TOKEN=\S+/.test(stdout) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const value = (name: string) => new RegExp(`export ${name}=(\\S+)`).exec(stdout)?.[1] ?? '';
  const url = value('ORCHARD_URL');
  t.regex(url, /^http:\/\/127\.0\.0\.1:\d+$/, stdout);
  const auth = `Basic ${Buffer.from(`${value('ORCHARD_SERVICE_ACCOUNT_NAME')}:${value('ORCHARD_SERVICE_ACCOUNT_TOKEN')}`).toString('base64')}`;
  const workers = await fetch(`${url}/v1/workers`, { headers: { Authorization: auth } });
  t.is(workers.status, 200);
  t.deepEqual(
    ((await workers.json()) as { name: string }[]).map((w) => w.name),
    ['worker-1', 'worker-2'],
  );
  t.is((await fetch(`${url}/v1/workers`)).status, 401);
  child.kill('SIGINT');
  t.is(await exited, 0);
  t.regex(stdout, /Stopping the simulated Orchard controller and its VMs/);
});

test('sim with an unknown service or a bad flag is a usage error', async (t) => {
  const sim = makeSimEnv();
  const unknown = await runCli(sim, ['sim', 'kubernetes']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown service "kubernetes": expected orchard/);
  const bad = await runCli(sim, ['sim', 'orchard', '--workers', 'many']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--workers must be a whole number from 1 to 64, got "many"/);
});
