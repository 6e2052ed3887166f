import test from 'ava';
import { coverageOverSeeds, ITERATIONS_PER_SEED } from './rate-coverage.ts';

test(`seeds 1-5, ${ITERATIONS_PER_SEED} upgrades each at a true rate of 0.2: at most one 95% interval misses it`, async (t) => {
  await coverageOverSeeds(t, [1, 2, 3, 4, 5]);
});
