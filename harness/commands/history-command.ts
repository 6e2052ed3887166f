// `sysext-lab history DIR`: the run directories under DIR (nightly CI's artifacts) as one static
// page, history.html: the rate per night per image with its interval band, and the nights
// significantly above the previous window flagged. Prints the page's path and the flagged nights.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.ts';
import { readHistory, renderHistoryPage } from '../report/history-page.ts';
import { writeFileAtomic } from '../report/write-atomic.ts';

export const historyUsage = `history DIR [--out FILE] [--window N]
                   history.html over the run directories in DIR: the rate per night per image with
                   its 95% band; flags nights significantly above the previous N nights (default 7)`;

export async function historyCli(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, window: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) {
    throw new ConfigError(
      'history',
      `history takes one folder of run directories, got ${positionals.length}`,
    );
  }
  const window = values.window === undefined ? undefined : Number(values.window);
  if (window !== undefined && !(Number.isInteger(window) && window >= 1)) {
    throw new ConfigError('--window', `--window must be a whole number >= 1, got "${values.window}"`);
  }
  const series = readHistory(dir, { window });
  const out = values.out ?? join(dir, 'history.html');
  writeFileAtomic(out, renderHistoryPage(series, { window }));
  process.stdout.write(`Wrote ${out}\n`);
  for (const s of series) {
    for (const night of s.nights.filter((n) => n.flag.flagged)) {
      process.stdout.write(
        `flag: ${s.scenario} on ${s.image}, ${night.date}: ${night.fail} of ${night.n} against ${night.flag.window?.fail} of ${night.flag.window?.n} before (p = ${night.flag.pValue?.toPrecision(2)})\n`,
      );
    }
  }
  return 0;
}
