// Host processes are spawned without a shell, and a background process is killed with its group:
// the pid the backend holds is the tool's own, and a SIGKILL fallback reaches what it started.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runHostCommand, startBackgroundProcess } from '../../../harness/backends/host-command.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

test('the background pid is the tool itself, with its own arguments (no shell around it)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-host-'));
  const child = startBackgroundProcess('sleep', ['30'], { logFile: join(dir, 'log') });
  t.teardown(() => child.kill('SIGKILL'));
  t.truthy(child.pid);
  const args = execFileSync('ps', ['-o', 'args=', '-p', String(child.pid)], { encoding: 'utf8' }).trim();
  t.is(args, 'sleep 30');
  child.kill('SIGKILL');
  t.is(await child.exited, null);
});

test('kill reaches the whole process group, so what the tool started dies with it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-host-'));
  const pidFile = join(dir, 'grandchild.pid');
  const child = startBackgroundProcess('/bin/sh', ['-c', `sleep 300 & echo $! > '${pidFile}'; wait`], {
    logFile: join(dir, 'log'),
  });
  t.teardown(() => child.kill('SIGKILL'));
  t.true(await until(() => readFileSync(pidFile, { encoding: 'utf8', flag: 'a+' }).trim() !== ''));
  const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
  t.true(alive(grandchild));
  child.kill('SIGKILL');
  await child.exited;
  t.true(await until(() => !alive(grandchild)), `pid ${grandchild} outlived the kill`);
});

test('runHostCommand passes arguments verbatim (no shell expansion) and kills the tool at its timeout', async (t) => {
  const echoed = await runHostCommand('echo', ['$HOME', '*', 'a b']);
  t.is(echoed.stdout, '$HOME * a b\n');
  const error = await t.throwsAsync(() => runHostCommand('sleep', ['30'], { timeoutMs: 200 }));
  t.regex(error?.message ?? '', /^Exit code none from `sleep 30` after \d+ ms: timed out after 200 ms/);
});
