// Issue 15, "Done when": a simulation of the sequential comparison (many seeded replays) shows its
// false-positive rate at or below the stated level, and reports its mean iterations against a
// fixed-size test. Replays draw Bernoulli outcomes from a seeded generator, so the numbers repeat.
import test from 'ava';
import { fisherExactTwoSided } from '../../../harness/stats/fisher-exact.ts';
import { logFactorial } from '../../../harness/stats/log-factorial.ts';
import { iterationsPerRun } from '../../../harness/stats/sample-size.ts';
import { logEvidence, sequentialVerdict } from '../../../harness/stats/sequential-comparison.ts';

function generator(seed: number): () => number {
  // mulberry32: small, seeded, good enough for Bernoulli draws.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function draw(random: () => number, p: number, n: number): number {
  let fail = 0;
  for (let i = 0; i < n; i += 1) if (random() < p) fail += 1;
  return fail;
}

interface Replay {
  decided: boolean;
  iterations: number;
  naiveDecided: boolean;
}

/** A finished run A of nA at pA; B runs one iteration at a time at pB until decided or max. */
function replay(seed: number, pA: number, pB: number, nA: number, max: number): Replay {
  const random = generator(seed);
  const a = { fail: draw(random, pA, nA), n: nA };
  const b = { fail: 0, n: 0 };
  let naiveDecided = false;
  for (let i = 1; i <= max; i += 1) {
    b.n = i;
    if (random() < pB) b.fail += 1;
    // What a person does by eye: Fisher's test after every iteration, stopping at p < 0.05.
    naiveDecided ||= fisherExactTwoSided({ failA: a.fail, nA: a.n, failB: b.fail, nB: b.n }) < 0.05;
    if (sequentialVerdict(a, b) !== 'undecided') return { decided: true, iterations: i, naiveDecided };
  }
  return { decided: false, iterations: max, naiveDecided };
}

test('no data is no evidence; the evidence is the closed form of the beta integrals', (t) => {
  t.is(logEvidence({ fail: 0, n: 0 }, { fail: 0, n: 0 }), 0);
  // 1 of 1 against 0 of 1: each marginal is 1/2, the null's maximum likelihood is (1/2)^2.
  t.true(Math.abs(logEvidence({ fail: 1, n: 1 }, { fail: 0, n: 1 }) - 0) < 1e-12);
  // Checked by numerical integration (midpoint rule) for 3 of 10 against 7 of 12.
  const integral = (k: number, n: number) => {
    let sum = 0;
    const steps = 200_000;
    for (let i = 0; i < steps; i += 1) {
      const p = (i + 0.5) / steps;
      sum += p ** k * (1 - p) ** (n - k);
    }
    return sum / steps;
  };
  const p = 10 / 22;
  const expected = Math.log(integral(3, 10) * integral(7, 12)) - (10 * Math.log(p) + 12 * Math.log(1 - p));
  t.true(Math.abs(logEvidence({ fail: 3, n: 10 }, { fail: 7, n: 12 }) - expected) < 1e-6);
  t.is(logFactorial(5), Math.log(120));
});

test('the direction of a decided comparison is the observed one', (t) => {
  t.is(sequentialVerdict({ fail: 20, n: 60 }, { fail: 0, n: 60 }), 'b-lower');
  t.is(sequentialVerdict({ fail: 0, n: 60 }, { fail: 20, n: 60 }), 'b-higher');
  t.is(sequentialVerdict({ fail: 12, n: 60 }, { fail: 11, n: 60 }), 'undecided');
  t.is(sequentialVerdict({ fail: 12, n: 60 }, { fail: 0, n: 0 }), 'undecided');
});

const REPLAYS = 2000;

test('false positives under optional stopping stay at or below 5%; Fisher after every iteration does not', (t) => {
  for (const p of [0.05, 0.2, 0.5]) {
    let falsePositives = 0;
    let naive = 0;
    for (let seed = 1; seed <= REPLAYS; seed += 1) {
      const r = replay(seed * 7919 + Math.round(p * 1000), p, p, 60, 300);
      if (r.decided) falsePositives += 1;
      if (r.naiveDecided) naive += 1;
    }
    const rate = falsePositives / REPLAYS;
    t.log(
      `equal rates ${p}: sequential false positives ${rate}, Fisher after every iteration ${naive / REPLAYS}`,
    );
    t.true(rate <= 0.05, `p=${p}: ${rate}`);
    if (p >= 0.2) t.true(naive / REPLAYS > 0.05, `p=${p}: naive ${naive / REPLAYS}`);
  }
});

test('a real difference is found, and its mean iterations are reported against a fixed-size test', (t) => {
  // The least share of replays that must decide within 300 iterations: lower for 20% -> 2%, where A's
  // own 60 iterations leave its rate uncertain and the test, valid under any stopping, pays for it.
  for (const [pA, pB, power] of [
    [0.35, 0.05, 0.9],
    [0.2, 0.02, 0.7],
    [0.05, 0.3, 0.8],
  ] as const) {
    let decided = 0;
    let iterations = 0;
    for (let seed = 1; seed <= REPLAYS; seed += 1) {
      const r = replay(seed, pA, pB, 60, 300);
      if (r.decided) decided += 1;
      iterations += r.iterations;
    }
    const fixed = iterationsPerRun(pA, pB);
    const mean = iterations / REPLAYS;
    t.log(
      `${pA} -> ${pB}: decided in ${(100 * decided) / REPLAYS}% of replays, mean ${mean.toFixed(1)} iterations of B (max 300); a fixed-size test planned for this difference at 80% power needs ${fixed} of each`,
    );
    t.true(decided / REPLAYS >= power, `${pA} -> ${pB}: decided ${decided / REPLAYS}`);
    t.true(mean < 300);
  }
});
