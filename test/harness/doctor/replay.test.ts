// Hardware reports (`doctor --record DIR`) under test/fixtures/hardware/ are replayed: the parsers
// must read every recorded output, and the sim must print the same shapes for the same commands.
// A report from a real Mac that does not replay shows where the parsers or the sim are wrong.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
let simRecording: Promise<{ dir: string; shapes: ReplayedOutput[] }> | undefined;
function simRecord(): Promise<{ dir: string; shapes: ReplayedOutput[] }> {
  simRecording ??= (async () => {
    const sim = makeSimEnv();
    const dir = join(sim.dir, 'report');
    const result = await runCli(sim, ['doctor', '--backend', 'sim', '--record', dir]);
    if (result.code !== 0)
      throw new Error(`doctor --record on the sim exited ${result.code}: ${result.stdout}${result.stderr}`);
    return { dir, shapes: replayOutputs((await readHardwareReport(dir)).outputs) };
  })();
  return simRecording;
}
async function simReference(): Promise<ReplayedOutput[]> {
  return (await simRecord()).shapes;
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

test('doctor --record on the sim writes a report that round-trips; the same report with one output reworded does not', async (t) => {
  const { dir } = await simRecord();
  const { report, outputs } = await readHardwareReport(dir);
  // What a user attaches: the versions with the image's digest, tart run's log, the UI tree, a PNG.
  t.like(report.versions, { backend: 'sim', image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest' });
  t.regex(
    report.versions.imageDigest ?? '',
    /^ghcr\.io\/cirruslabs\/macos-sequoia-base@sha256:[0-9a-f]{64}$/,
  );
  t.regex(report.versions.toolVersion ?? '', /^\d+\.\d+\.\d+$/);
  t.true(readFileSync(join(dir, 'tart-run.log'), 'utf8').length > 0);
  t.regex(
    readFileSync(join(dir, 'ui-tree.txt'), 'utf8'),
    /window Login Items & Extensions of application process System Settings/,
  );
  t.is(readFileSync(join(dir, 'screenshot.png')).subarray(1, 4).toString(), 'PNG');
  t.true(report.checks.every((c) => c.status !== 'fail'));
  // Replayed from disk as a fixture would be: every output parses, every shape is the sim's.
  t.deepEqual(shapeDifferences(replayOutputs(outputs), await simReference()), []);

  // The same report with csrutil's answer changed on disk: the replay names the output.
  const copyDir = mkdtempSync(join(tmpdir(), 'sxl-replay-'));
  t.teardown(() => rmSync(copyDir, { recursive: true, force: true }));
  const copy = join(copyDir, 'report');
  cpSync(dir, copy, { recursive: true });
  const csrutil = report.outputs.find((o) => o.key === 'csrutil');
  t.truthy(csrutil);
  writeFileSync(join(copy, csrutil?.stdoutFile ?? ''), 'System Integrity Protection: off\n');
  const reworded = await readHardwareReport(copy);
  t.throws(() => replayOutputs(reworded.outputs), {
    message: /^Cannot read the recorded guest output csrutil \(`csrutil status`\)/,
  });
});
