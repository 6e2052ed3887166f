// A scenario: what to test, written against the public scenario API only. Its inputs are declared
// with a kind, so that `sysext-lab run` rejects a bad one before any VM is cloned and `run(t, input)`
// reads typed values instead of parsing strings itself.
import { ConfigError } from '../errors.ts';
import type { SleepStrategy } from '../macos/sleep-wake.ts';
import type { ScenarioContext } from './scenario-context.ts';
import { checkInputDeclaration, parseInputValues } from './validate-inputs.ts';

interface InputBase {
  /** One line for `sysext-lab show` and for the usage error that names the input. */
  description: string;
}

/** A host path of a .pkg, .zip of an app, or .app folder; hashed into run.json. */
export interface BuildInput extends InputBase {
  kind: 'build';
  required: boolean;
  /** On the sim, the sample build (a file name in sim/builds/out) used when the input is not given. */
  simSample?: string;
}

export interface TextInput extends InputBase {
  kind: 'text';
  /** @default false */
  required?: boolean;
  default?: string;
}

export interface NumberInput extends InputBase {
  kind: 'number';
  /** Only whole numbers. @default false */
  integer?: boolean;
  min?: number;
  max?: number;
  /** @default false */
  required?: boolean;
  default?: number;
}

/** `true` or `false`; always has a value. */
export interface BooleanInput extends InputBase {
  kind: 'boolean';
  default: boolean;
}

export interface EnumInput extends InputBase {
  kind: 'enum';
  values: readonly string[];
  /** @default false */
  required?: boolean;
  default?: string;
}

export type ScenarioInput = BuildInput | TextInput | NumberInput | BooleanInput | EnumInput;

type InputValue<I extends ScenarioInput> = I extends { kind: 'number' }
  ? number
  : I extends { kind: 'boolean' }
    ? boolean
    : I extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : string;

// A value is always there when the input is required, has a default, or is a boolean.
type AlwaysSet<I extends ScenarioInput> = I extends { kind: 'boolean' }
  ? true
  : I extends { default: string | number }
    ? true
    : I extends { required: true }
      ? true
      : false;

/** What `run(t, input)` gets: each declared input parsed to its kind, defaults applied. */
export type InputValues<I extends Record<string, ScenarioInput>> = {
  readonly [K in keyof I]: AlwaysSet<I[K]> extends true ? InputValue<I[K]> : InputValue<I[K]> | undefined;
};

export interface FailureSignature {
  /** The check whose failure is the bug this scenario reproduces. */
  check: string;
  /** Optionally, what its message must say. */
  message?: RegExp;
  /** One line for reports: "lost the XPC endpoint". */
  description: string;
  /**
   * The positive evidence a failure counts on: which state is read and kept, after which of the
   * harness's own steps were proven to have happened. One or two sentences, for `sysext-lab show`
   * and run.json.
   */
  evidence: string;
  /**
   * The --sleep-strategy values under which the bug can happen at all. Under another strategy the
   * iterations still run and report their checks, but no rate of this bug is claimed and the
   * stopping rules that rest on it (--until-fail, --until-confident) are refused.
   * @default every strategy
   */
  sleepStrategies?: readonly SleepStrategy[];
}

/** Why `signature` cannot be observed with `strategy`, or undefined when it can. */
export function unobservableReason(signature: FailureSignature, strategy: SleepStrategy): string | undefined {
  if (!signature.sleepStrategies || signature.sleepStrategies.includes(strategy)) return undefined;
  return `--sleep-strategy ${strategy} cannot show this bug (it needs ${signature.sleepStrategies.join(' or ')}: under ${strategy} the guest never sleeps, so macOS never calls the provider's sleep()/wake())`;
}

export interface Scenario {
  id: string;
  /** One line for `sysext-lab list`. */
  title: string;
  /** The forum report it models (forum-bugs.md), for reports. */
  report: string;
  inputs: Readonly<Record<string, ScenarioInput>>;
  /**
   * Every check this scenario can fail (the `check` names it passes to the checks, CheckFailedError's
   * first argument, and `extension-activated` when it calls `t.activate`). The signature must name
   * one of them: a misspelt signature would otherwise count nothing and report a 0% rate.
   */
  checks: readonly string[];
  signature: FailureSignature;
  /** Unified-log predicates whose lines go into a failing iteration's evidence, beside sysextd's. */
  logPredicates?: readonly string[];
  /** What one iteration is, plural, for the rate sentence ("4 of 20 upgrades ..."). @default 'iterations' */
  unit?: string;
  run(t: ScenarioContext): Promise<void>;
}

/** What a scenario file passes to defineScenario: `run` also gets the typed input values. */
export interface ScenarioDefinition<I extends Record<string, ScenarioInput>>
  extends Omit<Scenario, 'inputs' | 'run'> {
  inputs: I;
  run(t: ScenarioContext, input: InputValues<I>): Promise<void>;
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Scenarios made by this copy of defineScenario: a second copy of sysext-lab would have other error classes. */
const defined = new WeakSet<Scenario>();

/** Was `value` made by this module's defineScenario (and so shares the runner's error classes)? */
export function isDefinedScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && defined.has(value as Scenario);
}

/** Checks a declaration before anything runs; a mistake is a ConfigError (exit 2) at load time. */
function checkScenarioDeclaration(definition: Omit<Scenario, 'run'>): void {
  const id = String(definition.id);
  if (!ID.test(id)) throw new ConfigError('scenario', `Scenario id "${id}" must be kebab-case (a-z, 0-9, -)`);
  for (const [name, input] of Object.entries(definition.inputs ?? {})) {
    const problem = checkInputDeclaration(input);
    if (problem)
      throw new ConfigError('scenario', `Scenario ${id} declares input "${name}" wrongly: ${problem}`);
  }
  const checks = definition.checks as readonly unknown[] | undefined;
  if (!Array.isArray(checks) || checks.length === 0) {
    throw new ConfigError(
      'scenario',
      `Scenario ${id} declares no checks: list every check it can fail in \`checks\`, got ${JSON.stringify(checks)}`,
    );
  }
  const bad = checks.find((check) => typeof check !== 'string' || !ID.test(check));
  if (bad !== undefined)
    throw new ConfigError(
      'scenario',
      `Scenario ${id} declares check ${JSON.stringify(bad)}: check names are kebab-case`,
    );
  const check = definition.signature?.check;
  if (!checks.includes(check)) {
    throw new ConfigError(
      'scenario',
      `Scenario ${id}'s signature names check "${String(check)}", which it never declares: expected one of ${checks.join(', ')}`,
    );
  }
}

export function defineScenario<const I extends Record<string, ScenarioInput>>(
  definition: ScenarioDefinition<I>,
): Scenario {
  checkScenarioDeclaration(definition);
  const scenario: Scenario = Object.freeze({
    ...definition,
    inputs: Object.freeze({ ...definition.inputs }),
    checks: Object.freeze([...definition.checks]),
    run(t: ScenarioContext) {
      // runCommand has validated the inputs already; this parse only fails for callers that did not.
      const values = parseInputValues(definition.id, definition.inputs, t.inputs);
      return definition.run(t, values as InputValues<I>);
    },
  });
  defined.add(scenario);
  return scenario;
}

/** Does a failed check count as the scenario's target bug? */
export function matchesSignature(signature: FailureSignature, check: string, message: string): boolean {
  return check === signature.check && (signature.message?.test(message) ?? true);
}
