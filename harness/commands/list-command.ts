// `sysext-lab list`: the built-in scenarios, then the project's own (scenarios/ of the current
// directory), each with its id and title; a project file that does not load is named with its
// problem and makes the exit code 2, so that CI notices a broken scenario before running anything.
import { builtIns, projectScenarios } from '../scenario/load-scenario.ts';

export async function listCli(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(`sysext-lab: list takes no arguments, got "${args.join(' ')}"\n`);
    return 2;
  }
  const out: string[] = [];
  for (const s of builtIns) out.push(`${s.id.padEnd(26)} ${s.title}`);
  const project = await projectScenarios();
  if (project.length > 0) out.push('', 'In this project (scenarios/):');
  let problems = 0;
  for (const { file, scenario, problem } of project) {
    if (scenario) {
      const shadowed = builtIns.some((b) => b.id === scenario.id)
        ? ' (same id as a built-in: run it by its path)'
        : '';
      out.push(`${scenario.id.padEnd(26)} ${scenario.title} [${file}]${shadowed}`);
    } else {
      problems += 1;
      process.stderr.write(`sysext-lab: ${problem}\n`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return problems > 0 ? 2 : 0;
}
