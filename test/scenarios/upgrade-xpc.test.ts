// upgrade-xpc's additions: the bootstrap look-up through our guest tool, and --reboot-probe.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

test('endpoint block lost (a reboot restores it): the reboot probe records "recovered"', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('upgrade-xpc', {
    seed: 8,
    quirks: { 'xpc-endpoint-lost-on-upgrade': 1 },
    inputs: { 'reboot-probe': 'true' },
  });
  const [r] = run.results;
  t.is(r?.outcome, 'fail');
  t.true(r?.matchesSignature);
  t.regex(r?.message ?? '', /has no endpoints block .*; reboot probe: a reboot recovered the endpoint$/);
  t.deepEqual(r?.findings, { 'approval-strategy': 'ui', 'reboot-probe': 'recovered' });
  t.deepEqual(run.summary.scenarios[0]?.findings, {
    'approval-strategy': { ui: 1 },
    'reboot-probe': { recovered: 1 },
  });
  t.regex(
    readFileSync(join(run.runDir, 'junit.xml'), 'utf8'),
    /<property name="reboot-probe\.recovered" value="1"\/>/,
  );
});

test('endpoint listed but look-up fails with 1102: found by the guest tool, not healed by a reboot', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('upgrade-xpc', {
    seed: 8,
    quirks: { 'xpc-invalidated-until-reapproval': 1 },
    inputs: { 'reboot-probe': 'true' },
  });
  const [r] = run.results;
  t.is(r?.failedCheck, 'xpc-endpoint-after-upgrade');
  t.regex(
    r?.message ?? '',
    /^XPC endpoint not reachable: system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 lists "[^"]+" in its endpoints block, but a bootstrap look-up of it as root fails: 1102 \(Unknown service name\); still so at the 2000 ms deadline \(\d+ reads\); reboot probe: still missing after a reboot/,
  );
  t.deepEqual(r?.findings, { 'approval-strategy': 'ui', 'reboot-probe': 'not-recovered' });
  const transcript = readFileSync(join(run.runDir, 'iterations', '1', 'transcript.log'), 'utf8');
  // Built once per VM, then found by `test -x`.
  t.is(transcript.match(/\) cc -O2 -Wall -o \/Users\/admin\/sxl-tools\/sxl-bootstrap-lookup /g)?.length, 1);
  const lookup = readFileSync(
    join(run.runDir, 'iterations', '1', 'evidence', 'bootstrap-lookup.txt'),
    'utf8',
  );
  t.regex(lookup, /bootstrap_look_up \S+: 1102 \(Unknown service name\)/);
});

test('a probe command that exits non-zero fails the check with its output', async (t) => {
  t.timeout(90_000);
  const run = await runOnSim('upgrade-xpc', {
    seed: 8,
    inputs: { 'probe-command': 'echo no reply >&2; false' },
  });
  const [r] = run.results;
  t.is(r?.failedCheck, 'xpc-endpoint-before-upgrade');
  t.false(r?.matchesSignature);
  t.regex(
    r?.message ?? '',
    /^XPC round trip failed: the app's probe `echo no reply >&2; false` exited 1 .*: no reply$/,
  );
  t.like(run.summary.scenarios[0], { fail: 0, otherFailures: 1, failureRate: null });
});
