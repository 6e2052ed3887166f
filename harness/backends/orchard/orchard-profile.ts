// `--backend orchard`: VMs on a fleet of Macs through an Orchard controller. Its address and
// service account come from ORCHARD_URL / ORCHARD_SERVICE_ACCOUNT_NAME / ORCHARD_SERVICE_ACCOUNT_TOKEN
// (the orchard CLI's own variables); the token and the guests' password are masked in every output.
import { ConfigError, OrchardApiError } from '../../errors.ts';
import type { BackendProfile, BackendRegistration, BackendSettings } from '../backend-profile.ts';
import { hostFacts } from '../host-facts.ts';
import { imageNameProblem } from '../tart/image-reference.ts';
import {
  OrchardBackend,
  type OrchardBackendOptions,
  orchardBackendDefaults,
  SUSPEND_PROBLEM,
} from './orchard-backend.ts';
import { orchardFleetChecks } from './orchard-doctor.ts';

export const orchardBackend: BackendRegistration = {
  kind: 'orchard',
  summary: 'a fleet of Macs through an Orchard controller (ORCHARD_URL, ORCHARD_SERVICE_ACCOUNT_NAME/_TOKEN)',
  settings: {
    url: { about: "the Orchard controller's address (default: ORCHARD_URL)" },
    serviceAccountName: { about: 'the Orchard service account (default: ORCHARD_SERVICE_ACCOUNT_NAME)' },
    serviceAccountToken: { about: "the service account's token (default: ORCHARD_SERVICE_ACCOUNT_TOKEN)" },
    ssh: {
      about:
        'how SSH reaches an Orchard VM: port-forward through the controller, or direct to its address (default: ORCHARD_SSH, else port-forward)',
    },
    cpu: { about: 'CPUs per Orchard VM' },
    memory: { about: 'memory per Orchard VM in MB' },
  },
  create: createOrchardProfile,
};

function createOrchardProfile(settings: BackendSettings): BackendProfile {
  const options = orchardSettings(settings, process.env);
  const vms = new OrchardBackend(options);
  const password = options.credentials?.password ?? orchardBackendDefaults.credentials.password;
  return {
    kind: 'orchard',
    vms,
    runDefaults: () => ({}),
    secrets: [
      ...(options.serviceAccountToken
        ? [{ name: 'ORCHARD_SERVICE_ACCOUNT_TOKEN', value: options.serviceAccountToken }]
        : []),
      ...(password ? [{ name: 'SSH_PASSWORD', value: password }] : []),
    ],
    record: {
      controller: vms.api.base,
      ...(options.serviceAccountName ? { serviceAccount: options.serviceAccountName } : {}),
      ssh: options.ssh ?? orchardBackendDefaults.ssh,
    },
    properties: { controller: vms.api.base, ssh: options.ssh ?? orchardBackendDefaults.ssh },
    withDefaultInputs: (_declared, given) => ({ ...given }),
    suspendProblem: SUSPEND_PROBLEM,
    imageProblem: imageNameProblem,
    doctor: {
      hostCommand: () => Promise.reject(notOnOrchard('host commands')),
      // No agentExec: Orchard's exec is SSH over the port-forward (tart-cli.md §6), not the guest agent.
      storageDir: '',
      env: {},
      fleetChecks: (described, waitOptions) => orchardFleetChecks(vms, described, waitOptions),
    },
    async describe(waitOptions = {}) {
      try {
        // The machine that talks to the fleet; the workers are many and not ours to inspect.
        return { ...(await vms.describe(waitOptions)), host: hostFacts() };
      } catch (error) {
        if (error instanceof OrchardApiError)
          throw new ConfigError('ORCHARD_URL', error.message, { cause: error });
        throw new ConfigError(
          'ORCHARD_URL',
          `The Orchard controller at ${vms.api.base} does not answer (${(error as Error).message}): check ORCHARD_URL`,
          { cause: error },
        );
      }
    },
    freeSlots: (waitOptions) => vms.freeSlots(waitOptions),
  };
}

function notOnOrchard(what: string): ConfigError {
  return new ConfigError(
    '--backend',
    `sysext-lab doctor cannot run ${what} on an Orchard fleet: its fleet checks replace the host checks; run doctor --backend tart on a worker for its own`,
  );
}

/** Validates the settings, taking what is not given from the environment. */
export function orchardSettings(settings: BackendSettings, env: NodeJS.ProcessEnv): OrchardBackendOptions {
  const pick = (name: string, envName: string): string | undefined => {
    const value = settings[name] ?? env[envName];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') {
      throw new ConfigError(name, `${name} must be a string, got ${String(value)}`);
    }
    return value;
  };
  const url = pick('url', 'ORCHARD_URL');
  if (!url) {
    throw new ConfigError(
      'ORCHARD_URL',
      "--backend orchard needs the controller's address: set ORCHARD_URL (e.g. http://127.0.0.1:6120), and ORCHARD_SERVICE_ACCOUNT_NAME and ORCHARD_SERVICE_ACCOUNT_TOKEN unless it runs without auth; `sysext-lab sim orchard` starts a simulated one",
    );
  }
  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    throw new ConfigError('ORCHARD_URL', `ORCHARD_URL must be an http:// or https:// address, got "${url}"`);
  }
  const serviceAccountName = pick('serviceAccountName', 'ORCHARD_SERVICE_ACCOUNT_NAME');
  const serviceAccountToken = pick('serviceAccountToken', 'ORCHARD_SERVICE_ACCOUNT_TOKEN');
  if (serviceAccountName && !serviceAccountToken) {
    throw new ConfigError(
      'ORCHARD_SERVICE_ACCOUNT_TOKEN',
      `ORCHARD_SERVICE_ACCOUNT_TOKEN must be set with ORCHARD_SERVICE_ACCOUNT_NAME (${serviceAccountName})`,
    );
  }
  const ssh = pick('ssh', 'ORCHARD_SSH');
  if (ssh !== undefined && ssh !== 'port-forward' && ssh !== 'direct') {
    throw new ConfigError('ssh', `ORCHARD_SSH must be port-forward or direct, got "${ssh}"`);
  }
  const count = (name: string): number | undefined => {
    const value = settings[name];
    if (value === undefined) return undefined;
    if (!(Number.isInteger(value) && (value as number) > 0)) {
      throw new ConfigError(name, `${name} must be a whole number > 0, got ${String(value)}`);
    }
    return value as number;
  };
  const cpu = count('cpu');
  const memory = count('memory');
  return {
    url,
    ...(serviceAccountName ? { serviceAccountName } : {}),
    ...(serviceAccountToken ? { serviceAccountToken } : {}),
    ...(ssh ? { ssh } : {}),
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
  };
}
