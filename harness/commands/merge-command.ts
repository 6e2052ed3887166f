// `sysext-lab merge DIR... [--out DIR]`: one run directory from the run directories of CI shards
// (--shard K/N), with the pooled rate and interval. Exit code: the merged run's (0, 1, 3, 130), or
// 2 when the directories are not every shard of one run.
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.ts';
import { mergeShards } from '../report/merge-shards.ts';

export const mergeUsage = `merge DIR... [--out DIR]  Join the run directories of CI shards (run --shard K/N) into one run
                   directory: junit.xml, results.json, summary.json (pooled rate), run.json, report.html`;

const help = `Usage: sysext-lab merge DIR... [--out DIR]

Joins the run directories of every shard of one run (sysext-lab run --shard K/N, K = 1..N) into one
run directory, as if one run had made every iteration: junit.xml, results.json, summary.json with
the pooled rate and its interval, run.json and report.html; the iterations' folders are copied.
  --out DIR        The merged run directory, new or empty (default: beside the first shard, named
                   by a new run id)
Refused (exit 2): directories of different scenarios, signatures, seeds or settings, of different
shard counts, a shard given twice or missing, a shard that has not finished.
Exit codes: the merged run's (0 passed, 1 a check failed, 3 errors only, 130 a shard was interrupted), 2 refused.
`;

export async function mergeCli(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length === 0) {
    throw new ConfigError(
      'run-dir',
      'merge takes the run directories of the shards, e.g. shard-1/<run-id> shard-2/<run-id>',
    );
  }
  const merged = mergeShards(positionals, values.out === undefined ? {} : { out: values.out });
  for (const summary of merged.scenarios) process.stdout.write(`${summary.sentence}\n`);
  process.stdout.write(`merged ${positionals.length} shard(s) into ${merged.runDir}\n`);
  return merged.exitCode;
}
