// Finds and reads a project's sysext-lab.config.json: the one --config names (which must exist), else
// the one in the current folder, else none (the built-in defaults).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import {
  CONFIG_FILE_NAME,
  emptyProjectConfig,
  type ProjectConfig,
  parseProjectConfig,
} from './project-config.ts';

export interface LoadProjectConfigOptions {
  /** --config FILE: read this one; a missing file is a usage error. @default undefined */
  file?: string | undefined;
  /** Where to look for sysext-lab.config.json when no file is named. @default process.cwd() */
  cwd?: string;
}

export function loadProjectConfig(options: LoadProjectConfigOptions = {}): ProjectConfig {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file === undefined ? join(cwd, CONFIG_FILE_NAME) : resolve(cwd, options.file);
  if (options.file === undefined && !existsSync(file)) return emptyProjectConfig;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      '--config',
      `Cannot read the config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('--config', `Invalid JSON in the config ${file}: ${(error as Error).message}`);
  }
  return parseProjectConfig(json, file);
}
