// Power assertions held by running processes (caffeinate), for `pmset -g assertions`. They live in
// memory only: a process's assertions end with it, and no process outlives a boot.
import type { Machine } from '../machine.ts';

export type AssertionType =
  | 'PreventUserIdleDisplaySleep'
  | 'PreventUserIdleSystemSleep'
  | 'PreventSystemSleep'
  | 'PreventDiskIdle'
  | 'UserIsActive';

export interface HeldAssertion {
  id: number;
  pid: number;
  process: string;
  type: AssertionType;
  name: string;
  details: string;
  /** Guest epoch ms. */
  createdAt: number;
  /** Guest epoch ms when it is released by its timeout, if it has one. */
  releaseAt?: number;
}

const held = new WeakMap<Machine, Map<number, HeldAssertion>>();
let nextId = 0x18b0;

/** Creates the assertions; the returned function releases them (call it when the process ends). */
export function holdAssertions(
  machine: Machine,
  assertions: Omit<HeldAssertion, 'id' | 'createdAt'>[],
): () => void {
  let table = held.get(machine);
  if (!table) {
    table = new Map();
    held.set(machine, table);
  }
  const ids: number[] = [];
  for (const assertion of assertions) {
    nextId += 1;
    ids.push(nextId);
    table.set(nextId, { ...assertion, id: nextId, createdAt: machine.now().getTime() });
  }
  return () => {
    for (const id of ids) table.delete(id);
  };
}

/** The assertions still in force now (a timed-out one is released). */
export function heldAssertions(machine: Machine): HeldAssertion[] {
  const now = machine.now().getTime();
  return [...(held.get(machine)?.values() ?? [])].filter(
    (a) => a.releaseAt === undefined || a.releaseAt > now,
  );
}
