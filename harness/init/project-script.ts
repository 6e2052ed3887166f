// How the project runs the example: a Makefile target when the project has a Makefile, else an npm
// script in package.json. Both are added to what is there; nothing else in the file changes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from '../errors.ts';

/** The npm script's and the Makefile target's name. */
export const SCRIPT_NAME = 'sysext-lab';

export type ScriptChange =
  | { file: string; action: 'added' | 'replaced' | 'created'; how: string; usable: true }
  | { file: string; action: 'skipped'; how: string; reason: string; usable: boolean };

export function addProjectScript(dir: string, command: string, force: boolean): ScriptChange {
  const makefile = join(dir, 'Makefile');
  return existsSync(makefile) ? addMakeTarget(makefile, command, force) : addNpmScript(dir, command, force);
}

function addNpmScript(dir: string, command: string, force: boolean): ScriptChange {
  const file = join(dir, 'package.json');
  const how = `npm run ${SCRIPT_NAME}`;
  if (!existsSync(file)) {
    // A project without package.json: the smallest one that can hold the script and the dependency.
    const name =
      basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-') || 'sysext-lab-project';
    const manifest = { name, private: true, type: 'module', scripts: { [SCRIPT_NAME]: command } };
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
    return { file, action: 'created', how, usable: true };
  }
  const text = readFileSync(file, 'utf8');
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      'package.json',
      `Cannot add the npm script to ${file}: ${(error as Error).message}`,
    );
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new ConfigError('package.json', `Cannot add the npm script to ${file}: it is not a JSON object`);
  }
  const scripts = (manifest.scripts ?? {}) as Record<string, unknown>;
  const existing = scripts[SCRIPT_NAME];
  if (existing === command)
    return { file, action: 'skipped', how, reason: 'the script is there already', usable: true };
  if (existing !== undefined && !force) {
    return {
      file,
      action: 'skipped',
      how,
      reason: `it has a "${SCRIPT_NAME}" script already; --force replaces it`,
      usable: false,
    };
  }
  manifest.scripts = { ...scripts, [SCRIPT_NAME]: command };
  // Keep the file's own indentation and final newline, as npm does.
  const indent = /^[{[]\r?\n([ \t]+)/.exec(text)?.[1] ?? 2;
  writeFileSync(file, `${JSON.stringify(manifest, null, indent)}${text.endsWith('\n') ? '\n' : ''}`);
  return { file, action: existing === undefined ? 'added' : 'replaced', how, usable: true };
}

function addMakeTarget(file: string, command: string, force: boolean): ScriptChange {
  const how = `make ${SCRIPT_NAME}`;
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^${SCRIPT_NAME}\\s*:(?!=)`).test(line));
  const rule = [
    `# The example scenario (sysext-lab init); ARGS for more run options, e.g. ARGS="--repeat 10".`,
    `.PHONY: ${SCRIPT_NAME}`,
    `${SCRIPT_NAME}:`,
    `\tnpx ${command} $(ARGS)`,
  ];
  if (start >= 0 && !force) {
    return {
      file,
      action: 'skipped',
      how,
      reason: `it has a "${SCRIPT_NAME}" target already; --force replaces it`,
      usable: false,
    };
  }
  if (start >= 0) {
    // The old rule: its target line and the recipe lines (tab-indented) under it.
    let end = start + 1;
    while (end < lines.length && lines[end]!.startsWith('\t')) end += 1;
    lines.splice(start, end - start, ...rule.slice(2));
    writeFileSync(file, lines.join('\n'));
    return { file, action: 'replaced', how, usable: true };
  }
  const separator = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  writeFileSync(file, `${text}${separator}${rule.join('\n')}\n`);
  return { file, action: 'added', how, usable: true };
}
