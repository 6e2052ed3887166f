// Runs the whole CLI on a private sim under one fault (a quirk, a signal at a moment, SIGKILL then
// reap, a full or read-only artifacts folder) and measures what issue 12 promises after any fault:
// the exit code the design documents, a junit.xml that validates and is not green unless every
// iteration passed, no sxl- VM, no planted secret anywhere, no result lost, no process left.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { retryUntil } from '../../harness/retry.ts';
import { quoteArg } from '../../harness/ssh/shell-quote.ts';
import { runCli, sxlVms } from '../helpers/cli-run.ts';
import { cli, makeSimEnv, type SimEnv } from '../helpers/sim-env.ts';
import { validateJUnit } from '../helpers/xmllint.ts';
import { secretsInText, secretsInTree } from './find-secrets.ts';

const run = promisify(execFile);

/** Planted in the environment and printed by the probe: it must show up nowhere. */
export const plantedToken = `Pl&nted<tok>"en'7f3a9c`;
export const plantedRegistryPassword = 'RegistryPw-9d2e7b1c';

export interface FaultPlan {
  name: string;
  /** Extra arguments for `run` (quirks, evidence, repeat). */
  args?: string[];
  /** Signals to send once stdout matches `at`, `gapMs` apart. */
  signals?: { at: RegExp; send: NodeJS.Signals[]; delayMs?: number };
  /** Where the artifacts go instead of the sim's folder (a full or read-only mount). */
  artifacts?: string;
  /** @default 0 */
  timeScale?: number;
}

export interface FaultRow {
  fault: string;
  exitCode: number | null;
  /** The exit code the design documents for what happened. */
  expectedExit: number | string;
  junit: string;
  vmsLeft: number;
  secretsFound: string[];
  /** Iterations the console reported finished that results.json does not hold. */
  resultsLost: number;
  processesLeft: string[];
  /** run.json's exit code once the run was finished (by itself, or by reap after SIGKILL). */
  recordedExit: number | undefined;
  stdout: string;
  stderr: string;
}

export async function runUnderFault(plan: FaultPlan): Promise<FaultRow> {
  const sim = makeSimEnv(plan.timeScale ?? 0);
  const artifacts = plan.artifacts ?? sim.artifacts;
  const env = { ...sim.env, MY_FAULT_TOKEN: plantedToken, TART_REGISTRY_PASSWORD: plantedRegistryPassword };
  const args = [
    cli,
    'run',
    'upgrade-xpc',
    '--artifacts',
    artifacts,
    '--redact-env',
    'MY_FAULT_TOKEN',
    '--input',
    `probe-command=printf '%s\\n' ${quoteArg(plantedToken)} ${quoteArg(plantedRegistryPassword)}`,
    ...(plan.args ?? []),
  ];
  const child = spawn('node', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (plan.signals && !signalled && plan.signals.at.test(stdout)) {
      signalled = true;
      void sendSignals(child.pid!, plan.signals.send, plan.signals.delayMs ?? 0);
    }
  });
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killed = plan.signals?.send.includes('SIGKILL') ?? false;
  if (killed) {
    const reaped = await runCli(sim, ['reap'], env);
    stdout += reaped.stdout;
    stderr += reaped.stderr;
  }
  const runDir = onlyRun(artifacts);
  const junitPath = runDir ? join(runDir, 'junit.xml') : undefined;
  const results = runDir ? readJson(join(runDir, 'results.json')) : undefined;
  const outcomes: string[] = (results?.results ?? []).map((r: { outcome: string }) => r.outcome);
  const junit = junitVerdict(junitPath, outcomes);
  const consoleFinished = [...stdout.matchAll(/^\[\d+\/\d+\] (PASS|FAIL|ERROR) in /gm)].length;
  const secretsFound = [plantedToken, plantedRegistryPassword].flatMap((secret) => [
    ...secretsInText(stdout, secret, 'stdout'),
    ...secretsInText(stderr, secret, 'stderr'),
    ...(runDir ? secretsInTree(runDir, secret) : []),
  ]);
  return {
    fault: plan.name,
    exitCode,
    expectedExit: expectedExit(plan, outcomes, runDir, killed),
    junit,
    vmsLeft: (await sxlVms(sim)).length,
    secretsFound,
    resultsLost: Math.max(0, consoleFinished - outcomes.length),
    recordedExit: runDir ? readJson(join(runDir, 'run.json'))?.exitCode : undefined,
    processesLeft: await processesLeft(sim, runDir ? basename(runDir) : undefined),
    stdout,
    stderr,
  };
}

async function sendSignals(pid: number, signals: NodeJS.Signals[], delayMs: number): Promise<void> {
  if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
  for (const [i, signal] of signals.entries()) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Exit codes as the design documents them: 130 interrupted (a killed run is finished as 130 by reap), else from the outcomes. */
function expectedExit(
  plan: FaultPlan,
  outcomes: string[],
  runDir: string | undefined,
  killed: boolean,
): number | string {
  if (killed) return 'none (killed); run.json 130 after reap';
  if (plan.signals) return 130;
  if (!runDir) return 2;
  if (outcomes.includes('fail')) return 1;
  if (outcomes.includes('error') || outcomes.length === 0) return 3;
  return 0;
}

/** `valid, not green`, `valid, green (all passed)`, or what is wrong with it. */
function junitVerdict(path: string | undefined, outcomes: string[]): string {
  if (!path || !existsSync(path)) return 'none';
  const invalid = validateJUnit(path);
  if (invalid) return `invalid: ${invalid.split('\n')[0]}`;
  const xml = readFileSync(path, 'utf8');
  const counts =
    /<testsuites\b[^>]*\bfailures="(\d+)"[^>]*\berrors="(\d+)"/.exec(xml) ??
    /<testsuites\b[^>]*\berrors="(\d+)"[^>]*\bfailures="(\d+)"/.exec(xml);
  const green = counts ? counts[1] === '0' && counts[2] === '0' : false;
  const allPassed = outcomes.length > 0 && outcomes.every((o) => o === 'pass');
  if (green && !allPassed) return 'GREEN without all passing';
  return green ? 'valid, green (all passed)' : 'valid, not green';
}

function onlyRun(artifacts: string): string | undefined {
  try {
    const runs = readdirSync(artifacts);
    return runs.length === 1 ? join(artifacts, runs[0]!) : undefined;
  } catch {
    return undefined;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a JSON document read back
function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Processes of this sim still running (its tart daemons and VMs name its folder in their command
 * line), after a bounded wait: an idle daemon retires on its own within seconds.
 */
async function processesLeft(sim: SimEnv, runId: string | undefined): Promise<string[]> {
  const list = async () => {
    const { stdout } = await run('ps', ['-eo', 'pid=,stat=,args=']);
    return stdout
      .split('\n')
      .filter(
        (line) =>
          (line.includes(sim.dir) || (runId && line.includes(`sxl-${runId}-`))) && !/^\s*\d+\s+Z/.test(line),
      );
  };
  try {
    return await retryUntil(
      async () => {
        const left = await list();
        if (left.length > 0) throw new Error(left.join('; '));
        return left;
      },
      { what: 'the sim processes to end', vm: sim.dir, timeoutMs: 30_000, intervalMs: 250 },
    );
  } catch {
    return list();
  }
}

/** Mounts a tmpfs (root only), read-only when asked; undefined when it cannot. */
export function mountTmpfs(dir: string, options: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
