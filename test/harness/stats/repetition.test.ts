import test from 'ava';
import { describeRepetition, plannedIterations, stopReason } from '../../../harness/stats/repetition.ts';

test('a fixed --repeat never stops early', (t) => {
  const r = { mode: 'repeat', count: 5 } as const;
  t.is(plannedIterations(r), 5);
  t.is(stopReason(r, 2, { n: 2, failures: 2 }), null);
  t.is(describeRepetition(r), 'repeat 5');
});

test('--until-fail stops after the first target failure, or at --max', (t) => {
  const r = { mode: 'until-fail', max: 10 } as const;
  t.is(stopReason(r, 3, { n: 3, failures: 0 }), null);
  t.is(stopReason(r, 3, { n: 3, failures: 1 }), 'the target bug failed');
  t.is(stopReason(r, 10, { n: 10, failures: 0 }), 'reached --max 10');
});

test('--until-confident stops on a verdict, or at --max with the verdict so far', (t) => {
  const r = { mode: 'until-confident', max: 100, threshold: 0.05 } as const;
  t.is(stopReason(r, 0, { n: 0, failures: 0 }), null);
  t.is(stopReason(r, 4, { n: 4, failures: 1 }), 'verdict reproduced');
  t.is(stopReason(r, 58, { n: 58, failures: 0 }), null);
  t.is(stopReason(r, 59, { n: 59, failures: 0 }), 'verdict below-threshold');
  // Errors do not count: 70 iterations of which 20 errors are 50 verdicts, not enough.
  t.is(stopReason(r, 70, { n: 50, failures: 0 }), null);
  t.is(stopReason({ ...r, max: 30 }, 30, { n: 30, failures: 0 }), 'reached --max 30 (verdict undecided)');
  t.is(describeRepetition(r), 'until-confident (threshold 5%, max 100)');
  t.is(describeRepetition({ ...r, threshold: 0.07 }), 'until-confident (threshold 7%, max 100)');
  t.is(describeRepetition({ ...r, threshold: 0.025 }), 'until-confident (threshold 2.5%, max 100)');
});
