import test from 'ava';
import { fisherExactTwoSided } from '../../../harness/stats/fisher-exact.ts';
import { flagNights } from '../../../harness/stats/night-flags.ts';

test('a night far above its window is flagged; a better night and a first night are not', (t) => {
  const quiet = Array.from({ length: 7 }, () => ({ fail: 1, n: 10 }));
  const flags = flagNights([...quiet, { fail: 8, n: 10 }, { fail: 0, n: 10 }]);
  t.false(flags[0]?.flagged);
  t.deepEqual(flags[7]?.window, { fail: 7, n: 70 });
  t.is(flags[7]?.pValue, fisherExactTwoSided({ failA: 7, nA: 70, failB: 8, nB: 10 }));
  t.true(flags[7]?.flagged);
  // The bad night is in the next night's window, and a night below is never flagged.
  t.false(flags[8]?.flagged);
});

test('the window holds the previous nights only, and nights without a verdict are skipped', (t) => {
  const nights = [
    { fail: 9, n: 10 },
    ...Array.from({ length: 3 }, () => ({ fail: 0, n: 10 })),
    { fail: 0, n: 0 },
    { fail: 6, n: 10 },
  ];
  const flags = flagNights(nights, { window: 3 });
  t.deepEqual(flags[5]?.window, { fail: 0, n: 20 });
  t.true(flags[5]?.flagged);
  t.deepEqual(flags[4], { flagged: false });
  // A window given as undefined is the default of 7 nights, not all of them.
  const long = Array.from({ length: 10 }, () => ({ fail: 1, n: 4 }));
  t.deepEqual(flagNights(long, { window: undefined })[9]?.window, { fail: 7, n: 28 });
});
