// The 95% interval of a difference of two independent rates by Newcombe's hybrid score method
// (Newcombe 1998, method 10): each rate's Wilson interval, combined in quadrature. Unlike the Wald
// interval it stays inside [-1, 1] and keeps its coverage at 0 of n and at small n, where
// intermittent bugs and their fixes live.
import { checkCounts } from './fisher-exact.ts';
import { wilsonInterval, Z95 } from './wilson.ts';

/** Interval of rateB - rateA, where rate = fail / n. */
export function newcombeInterval(
  counts: { failA: number; nA: number; failB: number; nB: number },
  z = Z95,
): [number, number] {
  checkCounts(counts);
  const { failA, nA, failB, nB } = counts;
  const pA = failA / nA;
  const pB = failB / nB;
  const a = wilsonInterval(failA, nA, z);
  const b = wilsonInterval(failB, nB, z);
  const d = pB - pA;
  return [
    d - Math.sqrt((pB - b.lo) ** 2 + (a.hi - pA) ** 2),
    d + Math.sqrt((b.hi - pB) ** 2 + (pA - a.lo) ** 2),
  ];
}
