// Issue 17: each infrastructure quirk ends the iterations it hits as an `error` typed by its cause,
// never as a `fail` and never on the signature. Runs of upgrade-xpc are small (1-3 iterations); where
// the target bug is on as well, an iteration the quirk spares fails on the signature as it should,
// which shows the run would have counted the bug there.
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

const TARGET = { 'xpc-endpoint-lost-on-upgrade': 1 };

test("boot-fail: every iteration is a HostCommandError with tart's VZErrorDomain text, none on the signature", async (t) => {
  t.timeout(120_000);
  const run = await runOnSim('upgrade-xpc', { seed: 3, repeat: 2, quirks: { ...TARGET, 'boot-fail': 1 } });
  t.is(run.results.length, 2);
  for (const r of run.results) {
    t.like(r, { outcome: 'error', errorType: 'HostCommandError' });
    t.not(r.matchesSignature, true);
    t.regex(r.message ?? '', /VZErrorDomain Code=1 "The virtual machine failed to start\."/);
  }
  t.like(run.summary.scenarios[0], { fail: 0, error: 2 });
});

test('vm-limit-leak: once two slots leaked, tart run is refused: a HostPreconditionError, not the signature', async (t) => {
  t.timeout(120_000);
  const run = await runOnSim('upgrade-xpc', {
    seed: 3,
    repeat: 3,
    quirks: { ...TARGET, 'vm-limit-leak': 1 },
  });
  const [first, second, third] = run.results;
  // The first two VMs ran (and leaked their slots at shutdown): the bug shows, on the signature.
  t.like(first, { outcome: 'fail', matchesSignature: true });
  t.like(second, { outcome: 'fail', matchesSignature: true });
  t.like(third, { outcome: 'error', errorType: 'HostPreconditionError' });
  t.not(third?.matchesSignature, true);
  t.regex(third?.message ?? '', /The number of VMs exceeds the system limit/);
});

test('ssh-drop: a connection reset in any step (activation, a check) is a CommandError, never a fail', async (t) => {
  t.timeout(180_000);
  const run = await runOnSim('upgrade-xpc', { seed: 5, repeat: 3, quirks: { 'ssh-drop': 0.01 } });
  t.is(run.results.length, 3);
  for (const r of run.results) {
    t.not(r.outcome, 'fail', `iteration ${r.iteration}: ${r.message}`);
    if (r.outcome !== 'error') continue;
    t.is(r.errorType, 'CommandError');
    t.regex(r.message ?? '', /^Exit code none \(connection lost\) from `/);
  }
  // Where the resets land depends on how often the polls read (timing): only their effect is fixed.
  const errors = run.results.filter((r) => r.outcome === 'error');
  t.true(errors.length >= 1);
  t.log(`reset in: ${errors.map((r) => r.steps.at(-1)?.name).join(', ')}`);
  t.like(run.summary.scenarios[0], { fail: 0 });
});

// sysdiagnose runs only as evidence, after the checks decided the outcome, and evidence never changes
// an outcome: a hang is a recorded evidence problem, neither an `error` nor a `fail` of its own. So a
// clean iteration stays a pass, and one that showed the bug stays on the signature (next test).
test('sysdiagnose-hang: the evidence records the timeout; the outcome is the one the checks gave', async (t) => {
  t.timeout(120_000);
  const run = await runOnSim('upgrade-xpc', {
    seed: 3,
    repeat: 1,
    quirks: { 'sysdiagnose-hang': 1 },
    evidence: 'always',
    sysdiagnoseTimeoutMs: 2_000,
  });
  const [r] = run.results;
  t.is(r?.outcome, 'pass');
  t.not(r?.matchesSignature, true);
  t.like(
    r?.evidence?.problems.find((p) => p.collector === 'sysdiagnose'),
    {
      reason: 'timed-out',
      partialFiles: 0,
    },
  );
});

test('sysdiagnose-hang with the bug on: the iteration stays a fail on the signature, the hang a recorded problem', async (t) => {
  t.timeout(120_000);
  const run = await runOnSim('upgrade-xpc', {
    seed: 3,
    repeat: 1,
    quirks: { ...TARGET, 'sysdiagnose-hang': 1 },
    sysdiagnoseTimeoutMs: 2_000,
  });
  const [r] = run.results;
  t.like(r, { outcome: 'fail', matchesSignature: true, failedCheck: 'xpc-endpoint-after-upgrade' });
  t.like(
    r?.evidence?.problems.find((p) => p.collector === 'sysdiagnose'),
    { reason: 'timed-out', partialFiles: 0 },
  );
});

test('no-ip: a VM that never gets a lease is a WaitTimeoutError for its IP, not the signature', async (t) => {
  t.timeout(120_000);
  const run = await runOnSim('upgrade-xpc', { seed: 3, repeat: 1, quirks: { ...TARGET, 'no-ip': 1 } });
  const [r] = run.results;
  t.like(r, { outcome: 'error', errorType: 'WaitTimeoutError' });
  t.not(r?.matchesSignature, true);
  t.regex(
    r?.message ?? '',
    /waiting for an IP address \(tart ip sxl-[\w-]+\) on sxl-[\w-]+; last seen: no IP address found$/,
  );
});
