import test from 'ava';
import fc from 'fast-check';
import { fisherExactTwoSided } from '../../../harness/stats/fisher-exact.ts';

// Published values: R's ?fisher.test examples (TeaTasting: p-value = 0.4857; Convictions, two-sided:
// p-value = 0.0005367) and Wikipedia's "Fisher's exact test" dieting example (p = 0.002759).
test("R's fisher.test documentation: TeaTasting and Convictions", (t) => {
  // TeaTasting: rows Milk 3 1 / Tea 1 3.
  t.is(Number(fisherExactTwoSided({ failA: 3, nA: 4, failB: 1, nB: 4 }).toPrecision(4)), 0.4857);
  // Convictions: Dizygotic 2 15 / Monozygotic 10 3.
  t.is(Number(fisherExactTwoSided({ failA: 2, nA: 17, failB: 10, nB: 13 }).toPrecision(4)), 0.0005367);
});

test("Wikipedia's dieting example: 1 of 10 men against 11 of 14 women", (t) => {
  t.is(Number(fisherExactTwoSided({ failA: 1, nA: 10, failB: 11, nB: 14 }).toPrecision(4)), 0.002759);
});

test('equal counts give 1; the test is symmetric in the runs and in fail/pass', (t) => {
  t.true(Math.abs(fisherExactTwoSided({ failA: 5, nA: 20, failB: 5, nB: 20 }) - 1) < 1e-12);
  t.is(fisherExactTwoSided({ failA: 0, nA: 10, failB: 0, nB: 10 }), 1);
  const p = fisherExactTwoSided({ failA: 12, nA: 60, failB: 0, nB: 59 });
  t.true(Math.abs(p - fisherExactTwoSided({ failA: 0, nA: 59, failB: 12, nB: 60 })) < 1e-12);
  t.true(Math.abs(p - fisherExactTwoSided({ failA: 48, nA: 60, failB: 59, nB: 59 })) < 1e-12);
  t.true(p < 0.001, `p = ${p}`);
});

test('rejects impossible counts', (t) => {
  t.throws(() => fisherExactTwoSided({ failA: 3, nA: 2, failB: 0, nB: 1 }), {
    instanceOf: RangeError,
    message: /3 of 2 for A/,
  });
  t.throws(() => fisherExactTwoSided({ failA: 0, nA: 0, failB: 0, nB: 1 }), { instanceOf: RangeError });
});

// An independent method: every table with the observed margins, its probability from exact
// binomial coefficients in BigInt (no logarithms), the two-sided sum by R's rule.
function bruteForce(failA: number, nA: number, failB: number, nB: number): number {
  const choose = (n: number, k: number): bigint => {
    let r = 1n;
    for (let i = 1; i <= k; i += 1) r = (r * BigInt(n - k + i)) / BigInt(i);
    return r;
  };
  const failures = failA + failB;
  const weights: bigint[] = [];
  for (let x = Math.max(0, failures - nB); x <= Math.min(failures, nA); x += 1) {
    weights.push(choose(nA, x) * choose(nB, failures - x));
  }
  const observed = choose(nA, failA) * choose(nB, failB);
  const total = weights.reduce((s, w) => s + w, 0n);
  // w <= observed * (1 + 1e-7), kept in integers.
  const tail = weights.filter((w) => w * 10_000_000n <= observed * 10_000_001n).reduce((s, w) => s + w, 0n);
  return Number((tail * 10n ** 15n) / total) / 1e15;
}

test('property: equals exact enumeration over all tables with the same margins', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 80 }),
      fc.integer({ min: 1, max: 80 }),
      fc.nat(),
      fc.nat(),
      (nA, nB, x, y) => {
        const failA = x % (nA + 1);
        const failB = y % (nB + 1);
        const p = fisherExactTwoSided({ failA, nA, failB, nB });
        return Math.abs(p - bruteForce(failA, nA, failB, nB)) < 1e-9;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});
