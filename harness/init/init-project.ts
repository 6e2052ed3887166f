// `sysext-lab init`: the files a project needs to run sysext-lab, written into its folder. A file that
// exists is left alone (and listed) unless `force`; package.json, a Makefile and .gitignore get
// their line added, nothing else in them changes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CONFIG_FILE_NAME } from '../config/project-config.ts';
import { projectConfigSource } from './config-template.ts';
import { exampleScenarioSource } from './example-scenario-template.ts';
import { githubWorkflowSource } from './github-workflow-template.ts';
import { gitlabCiSource } from './gitlab-ci-template.ts';
import { jenkinsfileSource } from './jenkinsfile-template.ts';
import { addProjectScript } from './project-script.ts';
import { type InitTemplateValues, initTemplateDefaults } from './template-values.ts';

export interface InitOptions {
  /** The project's folder; made when missing. */
  dir: string;
  /** Overwrite files that exist, replace the script or target. @default false */
  force?: boolean;
  /** The example's id, the image matrix, the nightly size. @default initTemplateDefaults */
  values?: InitTemplateValues;
}

export interface InitChange {
  /** Relative to the project folder. */
  path: string;
  action: 'created' | 'overwritten' | 'added' | 'replaced' | 'skipped';
  /** Why it was skipped, or what was added. */
  detail?: string;
}

export interface InitReport {
  dir: string;
  changes: InitChange[];
  /** How to run the example: `npm run sysext-lab` or `make sysext-lab`. */
  runHint: string;
}

export function initProject(options: InitOptions): InitReport {
  const { dir, force = false, values = initTemplateDefaults } = options;
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    [CONFIG_FILE_NAME, projectConfigSource(values)],
    [join('scenarios', `${values.scenarioId}.ts`), exampleScenarioSource(values.scenarioId)],
    [join('.github', 'workflows', 'sysext-lab.yml'), githubWorkflowSource(values)],
    ['.gitlab-ci.yml', gitlabCiSource(values)],
    ['Jenkinsfile', jenkinsfileSource(values)],
  ];
  const changes: InitChange[] = [];
  for (const [path, text] of files) {
    const file = join(dir, path);
    const exists = existsSync(file);
    if (exists && !force) {
      changes.push({ path, action: 'skipped', detail: 'exists; --force overwrites it' });
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    changes.push({ path, action: exists ? 'overwritten' : 'created' });
  }
  const script = addProjectScript(dir, `sysext-lab run ${values.scenarioPath}`, force);
  changes.push({
    path: relative(dir, script.file),
    action: script.action,
    detail: script.action === 'skipped' ? script.reason : `script: ${script.how}`,
  });
  changes.push(ignoreArtifacts(dir));
  const runHint = script.usable ? script.how : `npx sysext-lab run ${values.scenarioPath}`;
  return { dir, changes, runHint };
}

/** Run directories are outputs: .gitignore gets `artifacts/` unless it names it already. */
function ignoreArtifacts(dir: string): InitChange {
  const path = '.gitignore';
  const file = join(dir, path);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (/^\/?artifacts\/?$/m.test(text)) {
    return { path, action: 'skipped', detail: 'it ignores artifacts/ already' };
  }
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  writeFileSync(file, `${text}${separator}# sysext-lab run directories\nartifacts/\n`);
  return { path, action: text === '' ? 'created' : 'added', detail: 'artifacts/' };
}
