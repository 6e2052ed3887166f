// --shard K/N + merge: the shards of a run, joined, are the unsharded run: the same iterations with
// the same outcomes (dice keyed by the iteration number), counts, rate and interval. Merge refuses
// directories that are not every shard of one run.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { main } from '../../harness/cli.ts';
import { ConfigError } from '../../harness/errors.ts';
import { mergeShards } from '../../harness/report/merge-shards.ts';
import { validateJUnit } from '../helpers/xmllint.ts';
import { runOnSim } from './run-on-sim.ts';
import { sized } from './test-size.ts';

const quirks = { 'xpc-endpoint-lost-on-upgrade': 0.3 };

test('--shard 1/2 + --shard 2/2 + merge equals the unsharded run', async (t) => {
  t.timeout(300_000);
  const repeat = sized(20, 10);
  const whole = await runOnSim('upgrade-xpc', { repeat, seed: 5, quirks });
  const one = await runOnSim('upgrade-xpc', { repeat, seed: 5, quirks, shard: { index: 1, count: 2 } });
  const two = await runOnSim('upgrade-xpc', { repeat, seed: 5, quirks, shard: { index: 2, count: 2 } });
  t.deepEqual(
    one.results.map((r) => r.iteration),
    Array.from({ length: Math.ceil(repeat / 2) }, (_, k) => 2 * k + 1),
  );
  const runJson = JSON.parse(readFileSync(join(two.runDir, 'run.json'), 'utf8'));
  t.deepEqual(runJson.shard, { index: 2, count: 2 });
  t.is(runJson.iterations, Math.floor(repeat / 2));
  t.deepEqual(JSON.parse(readFileSync(join(two.runDir, 'summary.json'), 'utf8')).shard, {
    index: 2,
    count: 2,
  });
  t.deepEqual(JSON.parse(readFileSync(join(two.runDir, 'results.json'), 'utf8')).shard, {
    index: 2,
    count: 2,
  });

  const merged = mergeShards([two.runDir, one.runDir], { out: join(whole.runDir, '..', 'merged') });
  const outcomes = (results: typeof whole.results) => results.map((r) => `${r.iteration}:${r.outcome}`);
  t.true(new Set(whole.results.map((r) => r.outcome)).size > 1, outcomes(whole.results).join(' '));
  t.deepEqual(outcomes(merged.results), outcomes(whole.results));
  t.is(merged.exitCode, whole.exitCode);
  const summary = JSON.parse(readFileSync(join(merged.runDir, 'summary.json'), 'utf8'));
  const pick = (s: {
    iterations: number;
    pass: number;
    fail: number;
    error: number;
    failureRate: number | null;
    ci95: number[];
  }) => ({
    iterations: s.iterations,
    pass: s.pass,
    fail: s.fail,
    error: s.error,
    failureRate: s.failureRate,
    ci95: s.ci95,
  });
  t.deepEqual(summary.scenarios.map(pick), whole.summary.scenarios.map(pick));
  t.is(summary.scenarios[0].sentence, whole.summary.scenarios[0]!.sentence);
  t.is(summary.shard, undefined);
  const manifest = JSON.parse(readFileSync(join(merged.runDir, 'run.json'), 'utf8'));
  t.is(manifest.iterations, repeat);
  t.is(manifest.mergedFrom.length, 2);
  const xml = readFileSync(join(merged.runDir, 'junit.xml'), 'utf8');
  t.deepEqual(
    [...xml.matchAll(/<testcase [^>]*name="upgrade-xpc iteration (\d+)"/g)].map((m) => Number(m[1])),
    Array.from({ length: repeat }, (_, k) => k + 1),
  );
  t.is(validateJUnit(join(merged.runDir, 'junit.xml')), null);
  t.true(existsSync(join(merged.runDir, 'report.html')));
  t.true(existsSync(join(merged.runDir, 'iterations', String(repeat), 'transcript.log')));

  // Not every shard of one run: refused, saying why.
  const refused = (dirs: string[], pattern: RegExp) => {
    const error = t.throws(() => mergeShards(dirs, { out: join(whole.runDir, '..', `no-${dirs.length}`) }), {
      instanceOf: ConfigError,
    });
    t.regex(error?.message ?? '', pattern);
  };
  refused([one.runDir], /Missing shard\(s\) 2\/2: got 1\/2/);
  // The command: the merged run's exit code, or 2 for a refusal.
  t.is(await main(['merge', one.runDir]), 2);
  t.is(
    await main(['merge', one.runDir, two.runDir, '--out', join(whole.runDir, '..', 'by-cli')]),
    whole.exitCode,
  );
  t.true(existsSync(join(whole.runDir, '..', 'by-cli', 'summary.json')));
  refused([one.runDir, one.runDir], /Shard 1\/2 is given twice/);
  refused([one.runDir, whole.runDir], /Not a shard: .*run\.json has no shard/);
  const otherSeed = `${two.runDir}-seed`;
  cpSync(two.runDir, otherSeed, { recursive: true });
  const edited = JSON.parse(readFileSync(join(otherSeed, 'run.json'), 'utf8'));
  writeFileSync(join(otherSeed, 'run.json'), JSON.stringify({ ...edited, seed: 6 }));
  refused([one.runDir, otherSeed], /Shards of different runs: seed differs/);
  writeFileSync(join(otherSeed, 'run.json'), JSON.stringify({ ...edited, shard: { index: 2, count: 3 } }));
  refused([one.runDir, otherSeed], /Shards of different runs: .* is shard 1\/2, .* is shard 2\/3/);
});

test('--shard with a stopping rule is refused: a shard cannot see the whole tally', async (t) => {
  const error = await t.throwsAsync(
    runOnSim('upgrade-xpc', { repetition: { mode: 'until-fail', max: 5 }, shard: { index: 1, count: 2 } }),
    { instanceOf: ConfigError },
  );
  t.regex(error?.message ?? '', /--shard 1\/2 cannot be used with --until-fail/);
});
