// `sysext-lab doctor [--backend sim|tart|orchard] [--image REF] [--config FILE] [--json] [--record DIR]`:
// every precondition of a run, each ok/warn/fail with its fix. Backend and image default to the
// project's sysext-lab.config.json as `run` takes them (a flag wins). Exit 0 when nothing fails, 1
// when a check fails, 2 on usage errors (main's handler maps ConfigError).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backendKinds, createBackend } from '../backends/registry.ts';
import { loadProjectConfig } from '../config/load-project-config.ts';
import { formatDoctorJson, formatDoctorText } from '../doctor/format-report.ts';
import { runDoctor } from '../doctor/run-doctor.ts';
import { ConfigError } from '../errors.ts';
import { runDefaults } from '../run-options.ts';
import { backendSettingFlags } from './flag-values.ts';

export const DOCTOR_USAGE = `doctor options: --backend ${backendKinds.join('|')}, --image REF (default ${runDefaults.image}),
  --config FILE (backend and image as run takes them; default ./sysext-lab.config.json), --json,
  --record DIR (write every raw output, the UI tree and a screenshot as a hardware report),
  --no-sleep-probe (skip the guest-sleep probe), --seed N and --quirk NAME=P (sim)`;

export async function doctorCli(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      backend: { type: 'string' },
      image: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      record: { type: 'string' },
      'no-sleep-probe': { type: 'boolean', default: false },
      seed: { type: 'string' },
      quirk: { type: 'string', multiple: true, default: [] },
    },
  });
  if (positionals.length > 0) {
    throw new ConfigError(
      'doctor',
      `doctor takes no arguments, got "${positionals.join(' ')}" (${DOCTOR_USAGE})`,
    );
  }
  // The project's config under the flags, as `run` reads it; of a matrix, the first image.
  const project = loadProjectConfig({ file: values.config });
  const backend = values.backend ?? project.backend ?? runDefaults.backend;
  const image = values.image ?? project.images[0] ?? runDefaults.image;
  const profile = createBackend(backend, backendSettingFlags(values));
  const problem = profile.imageProblem(image);
  if (problem) throw new ConfigError('--image', `Invalid --image "${image}": ${problem}`);
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    const report = await runDoctor(profile, {
      image,
      ...(values.record ? { recordDir: resolve(values.record) } : {}),
      sleepProbe: !values['no-sleep-probe'],
      signal: controller.signal,
      note: (text) => process.stderr.write(`doctor: ${text}\n`),
    });
    process.stdout.write(values.json ? formatDoctorJson(report) : formatDoctorText(report));
    if (values.record) process.stderr.write(`doctor: hardware report written to ${resolve(values.record)}\n`);
    return report.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
