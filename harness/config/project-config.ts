// sysext-lab.config.json: a project's defaults for `sysext-lab run`, under its flags (a flag given
// wins). One validator reads the parsed JSON; every problem is a ConfigError that names the file,
// the key, what it expects and what it got, so a typo never silently falls back to a default.
import { isAbsolute, resolve } from 'node:path';
import { backendKinds } from '../backends/registry.ts';
import { ConfigError } from '../errors.ts';
import { APPROVAL_STRATEGIES, type ApprovalStrategyName } from '../macos/approval/approval-types.ts';

/** The file `sysext-lab run` reads from the current directory when --config is not given. */
export const CONFIG_FILE_NAME = 'sysext-lab.config.json';

/** A project's run defaults; every key is optional, relative paths are resolved against the file's folder. */
export interface ProjectConfig {
  /** The file it was read from (absolute), or undefined when the project has none. */
  file: string | undefined;
  /** Images to clone (more than one: a matrix, as `--image a,b`). @default [] (the backend's) */
  images: readonly string[];
  /** A registered backend kind, e.g. sim or tart. @default undefined (sim) */
  backend: string | undefined;
  /** Build inputs by role (`from`, `to`), absolute paths; used by scenarios that declare the role. @default {} */
  builds: Readonly<Record<string, string>>;
  /** How a waiting extension is approved (--approval). @default undefined (auto) */
  approval: ApprovalStrategyName | undefined;
  /** Environment variables holding tokens to mask in everything written, added to --redact-env. @default [] */
  redactEnv: readonly string[];
  /** Where run directories go (--artifacts), absolute. @default undefined (artifacts) */
  artifactsDir: string | undefined;
}

/** The config of a project without sysext-lab.config.json. */
export const emptyProjectConfig: ProjectConfig = {
  file: undefined,
  images: [],
  backend: undefined,
  builds: {},
  approval: undefined,
  redactEnv: [],
  artifactsDir: undefined,
};

/** The keys a config file may have, in the order `sysext-lab init` writes them. */
export const PROJECT_CONFIG_KEYS = [
  'image',
  'backend',
  'builds',
  'approval',
  'redactEnv',
  'artifactsDir',
] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ROLE_NAME = /^[a-z][a-z0-9-]*$/;

/** Reads the parsed JSON of `file` into a ProjectConfig; throws ConfigError on the first problem. */
export function parseProjectConfig(json: unknown, file: string): ProjectConfig {
  const problem = (key: string, expected: string, got: unknown): ConfigError =>
    new ConfigError(
      `${file}: ${key}`,
      `Invalid ${key === '' ? 'config' : `"${key}"`} in ${file}: expected ${expected}, got ${describe(got)}`,
    );
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw problem('', `a JSON object with any of ${PROJECT_CONFIG_KEYS.join(', ')}`, json);
  }
  const entries = json as Record<string, unknown>;
  for (const key of Object.keys(entries)) {
    if (!(PROJECT_CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `${file}: ${key}`,
        `Unknown key "${key}" in ${file}: expected ${PROJECT_CONFIG_KEYS.join(', ')}`,
      );
    }
  }
  const folder = resolve(file, '..');
  const path = (text: string) => (isAbsolute(text) ? text : resolve(folder, text));
  const config: ProjectConfig = { ...emptyProjectConfig, file };

  const { image, backend, builds, approval, redactEnv, artifactsDir } = entries;
  if (image !== undefined) {
    const images = typeof image === 'string' ? [image] : image;
    const imageName = (value: unknown) =>
      typeof value === 'string' && value.trim() !== '' && !value.includes(',');
    if (!Array.isArray(images) || images.length === 0 || !images.every(imageName)) {
      throw problem(
        'image',
        'an image reference (e.g. "ghcr.io/cirruslabs/macos-sequoia-base:latest") or a non-empty list of them',
        image,
      );
    }
    config.images = images.map((name: string) => name.trim());
  }
  if (backend !== undefined) {
    if (typeof backend !== 'string' || !backendKinds.includes(backend)) {
      throw problem('backend', `one of ${backendKinds.join(', ')}`, backend);
    }
    config.backend = backend;
  }
  if (builds !== undefined) {
    if (typeof builds !== 'object' || builds === null || Array.isArray(builds)) {
      throw problem(
        'builds',
        'an object of build paths by role, e.g. {"from": "builds/MyApp-1.0.pkg"}',
        builds,
      );
    }
    const resolved: Record<string, string> = {};
    for (const [role, value] of Object.entries(builds)) {
      if (!ROLE_NAME.test(role)) throw problem('builds', 'roles named like from or to', role);
      if (typeof value !== 'string' || value === '') {
        throw problem(`builds.${role}`, 'the path of a .pkg, a .zip of an app or an .app folder', value);
      }
      resolved[role] = path(value);
    }
    config.builds = resolved;
  }
  if (approval !== undefined) {
    if (typeof approval !== 'string' || !(APPROVAL_STRATEGIES as readonly string[]).includes(approval)) {
      throw problem('approval', `one of ${APPROVAL_STRATEGIES.join(', ')}`, approval);
    }
    config.approval = approval as ApprovalStrategyName;
  }
  if (redactEnv !== undefined) {
    const names = (value: unknown): value is string[] =>
      Array.isArray(value) && value.every((name) => typeof name === 'string' && ENV_NAME.test(name));
    if (!names(redactEnv)) {
      throw problem('redactEnv', 'a list of environment variable names, e.g. ["MY_API_TOKEN"]', redactEnv);
    }
    config.redactEnv = redactEnv;
  }
  if (artifactsDir !== undefined) {
    if (typeof artifactsDir !== 'string' || artifactsDir.trim() === '') {
      throw problem('artifactsDir', 'the folder where run directories go, e.g. "artifacts"', artifactsDir);
    }
    config.artifactsDir = path(artifactsDir);
  }
  return config;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
