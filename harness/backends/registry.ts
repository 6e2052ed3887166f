// The backends `--backend` can name. Adding one is a folder under backends/ and its registration
// here: an import and an entry.
import { ConfigError } from '../errors.ts';
import type { BackendProfile, BackendRegistration, BackendSettings } from './backend-profile.ts';
import { orchardBackend } from './orchard/orchard-profile.ts';
import { simBackend } from './sim/sim-profile.ts';
import { tartBackend } from './tart/tart-profile.ts';

const registrations: readonly BackendRegistration[] = [simBackend, tartBackend, orchardBackend];

/** The registered kinds, in the order --help lists them. */
export const backendKinds: readonly string[] = registrations.map((r) => r.kind);

/** `kind: summary` per backend, for --help. */
export function backendSummaries(): { kind: string; summary: string }[] {
  return registrations.map(({ kind, summary }) => ({ kind, summary }));
}

/**
 * The profile of backend `kind` with its settings validated. Settings left undefined count as not
 * given; a setting the backend does not take is a usage error that names who takes it.
 */
export function createBackend(kind: string, settings: BackendSettings = {}): BackendProfile {
  const registration = registrations.find((r) => r.kind === kind);
  if (!registration) {
    throw new ConfigError('--backend', `--backend must be ${orList(backendKinds)}, got "${kind}"`);
  }
  const given = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  for (const name of Object.keys(given)) {
    if (Object.hasOwn(registration.settings, name)) continue;
    const owners = registrations.filter((r) => Object.hasOwn(r.settings, name));
    const info = owners[0]?.settings[name];
    const flag = info?.flag ?? name;
    throw new ConfigError(
      flag,
      owners.length > 0
        ? `${flag} works only with --backend ${orList(owners.map((r) => r.kind))}: ${info?.about}; got it with --backend ${kind}`
        : `Backend ${kind} has no setting "${name}": expected ${orList(Object.keys(registration.settings)) || 'none'}`,
    );
  }
  return registration.create(given);
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
