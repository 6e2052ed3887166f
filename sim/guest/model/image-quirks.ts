// Quirks that describe the image rather than an event: SIP on, no TCC grants, no Command Line
// Tools. Each is rolled once, at a clone's first boot, and then stays what the disk is.
import type { Machine } from '../machine.ts';
import type { GuestState } from '../state.ts';
import { rollQuirk } from './quirk-dice.ts';

export function applyImageQuirks(machine: Machine, state: GuestState): void {
  if (rollQuirk(machine, state, 'sip-enabled')) state.sip = 'enabled';
  if (rollQuirk(machine, state, 'no-tcc-grants')) state.tccGrants = false;
  if (rollQuirk(machine, state, 'no-cc')) state.commandLineTools = false;
}
