// sysext-lab doctor on the simulated Mac: every check listed and passing with no fault, and each
// fault the sim models (host faults, image quirks, a leaked VM slot) failing its own line with its
// fix and exit 1; a run that meets the VM limit stops with the same advice.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { CHECK_IDS, type DoctorCheck } from '../../../harness/doctor/doctor-check.ts';
import { onlyRunDir, runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv, repo, type SimEnv } from '../../helpers/sim-env.ts';

interface DoctorJson {
  checks: DoctorCheck[];
  exitCode: number;
}

async function doctor(sim: SimEnv, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(sim, ['doctor', '--backend', 'sim', '--json', ...args], env);
  const report = result.stdout ? (JSON.parse(result.stdout) as DoctorJson) : undefined;
  const status = (id: string) => report?.checks.find((c) => c.id === id)?.status;
  return { ...result, report, status };
}

/** The ids of the failed lines; each must say what to do and where the fact comes from. */
function failed(report: DoctorJson | undefined): string[] {
  const lines = (report?.checks ?? []).filter((c) => c.status === 'fail');
  for (const c of lines) {
    if (!c.fix || !/\.$/.test(c.fix)) throw new Error(`${c.id} fails without a one-sentence fix: "${c.fix}"`);
    if (!c.reference || /https?:\/\//.test(c.reference))
      throw new Error(`${c.id}: bad reference "${c.reference}"`);
  }
  return lines.map((c) => c.id);
}

test('with no fault doctor lists every check, fails none and exits 0', async (t) => {
  const sim = makeSimEnv();
  const { code, report, stderr } = await doctor(sim);
  t.is(code, 0, stderr);
  // The fleet checks are Orchard's, in place of the host checks of a Mac such as the sim.
  t.deepEqual(
    report?.checks.map((c) => c.id),
    CHECK_IDS.filter((id) => !id.startsWith('fleet-')),
  );
  t.deepEqual(failed(report), []);
  for (const c of report?.checks ?? []) {
    t.truthy(c.message, c.id);
    t.truthy(c.reference, c.id);
    t.false(/https?:\/\//.test(c.reference), `${c.id}: references carry no links`);
    if (c.status !== 'ok') t.truthy(c.fix, `${c.id} says what to do`);
  }
});

test('the tahoe image passes doctor too (its System Settings opens on By App)', async (t) => {
  const sim = makeSimEnv();
  const record = join(sim.dir, 'report');
  const { code, report, stderr } = await doctor(sim, [
    '--image',
    'ghcr.io/cirruslabs/macos-tahoe-base:latest',
    '--record',
    record,
  ]);
  t.is(code, 0, stderr);
  t.deepEqual(failed(report), []);
  t.regex(report?.checks.find((c) => c.id === 'guest-sw-vers')?.message ?? '', /^macOS 26\./);
  t.regex(readFileSync(join(record, 'ui-tree.txt'), 'utf8'), /radio button By App of /);
});

test('a locked keychain, an exhausted DHCP range and no console user fail their lines', async (t) => {
  const sim = makeSimEnv();
  const { code, report, status } = await doctor(sim, [], {
    SXL_SIM_HOST_FAULTS: 'keychain-locked,dhcp-exhausted,no-console-user',
  });
  t.is(code, 1);
  t.deepEqual(failed(report), ['host-console-user', 'host-keychain', 'host-dhcp-range', 'guest-boot']);
  // tart run fails as VZ does without the keychain, and doctor says why rather than "did not boot".
  const keychain = report?.checks.find((c) => c.id === 'host-keychain');
  t.regex(keychain?.message ?? '', /SecKeyCreateRandomKey_ios failed/);
  t.regex(keychain?.fix ?? '', /unlock-keychain/);
  t.is(status('guest-boot'), 'fail');
});

test('Local Network denied to the harness process is EHOSTUNREACH with the exemption advice', async (t) => {
  const sim = makeSimEnv();
  const { code, report, status } = await doctor(sim, ['--no-sleep-probe'], {
    SXL_SIM_HOST_FAULTS: 'local-network-denied',
    NODE_OPTIONS: `--import ${join(repo, 'sim', 'host', 'local-network-policy.mjs')}`,
  });
  t.is(code, 1);
  t.deepEqual(failed(report), ['guest-local-network']);
  t.is(status('guest-boot'), 'ok');
  const line = report?.checks.find((c) => c.id === 'guest-local-network');
  t.is(line?.status, 'fail');
  t.regex(line?.message ?? '', /EHOSTUNREACH/);
  t.regex(line?.fix ?? '', /Terminal|AllowedEthernetLocalNetworkAddresses/);
  t.regex(line?.reference ?? '', /TN3179/);
});

test('an image with SIP on, no TCC grants, no cc and a guest that does not sleep fails each line', async (t) => {
  const sim = makeSimEnv();
  const record = join(sim.dir, 'report');
  const { code, report, status } = await doctor(sim, [
    '--record',
    record,
    '--seed',
    '1',
    '--quirk',
    'sip-enabled=1',
    '--quirk',
    'no-tcc-grants=1',
    '--quirk',
    'no-cc=1',
    '--quirk',
    'no-sleep=1',
  ]);
  t.is(code, 1);
  t.deepEqual(failed(report), ['guest-sip', 'guest-tcc-grants', 'guest-cc', 'guest-sleep']);
  t.is(status('guest-sudo'), 'ok');
  // Without the grants System Events refuses osascript, so the UI approval cannot work either.
  t.regex(
    readFileSync(join(record, 'ui-tree.txt'), 'utf8'),
    /osascript is not allowed assistive access\. \(-1719\)/,
  );
  // The report holds the commands behind every line, also those the GUI wait, the cc build and the
  // sleep probe ran themselves: what a user attaches must show why cc and the sleep failed.
  const index = JSON.parse(readFileSync(join(record, 'report.json'), 'utf8')) as {
    outputs: { key: string; command: string; stderrFile: string }[];
  };
  const commands = (key: string) => index.outputs.filter((o) => o.key === key).map((o) => o.command);
  t.true(
    commands('gui-session').some((c) => /^launchctl print gui\/501/.test(c)),
    commands('gui-session').join('; '),
  );
  const cc = index.outputs.find((o) => o.key === 'guest-tools' && /(^|\/)cc /.test(o.command));
  t.truthy(cc, commands('guest-tools').join('; '));
  if (cc) t.regex(readFileSync(join(record, cc.stderrFile), 'utf8'), /xcrun|developer tools/i);
  t.true(
    commands('sleep-probe').some((c) => /pmset sleepnow/.test(c)),
    commands('sleep-probe').join('; '),
  );
});

test('a leaked VM slot fails host-vm-limit with the reboot advice; a run that meets the limit stops there', async (t) => {
  const sim = makeSimEnv();
  const hostDir = join(sim.tartHome, 'sim-host');
  mkdirSync(hostDir, { recursive: true });
  // Two slots leaked by guest shutdowns (tart #1217): the simulated host's state until it reboots.
  writeFileSync(join(hostDir, 'vz-leaked-slots'), 'x\tsxl-old-1\nx\tsxl-old-2\n');
  const { code, report } = await doctor(sim);
  t.is(code, 1);
  t.deepEqual(failed(report), ['host-vm-limit', 'guest-boot']);
  const limit = report?.checks.find((c) => c.id === 'host-vm-limit');
  t.is(limit?.status, 'fail');
  t.regex(limit?.message ?? '', /The number of VMs exceeds the system limit/);
  t.regex(limit?.fix ?? '', /Reboot the host/);

  // A run whose own VMs leak both slots (quirk vm-limit-leak) stops at the refusal instead of
  // erroring every later iteration the same way.
  const leaky = makeSimEnv();
  const run = await runCli(leaky, [
    'run',
    'upgrade-xpc',
    '--backend',
    'sim',
    '--repeat',
    '5',
    // One VM at a time: the test counts where the run stops (with two, both in flight are refused).
    '--parallel',
    '1',
    '--seed',
    '1',
    '--quirk',
    'vm-limit-leak=1',
    '--artifacts',
    leaky.artifacts,
  ]);
  t.is(run.code, 3);
  t.regex(run.stdout + run.stderr, /Run stopped: .*Reboot the host/);
  const results = JSON.parse(readFileSync(join(onlyRunDir(leaky), 'results.json'), 'utf8')) as {
    results: { outcome: string; errorType?: string }[];
  };
  t.deepEqual(
    results.results.map((r) => r.errorType ?? r.outcome),
    ['pass', 'pass', 'HostPreconditionError'],
  );
});

test("a run on a host whose keychain is locked stops at its first iteration with doctor's advice", async (t) => {
  const sim = makeSimEnv();
  const run = await runCli(
    sim,
    [
      'run',
      'upgrade-xpc',
      '--backend',
      'sim',
      '--repeat',
      '3',
      '--parallel',
      '1',
      '--artifacts',
      sim.artifacts,
    ],
    { SXL_SIM_HOST_FAULTS: 'keychain-locked' },
  );
  t.is(run.code, 3, run.stderr);
  t.regex(
    run.stdout + run.stderr,
    /Run stopped: tart cannot create the VM because the login keychain is locked: .*unlock-keychain/,
  );
  const results = JSON.parse(readFileSync(join(onlyRunDir(sim), 'results.json'), 'utf8')) as {
    results: { outcome: string; errorType?: string; message?: string }[];
  };
  t.deepEqual(
    results.results.map((r) => r.errorType ?? r.outcome),
    ['HostPreconditionError'],
  );
  // tart's own text is kept as the evidence at the end of the message.
  t.regex(
    results.results[0]?.message ?? '',
    /\((Failed to create new HostKey|SecKeyCreateRandomKey_ios failed)[^)]*\)$/,
  );
});

test('a run whose process may not use the local network stops at its first iteration with the exemption advice', async (t) => {
  // Did not hang: the SSH wait alone is 180 s; persistent EHOSTUNREACH ends it after 15 s.
  t.timeout(120_000);
  const sim = makeSimEnv();
  const run = await runCli(
    sim,
    [
      'run',
      'upgrade-xpc',
      '--backend',
      'sim',
      '--repeat',
      '3',
      '--parallel',
      '1',
      '--artifacts',
      sim.artifacts,
    ],
    {
      SXL_SIM_HOST_FAULTS: 'local-network-denied',
      NODE_OPTIONS: `--import ${join(repo, 'sim', 'host', 'local-network-policy.mjs')}`,
    },
  );
  t.is(run.code, 3, run.stderr);
  t.regex(
    run.stdout,
    /Run stopped: This process may not reach the VMs \(Local Network privacy\): Run the harness from Terminal/,
  );
  const results = JSON.parse(readFileSync(join(onlyRunDir(sim), 'results.json'), 'utf8')) as {
    results: { outcome: string; errorType?: string; message?: string }[];
  };
  t.deepEqual(
    results.results.map((r) => r.errorType ?? r.outcome),
    ['HostPreconditionError'],
  );
  t.regex(
    results.results[0]?.message ?? '',
    /\(connect EHOSTUNREACH [\d.]+:\d+ on every attempt for \d+ s\)$/,
  );
});

test('an image this host does not have fails guest-boot with the pull or make image advice', async (t) => {
  const sim = makeSimEnv();
  const { code, report } = await doctor(sim, ['--image', 'sxl-sequoia', '--no-sleep-probe']);
  t.is(code, 1);
  t.deepEqual(failed(report), ['guest-boot']);
  const boot = report?.checks.find((c) => c.id === 'guest-boot');
  t.regex(boot?.message ?? '', /the specified VM "sxl-sequoia" does not exist/);
  t.regex(boot?.fix ?? '', /tart pull sxl-sequoia.*make image/);
});

test('usage errors exit 2', async (t) => {
  const sim = makeSimEnv();
  t.is((await runCli(sim, ['doctor', 'extra'])).code, 2);
  t.is((await runCli(sim, ['doctor', '--backend', 'tart', '--quirk', 'no-cc=1'])).code, 2);
  t.is((await runCli(sim, ['doctor', '--backend', 'sim', '--image', '-x'])).code, 2);
});

test('a tart that does not run is a failed host-tart line with the install advice, not a crash', async (t) => {
  const sim = makeSimEnv();
  const result = await runCli(sim, ['doctor', '--backend', 'tart', '--json'], {
    TART_BIN: join(sim.dir, 'no-tart'),
  });
  t.is(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as DoctorJson;
  const line = report.checks.find((c) => c.id === 'host-tart');
  t.is(line?.status, 'fail');
  t.regex(line?.fix ?? '', /Install tart/);
  t.false(
    report.checks.some((c) => c.id.startsWith('guest-')),
    'no VM without tart',
  );
});
