// `sysext-lab feedback <run-dir>`: the zip for a Feedback Assistant report. Exit 0, 2 on bad flags
// or a run directory or output path that does not work.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.ts';
import { createFeedbackBundle } from '../report/feedback-bundle.ts';

export const feedbackUsage = `Usage: sysext-lab feedback <run-dir> [--iteration N] [--out FILE]

Zips report.md (title, environment, builds, steps, expected and actual, rate) and one iteration's
evidence, transcript and snapshots, for a Feedback Assistant report.
  --iteration N    The iteration to attach (default: the first that failed, else the first error)
  --out FILE       Where the zip goes (default <run-dir>/feedback-<run-id>-<n>.zip)
Exit codes: 0 written, 2 usage error (bad flags, not a run directory, an output folder that does not exist).
`;

export async function feedbackCli(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      iteration: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(feedbackUsage);
    return 0;
  }
  const runDir = positionals[0];
  if (!runDir || positionals.length > 1) {
    throw new ConfigError('run-dir', 'feedback takes one run directory, e.g. artifacts/<run-id>');
  }
  if (values.iteration !== undefined && !/^[1-9]\d{0,8}$/.test(values.iteration))
    throw new ConfigError(
      '--iteration',
      `--iteration must be a whole number >= 1, got "${values.iteration}"`,
    );
  if (values.out !== undefined) checkOutPath(values.out);
  const bundle = await createFeedbackBundle(runDir, {
    iteration: values.iteration === undefined ? undefined : Number(values.iteration),
    out: values.out,
  });
  process.stdout.write(
    `Wrote ${bundle.path} (iteration ${bundle.iteration}, ${bundle.files.length} files)\n${bundle.notice}\n`,
  );
  return 0;
}

/** The zip's folder must exist and be a folder: a usage error, said before anything is read. */
function checkOutPath(out: string): void {
  const folder = dirname(resolve(out));
  if (!existsSync(folder))
    throw new ConfigError('--out', `--out ${out}: the folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory())
    throw new ConfigError('--out', `--out ${out}: ${folder} is not a folder`);
  if (existsSync(out) && statSync(out).isDirectory())
    throw new ConfigError('--out', `--out ${out} is a folder: give the zip's file name`);
}
