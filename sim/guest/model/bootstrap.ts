// bootstrap_look_up(3) against the model's launchd: a name resolves when a running job (an Apple
// daemon or an extension's job) advertises it in its endpoints and nothing invalidated it.
import type { Machine } from '../machine.ts';
import { APPLE_DAEMONS } from './launchd.ts';

export type LookupResult = { ok: true; port: number } | { ok: false; kr: number; text: string };

/** BOOTSTRAP_UNKNOWN_SERVICE, the answer for a name nobody registered. */
export const UNKNOWN_SERVICE: LookupResult = { ok: false, kr: 1102, text: 'Unknown service name' };

export function bootstrapLookUp(machine: Machine, name: string): LookupResult {
  const state = machine.state;
  for (const job of state.jobs) {
    const endpoint = job.endpoints?.find((e) => e.name === name);
    if (!endpoint) continue;
    const entry = state.extensions.find((e) => e.uuid === job.extensionUuid);
    // xpc-invalidated-until-reapproval: launchd lists the endpoint, yet look-ups fail.
    if (entry?.xpcInvalidated) return UNKNOWN_SERVICE;
    return { ok: true, port: endpoint.port };
  }
  const daemon = APPLE_DAEMONS.find((d) => d.pid !== undefined && d.machServices.includes(name));
  if (daemon) return { ok: true, port: 0x1003 + APPLE_DAEMONS.indexOf(daemon) * 0x100 };
  return UNKNOWN_SERVICE;
}
