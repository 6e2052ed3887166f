import test from 'ava';
import { normalCdf, normalQuantile } from '../../../harness/stats/normal.ts';
import { iterationsPerRun } from '../../../harness/stats/sample-size.ts';
import { Z95 } from '../../../harness/stats/wilson.ts';

test('the normal quantiles the tests use: 97.5%, 80%, 90% (tables to 6 decimals)', (t) => {
  t.true(Math.abs(normalQuantile(0.975) - Z95) < 1e-6);
  t.true(Math.abs(normalQuantile(0.8) - 0.841621) < 1e-6);
  t.true(Math.abs(normalQuantile(0.9) - 1.281552) < 1e-6);
  t.true(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  t.true(Math.abs(normalCdf(-1.959964) - 0.025) < 1e-7);
});

// R's ?power.prop.test: power.prop.test(p1 = .50, p2 = .75, power = .90) gives n = 76.7 per group.
test("R's power.prop.test documentation: 50% against 75% at 90% power needs 77 per group", (t) => {
  t.is(iterationsPerRun(0.5, 0.75, { power: 0.9 }), 77);
  t.is(iterationsPerRun(0.75, 0.5, { power: 0.9 }), 77);
});

// Checked against the power equation itself (R's power.prop.test, one tail): the returned size
// reaches the power asked for, and one fewer does not.
test('the size is the smallest whose power reaches the target', (t) => {
  const power = (pA: number, pB: number, n: number) => {
    const mean = (pA + pB) / 2;
    const num = Math.sqrt(n) * Math.abs(pA - pB) - Z95 * Math.sqrt(2 * mean * (1 - mean));
    return normalCdf(num / Math.sqrt(pA * (1 - pA) + pB * (1 - pB)));
  };
  for (const [pA, pB] of [
    [0.2, 0.05],
    [0.35, 0.05],
    [0.2, 0.25],
    [0.01, 0.03],
  ] as const) {
    const n = iterationsPerRun(pA, pB);
    t.true(power(pA, pB, n) >= 0.8 - 1e-6, `${pA} vs ${pB}: n ${n}`);
    t.true(power(pA, pB, n - 1) < 0.8, `${pA} vs ${pB}: n - 1 ${n - 1}`);
  }
});

test('equal rates: no number of iterations decides', (t) => {
  t.is(iterationsPerRun(0.2, 0.2), Number.POSITIVE_INFINITY);
});
