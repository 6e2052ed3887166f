// Issue 12's fault-injection suite: the whole CLI under each fault, and after each the promises of
// the hardening issue (see run-under-fault.ts). Small in `make test`; every quirk and every signal
// moment with SXL_ACCEPTANCE=1 (`make acceptance`). The table is printed at the end.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { quoteArg } from '../../harness/ssh/shell-quote.ts';
import { QUIRKS } from '../../sim/quirks.ts';
import { acceptance } from '../scenarios/test-size.ts';
import { type FaultPlan, type FaultRow, mountTmpfs, plantedToken, runUnderFault } from './run-under-fault.ts';

const rows: FaultRow[] = [];

// make test keeps to the few that cover the most (hardening.test.ts covers kill -9 in detail).
const smallQuirks = ['xpc-endpoint-lost-on-upgrade'];
// sshd-dies-mid-transfer has its own row below (the SSH server that dies mid-transfer).
const quirkPlans: FaultPlan[] = (acceptance ? Object.keys(QUIRKS) : smallQuirks)
  .filter((quirk) => quirk !== 'sshd-dies-mid-transfer')
  .map((quirk) => ({
    name: `quirk ${quirk}=1`,
    args: ['--quirk', `${quirk}=1`, '--seed', '7'],
  }));

const bootLine = /\[1\/1\] .*cloning and booting/;
const stepLine = /install old build \.\.\./;
const evidenceLine = /check XPC endpoint after upgrade: FAILED/;
const evidenceArgs = [
  '--quirk',
  'xpc-endpoint-lost-on-upgrade=1',
  '--quirk',
  'sysdiagnose-hang=1',
  '--sysdiagnose-timeout',
  '60',
];
// The probe prints the planted secret, then reboots the guest under the run. (The sim reboots once
// the command has answered, so the harness's next command is under way when its connection drops.)
const rebootProbe = `probe-command=printf '%s\\n' ${quoteArg(plantedToken)}; sudo -n shutdown -r now`;
// What each of these faults must have done, seen in the run's output (the fault really happened).
const happened: Record<string, RegExp> = {
  // The upload of the old build is cut: the sshd died with the copy under way.
  'SSH server dies mid-transfer': /ERROR .*Exit code none \(connection lost\) from `sftp put /,
  // A command of the harness was under way when the reboot took the connection.
  'guest reboots mid-command': /ERROR .*Exit code none \(connection lost\) from `/,
};
const signalPlans: FaultPlan[] = [
  { name: 'SIGINT mid-step', signals: { at: stepLine, send: ['SIGINT'] } },
  {
    name: 'SSH server dies mid-transfer',
    args: ['--quirk', 'sshd-dies-mid-transfer=1', '--seed', '7', '--evidence', 'always'],
  },
  { name: 'guest reboots mid-command', args: ['--input', rebootProbe] },
  ...(acceptance
    ? ([
        { name: 'kill -9 mid-step, then reap', signals: { at: stepLine, send: ['SIGKILL'] } },
        { name: 'SIGTERM at boot', signals: { at: bootLine, send: ['SIGTERM'] } },
        {
          name: 'SIGINT during evidence',
          args: evidenceArgs,
          signals: { at: evidenceLine, send: ['SIGINT'], delayMs: 100 },
        },
        { name: 'SIGINT at boot', signals: { at: bootLine, send: ['SIGINT'] } },
        { name: 'SIGINT twice at boot', signals: { at: bootLine, send: ['SIGINT', 'SIGINT'] } },
        { name: 'SIGINT twice mid-step', signals: { at: stepLine, send: ['SIGINT', 'SIGINT'] } },
        {
          name: 'SIGINT twice during evidence',
          args: evidenceArgs,
          signals: { at: evidenceLine, send: ['SIGINT', 'SIGINT'], delayMs: 100 },
        },
        { name: 'SIGTERM mid-step', signals: { at: stepLine, send: ['SIGTERM'] } },
        { name: 'kill -9 at boot, then reap', signals: { at: bootLine, send: ['SIGKILL'] } },
        {
          name: 'ssh-drop at 30%, 3 iterations',
          args: ['--quirk', 'ssh-drop=0.3', '--repeat', '3', '--seed', '5'],
        },
      ] satisfies FaultPlan[])
    : []),
];

