// `sysext-lab show <scenario>`: what a scenario models, its failure signature and its inputs. Apart
// from run-cli.ts, so that showing a scenario does not load the runner.
import { scenarios } from '../../scenarios/index.ts';
import { ConfigError } from '../errors.ts';
import type { Scenario } from '../scenario/define-scenario.ts';
import { loadScenario } from '../scenario/load-scenario.ts';
import { describeInputKind, inputFlag } from '../scenario/validate-inputs.ts';

export async function showCli(args: string[]): Promise<number> {
  const [id, ...extra] = args;
  const scenario = id === undefined || extra.length > 0 ? undefined : await loadScenario(id);
  if (!scenario) {
    throw new ConfigError(
      'scenario',
      `show takes one scenario, got ${id === undefined ? 'none' : `"${args.join(' ')}"`}: expected one of ${scenarios.map((s) => s.id).join(', ')}`,
    );
  }
  process.stdout.write(describeScenario(scenario));
  return 0;
}

function describeScenario(scenario: Scenario): string {
  const { signature } = scenario;
  const lines = [
    `${scenario.id}: ${scenario.title}`,
    `Models: ${scenario.report}`,
    `Signature: check ${signature.check} fails${signature.message ? ` with a message matching ${signature.message}` : ''} (${signature.description})`,
    `Positive evidence: ${signature.evidence}`,
    'Inputs:',
  ];
  for (const [name, input] of Object.entries(scenario.inputs)) {
    const facts = [
      describeInputKind(input),
      input.kind === 'build' && input.required ? 'required' : '',
      input.kind !== 'build' && input.default !== undefined ? `default ${input.default}` : '',
      input.kind === 'build' && input.simSample ? `sim default: ${input.simSample}` : '',
    ].filter(Boolean);
    lines.push(`  ${inputFlag(name)}: ${input.description} (${facts.join('; ')})`);
  }
  return `${lines.join('\n')}\n`;
}
