import test from 'ava';
import { coverageOverSeeds, ITERATIONS_PER_SEED } from './rate-coverage.ts';

test(`seeds 6-10, ${ITERATIONS_PER_SEED} upgrades each at a true rate of 0.2: at most one 95% interval misses it`, async (t) => {
  await coverageOverSeeds(t, [6, 7, 8, 9, 10]);
});
