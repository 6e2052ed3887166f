// pmset over real SSH to a simulated guest: the power log parses into its events, and a relative
// wake is scheduled as root (the sim's pmset refuses it to a user, as macOS does).
import test from 'ava';
import { CommandError } from '../../../harness/errors.ts';
import { readPmsetLog, scheduleRelativeWake } from '../../../harness/macos/pmset.ts';
import { connectedGuest } from '../../helpers/activated-guest.ts';

test('the power log of a booted guest parses into its events, raw kept', async (t) => {
  await using s = await connectedGuest();
  const { raw, log } = await readPmsetLog(s.guest);
  t.regex(raw, /^Time stamp {16}Domain {14}\tMessage/m);
  // A fresh boot holds one event: powerd starting, with no duration.
  t.like(log.events, [{ domain: 'Start', message: 'powerd process is started', durationSeconds: null }]);
  t.is(log.events.length, 1, raw);
});

test('a relative wake is scheduled through sudo; without root pmset refuses it', async (t) => {
  await using s = await connectedGuest();
  await t.notThrowsAsync(scheduleRelativeWake(s.guest, 30));
  const error = await t.throwsAsync(s.guest.exec(['pmset', 'relative', 'wake', '30']), {
    instanceOf: CommandError,
  });
  t.regex(error?.message ?? '', /pmset: This operation must be run as root/);
});
