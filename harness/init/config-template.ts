// sysext-lab.config.json as `sysext-lab init` writes it: every key with the value a run uses
// without it, so the file shows what can be set (JSON has no comments; the README lists the keys).
import { runDefaults } from '../run-options.ts';
import type { InitTemplateValues } from './template-values.ts';

export function projectConfigSource(values: InitTemplateValues): string {
  const config = {
    image: values.images[0] ?? runDefaults.image,
    backend: runDefaults.backend,
    builds: {},
    approval: runDefaults.approval,
    redactEnv: [],
    artifactsDir: runDefaults.artifactsDir,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
