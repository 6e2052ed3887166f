// The app's probe command at the scenario's level. One that crashes (sshd reports exit-signal) or
// exits non-zero is the app's answer, a failed check (issue 12, item 8); the connection it ran on is
// fine, so the iteration goes on to its teardown normally. One that the guest's shell could not find
// or execute never gave an answer: an error (ProbeNotRunError), never the bug.
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

test('a probe that exits non-zero fails the check with its exit code and its output', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('upgrade-xpc', {
    seed: 8,
    inputs: { 'probe-command': 'echo no reply >&2; exit 3' },
  });
  const [r] = run.results;
  t.is(r?.outcome, 'fail', r?.message);
  t.is(r?.failedCheck, 'xpc-endpoint-before-upgrade');
  t.regex(r?.message ?? '', /^XPC round trip failed: the app's probe `[^`]+` exited 3 while .*: no reply$/);
});

const notRun = [
  [
    'a probe the shell cannot find',
    '/Applications/Missing.app/Contents/MacOS/probe',
    127,
    /no such file or directory/,
  ],
  ['a probe that is not executable', 'echo data > /tmp/sxl-probe; /tmp/sxl-probe', 126, /permission denied/],
  ['a misspelt probe command', 'sxl-no-such-probe --ping', 127, /command not found/],
] as const;
for (const [what, command, exitCode, shellSays] of notRun) {
  test(`${what} is a ProbeNotRunError (exit ${exitCode}), not a failed check`, async (t) => {
    t.timeout(90_000);
    const run = await runOnSim('upgrade-xpc', { seed: 8, inputs: { 'probe-command': command } });
    const [r] = run.results;
    t.is(r?.outcome, 'error', r?.message);
    t.is(r?.errorType, 'ProbeNotRunError');
    t.is(r?.failedCheck, undefined);
    t.falsy(r?.matchesSignature);
    t.true((r?.message ?? '').startsWith(`The probe command \`${command}\` did not run on sxl-`), r?.message);
    t.regex(r?.message ?? '', new RegExp(`the shell exited ${exitCode} \\(zsh:1: ${shellSays.source}`));
    t.regex(r?.message ?? '', /Check --input probe-command/);
  });
}
