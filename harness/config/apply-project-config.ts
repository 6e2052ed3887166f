// The project's config as defaults of `sysext-lab run`: each value fills only a flag (or a build
// input) the command line left out; --redact-env adds to the config's list, since masking more is safe.
import { ConfigError } from '../errors.ts';
import { buildFileProblem } from '../scenario/build-file-check.ts';
import type { Scenario } from '../scenario/define-scenario.ts';
import type { ProjectConfig } from './project-config.ts';

/** The `run` flags a config can default, as node:util parseArgs gives them. */
export interface ConfigurableRunFlags {
  backend?: string | undefined;
  image?: string | undefined;
  approval?: string | undefined;
  artifacts?: string | undefined;
  'redact-env': string[];
}

/** The flags with the config's values where a flag was not given. */
export function flagsWithProjectConfig(
  flags: ConfigurableRunFlags,
  config: ProjectConfig,
): ConfigurableRunFlags {
  return {
    backend: flags.backend ?? config.backend,
    image: flags.image ?? (config.images.length > 0 ? config.images.join(',') : undefined),
    approval: flags.approval ?? config.approval,
    artifacts: flags.artifacts ?? config.artifactsDir,
    'redact-env': [...new Set([...config.redactEnv, ...flags['redact-env']])],
  };
}

/**
 * The config's builds for the build inputs `scenario` declares and the command line left out. A
 * config serves every scenario of the project, so a role the scenario does not take is not used;
 * a configured build that is unusable is a usage error naming the config file and the key.
 */
export async function projectBuildInputs(
  scenario: Scenario,
  given: Readonly<Record<string, string>>,
  config: ProjectConfig,
): Promise<Record<string, string>> {
  const builds: Record<string, string> = {};
  for (const [role, path] of Object.entries(config.builds)) {
    if (scenario.inputs[role]?.kind !== 'build' || given[role] !== undefined) continue;
    const problem = await buildFileProblem(path);
    if (problem) {
      throw new ConfigError(
        `${config.file}: builds.${role}`,
        `Unusable build "builds.${role}" in ${config.file} for ${scenario.id}: ${problem}`,
      );
    }
    builds[role] = path;
  }
  return builds;
}

/**
 * What the config gave, spelt as the flags that give it: appended to the command line run.json
 * records, so that its repro command (and the Feedback Assistant report's) is exact without the file.
 */
export function projectConfigArgs(
  flags: ConfigurableRunFlags,
  config: ProjectConfig,
  builds: Readonly<Record<string, string>>,
): string[] {
  const args: string[] = [];
  const filled = flagsWithProjectConfig(flags, config);
  for (const name of ['backend', 'image', 'approval', 'artifacts'] as const) {
    const value = filled[name];
    if (flags[name] === undefined && value !== undefined) args.push(`--${name}`, value);
  }
  for (const name of config.redactEnv) {
    if (!flags['redact-env'].includes(name)) args.push('--redact-env', name);
  }
  for (const [role, path] of Object.entries(builds)) {
    args.push(...(role === 'from' || role === 'to' ? [`--${role}`, path] : ['--input', `${role}=${path}`]));
  }
  return args;
}
