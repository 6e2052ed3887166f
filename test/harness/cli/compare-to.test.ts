// Issue 15: `run ... --compare-to RUN_A` keeps running the new build until its rate is shown to
// differ from RUN_A's (the sequential test of harness/stats/sequential-comparison.ts) or --max is
// reached, then prints the comparison. RUN_A loses the endpoint in 9 of 20 upgrades (seed 4 at 35%);
// the "fixed" run has the quirk off, so every upgrade passes and the point where the test decides is
// known in advance: the first n with sequentialVerdict({9 of 20}, {0 of n}) decided.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { sequentialVerdict } from '../../../harness/stats/sequential-comparison.ts';
import { runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';
import { runOnSim } from '../../scenarios/run-on-sim.ts';

const QUIRK = 'xpc-endpoint-lost-on-upgrade';

test('a fixed build runs until the sequential test decides, then prints the comparison; --max caps an undecided one', async (t) => {
  t.timeout(600_000);
  const a = await runOnSim('upgrade-xpc', {
    repeat: 20,
    seed: 4,
    quirks: { [QUIRK]: 0.35 },
    evidence: 'never',
  });
  const [s] = a.summary.scenarios;
  t.like(s, { fail: 9, pass: 11 });
  let decidesAt = 0;
  for (let n = 1; decidesAt === 0; n += 1) {
    if (sequentialVerdict({ fail: 9, n: 20 }, { fail: 0, n }) !== 'undecided') decidesAt = n;
  }
  const sim = makeSimEnv();
  // One VM at a time, so that the run stops exactly where the sequential test decides.
  const args = [
    'run',
    'upgrade-xpc',
    '--seed',
    '5',
    '--parallel',
    '1',
    '--evidence',
    'never',
    '--artifacts',
    sim.artifacts,
  ];

  const capped = await runCli(sim, [...args, '--compare-to', a.runDir, '--max', '3']);
  t.is(capped.code, 0, capped.stderr);
  t.regex(capped.stdout, /stopped after 3 iteration\(s\): reached --max 3 \(no difference shown\)/);
  t.regex(capped.stdout, /0 of 3 upgrades lost the XPC endpoint, against 9 of 20 for .*Too small to tell/);

  const decided = await runCli(sim, [...args, '--compare-to', a.runDir, '--max', '60']);
  t.is(decided.code, 0, decided.stderr);
  t.regex(
    decided.stdout,
    new RegExp(
      `stopped after ${decidesAt} iteration\\(s\\): the rate is lower than in .* \\(sequential test, at most 5% false positives\\)`,
    ),
  );
  t.regex(
    decided.stdout,
    new RegExp(
      `0 of ${decidesAt} upgrades lost the XPC endpoint, against 9 of 20 for .*: fewer by 45 points .*significant`,
    ),
  );
});

test('--compare-to refuses another repetition mode, several images, a run of another scenario or signature: exit 2', async (t) => {
  t.timeout(300_000);
  const [other, upgrade] = await Promise.all([
    runOnSim('activation-location', { repeat: 1, seed: 1, evidence: 'never' }),
    runOnSim('upgrade-xpc', { repeat: 1, seed: 1, evidence: 'never' }),
  ]);
  const sim = makeSimEnv();
  const both = await runCli(sim, ['run', 'upgrade-xpc', '--compare-to', other.runDir, '--until-fail']);
  t.is(both.code, 2);
  t.regex(both.stderr, /--compare-to and --until-fail exclude each other/);
  const images = await runCli(sim, ['run', 'upgrade-xpc', '--compare-to', other.runDir, '--image', 'x,y']);
  t.is(images.code, 2);
  t.regex(images.stderr, /--compare-to compares one image with a finished run, got 2: x, y/);
  const scenario = await runCli(sim, ['run', 'upgrade-xpc', '--compare-to', other.runDir]);
  t.is(scenario.code, 2);
  t.regex(
    scenario.stderr,
    /Cannot compare runs of different scenarios: .* has scenario activation-location, this run has scenario upgrade-xpc/,
  );
  // The same scenario's run under another signature (a copy of the real run, edited), refused before
  // any iteration runs.
  const otherSignature = join(mkdtempSync(join(tmpdir(), 'sxl-copy-')), 'run');
  cpSync(upgrade.runDir, otherSignature, { recursive: true });
  const manifestPath = join(otherSignature, 'run.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.signature.check = 'some-other-check';
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const signature = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--compare-to',
    otherSignature,
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(signature.code, 2);
  t.regex(
    signature.stderr,
    /Cannot compare runs of different failure signatures: .* has failure signature check some-other-check, this run has failure signature check xpc-endpoint-after-upgrade/,
  );
  // A scenario file (no built-in of its id) is held to its own signature too.
  const fileRun = join(mkdtempSync(join(tmpdir(), 'sxl-copy-')), 'run');
  cpSync(upgrade.runDir, fileRun, { recursive: true });
  const fileManifestPath = join(fileRun, 'run.json');
  const fileManifest = JSON.parse(readFileSync(fileManifestPath, 'utf8'));
  fileManifest.scenario = 'compare-to-file';
  fileManifest.signature = { check: 'first-check' };
  writeFileSync(fileManifestPath, JSON.stringify(fileManifest));
  const scenarioFile = join(mkdtempSync(join(tmpdir(), 'sxl-scenario-')), 'compare-to-file.ts');
  writeFileSync(
    scenarioFile,
    `import { defineScenario } from 'sysext-lab';
export default defineScenario({
  id: 'compare-to-file',
  title: 'a scenario file',
  report: import.meta.dirname,
  inputs: {},
  checks: ['first-check', 'second-check'],
  signature: { check: 'second-check', description: 'd', evidence: 'e' },
  async run() {},
});
`,
  );
  const fileSignature = await runCli(sim, [
    'run',
    scenarioFile,
    '--compare-to',
    fileRun,
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(fileSignature.code, 2);
  t.regex(
    fileSignature.stderr,
    /Cannot compare runs of different failure signatures: .* has failure signature check first-check, this run has failure signature check second-check/,
  );
  t.false(existsSync(sim.artifacts) && readdirSync(sim.artifacts).length > 0, 'no run was started');
});
