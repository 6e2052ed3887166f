import test from 'ava';
import fc from 'fast-check';
import { newcombeInterval } from '../../../harness/stats/newcombe.ts';

// Newcombe RG, "Interval estimation for the difference between independent proportions: comparison
// of eleven methods", Statistics in Medicine 1998;17:873-890, Table II, method 10, examples (a), (b),
// (d), (e) and (g): (k1/n1, k2/n2) -> the interval of p1 - p2, to 4 decimals. Our A is the paper's
// second sample and B its first, since we report rateB - rateA.
const table2: [number, number, number, number, number, number][] = [
  [56, 70, 48, 80, 0.0524, 0.3339],
  [9, 10, 3, 10, 0.1705, 0.809],
  [5, 56, 0, 29, -0.0381, 0.1926],
  [0, 10, 0, 20, -0.1611, 0.2775],
  [10, 10, 0, 20, 0.6791, 1],
];

for (const [k1, n1, k2, n2, lo, hi] of table2) {
  test(`Newcombe 1998 Table II: ${k1}/${n1} - ${k2}/${n2} is ${lo} to ${hi}`, (t) => {
    const [gotLo, gotHi] = newcombeInterval({ failB: k1, nB: n1, failA: k2, nA: n2 });
    t.is(Number(gotLo.toFixed(4)), lo);
    t.is(Number(gotHi.toFixed(4)), hi);
  });
}

test('property: inside [-1, 1], contains the observed difference, mirrors when the runs swap', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 500 }),
      fc.integer({ min: 1, max: 500 }),
      fc.nat(),
      fc.nat(),
      (nA, nB, x, y) => {
        const failA = x % (nA + 1);
        const failB = y % (nB + 1);
        const [lo, hi] = newcombeInterval({ failA, nA, failB, nB });
        const [swapLo, swapHi] = newcombeInterval({ failA: failB, nA: nB, failB: failA, nB: nA });
        const d = failB / nB - failA / nA;
        return (
          lo >= -1 - 1e-12 &&
          hi <= 1 + 1e-12 &&
          lo <= d + 1e-12 &&
          hi >= d - 1e-12 &&
          Math.abs(lo + swapHi) < 1e-12 &&
          Math.abs(hi + swapLo) < 1e-12
        );
      },
    ),
  );
  t.pass();
});
