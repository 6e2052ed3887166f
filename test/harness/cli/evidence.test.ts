// Issue 5 end to end through the CLI on the sim: evidence on failure, JUnit attachments, the
// feedback bundle, a hanging sysdiagnose, Ctrl-C during collection, and redaction.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { onlyRunDir, runCli, sxlVms } from '../../helpers/cli-run.ts';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';
import { validateJUnit } from '../../helpers/xmllint.ts';

test('a failing two-iteration run leaves sysdiagnose, log slice, snapshots and JUnit attachments; feedback bundles them', async (t) => {
  const sim = makeSimEnv();
  const result = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--repeat',
    '2',
    '--quirk',
    'xpc-endpoint-lost-on-upgrade=1',
    '--seed',
    '4',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(result.code, 1, result.stdout + result.stderr);
  const runDir = onlyRunDir(sim);
  for (const iteration of [1, 2]) {
    const evidence = join(runDir, 'iterations', String(iteration), 'evidence');
    const listing = execFileSync('tar', ['tzf', join(evidence, `sxl-${iteration}.tar.gz`)]).toString();
    t.regex(listing, new RegExp(`^sxl-${iteration}/`, 'm'));
    const slice = readFileSync(join(evidence, 'unified-log.ndjson'), 'utf8');
    t.regex(slice, /^Filtering the log data using/);
    t.regex(slice, /sysextd/);
    t.true(existsSync(join(evidence, 'pmset-log.txt')));
    t.true(readdirSync(join(runDir, 'iterations', String(iteration), 'snapshots')).length > 0);
  }
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  const xml = readFileSync(join(runDir, 'junit.xml'), 'utf8');
  const attachments = [...xml.matchAll(/\[\[ATTACHMENT\|([^\]]+)\]\]/g)].map((m) => m[1]!);
  t.true(attachments.includes('iterations/2/evidence/sxl-2.tar.gz'));
  for (const path of attachments) t.true(existsSync(join(runDir, path)), path);
  t.regex(xml, /<property name="attachment" value="iterations\/1\/evidence\/unified-log\.ndjson"\/>/);
  const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  const sysdiagnose = manifest.evidence[0].files.find((f: { path: string }) =>
    f.path.endsWith('sxl-1.tar.gz'),
  );
  t.regex(sysdiagnose.sha256, /^[0-9a-f]{64}$/);
  t.true(sysdiagnose.bytes > 0);
  t.true(existsSync(join(runDir, 'report.html')));

  const zip = join(sim.dir, 'feedback.zip');
  const feedback = await runCli(sim, ['feedback', runDir, '--out', zip]);
  t.is(feedback.code, 0, feedback.stderr);
  t.regex(feedback.stdout, /personal/);
  const entries = execFileSync('unzip', ['-Z1', zip]).toString().split('\n');
  t.true(entries.includes('report.md'));
  t.true(entries.includes('run.json'));
  t.true(entries.some((e) => e.endsWith('evidence/sxl-1.tar.gz')));
  const report = execFileSync('unzip', ['-p', zip, 'report.md']).toString();
  t.regex(report, /2 of 2 upgrades lost the XPC endpoint: 100% \(34%-100%\)/);
  t.regex(
    report,
    /signing: Team ID SXLAB12345; Developer ID Application: Example Corp \(SXLAB12345\); hardened runtime; notarization ticket stapled; spctl: accepted \(Notarized Developer ID\)/,
  );
  t.regex(report, /- SIP: disabled/);
  t.regex(report, /sysext-lab run upgrade-xpc --repeat 2 --quirk xpc-endpoint-lost-on-upgrade=1 --seed 4/);
});

test('a hanging sysdiagnose is recorded, the outcome stays, and the run ends within the timeout', async (t) => {
  const sim = makeSimEnv();
  const result = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--quirk',
    'xpc-endpoint-lost-on-upgrade=1',
    '--quirk',
    'sysdiagnose-hang=1',
    '--sysdiagnose-timeout',
    '2',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(result.code, 1, 'still the check failure, not an infrastructure error');
  const runDir = onlyRunDir(sim);
  const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  const [problem] = manifest.evidence[0].problems;
  t.like(problem, { collector: 'sysdiagnose', reason: 'timed-out' });
  t.regex(problem.message, /^Timed out after 2000 ms collecting sysdiagnose/);
  t.true(
    existsSync(join(runDir, 'iterations', '1', 'evidence', 'unified-log.ndjson')),
    'the other collectors still ran',
  );
  t.regex(readFileSync(join(runDir, 'junit.xml'), 'utf8'), /<failure message="XPC endpoint missing/);
  t.deepEqual(await sxlVms(sim), []);
});

test('Ctrl-C during evidence collection keeps what was collected, a valid JUnit and no VM', async (t) => {
  const sim = makeSimEnv();
  const child = spawn(
    'node',
    [
      cli,
      'run',
      'upgrade-xpc',
      '--quirk',
      'xpc-endpoint-lost-on-upgrade=1',
      '--quirk',
      'sysdiagnose-hang=1',
      '--artifacts',
      sim.artifacts,
    ],
    { env: sim.env },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  // The iteration failed; evidence collection begins, and the sysdiagnose hangs until interrupted.
  const interrupted = (async () => {
    while (!stdout.includes('check xpc-endpoint-after-upgrade failed'))
      await new Promise((r) => setTimeout(r, 50));
    const evidence = () => join(onlyRunDir(sim), 'iterations', '1', 'evidence');
    while (!existsSync(join(evidence(), 'install.log'))) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
  })();
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await interrupted;
  t.is(exitCode, 130, stdout);
  const runDir = onlyRunDir(sim);
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  t.regex(readFileSync(join(runDir, 'junit.xml'), 'utf8'), /<failure message="XPC endpoint missing/);
  for (const file of ['unified-log.ndjson', 'pmset-log.txt', 'install.log']) {
    t.true(existsSync(join(runDir, 'iterations', '1', 'evidence', file)), file);
  }
  const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  t.like(manifest.evidence[0].problems[0], { collector: 'sysdiagnose', reason: 'interrupted' });
  t.deepEqual(await sxlVms(sim), []);
});

test('a planted secret never reaches the run directory', async (t) => {
  const sim = makeSimEnv();
  const secret = 'planted-S3CRET-token-4711';
  const result = await runCli(
    sim,
    [
      'run',
      'upgrade-xpc',
      '--evidence',
      'always',
      '--redact-env',
      'SXL_TEST_TOKEN',
      '--input',
      `probe-command=echo ${secret}`,
      '--artifacts',
      sim.artifacts,
    ],
    { SXL_TEST_TOKEN: secret },
  );
  t.is(result.code, 0, result.stdout + result.stderr);
  const runDir = onlyRunDir(sim);
  let found = '';
  try {
    found = execFileSync('grep', ['-rl', secret, runDir], { encoding: 'utf8' });
  } catch (error) {
    // grep exits 1 when nothing matches; 2 (it could not read) is no answer at all.
    if ((error as { status?: number }).status !== 1) throw error;
  }
  t.is(found, '');
  // It was there to be found: the probe command ran and its output was masked in the transcript.
  t.regex(
    readFileSync(join(runDir, 'iterations', '1', 'transcript.log'), 'utf8'),
    /\[REDACTED:SXL_TEST_TOKEN\]/,
  );
  const sysdiagnose = join(runDir, 'iterations', '1', 'evidence', 'sxl-1.tar.gz');
  t.false(execFileSync('tar', ['xzOf', sysdiagnose]).toString().includes(secret));
});