// ava starts every test of a file at once. Each plan starts its own sim and CLI, and thirty of them
// at once on two cores turned the suite's bounds into timeouts and starved the signal moments: at
// most two run at a time, and a test's bound starts when its run does.
const runSlots = slots(2);

for (const plan of [...quirkPlans, ...signalPlans]) {
  test(plan.name, async (t) => {
    t.timeout(900_000);
    const row = await runSlots(() => {
      t.timeout(240_000);
      return runUnderFault(plan);
    });
    rows.push(row);
    assertPromises(t, row);
    const evidence = happened[plan.name];
    if (evidence) t.regex(row.stdout, evidence, `the fault happened: ${row.stdout}\n${row.stderr}`);
  });
}

// In make test, test/harness/cli/disk-full.test.ts covers it (with the marker and *.tmp checks).
(acceptance ? test : test.skip)('full filesystem (a 120 KB tmpfs)', async (t) => {
  t.timeout(900_000);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-fault-full-'));
  if (!mountTmpfs(dir, 'size=120k')) {
    t.log('skipped: mounting a tmpfs needs root');
    t.pass();
    return;
  }
  t.teardown(() => execFileSync('umount', [dir]));
  const row = await runSlots(() =>
    runUnderFault({
      name: 'full filesystem',
      artifacts: dir,
      args: ['--quirk', 'xpc-endpoint-lost-on-upgrade=1', '--evidence', 'always', '--repeat', '4'],
    }),
  );
  // The fault happened; a report that could not be written makes the run an infrastructure error.
  t.regex(row.stderr + row.stdout, /ENOSPC/);
  if (/Could not write a report/.test(row.stderr)) row.expectedExit = 3;
  rows.push(row);
  assertPromises(t, row, { junitMayBeMissing: true });
});

test('read-only artifacts folder', async (t) => {
  t.timeout(900_000);
  const dir = mkdtempSync(join(tmpdir(), 'sxl-fault-ro-'));
  let mounted = mountTmpfs(dir, 'ro,size=64k');
  if (!mounted) execFileSync('chmod', ['555', dir]);
  t.teardown(() => {
    if (mounted) execFileSync('umount', [dir]);
    mounted = false;
  });
  const row = await runSlots(() =>
    runUnderFault({ name: 'read-only artifacts folder', artifacts: join(dir, 'artifacts') }),
  );
  rows.push(row);
  t.is(row.exitCode, 2, row.stderr);
  t.regex(row.stderr, /^sysext-lab: --artifacts .*: cannot create /);
  t.is(row.vmsLeft, 0);
  t.deepEqual(row.secretsFound, []);
});

/** Runs at most `count` of the given jobs at a time, in the order they asked. */
function slots(count: number): <T>(job: () => Promise<T>) => Promise<T> {
  let free = count;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    }
  };
}

test.after.always('the table', () => {
  const header = [
    'fault',
    'exit code',
    'expected',
    'junit.xml',
    'VMs left',
    'secrets found',
    'results lost',
    'processes left',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${r.fault} | ${r.exitCode ?? 'killed'} | ${r.expectedExit} | ${r.junit} | ${r.vmsLeft} | ${r.secretsFound.length} | ${r.resultsLost} | ${r.processesLeft.length} |`,
    ),
  ];
  console.log(`\nFault-injection suite (${acceptance ? 'full' : 'small'}):\n${lines.join('\n')}\n`);
});

function assertPromises(
  t: import('ava').ExecutionContext,
  row: FaultRow,
  options: { junitMayBeMissing?: boolean } = {},
): void {
  const context = `${row.fault}\n${row.stdout}\n${row.stderr}`;
  if (typeof row.expectedExit === 'number') t.is(row.exitCode, row.expectedExit, context);
  else {
    t.is(row.exitCode, null, context);
    t.is(row.recordedExit, 130, `reap finished the killed run: ${context}`);
  }
  if (!(options.junitMayBeMissing && row.junit === 'none')) t.regex(row.junit, /^valid, /, context);
  t.is(row.vmsLeft, 0, context);
  t.deepEqual(row.secretsFound, [], context);
  t.is(row.resultsLost, 0, context);
  t.deepEqual(row.processesLeft, [], context);
  t.notRegex(row.stderr, /^\s+at .*\(.*:\d+:\d+\)$/m, `no stack trace: ${context}`);
}
