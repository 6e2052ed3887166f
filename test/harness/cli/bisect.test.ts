// Issue 15, "Done when": `bisect` over six sample builds whose fault rate jumps at the fourth finds
// the fourth, in the sim, with seeds fixed. The builds carry their own rate of
// xpc-endpoint-lost-on-upgrade (as make-sample-builds --sim-fault writes it), so the run's quirks
// stay off and the sim fails according to the build installed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { type BisectReport, renderReport } from '../../../harness/commands/bisect-command.ts';
import { makeVersionBuild } from '../../../sim/builds/make-sample-builds.ts';
import { runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';

const QUIRK = 'xpc-endpoint-lost-on-upgrade';

test('six builds, the rate jumps from 0 to 60% at 1.4: bisect names 1.4, with the evidence of each step', async (t) => {
  t.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-bisect-'));
  for (const version of ['1.1', '1.2', '1.3']) await makeVersionBuild(dir, version);
  for (const version of ['1.4', '1.5', '1.6']) await makeVersionBuild(dir, version, { [QUIRK]: 0.6 });
  const sim = makeSimEnv();
  const args = ['bisect', '--builds', dir, '--scenario', 'upgrade-xpc', '--threshold', '0.2', '--max', '40'];
  const common = ['--seed', '11', '--evidence', 'never', '--artifacts', sim.artifacts];
  const { code, stdout, stderr } = await runCli(sim, [...args, ...common, '--json']);
  t.is(code, 0, stderr);
  const report = JSON.parse(stdout) as BisectReport;
  t.is(report.firstAbove, '1.4');
  t.is(report.input, 'to');
  t.deepEqual(
    report.builds.map((b) => b.version),
    ['1.1', '1.2', '1.3', '1.4', '1.5', '1.6'],
  );
  const byVersion = Object.fromEntries(report.builds.map((b) => [b.version, b]));
  t.is(byVersion['1.3']?.verdict, 'below');
  t.is(byVersion['1.3']?.fail, 0);
  t.is(byVersion['1.4']?.verdict, 'above');
  t.true((byVersion['1.4']?.fail ?? 0) > 0);
  // A build far from the boundary is never run.
  t.is(byVersion['1.6']?.verdict, undefined);
  t.is(
    report.iterationsSpent,
    report.builds.reduce((sum, b) => sum + (b.ran ?? 0), 0),
  );
  t.regex(
    report.sentence,
    /^First build above 20%: 1\.4, after 1\.3 \(below\)\. \d+ upgrades in \d step\(s\)\.$/,
  );
  // The evidence per build as the text output prints it: each run build's count and run directory.
  const lines = renderReport(report).split('\n');
  t.is(lines[0], 'Bisect of upgrade-xpc over 6 builds (--to), threshold 20%:');
  for (const b of report.builds) {
    const line = lines.find((l) => l.startsWith(`  ${b.version}  `)) ?? '';
    if (b.verdict === undefined) t.is(line, `  ${b.version}  not run`);
    else {
      t.true(
        line.startsWith(
          `  ${b.version}  ${b.verdict} 20%: ${b.fail} of ${b.iterations} upgrades lost the XPC endpoint`,
        ),
        line,
      );
      t.true(line.endsWith(`(${b.runDir})`), line);
    }
  }
  t.is(lines.at(-2), report.sentence);
  t.log(report.sentence);
});

test('bisect refuses a folder without two versioned builds and a scenario without its build input: exit 2', async (t) => {
  const sim = makeSimEnv();
  const empty = mkdtempSync(join(tmpdir(), 'sxl-bisect-empty-'));
  const none = await runCli(sim, ['bisect', '--builds', empty, '--scenario', 'upgrade-xpc']);
  t.is(none.code, 2);
  t.regex(none.stderr, /bisect needs at least two builds \(\.pkg, \.zip or \.app\) in .*, found 0/);
  const noScenario = await runCli(sim, ['bisect', '--builds', empty]);
  t.is(noScenario.code, 2);
  t.regex(noScenario.stderr, /bisect needs --scenario, one of upgrade-xpc/);
  const wrongInput = await runCli(sim, [
    'bisect',
    '--builds',
    empty,
    '--scenario',
    'upgrade-xpc',
    '--input',
    'nope',
  ]);
  t.is(wrongInput.code, 2);
  t.regex(wrongInput.stderr, /--input one of from, to, got "nope"/);
});
