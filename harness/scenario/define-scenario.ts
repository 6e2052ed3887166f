// A scenario: what to test, written against the public scenario API only.
import type { ScenarioContext } from './scenario-context.ts';

export interface ScenarioInput {
  description: string;
  /** `build` inputs are host paths of a .pkg, .zip or .app; they are hashed into run.json. */
  kind: 'build' | 'text';
  required: boolean;
  /** On the sim, the sample build (a file name in sim/builds/out) used when the input is not given. */
  simSample?: string;
  /** For `text` inputs: the value when none is given. */
  default?: string;
}

export interface FailureSignature {
  /** The check whose failure is the bug this scenario reproduces. */
  check: string;
  /** Optionally, what its message must say. */
  message?: RegExp;
  /** One line for reports: "lost the XPC endpoint". */
  description: string;
}

export interface Scenario {
  id: string;
  /** One line for `sysext-lab list`. */
  title: string;
  /** The forum report it models (forum-bugs.md), for reports. */
  report: string;
  inputs: Record<string, ScenarioInput>;
  signature: FailureSignature;
  /** Unified-log predicates whose lines go into a failing iteration's evidence, beside sysextd's. */
  logPredicates?: readonly string[];
  /** What one iteration is, plural, for the rate sentence ("4 of 20 upgrades ..."). @default 'iterations' */
  unit?: string;
  run(t: ScenarioContext): Promise<void>;
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function defineScenario(scenario: Scenario): Scenario {
  if (!ID.test(scenario.id)) throw new Error(`Scenario id "${scenario.id}" must be kebab-case (a-z, 0-9, -)`);
  return Object.freeze(scenario);
}

/** Does a failed check count as the scenario's target bug? */
export function matchesSignature(signature: FailureSignature, check: string, message: string): boolean {
  return check === signature.check && (signature.message?.test(message) ?? true);
}
