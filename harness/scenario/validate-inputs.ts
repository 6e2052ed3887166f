// Scenario inputs read against their declared kinds. `sysext-lab run` checks every input this way
// before the first `tart clone`, so that a typo is a usage error (exit 2) that names the input, and
// no VM is cloned for a run that could not have used it.
import { ConfigError } from '../errors.ts';
import { buildFileProblem } from './build-file-check.ts';
import type { Scenario, ScenarioInput } from './define-scenario.ts';

export type InputValue = string | number | boolean;

// The inputs that `sysext-lab run` has flags of their own for; the rest are `--input NAME=VALUE`.
const OWN_FLAGS = new Set(['from', 'to', 'reboot-probe']);

/** How the user passes an input: `--from` or `--input deadline-ms`. */
export function inputFlag(name: string): string {
  return OWN_FLAGS.has(name) ? `--${name}` : `--input ${name}`;
}

/** What an input accepts, in words: "a whole number >= 1", "on, auto or off". */
export function describeInputKind(input: ScenarioInput): string {
  switch (input.kind) {
    case 'build':
      return 'a .pkg file, a .zip of an app, or an .app folder';
    case 'text':
      return 'text';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `${input.values.slice(0, -1).join(', ')} or ${input.values.at(-1)}`;
    case 'number': {
      const bounds = [
        input.min === undefined ? '' : `>= ${input.min}`,
        input.max === undefined ? '' : `<= ${input.max}`,
      ].filter(Boolean);
      return `${input.integer ? 'a whole number' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
    }
  }
}

/** Why a declaration cannot work (an enum default not among its values, ...), or undefined. */
export function checkInputDeclaration(input: ScenarioInput): string | undefined {
  if (input.kind === 'enum') {
    if (input.values.length === 0) return 'an enum needs values';
    if (input.default !== undefined && !input.values.includes(input.default)) {
      return `its default "${input.default}" is not one of ${input.values.join(', ')}`;
    }
  }
  if (input.kind === 'number' && input.default !== undefined) {
    const problem = numberProblem(input, input.default);
    if (problem) return `its default ${input.default} is not ${problem}`;
  }
  return undefined;
}

/** Parses one given value by its input's kind; `problem` says what was expected instead. */
export function parseInputValue(
  input: ScenarioInput,
  text: string,
): { value: InputValue; problem?: undefined } | { value?: undefined; problem: string } {
  switch (input.kind) {
    case 'build':
    case 'text':
      return { value: text };
    case 'boolean':
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { problem: describeInputKind(input) };
    case 'enum':
      if (input.values.includes(text)) return { value: text };
      return { problem: describeInputKind(input) };
    case 'number': {
      const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
      if (!Number.isFinite(number) || numberProblem(input, number))
        return { problem: describeInputKind(input) };
      return { value: number };
    }
  }
}

/** Every declared input's value: given ones parsed, the others their default (or undefined). */
export function parseInputValues(
  scenarioId: string,
  inputs: Readonly<Record<string, ScenarioInput>>,
  given: Readonly<Record<string, string>>,
): Record<string, InputValue | undefined> {
  const values: Record<string, InputValue | undefined> = {};
  for (const [name, input] of Object.entries(inputs)) {
    const text = given[name];
    if (text === undefined) {
      values[name] = input.kind === 'build' ? undefined : input.default;
      continue;
    }
    const parsed = parseInputValue(input, text);
    if (parsed.problem !== undefined) throw badValue(scenarioId, name, input, text, parsed.problem);
    values[name] = parsed.value;
  }
  return values;
}

/**
 * Checks the inputs given to a run of `scenario`: no unknown names, the required ones there, every
 * value of its kind, every build file a readable .pkg, .zip of an app or .app. Throws the first
 * problem as a ConfigError naming the input.
 */
export async function validateScenarioInputs(
  scenario: Scenario,
  given: Readonly<Record<string, string>>,
): Promise<void> {
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(scenario.inputs, name)) {
      throw new ConfigError(
        inputFlag(name),
        `Scenario ${scenario.id} has no input "${name}": expected ${Object.keys(scenario.inputs).join(', ') || 'none'} (see \`sysext-lab show ${scenario.id}\`)`,
      );
    }
  }
  for (const [name, input] of Object.entries(scenario.inputs)) {
    const text = given[name];
    if (text === undefined || (input.kind === 'build' && text === '')) {
      const required =
        input.kind === 'build'
          ? input.required
          : input.kind !== 'boolean' && input.required && input.default === undefined;
      if (required) {
        throw new ConfigError(
          inputFlag(name),
          `Scenario ${scenario.id} needs ${inputFlag(name)}: ${input.description} (${describeInputKind(input)})`,
        );
      }
      continue;
    }
    if (input.kind === 'build') {
      const problem = await buildFileProblem(text);
      if (problem) {
        throw new ConfigError(
          inputFlag(name),
          `Unusable build for ${inputFlag(name)} of ${scenario.id}: ${problem}`,
        );
      }
      continue;
    }
    const parsed = parseInputValue(input, text);
    if (parsed.problem !== undefined) throw badValue(scenario.id, name, input, text, parsed.problem);
  }
}

function badValue(
  scenarioId: string,
  name: string,
  input: ScenarioInput,
  text: string,
  expected: string,
): ConfigError {
  const example =
    input.kind === 'enum'
      ? input.values[0]
      : input.kind === 'boolean'
        ? 'true'
        : input.kind === 'number'
          ? String(input.default ?? input.min ?? 1)
          : 'VALUE';
  return new ConfigError(
    inputFlag(name),
    `Invalid --input ${name} for ${scenarioId}: expected ${expected} (${input.description}); pass e.g. --input ${name}=${example}, got "${text}"`,
  );
}

function numberProblem(
  input: { integer?: boolean; min?: number; max?: number },
  value: number,
): string | undefined {
  const outside =
    (input.integer && !Number.isInteger(value)) ||
    (input.min !== undefined && value < input.min) ||
    (input.max !== undefined && value > input.max);
  return outside ? describeInputKind({ kind: 'number', description: '', ...input }) : undefined;
}
