// Guest traffic over real SSH to a simulated guest: curl's HTTP code for a URL that answers, and
// curl's own failure (exit 6, could not resolve) as a CommandError rather than an empty code.
import test from 'ava';
import { CommandError } from '../../../harness/errors.ts';
import { curlStatus } from '../../../harness/macos/traffic.ts';
import { connectedGuest } from '../../helpers/activated-guest.ts';

test('the default URL answers 200; a host that does not resolve is curl exit 6, a CommandError', async (t) => {
  await using s = await connectedGuest();
  t.is(await curlStatus(s.guest), '200');
  const error = await t.throwsAsync(curlStatus(s.guest, 'https://no-such-host.invalid/'), {
    instanceOf: CommandError,
  });
  t.is(error?.exitCode, 6);
  t.regex(error?.stderrTail ?? '', /^curl: \(6\) Could not resolve host: no-such-host\.invalid/);
});
