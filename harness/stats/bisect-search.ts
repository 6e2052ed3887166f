// Which build broke it? A binary search over builds ordered by version for the first whose rate is
// above the threshold, assuming that once a build is above, later ones are too (a regression, not a
// flicker). Each probe runs until its own verdict, so iterations go where they decide: a build far
// from the boundary is never run.

import type { ThresholdVerdict } from './threshold-verdict.ts';

export interface BisectResult {
  /** Index of the first build above the threshold; null when none is (or the search stopped). */
  firstAbove: number | null;
  /** The build whose probe ended undecided (at --max), which stopped the search. */
  undecided?: number;
  /** Probes in the order they ran. */
  probes: { index: number; verdict: ThresholdVerdict }[];
}

export async function bisectBuilds(
  count: number,
  probe: (index: number) => Promise<ThresholdVerdict>,
): Promise<BisectResult> {
  const probes: BisectResult['probes'] = [];
  // Every build before lo is below; every build from hi on is above (hi = count: none known above).
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const verdict = await probe(mid);
    probes.push({ index: mid, verdict });
    if (verdict === 'above') hi = mid;
    else if (verdict === 'below') lo = mid + 1;
    else return { firstAbove: null, undecided: mid, probes };
  }
  return { firstAbove: hi < count ? hi : null, probes };
}
