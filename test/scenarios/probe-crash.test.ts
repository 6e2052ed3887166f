// Issue 12, item 8 at the scenario's level: an app probe that crashes (sshd reports exit-signal) is
// the app's answer, a failed check with the signal named, never an infrastructure error left out of
// the bug rate. The connection it ran on is fine: the iteration goes on to its teardown normally.
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

for (const signal of ['SEGV', 'ABRT'] as const) {
  test(`a probe killed by SIG${signal} fails the check with the signal, not a lost connection`, async (t) => {
    t.timeout(90_000);
    const run = await runOnSim('upgrade-xpc', {
      seed: 8,
      inputs: { 'probe-command': `echo probing; kill -${signal} $$` },
    });
    const [r] = run.results;
    t.is(r?.outcome, 'fail', r?.message);
    t.is(r?.errorType, undefined);
    t.is(r?.failedCheck, 'xpc-endpoint-before-upgrade');
    t.regex(
      r?.message ?? '',
      new RegExp(
        `^XPC round trip failed: the app's probe \`[^\`]+\` was killed by SIG${signal} \\(exit code \\d+\\) `,
      ),
    );
    t.notRegex(r?.message ?? '', /connection lost/);
  });
}
