// `sysext-lab init [--force] [DIR]`: sysext-lab.config.json, an example scenario, an npm script (or a
// Makefile target) and CI files for GitHub Actions, GitLab and Jenkins, in DIR (default: here).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.ts';
import { initProject } from '../init/init-project.ts';

export const initUsage = `Usage: sysext-lab init [--force] [DIR]

Writes into DIR (default: the current folder) what a project needs to run sysext-lab:
  sysext-lab.config.json            defaults of \`sysext-lab run\` (image, backend, builds, approval,
                                    redactEnv, artifactsDir); flags given to run win
  scenarios/example-upgrade-xpc.ts  an example scenario (upgrade-xpc) that imports only 'sysext-lab'
  package.json script "sysext-lab"  or, when DIR has a Makefile, a "sysext-lab" target
  .github/workflows/sysext-lab.yml  nightly on a self-hosted macOS arm64 runner, a matrix over images
  .gitlab-ci.yml, Jenkinsfile       the same job for GitLab CI and Jenkins
  .gitignore                        artifacts/ added
A file that exists is skipped and listed; --force overwrites it (and replaces the script or target).
Exit codes: 0 done (also when files were skipped), 2 usage error.
`;

export async function initCli(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(initUsage);
    return 0;
  }
  if (positionals.length > 1) {
    throw new ConfigError(
      'DIR',
      `init takes at most one folder, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  const dir = resolve(positionals[0] ?? '.');
  const report = initProject({ dir, force: values.force });
  const lines = report.changes.map(
    (change) => `  ${change.action.padEnd(11)} ${change.path}${change.detail ? ` (${change.detail})` : ''}`,
  );
  // Only what --force would change: a script or ignore line already there is no loss.
  const skipped = report.changes.filter(
    (change) => change.action === 'skipped' && change.detail?.includes('--force'),
  ).length;
  process.stdout.write(
    [
      `sysext-lab init in ${dir}:`,
      ...lines,
      skipped > 0 ? `${skipped} left as they were; --force overwrites files that exist.` : '',
      `Next: \`${report.runHint}\` runs the example on the simulated Mac; see the README's "Use it in your own project".`,
    ]
      .filter(Boolean)
      .join('\n')
      .concat('\n'),
  );
  return 0;
}
