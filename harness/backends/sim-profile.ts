// `--backend sim`: the tart backend pointed at the embedded simulated Mac's fake `tart`. Only
// paths and environment differ from a real Mac; the harness code path is the same. The sim is
// reached through its executable, never imported.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TartBackendOptions } from './tart-backend.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface SimProfileOptions {
  /** Fault models, name -> probability (sim/README.md lists them). */
  quirks: Record<string, number>;
  seed: number;
  /** Multiplies the sim's modelled delays. @default process.env.SXL_SIM_TIME_SCALE ?? 0.1 */
  timeScale?: number;
  /** The simulated host's TART_HOME. @default process.env.SXL_SIM_TART_HOME ?? <repo>/.sim/tart-home */
  tartHome?: string;
}

/** The sim guests' SSH port (every simulated VM has its own loopback address, as VMs have their own IP). */
export const simSshPort = 2222;

export function simBackendOptions(options: SimProfileOptions): TartBackendOptions {
  const tartHome = options.tartHome ?? process.env.SXL_SIM_TART_HOME ?? join(repoRoot, '.sim', 'tart-home');
  const timeScale = options.timeScale ?? Number(process.env.SXL_SIM_TIME_SCALE ?? 0.1);
  return {
    name: 'sim',
    tartBin: join(repoRoot, 'sim', 'bin', 'tart'),
    sshPort: simSshPort,
    credentials: { username: 'admin', password: 'admin' },
    env: {
      TART_HOME: tartHome,
      SXL_SIM_QUIRKS: Object.entries(options.quirks)
        .map(([name, p]) => `${name}=${p}`)
        .join(','),
      SXL_SIM_SEED: String(options.seed),
      SXL_SIM_TIME_SCALE: String(timeScale),
      SXL_SIM_SSH_PORT: String(simSshPort),
    },
  };
}

/** The sample builds `make sample-builds` generates: the default --from/--to on the sim. */
export function simSampleBuilds(): { from: string; to: string } {
  const dir = join(repoRoot, 'sim', 'builds', 'out');
  return { from: join(dir, 'SXL Sample 1.0.pkg'), to: join(dir, 'SXL Sample 1.1.pkg') };
}

export function simSampleBuildsExist(): boolean {
  const builds = simSampleBuilds();
  return existsSync(builds.from) && existsSync(builds.to);
}
