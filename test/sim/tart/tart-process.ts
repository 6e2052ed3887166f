// Test helpers: run sim/bin/tart as a child process against a temporary TART_HOME, exactly as the
// harness runs real tart (through TART_BIN), and keep `tart run` processes in the background.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  /** Starts `tart run` (or any long-running call) in the background. */
  spawn(...args: string[]): BackgroundTart;
  cleanup(): Promise<void>;
}

const CALL_TIMEOUT_MS = 30_000;

// Each call is a Node start plus tsx; more of them at once than there are cores only makes each slower.
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

export function createTartHome(options: { sharedCache?: string; env?: NodeJS.ProcessEnv } = {}): TartHome {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-tart-test-'));
  if (options.sharedCache) {
    mkdirSync(join(dir, 'cache'), { recursive: true });
    symlinkSync(options.sharedCache, join(dir, 'cache', 'OCIs'));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TART_HOME: dir,
    SXL_SIM_TIME_SCALE: '0',
    SXL_SIM_SSH_PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
    ...options.env,
  };
  delete env.SXL_SIM_HOST_DIR;
  delete env.SXL_SIM_QUIRKS;
  const children: BackgroundTart[] = [];
  const spawnTart = (...args: string[]) => {
    const background = new BackgroundTart(spawn(TART_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }));
    children.push(background);
    return background;
  };
  return {
    dir,
    env,
    spawn: spawnTart,
    tart: (...args) => withCallSlot(() => spawnTart(...args).wait()),
    async cleanup() {
      for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.wait(5_000)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
