// A private simulated Mac per test: its own TART_HOME, run registry and artifacts folder, with
// the sim's delays scaled to zero so tests stay fast.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simBackendOptions } from '../../harness/backends/sim/sim-profile.ts';
import type { TartBackendOptions } from '../../harness/backends/tart/tart-backend.ts';

export const repo = fileURLToPath(new URL('../../', import.meta.url));
export const fakeTart = join(repo, 'sim', 'bin', 'tart');
export const cli = join(repo, 'bin', 'sysext-lab.js');
export const sampleBuilds = join(repo, 'sim', 'builds', 'out');

export interface SimEnv {
  dir: string;
  tartHome: string;
  artifacts: string;
  /** Environment for child processes (the CLI, the fake tart). */
  env: NodeJS.ProcessEnv;
  backendOptions(options?: { quirks?: Record<string, number>; seed?: number }): TartBackendOptions;
}

export function makeSimEnv(timeScale = 0): SimEnv {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-sim-'));
  const tartHome = join(dir, 'tart-home');
  const artifacts = join(dir, 'artifacts');
  return {
    dir,
    tartHome,
    artifacts,
    env: {
      ...process.env,
      TART_HOME: tartHome,
      SXL_SIM_TART_HOME: tartHome,
      SXL_SIM_TIME_SCALE: String(timeScale),
      SXL_STATE_DIR: join(dir, 'runs'),
    },
    backendOptions: ({ quirks = {}, seed = 1 } = {}) =>
      simBackendOptions({ quirks, seed, timeScale, tartHome }),
  };
}
