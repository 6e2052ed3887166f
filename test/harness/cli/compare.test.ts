// Issue 15, "Done when": `sysext-lab compare` on two sim runs of upgrade-xpc says that 35% against 5%
// is a significant difference and that 20% against 20% is not, in the sentence and in --json; it
// refuses runs of different scenarios or signatures, a run that claims no rate, and what is not a
// run. The runs' outcomes are the sim's seeded dice (seeds fixed), so the counts are the same every
// time; the facts are checked against the statistics functions on the counts the runs wrote.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import type { RunComparison } from '../../../harness/commands/compare-command.ts';
import { fisherExactTwoSided } from '../../../harness/stats/fisher-exact.ts';
import { newcombeInterval } from '../../../harness/stats/newcombe.ts';
import { iterationsPerRun } from '../../../harness/stats/sample-size.ts';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';
import { runOnSim, type SimRun } from '../../scenarios/run-on-sim.ts';
import { acceptance } from '../../scenarios/test-size.ts';

const exec = promisify(execFile);
const QUIRK = 'xpc-endpoint-lost-on-upgrade';

async function sxl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', [cli, ...args], { env: makeSimEnv().env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function upgrades(seed: number, rate: number, repeat: number): Promise<SimRun> {
  return runOnSim('upgrade-xpc', { repeat, seed, quirks: { [QUIRK]: rate }, evidence: 'never' });
}

function counts(run: SimRun): { fail: number; n: number } {
  const [s] = run.summary.scenarios;
  if (!s) throw new Error(`no summary in ${run.runDir}`);
  return { fail: s.fail, n: s.pass + s.fail };
}

async function compare(a: SimRun, b: SimRun): Promise<{ sentence: string; json: RunComparison }> {
  const text = await sxl(['compare', a.runDir, b.runDir]);
  const json = await sxl(['compare', a.runDir, b.runDir, '--json']);
  if (text.code !== 0 || json.code !== 0)
    throw new Error(`compare exited ${text.code}/${json.code}: ${text.stderr}${json.stderr}`);
  return { sentence: text.stdout.trim(), json: JSON.parse(json.stdout) };
}

// The two comparisons of real runs are statistical runs: `make acceptance` runs them at the 60
// iterations a run; in the suite, compare-rates.test.ts checks the sentences and compare-to.test.ts a
// comparison of two real runs, and the refusals are checked below.
const statistical = acceptance ? test.serial : test.serial.skip;

statistical('35% against 5%: the difference is significant, fewer by the observed points', async (t) => {
  t.timeout(600_000);
  const n = 60;
  // Two runs on one host at once, as a user may start them; each has its own simulated Mac.
  const [a, b] = await Promise.all([upgrades(2026, 0.35, n), upgrades(2027, 0.05, n)]);
  const [ca, cb] = [counts(a), counts(b)];
  const { sentence, json } = await compare(a, b);
  const facts = { failA: ca.fail, nA: ca.n, failB: cb.fail, nB: cb.n };
  t.like(json, {
    a: { fail: ca.fail, iterations: ca.n },
    b: { fail: cb.fail, iterations: cb.n },
    test: 'fisher-exact-two-sided',
    significant: true,
    scenario: 'upgrade-xpc',
  });
  t.is(json.pValue, fisherExactTwoSided(facts));
  t.true(json.pValue < 0.05, `p = ${json.pValue}`);
  t.deepEqual(json.ci95, newcombeInterval(facts));
  t.true(json.ci95[1] < 0);
  const [idA, idB] = [basename(a.runDir), basename(b.runDir)];
  const points = Math.round(Math.abs(cb.fail / cb.n - ca.fail / ca.n) * 100);
  t.regex(
    sentence,
    new RegExp(
      `^${idB}: ${cb.fail} of ${cb.n} upgrades lost the XPC endpoint, against ${ca.fail} of ${ca.n} for ${idA}: fewer by ${points} points \\(95% CI \\d+-\\d+\\), p (<|=) [0-9.]+ \\(Fisher's exact test\\)\\. The difference is significant at the 5% level\\.$`,
    ),
  );
  t.log(sentence);
});

statistical('20% against 20%: too small to tell, with how many iterations would decide', async (t) => {
  t.timeout(600_000);
  const n = 60;
  const [a, b] = await Promise.all([upgrades(2026, 0.2, n), upgrades(2027, 0.2, n)]);
  const [ca, cb] = [counts(a), counts(b)];
  const { sentence, json } = await compare(a, b);
  t.like(json, { significant: false, a: { fail: ca.fail }, b: { fail: cb.fail } });
  t.true(json.pValue >= 0.05);
  t.true(json.ci95[0] < 0 && json.ci95[1] > 0);
  t.regex(sentence, /Too small to tell: no significant difference at the 5% level\./);
  const needed = iterationsPerRun(ca.fail / ca.n, cb.fail / cb.n);
  if (Number.isFinite(needed) && needed <= 100_000) {
    t.is(json.iterationsToDecide, needed);
    t.regex(
      sentence,
      new RegExp(`about ${needed} upgrades of each run would decide \\(80% power\\): ${needed - cb.n} more`),
    );
  } else {
    t.is(json.iterationsToDecide, null);
    t.regex(sentence, /too close for any practical number of iterations/);
  }
  // Labels name the runs in a ticket as the user wants.
  const labelled = await sxl(['compare', a.runDir, b.runDir, '--label-a', '1.5', '--label-b', '1.6']);
  t.regex(labelled.stdout, /^1\.6: \d+ of \d+ upgrades lost the XPC endpoint, against \d+ of \d+ for 1\.5: /);
  t.log(sentence);
});

