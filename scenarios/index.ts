// Every scenario `sysext-lab list` shows and `sysext-lab run` accepts.
import type { Scenario } from '../harness/index.ts';
import activationLocation from './activation-location.ts';
import filterSleepWake from './filter-sleep-wake.ts';
import sameVersionNoReplace from './same-version-no-replace.ts';
import sleepWakeFlows from './sleep-wake-flows.ts';
import upgradeXpc from './upgrade-xpc.ts';

export const scenarios: readonly Scenario[] = [
  upgradeXpc,
  sleepWakeFlows,
  activationLocation,
  sameVersionNoReplace,
  filterSleepWake,
];

export function findScenario(id: string): Scenario | undefined {
  return scenarios.find((s) => s.id === id);
}
