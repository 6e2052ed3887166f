// Dice for the delays macOS varies from run to run (a launchd job submitted late, an extension
// that takes a while to terminate). Seeded like the quirks, with their own counters in state.json,
// so a run repeats exactly and a reboot never replays a roll; they never touch a quirk's counter,
// so the quirk dice the tests compare with stay as they were.
import { quirkRoll, vmStreamKey } from '../../quirks.ts';
import type { Machine } from '../machine.ts';
import type { GuestState } from '../state.ts';

/** A number in [0, 1) for the next delay named `name`; call inside Machine.mutate. */
export function rollTiming(machine: Machine, state: GuestState, name: string): number {
  state.timingCounters ??= {};
  const counters = state.timingCounters;
  const counter = counters[name] ?? 0;
  counters[name] = counter + 1;
  return quirkRoll(machine.settings.seed, vmStreamKey(machine.vmName), `timing:${name}`, counter);
}

/** A delay in [minMs, maxMs) (unscaled; Machine.later scales it) from the next roll of `name`. */
export function rollDelayMs(
  machine: Machine,
  state: GuestState,
  name: string,
  minMs: number,
  maxMs: number,
): number {
  return Math.round(minMs + rollTiming(machine, state, name) * (maxMs - minMs));
}
