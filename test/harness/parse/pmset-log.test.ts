import test from 'ava';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parsePmsetLog } from '../../../harness/parse/pmset-log.ts';
import { expandTabs, fixture, windowsPaste } from './helpers.ts';

test('header lines and UUID are skipped; a Notification event with an empty duration', (t) => {
  t.deepEqual(parsePmsetLog(fixture('pmset-log-header.txt')).events, [
    {
      timestamp: '2019-06-16T20:22:41+02:00',
      domain: 'Notification',
      kind: 'other',
      message: 'Display is turned off',
      durationSeconds: null,
    },
  ]);
});

test('wake, DarkWake to FullWake, darkwake and software sleep (oc-m3800 #7)', (t) => {
  const { events } = parsePmsetLog(fixture('pmset-log-wake-sleep.txt'));
  t.deepEqual(
    events.map((e) => [e.timestamp, e.domain, e.kind, e.durationSeconds]),
    [
      ['2021-01-21T18:56:45+01:00', 'Wake', 'wake', 16],
      ['2021-01-21T18:57:40+01:00', 'Wake', 'wake', null],
      ['2021-01-21T20:15:31+01:00', 'DarkWake', 'darkwake', 14],
      ['2021-01-21T20:15:47+01:00', 'Sleep', 'sleep', 36],
    ],
  );
  t.is(events[0]!.message, 'Wake from Normal Sleep [CDNVA] : due to GLAN/Lid Open Using AC (Charge:100%)');
  t.is(
    events[1]!.message,
    'DarkWake to FullWake from Normal Sleep [CDNVA] : due to UserActivity Assertion Using AC (Charge:100%)',
  );
  t.is(events[3]!.message, "Entering DarkWake state due to 'Software Sleep pid=143': Using AC (Charge:100%)");
});

test('a real TAB before the Duration column, other domains and negative offsets', (t) => {
  const text = [
    `2024-03-01 10:00:00 -0800 Sleep               \tEntering Sleep state due to 'Software Sleep pid=1':${' '.repeat(20)}\t45 secs   \t`,
    '2024-03-01 10:00:45 -0800 Wake Requests       \t[*process=mDNSResponder request=Maintenance deltaSecs=995]',
    '2024-03-01 10:00:46 -0800 Assertions          \tPID 202(mDNSResponder) Created MaintenanceWake "mDNSResponder:maintenance" 00:00:00  id:0x0xd00008598 [System: DeclUser]',
    'Total Sleep/Wakes since boot:1',
  ].join('\n');
  const { events } = parsePmsetLog(text);
  t.like(events[0], { timestamp: '2024-03-01T10:00:00-08:00', kind: 'sleep', durationSeconds: 45 });
  t.is(events[0]!.message, "Entering Sleep state due to 'Software Sleep pid=1':");
  t.like(events[1], { domain: 'Wake Requests', kind: 'other', durationSeconds: null });
  t.like(events[2], { domain: 'Assertions', kind: 'other' });
});

test('expanded TABs, collapsed whitespace and CRLF give the same events', (t) => {
  const text = fixture('pmset-log-wake-sleep.txt');
  const expected = parsePmsetLog(text);
  t.deepEqual(parsePmsetLog(expandTabs(text)), expected);
  t.deepEqual(parsePmsetLog(windowsPaste(text)), expected);
  t.deepEqual(parsePmsetLog(text.replace(/[ \t]+/g, ' ')), expected);
});

test('an excerpt cut mid-line keeps the complete events; garbage is a ParseError', (t) => {
  const text = fixture('pmset-log-wake-sleep.txt');
  t.is(parsePmsetLog(text.slice(0, text.indexOf('2021-01-21 20:15:47') + 10)).events.length, 3);
  t.like(
    t.throws(() => parsePmsetLog('hello world\n'), { instanceOf: ParseError }),
    { line: 1, kind: 'pmset-log' },
  );
  t.deepEqual(parsePmsetLog('').events, []);
});
