// `--backend tart`: a real Apple-silicon Mac with the tart CLI. Builds must be given; the host is a
// Mac, so run.json records its macOS version and model.

import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, HostCommandError } from '../../errors.ts';
import {
  type BackendProfile,
  type BackendRegistration,
  type BackendSettings,
  macosVmsPerHost,
} from '../backend-profile.ts';
import { runHostCommand } from '../host-command.ts';
import { macHostFacts } from '../host-facts.ts';
import { imageNameProblem } from './image-reference.ts';
import { TartBackend, type TartBackendOptions, tartBackendDefaults } from './tart-backend.ts';

export const tartBackend: BackendRegistration = {
  kind: 'tart',
  summary: 'a real Apple-silicon Mac with tart',
  settings: {
    tartBin: { about: 'the tart executable (default: TART_BIN, else tart on the PATH)' },
  },
  create: createTartProfile,
};

function createTartProfile(settings: BackendSettings): BackendProfile {
  const tartBin = settings.tartBin;
  if (tartBin !== undefined && (typeof tartBin !== 'string' || tartBin === '')) {
    throw new ConfigError(
      'tartBin',
      `tartBin must be the path of the tart executable, got ${String(tartBin)}`,
    );
  }
  return tartProfile('tart', tartBin === undefined ? {} : { tartBin }, 'Install tart or set TART_BIN.');
}

/**
 * A profile over TartBackend: the real Mac's, and the base of backends that drive a tart-compatible
 * CLI (the sim). `setupHint` says how to get the tool when it does not run.
 */
export function tartProfile(
  kind: string,
  options: TartBackendOptions,
  setupHint: string,
): BackendProfile & { vms: TartBackend } {
  const vms = new TartBackend({ name: kind, ...options });
  const credentials = options.credentials ?? tartBackendDefaults.credentials;
  return {
    kind,
    vms,
    runDefaults: () => ({}),
    secrets: credentials.password ? [{ name: 'SSH_PASSWORD', value: credentials.password }] : [],
    record: {},
    properties: {},
    withDefaultInputs: (_declared, given) => ({ ...given }),
    imageProblem: imageNameProblem,
    doctor: {
      hostCommand: (bin, args, waitOptions = {}) =>
        runHostCommand(bin, [...args], {
          allowFailure: true,
          timeoutMs: waitOptions.timeoutMs ?? 30_000,
          signal: waitOptions.signal,
        }),
      agentExec: (vm, argv, waitOptions) => vms.agentExec(vm, argv, waitOptions),
      storageDir: vms.environment.TART_HOME ?? join(homedir(), '.tart'),
      env: vms.environment,
    },
    async freeSlots(waitOptions = {}) {
      // Every running macOS VM on the host takes a slot, ours or anyone's (tart-cli.md §3).
      const running = (await vms.list(waitOptions)).filter((vm) => vm.state === 'running').length;
      return Math.max(0, macosVmsPerHost - running);
    },
    async describe(waitOptions = {}) {
      try {
        const description = await vms.describe(waitOptions);
        return { ...description, host: await macHostFacts() };
      } catch (error) {
        if (!(error instanceof HostCommandError)) throw error;
        // The setup hint only when the tool is missing; a tool that ran and refused said why.
        const missing = error.exitCode === null || error.exitCode === 126 || error.exitCode === 127;
        throw new ConfigError(
          'backend',
          `The ${kind} backend's tart does not run (${error.message}).${missing ? ` ${setupHint}` : ''}`,
        );
      }
    },
  };
}
