import test from 'ava';
import fc from 'fast-check';
import { wilsonInterval } from '../../../harness/stats/wilson.ts';

test('4 of 20 gives the issue example 8%-42%', (t) => {
  const { lo, hi } = wilsonInterval(4, 20);
  t.is(Math.round(lo * 100), 8);
  t.is(Math.round(hi * 100), 42);
});

test('0 of n starts at 0 and n of n ends at 1; no data is [0, 1]', (t) => {
  t.is(wilsonInterval(0, 30).lo, 0);
  t.true(wilsonInterval(0, 30).hi < 0.12);
  t.is(wilsonInterval(30, 30).hi, 1);
  t.deepEqual(wilsonInterval(0, 0), { lo: 0, hi: 1 });
});

test('rejects impossible counts', (t) => {
  t.throws(() => wilsonInterval(3, 2), { instanceOf: RangeError, message: /3 of 2/ });
  t.throws(() => wilsonInterval(-1, 2), { instanceOf: RangeError });
});

test('property: the interval is inside [0,1], contains the observed rate, and narrows with n', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
      const k = Math.min(n, Math.floor(f * n));
      const { lo, hi } = wilsonInterval(k, n);
      const more = wilsonInterval(4 * k, 4 * n);
      return (
        lo >= 0 &&
        hi <= 1 &&
        lo <= k / n + 1e-12 &&
        hi >= k / n - 1e-12 &&
        hi - lo >= more.hi - more.lo - 1e-12
      );
    }),
  );
  t.pass();
});

test('property: coverage of a simulated binomial is near 95%', (t) => {
  // Deterministic LCG so that the test never flakes.
  let state = 12345;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (const p of [0.02, 0.2, 0.5]) {
    let covered = 0;
    const trials = 2000;
    for (let trial = 0; trial < trials; trial += 1) {
      let k = 0;
      for (let i = 0; i < 100; i += 1) if (random() < p) k += 1;
      const { lo, hi } = wilsonInterval(k, 100);
      if (lo <= p && p <= hi) covered += 1;
    }
    t.true(covered / trials > 0.9, `p=${p}: coverage ${covered / trials}`);
  }
});
