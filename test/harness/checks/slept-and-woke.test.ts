import test from 'ava';
import { findSleepWake } from '../../../harness/checks/slept-and-woke.ts';
import { parsePmsetLog } from '../../../harness/parse/pmset-log.ts';

const LOG = [
  'Sleep/Wakes since boot at 2026-01-01 10:00:00 +0000 :2   Dark Wake Count in this sleep cycle:0',
  '',
  'Time stamp                Domain              \tMessage                                                                 \tDuration  ',
  '==========                ======              \t=======                                                                 \t========  ',
  "2026-01-01 10:05:00 +0000 Sleep               \tEntering Sleep state due to 'Software Sleep pid=101': Using AC (Charge:100%) \t30 secs   ",
  '2026-01-01 10:05:30 +0000 Wake                \tWake from Deep Idle [CDNVA] : due to RTC/Maintenance Using AC (Charge:100%) \t5 secs    ',
  "2026-01-01 11:00:00 +0000 Sleep               \tEntering Sleep state due to 'Software Sleep pid=202': Using AC (Charge:100%) \t30 secs   ",
].join('\n');

test('finds the sleep at or after `since` and the wake after it', (t) => {
  const { events } = parsePmsetLog(LOG);
  const found = findSleepWake(events, new Date('2026-01-01T10:04:59.500Z'));
  t.regex(found.sleep?.message ?? '', /pid=101/);
  t.regex(found.wake?.message ?? '', /Wake from Deep Idle/);
});

test('a sleep in the same second as `since` counts; a later sleep without a wake is only half', (t) => {
  const { events } = parsePmsetLog(LOG);
  t.truthy(findSleepWake(events, new Date('2026-01-01T10:05:00.900Z')).wake);
  const late = findSleepWake(events, new Date('2026-01-01T10:30:00Z'));
  t.regex(late.sleep?.message ?? '', /pid=202/);
  t.is(late.wake, undefined);
  t.deepEqual(findSleepWake(events, new Date('2026-01-01T12:00:00Z')), {});
});
