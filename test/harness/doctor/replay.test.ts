// Hardware reports (`doctor --record DIR`) under test/fixtures/hardware/ are replayed: the parsers
// must read every recorded output, and the sim must print the same shapes for the same commands.
// A report from a real Mac that does not replay shows where the parsers or the sim are wrong.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { readHardwareReport } from '../../../harness/doctor/hardware-report.ts';
import type { RawOutput } from '../../../harness/doctor/raw-outputs.ts';
import { type ReplayedOutput, replayOutputs, shapeDifferences } from '../../../harness/doctor/replay.ts';
import { runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv, repo } from '../../helpers/sim-env.ts';

const fixtures = join(repo, 'test', 'fixtures', 'hardware');
const reports = readdirSync(fixtures, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

// What the sim prints today for the same commands: one fresh `doctor --record` on it.
let simShapes: Promise<ReplayedOutput[]> | undefined;
function simReference(): Promise<ReplayedOutput[]> {
  simShapes ??= (async () => {
    const sim = makeSimEnv();
    const dir = join(sim.dir, 'report');
    const result = await runCli(sim, ['doctor', '--backend', 'sim', '--record', dir]);
    if (result.code !== 0)
      throw new Error(`doctor --record on the sim exited ${result.code}: ${result.stdout}${result.stderr}`);
    return replayOutputs((await readHardwareReport(dir)).outputs);
  })();
  return simShapes;
}

test('there is at least one hardware report to replay', (t) => {
  t.true(reports.length > 0);
});

for (const name of reports) {
  test(`hardware report ${name}: every output parses and has the shape the sim prints`, async (t) => {
    const { outputs, report } = await readHardwareReport(join(fixtures, name));
    t.true(report.checks.length > 0);
    const recorded = replayOutputs(outputs);
    t.true(recorded.some((r) => r.side === 'host') && recorded.some((r) => r.side === 'guest'));
    t.deepEqual(shapeDifferences(recorded, await simReference()), []);
  });
}

function changed(outputs: readonly RawOutput[], key: string, change: Partial<RawOutput>): RawOutput[] {
  const found = outputs.some((o) => o.key === key);
  if (!found) throw new Error(`the report has no ${key} output`);
  return outputs.map((o) => (o.key === key ? { ...o, ...change } : o));
}

test('a report whose output changed shape fails the replay', async (t) => {
  const name = reports[0] as string;
  const { outputs } = await readHardwareReport(join(fixtures, name));
  // Not csrutil's words any more: the parser refuses it and names the output.
  const reworded = changed(outputs, 'csrutil', { stdout: 'SIP: off\n' });
  t.throws(() => replayOutputs(reworded), { message: /csrutil .*System Integrity Protection status/s });
  // Parsed, but into another shape than the sim prints: a difference names it.
  const refused = changed(outputs, 'keychain', {
    stdout: '',
    stderr:
      'security: SecKeychainCopySettings /Users/admin/Library/Keychains/login.keychain-db: User interaction is not allowed.\n',
  });
  const differences = shapeDifferences(replayOutputs(refused), await simReference());
  t.is(differences.length, 1);
  t.regex(differences[0] ?? '', /^host keychain: recorded \{reason:string,unlocked:boolean\}/);
});