test.serial(
  "--json prints the issue's facts (a, b, difference, ci95, pValue, test, significant), exit 0 either way",
  async (t) => {
    t.timeout(300_000);
    const [a, b] = await Promise.all([upgrades(31, 0.5, 8), upgrades(32, 0, 8)]);
    const [ca, cb] = [counts(a), counts(b)];
    const { sentence, json } = await compare(a, b);
    const facts = { failA: ca.fail, nA: ca.n, failB: cb.fail, nB: cb.n };
    t.deepEqual(json.a, { fail: ca.fail, iterations: ca.n, rate: ca.fail / ca.n });
    t.deepEqual(json.b, { fail: cb.fail, iterations: cb.n, rate: cb.fail / cb.n });
    t.is(json.difference, cb.fail / cb.n - ca.fail / ca.n);
    t.deepEqual(json.ci95, newcombeInterval(facts));
    t.is(json.pValue, fisherExactTwoSided(facts));
    t.is(json.test, 'fisher-exact-two-sided');
    t.is(json.significant, json.pValue < 0.05);
    t.is(json.sentence, sentence);
    // The reverse comparison is the same test: the difference and its interval change sign.
    const reverse = await compare(b, a);
    t.is(reverse.json.pValue, json.pValue);
    t.is(reverse.json.difference, -json.difference);
    t.true(Math.abs(reverse.json.ci95[0] + json.ci95[1]) < 1e-9, `${reverse.json.ci95} against ${json.ci95}`);
    t.true(Math.abs(reverse.json.ci95[1] + json.ci95[0]) < 1e-9, `${reverse.json.ci95} against ${json.ci95}`);
  },
);

test.serial(
  'refuses runs of different scenarios or signatures, a run that claims no rate, what is not a run, and a wrong argument count: exit 2',
  async (t) => {
    t.timeout(300_000);
    const [upgrade, activation] = await Promise.all([
      upgrades(1, 0, 1),
      runOnSim('activation-location', { repeat: 1, seed: 1, evidence: 'never' }),
    ]);
    const different = await sxl(['compare', upgrade.runDir, activation.runDir]);
    t.is(different.code, 2, different.stderr);
    t.regex(
      different.stderr,
      /Cannot compare runs of different scenarios: .* has scenario upgrade-xpc, .* has scenario activation-location/,
    );
    const notARun = mkdtempSync(join(tmpdir(), 'sxl-not-a-run-'));
    writeFileSync(join(notARun, 'run.json'), '{}');
    const refused = await sxl(['compare', upgrade.runDir, notARun]);
    t.is(refused.code, 2);
    t.regex(refused.stderr, /Not a run directory: .* has no results\.json/);
    const one = await sxl(['compare', upgrade.runDir]);
    t.is(one.code, 2);
    t.regex(one.stderr, /compare takes two run directories \(RUN_A, then RUN_B\), got 1/);
    const image = await sxl(['compare', upgrade.runDir, upgrade.runDir, '--image', 'nope']);
    t.is(image.code, 2);
    t.regex(image.stderr, /has no results on image nope: its images are /);
    // The same run with another signature in its run.json, and one whose summary claims no rate (as
    // a sleep-wake-flows run under --sleep-strategy suspend does): copies of the real run, edited.
    const copy = (edit: (dir: string) => void) => {
      const dir = join(mkdtempSync(join(tmpdir(), 'sxl-copy-')), 'run');
      cpSync(upgrade.runDir, dir, { recursive: true });
      edit(dir);
      return dir;
    };
    const editJson = <T>(path: string, change: (json: T) => void) => {
      const json = JSON.parse(readFileSync(path, 'utf8'));
      change(json);
      writeFileSync(path, JSON.stringify(json));
    };
    const otherSignature = copy((dir) =>
      editJson<{ signature: { check: string } }>(join(dir, 'run.json'), (m) => {
        m.signature.check = 'some-other-check';
      }),
    );
    const signature = await sxl(['compare', upgrade.runDir, otherSignature]);
    t.is(signature.code, 2);
    t.regex(
      signature.stderr,
      /Cannot compare runs of different failure signatures: .* has failure signature check xpc-endpoint-after-upgrade, .* has failure signature check some-other-check/,
    );
    const noRate = copy((dir) =>
      editJson<{ scenarios: { failureRate: number | null; sentence: string }[] }>(
        join(dir, 'results.json'),
        (r) => {
          const [s] = r.scenarios;
          if (!s) throw new Error('no summary to edit');
          s.failureRate = null;
          s.sentence = 'No rate of upgrades that lost the XPC endpoint: a reason.';
        },
      ),
    );
    const unobservable = await sxl(['compare', upgrade.runDir, noRate]);
    t.is(unobservable.code, 2);
    t.regex(unobservable.stderr, /claims no rate, so there is nothing to compare: No rate of upgrades/);
  },
);
