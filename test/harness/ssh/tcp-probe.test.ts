// The EHOSTUNREACH streak that settles the Local Network question, on a clock of the test's own.
import test from 'ava';
import { type TcpProbeResult, unreachableStreak } from '../../../harness/ssh/tcp-probe.ts';

const unreachable: TcpProbeResult = {
  connected: false,
  code: 'EHOSTUNREACH',
  message: 'connect EHOSTUNREACH',
};
const refused: TcpProbeResult = { connected: false, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' };

test('the streak counts from the first EHOSTUNREACH and any other answer ends it', (t) => {
  const realNow = Date.now;
  let now = 1_000;
  Date.now = () => now;
  try {
    const streak = unreachableStreak();
    t.is(streak(refused), 0);
    t.is(streak(unreachable), 0);
    now += 7_000;
    t.is(streak(unreachable), 7_000);
    now += 8_000;
    t.is(streak(unreachable), 15_000);
    t.is(streak(refused), 0);
    now += 1_000;
    t.is(streak(unreachable), 0, 'a new streak starts after a break');
    now += 2_000;
    t.is(streak(unreachable), 2_000);
    t.is(streak({ connected: true }), 0);
    t.is(streak(unreachable), 0);
  } finally {
    Date.now = realNow;
  }
});
