import test from 'ava';
import {
  findAwakeBreak,
  findPromotion,
  findSleepWake,
  isFullWake,
} from '../../../harness/checks/slept-and-woke.ts';
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

// Real lines (macos-outputs.md §3.1): a DarkWake lacks V in its bracket; a user-activity assertion
// promotes it with a `DarkWake to FullWake` line under domain Wake.
const DARK = [
  "2026-01-01 10:05:00 +0000 Sleep               \tEntering Sleep state due to 'Software Sleep pid=101': Using AC (Charge:100%) \t30 secs   ",
  '2026-01-01 10:05:30 +0000 DarkWake            \tDarkWake from Deep Idle [CDNP] : due to RTC/Maintenance Using AC (Charge:100%) \t30 secs   ',
  '2026-01-01 10:05:33 +0000 Wake                \tDarkWake to FullWake from Deep Idle [CDNVAP] : due to UserActivity Assertion Using AC (Charge:100%) \t          ',
  "2026-01-01 10:06:00 +0000 Sleep               \tEntering Sleep state due to 'Maintenance Sleep': Using AC (Charge:100%) \t27 secs   ",
].join('\n');

test('a DarkWake is a wake but not a full one; its promotion is', (t) => {
  const { events } = parsePmsetLog(DARK);
  const found = findSleepWake(events, new Date('2026-01-01T10:04:00Z'));
  t.is(found.wake?.domain, 'DarkWake');
  t.false(isFullWake(found.wake!));
  const promotion = findPromotion(events, found.wake!);
  t.regex(promotion?.message ?? '', /^DarkWake to FullWake/);
  t.true(isFullWake(promotion!));
  t.true(isFullWake(parsePmsetLog(LOG).events[1]!));
});

test('a sleep after the wake breaks it; none before it does', (t) => {
  const { events } = parsePmsetLog(DARK);
  const promotion = events[2]!;
  t.regex(findAwakeBreak(events, promotion)?.message ?? '', /Maintenance Sleep/);
  // Without the later sleep the guest stayed awake.
  const awake = parsePmsetLog(DARK.split('\n').slice(0, 3).join('\n')).events;
  t.is(findAwakeBreak(awake, awake[2]!), undefined);
  // A DarkWake after a full wake breaks it too.
  t.is(findAwakeBreak(events, events[0]!)?.domain, 'DarkWake');
  t.is(findPromotion(awake, awake[2]!), undefined);
});
