// What `sysext-lab run <scenario>` and `list` accept: a built-in id, a file path, or the id of a
// scenario in the project's own scenarios/ folder (the current directory's).
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { scenarios as builtIns, findScenario } from '../../scenarios/index.ts';
import { ConfigError } from '../errors.ts';
import { packageRoot } from '../package-root.ts';
import type { Scenario } from './define-scenario.ts';
import { loadScenarioFile, scenarioFileExtensions } from './load-scenario-file.ts';

export { builtIns };

export interface ProjectScenario {
  /** The file, relative to the project folder. */
  file: string;
  scenario?: Scenario;
  /** Why the file could not be loaded (a ConfigError's message). */
  problem?: string;
}

/** Does the text name a file rather than a scenario id? */
function isPath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || scenarioFileExtensions.includes(extname(ref));
}

/**
 * The scenario files in `<cwd>/scenarios/` (not in sub-folders): each loaded, a file that exports
 * no scenario (a helper module) left out, one that fails to load kept with its problem. The
 * built-ins' own folder is not a project's (running inside a checkout of sysext-lab).
 */
export async function projectScenarios(cwd: string = process.cwd()): Promise<ProjectScenario[]> {
  const dir = join(cwd, 'scenarios');
  if (!existsSync(dir)) return [];
  const own = join(packageRoot(), 'scenarios');
  if (existsSync(own) && realpathSync(dir) === realpathSync(own)) return [];
  const found: ProjectScenario[] = [];
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && scenarioFileExtensions.includes(extname(entry.name)))
    .filter((entry) => !entry.name.endsWith('.d.ts'))
    .map((entry) => entry.name)
    .sort();
  for (const name of files) {
    const file = relative(cwd, join(dir, name));
    try {
      found.push({ file, scenario: await loadScenarioFile(file, cwd) });
    } catch (error) {
      const message = (error as Error).message;
      // A helper module (shared code beside the scenarios) exports no scenario: not a scenario file.
      if (/has no default export made by defineScenario/.test(message)) continue;
      found.push({ file, problem: message });
    }
  }
  return found;
}

/** Resolves `ref`: a path loads that file; an id is a built-in's, else a project scenario's. */
export async function loadScenario(ref: string, options: { cwd?: string } = {}): Promise<Scenario> {
  const cwd = options.cwd ?? process.cwd();
  if (isPath(ref)) return loadScenarioFile(ref, cwd);
  const builtIn = findScenario(ref);
  if (builtIn) return builtIn;
  const project = await projectScenarios(cwd);
  const match = project.find((p) => p.scenario?.id === ref);
  if (match?.scenario) return match.scenario;
  const known = [
    ...builtIns.map((s) => s.id),
    ...project.flatMap((p) => (p.scenario ? [p.scenario.id] : [])),
  ];
  // The scenario may be in a file that does not load: say which files those are and why.
  const broken = project.flatMap((p) => (p.problem ? [p.problem] : []));
  throw new ConfigError(
    'scenario',
    `Unknown scenario "${ref}": expected one of ${known.join(', ')}, or the path of a scenario file (${scenarioFileExtensions.join(', ')})${broken.length > 0 ? `; not loaded: ${broken.join('; ')}` : ''}`,
  );
}
