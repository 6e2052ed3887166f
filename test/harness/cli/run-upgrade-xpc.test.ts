// End to end: `sysext-lab run upgrade-xpc` as a user runs it, on the embedded simulated Mac.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { onlyRunDir, runCli, sxlVms } from '../../helpers/cli-run.ts';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';
import { validateJUnit } from '../../helpers/xmllint.ts';

test('a clean upgrade passes and leaves junit.xml, run.json, summary.json and transcripts', async (t) => {
  const sim = makeSimEnv();
  const result = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--repeat',
    '2',
    '--seed',
    '5',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(result.code, 0, result.stdout + result.stderr);
  t.regex(result.stdout, /\[2\/2\] PASS/);
  const runDir = onlyRunDir(sim);
  t.true(result.stdout.includes(`Run directory: ${runDir} (exit code 0`), result.stdout);
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  t.deepEqual(summary.scenarios, [
    {
      id: 'upgrade-xpc',
      image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
      iterations: 2,
      pass: 2,
      fail: 0,
      otherFailures: 0,
      error: 0,
      failureRate: 0,
      ci95: [0, summary.scenarios[0].ci95[1]],
      sentence:
        '0 of 2 upgrades lost the XPC endpoint: 0% (0%-66%). To show that it is below 5% takes 59 clean runs in a row (exact one-sided 95% bound); 2 so far.',
      measurements: { 'time-to-register-ms': summary.scenarios[0].measurements['time-to-register-ms'] },
      // How the extension was approved is recorded per iteration (the approval strategies' finding).
      ...(summary.scenarios[0].findings ? { findings: summary.scenarios[0].findings } : {}),
    },
  ]);
  // Each upgrade records how long its endpoint took to register; the summary gives the spread.
  const registered = summary.scenarios[0].measurements['time-to-register-ms'];
  t.is(registered.count, 2);
  t.true(registered.min >= 0 && registered.min <= registered.median && registered.median <= registered.max);
  t.true(Math.abs(summary.scenarios[0].ci95[1] - 0.6576) < 1e-3);
  t.is(summary.exitCode, 0);
  // results.json: the iterations as the runner reported them, and the same summary.
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
  t.like(results, { exitCode: 0, interrupted: false });
  t.deepEqual(results.scenarios, summary.scenarios);
  t.deepEqual(
    results.results.map((r: { iteration: number; outcome: string }) => `${r.iteration} ${r.outcome}`),
    ['1 pass', '2 pass'],
  );
  t.true(results.results[0].steps.some((s: { name: string }) => s.name === 'install new build'));
  t.regex(
    readFileSync(join(runDir, 'report.html'), 'utf8'),
    /<tr class="pass"><td><a href="#iteration-2">2<\/a>/,
  );
  // The sim backend's own facts reach the JUnit suite as properties.
  t.regex(readFileSync(join(runDir, 'junit.xml'), 'utf8'), /<property name="seed" value="5"\/>/);
  const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  t.is(manifest.backend, 'sim');
  t.is(manifest.toolVersion, '2.32.1');
  t.is(manifest.seed, 5);
  t.is(manifest.guest.productVersion, '15.6.1');
  t.is(manifest.guest.sip, 'disabled');
  t.regex(manifest.imageDigest, /^ghcr\.io\/cirruslabs\/macos-sequoia-base@sha256:[0-9a-f]{64}$/);
  t.is(manifest.builds.length, 2);
  for (const build of manifest.builds) t.regex(build.sha256, /^[0-9a-f]{64}$/);
  t.deepEqual(
    manifest.builds[1].bundles.map(
      (b: { bundleId: string; shortVersion: string; bundleVersion: string }) =>
        `${b.bundleId} ${b.shortVersion} ${b.bundleVersion}`,
    ),
    ['com.example.sxl.app 1.1 110', 'com.example.sxl.app.proxy 1.1 110'],
  );
  const transcript = readFileSync(join(runDir, 'iterations', '1', 'transcript.log'), 'utf8');
  t.regex(
    transcript,
    /sudo -n installer -pkg '\/Users\/admin\/sxl-stage\/SXL Sample 1\.0\.pkg' -target \/\n {2}-> exit 0 in \d+ ms/,
  );
  t.regex(transcript, /\(host\) .*tart clone ghcr\.io\/cirruslabs\/macos-sequoia-base:latest sxl-/);
  const snapshots = readdirSync(join(runDir, 'iterations', '1', 'snapshots'));
  t.true(snapshots.some((f) => f.endsWith('-before.txt')));
  const after = readFileSync(
    join(
      runDir,
      'iterations',
      '1',
      'snapshots',
      snapshots.filter((f) => f.includes('check-xpc-endpoint-after-upgrade-after')).at(0) ??
        snapshots.at(-1)!,
    ),
    'utf8',
  );
  t.regex(after, /\[terminated waiting to uninstall on reboot\]/);
  t.regex(after, /system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 = \{/);
  t.deepEqual(await sxlVms(sim), []);
});

// Three iterations: the rates themselves are tested in test/scenarios/ with a hundred.
const REPEAT = 3;

test('with the endpoint quirk at 1 every iteration fails naming the missing endpoint; at 0 all pass', async (t) => {
  const sim = makeSimEnv();
  const broken = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--repeat',
    String(REPEAT),
    '--quirk',
    'xpc-endpoint-lost-on-upgrade=1',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(broken.code, 1, broken.stdout + broken.stderr);
  const runDir = onlyRunDir(sim);
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  t.like(summary.scenarios[0], { iterations: REPEAT, pass: 0, fail: REPEAT, error: 0 });
  const xml = readFileSync(join(runDir, 'junit.xml'), 'utf8');
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  t.is(
    xml.match(
      /<failure message="XPC endpoint missing: system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 has no endpoints block/g,
    )?.length,
    REPEAT,
  );
  t.true(
    existsSync(
      join(
        runDir,
        'iterations',
        String(REPEAT),
        'evidence',
        'launchctl-print-NetworkExtension.com.example.sxl.app.proxy.1.1.110.txt',
      ),
    ),
  );
  t.deepEqual(await sxlVms(sim), []);

  const clean = makeSimEnv();
  const fixed = await runCli(clean, [
    'run',
    'upgrade-xpc',
    '--repeat',
    String(REPEAT),
    '--quirk',
    'xpc-endpoint-lost-on-upgrade=0',
    '--artifacts',
    clean.artifacts,
  ]);
  t.is(fixed.code, 0, fixed.stdout + fixed.stderr);
});

test('usage errors exit 2 and name the input', async (t) => {
  const sim = makeSimEnv();
  const backend = await runCli(sim, ['run', 'upgrade-xpc', '--backend', 'vmware']);
  t.is(backend.code, 2);
  t.regex(backend.stderr, /--backend must be sim, tart or orchard, got "vmware"/);
  // The sim's settings belong to the sim: a real Mac refuses them before any tart command.
  const seeded = await runCli(sim, ['run', 'upgrade-xpc', '--backend', 'tart', '--seed', '3']);
  t.is(seeded.code, 2);
  t.regex(
    seeded.stderr,
    /--seed works only with --backend sim: it seeds the simulated Mac's quirks; got it with --backend tart/,
  );
  const quirked = await runCli(sim, ['run', 'upgrade-xpc', '--backend', 'tart', '--quirk', 'no-sleep=1']);
  t.is(quirked.code, 2);
  t.regex(
    quirked.stderr,
    /--quirk works only with --backend sim: quirks are the simulated Mac's fault models/,
  );
  const unknown = await runCli(sim, ['run', 'no-such-scenario']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /Unknown scenario "no-such-scenario": expected one of upgrade-xpc/);
  const quirk = await runCli(sim, ['run', 'upgrade-xpc', '--quirk', 'xpc-endpoint-lost-on-upgrade=2']);
  t.is(quirk.code, 2);
  t.regex(quirk.stderr, /--quirk expects NAME=P with P between 0 and 1/);
  const missing = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--from',
    '/nonexistent/old.pkg',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(missing.code, 2);
  t.regex(
    missing.stderr,
    /Unusable build for --from of upgrade-xpc: "\/nonexistent\/old\.pkg" does not exist/,
  );
  const repeat = await runCli(sim, ['run', 'upgrade-xpc', '--repeat', 'zero']);
  t.is(repeat.code, 2);
  t.regex(repeat.stderr, /--repeat must be a whole number >= 1, got "zero"/);
});

test('Ctrl-C in the middle of an iteration leaves a valid JUnit with the iteration as an error and no VM', async (t) => {
  // Slower sim delays so that the signal lands inside the iteration.
  const sim = makeSimEnv(0.2);
  // One VM at a time: iterations 2 and 3 wait for the first (parallel-interrupt.test.ts has two in flight).
  const args = ['run', 'upgrade-xpc', '--repeat', '3', '--parallel', '1', '--artifacts', sim.artifacts];
  const child = spawn('node', [cli, ...args], {
    env: sim.env,
  });
  let stdout = '';
  let signalled = false;
  const interrupted = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // One Ctrl-C: a second one after the run ended would meet Node's default handler.
      if (!signalled && stdout.includes('install new build ...')) {
        signalled = true;
        child.kill('SIGINT');
        resolve();
      }
    });
  });
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await interrupted;
  t.is(exitCode, 130, stdout);
  const runDir = onlyRunDir(sim);
  t.is(validateJUnit(join(runDir, 'junit.xml')), null);
  const xml = readFileSync(join(runDir, 'junit.xml'), 'utf8');
  t.regex(xml, /<error message="Interrupted by SIGINT during the iteration" type="InterruptedError"/);
  t.is(
    xml.match(/<testcase [^>]*name="upgrade-xpc iteration /g)?.length,
    1,
    'iterations 2 and 3 never started',
  );
  // The run itself is said to be interrupted, so the file is never green.
  t.regex(
    xml,
    /name="upgrade-xpc run incomplete"[\s\S]*was interrupted \(exit code 130\) after 1 iteration\(s\) of 3 planned/,
  );
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
  t.like(summary, { exitCode: 130, interrupted: true });
  t.deepEqual(await sxlVms(sim), []);
});
