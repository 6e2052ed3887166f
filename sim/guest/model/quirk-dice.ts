// One place where the guest rolls its quirks: the counter lives in state.json, so a reboot or a
// resumed snapshot never replays a roll, and seed + VM ordinal + counter decide every outcome.
import { type QuirkName, quirkFires, vmStreamKey } from '../../quirks.ts';
import type { Machine } from '../machine.ts';
import type { GuestState } from '../state.ts';

/**
 * Rolls `quirk` once and advances its counter; call inside Machine.mutate. `rate`, when given, is the
 * installed build's own fault rate and replaces the run's setting for this roll.
 */
export function rollQuirk(machine: Machine, state: GuestState, quirk: QuirkName, rate?: number): boolean {
  const p = rate ?? machine.settings.quirks[quirk] ?? 0;
  // A quirk that is off rolls nothing: its counter only matters while it is on.
  if (p <= 0) return false;
  const counter = state.quirkCounters[quirk] ?? 0;
  state.quirkCounters[quirk] = counter + 1;
  const settings =
    rate === undefined
      ? machine.settings
      : { ...machine.settings, quirks: { ...machine.settings.quirks, [quirk]: p } };
  return quirkFires(settings, vmStreamKey(machine.vmName), quirk, counter);
}
