// Every scenario `sysext-lab list` shows and `sysext-lab run` accepts.
import type { Scenario } from '../harness/scenario/define-scenario.ts';
import upgradeXpc from './upgrade-xpc.ts';

export const scenarios: readonly Scenario[] = [upgradeXpc];

export function findScenario(id: string): Scenario | undefined {
  return scenarios.find((s) => s.id === id);
}
