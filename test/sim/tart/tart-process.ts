// Test helpers: run sim/bin/tart as a child process against a temporary TART_HOME, exactly as the
// harness runs real tart (through TART_BIN), and keep `tart run` processes in the background.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  type Stats,
  statSync,
  symlinkSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDaemonFile } from '../../../sim/tart/daemon.ts';
import { randomMac, readVmConfig, writeVmConfig } from '../../../sim/tart/vm-config.ts';
import { copyVmFolder } from '../../../sim/tart/vm-copy.ts';

export const TART_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'sim', 'bin', 'tart');
export const IMAGE = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';

export interface TartResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export interface TartHome {
  dir: string;
  env: NodeJS.ProcessEnv;
  tart(...args: string[]): Promise<TartResult>;
  /** As tart(), with extra environment for this call (quirks, bad settings). */
  tartWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<TartResult>;
  /** Starts `tart run` (or any long-running call) in the background. */
  spawn(...args: string[]): BackgroundTart;
  /** As spawn(), with extra environment for this process. */
  spawnWith(env: NodeJS.ProcessEnv, ...args: string[]): BackgroundTart;
  cleanup(): Promise<void>;
}

const CALL_TIMEOUT_MS = 30_000;

// A call that starts a sim daemon is a Node start; more of them at once than cores only makes each slower.
const MAX_CALLS = Math.max(2, availableParallelism());
let activeCalls = 0;
const queue: (() => void)[] = [];

async function withCallSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (activeCalls >= MAX_CALLS) await new Promise<void>((resolve) => queue.push(resolve));
  activeCalls++;
  try {
    return await fn();
  } finally {
    activeCalls--;
    queue.shift()?.();
  }
}

export class BackgroundTart {
  stdout = '';
  stderr = '';
  /** Host ms when the process was spawned. */
  readonly startedAt = Date.now();
  readonly exited: Promise<TartResult>;
  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      child.on('close', (code) => resolve({ stdout: this.stdout, stderr: this.stderr, exitCode: code }));
    });
  }

  /** Waits for the process to end, killing it after `timeoutMs` so a test never hangs. */
  async wait(timeoutMs = CALL_TIMEOUT_MS): Promise<TartResult> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once stdout contains `text`; rejects after `timeoutMs` or when the process ends. */
  async waitForOutput(text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.exited.then(() => {
      ended = true;
    });
    while (!this.stdout.includes(text)) {
      if (ended)
        throw new Error(`tart ended before printing ${JSON.stringify(text)}: ${this.stdout}${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${JSON.stringify(text)}: ${this.stdout}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * Puts a copy of a prepared VM into the home under `name`, with a fresh MAC, in-process: what
 * `tart clone` + `tart set --random-mac` do, without two process starts (the tests' main cost).
 */
export function seedVm(home: TartHome, sourceVmDir: string, name: string): void {
  const dir = join(home.dir, 'vms', name);
  copyVmFolder(sourceVmDir, dir);
  writeVmConfig(dir, { ...readVmConfig(dir), macAddress: randomMac() });
}

/**
 * Resolves once this `tart run` holds its VM's lock and has made a fresh control.sock, which it
 * does last, after the guest booted and got its lease. Polls files in-process: a `tart ip --wait`
 * sleeps a whole second between tries, and each tart call is a process start.
 */
export async function waitUntilBooted(
  home: TartHome,
  vm: string,
  run: BackgroundTart,
  timeoutMs = 20_000,
): Promise<void> {
  const dir = join(home.dir, 'vms', vm);
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void run.exited.then(() => {
    ended = true;
  });
  for (;;) {
    const holder = readFileOrEmpty(join(dir, '.sim-run.pid')).trim();
    const socket = statOrUndefined(join(dir, 'control.sock'));
    // A killed run leaves its socket behind: only one made since this run started counts.
    if (holder === String(run.child.pid) && socket && socket.mtimeMs >= run.startedAt - 100) return;
    if (ended) throw new Error(`tart run ${vm} ended before the guest was up: ${run.stdout}${run.stderr}`);
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${vm} to boot`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readFileOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The sim daemons serving this home (sim/tart/daemon.ts): one per distinct sim environment. */
export function simDaemons(home: TartHome): { portFile: string; port: number; pid: number }[] {
  const dir = join(home.dir, 'sim-host', 'tartd');
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.port'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const found = readDaemonFile(join(dir, name));
    return found ? [{ portFile: join(dir, name), ...found }] : [];
  });
}

export function createTartHome(options: { sharedCache?: string; env?: NodeJS.ProcessEnv } = {}): TartHome {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-tart-test-'));
  if (options.sharedCache) {
    mkdirSync(join(dir, 'cache'), { recursive: true });
    symlinkSync(options.sharedCache, join(dir, 'cache', 'OCIs'));
  }
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  // The caller's own sim settings must not leak into a test; options.env may set them again.
  for (const key of ['SXL_SIM_HOST_DIR', 'SXL_SIM_QUIRKS', 'SXL_SIM_SEED']) delete inherited[key];
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    TART_HOME: dir,
    SXL_SIM_TIME_SCALE: '0',
    SXL_SIM_SSH_PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
    ...options.env,
  };
  const children: BackgroundTart[] = [];
  let home: TartHome;
  const spawnWith = (extra: NodeJS.ProcessEnv, ...args: string[]) => {
    const background = new BackgroundTart(
      spawn(TART_BIN, args, { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    children.push(background);
    return background;
  };
  home = {
    dir,
    env,
    spawn: (...args) => spawnWith({}, ...args),
    spawnWith,
    tart: (...args) => withCallSlot(() => spawnWith({}, ...args).wait()),
    tartWith: (extra, ...args) => withCallSlot(() => spawnWith(extra, ...args).wait()),
    async cleanup() {
      for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.wait(5_000)));
      // Daemons would retire by themselves once idle; a test leaves nothing running behind it.
      for (const daemon of simDaemons(home)) {
        try {
          process.kill(daemon.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return home;
}
