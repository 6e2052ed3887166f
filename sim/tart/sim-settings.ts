// The simulated host's settings (SXL_SIM_QUIRKS, SXL_SIM_SEED, SXL_SIM_TIME_SCALE, SXL_SIM_HOST_FAULTS), checked by every
// fake-tart process at start so that a bad value fails the first call instead of a later boot.
import { readSimSettings } from '../quirks.ts';
import { readHostFaults } from './host-faults.ts';

/** Undefined when the environment's sim settings are valid, else readSimSettings' reason. */
export function checkSimSettings(env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    readSimSettings(env);
    readHostFaults(env);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
