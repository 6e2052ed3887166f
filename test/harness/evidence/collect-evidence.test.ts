import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import test from 'ava';
import { collectEvidence, hashFile } from '../../../harness/evidence/collect-evidence.ts';
import type { EvidenceCollector, EvidenceContext } from '../../../harness/evidence/collector.ts';
import { defaultCollectors } from '../../../harness/evidence/default-collectors.ts';
import { downloadCapped, EvidenceTooLargeError } from '../../../harness/evidence/guest-files.ts';
import { stateSnapshotsCollector } from '../../../harness/evidence/state-snapshots.ts';
import { sysdiagnoseCollector } from '../../../harness/evidence/sysdiagnose.ts';
import { logPredicate } from '../../../harness/evidence/unified-log.ts';
import { Redactor } from '../../../harness/report/redact.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { bootTestGuest, type TestGuest } from '../../helpers/sim-guest.ts';

async function setup(quirks: Record<string, number> = {}) {
  const testGuest = await bootTestGuest({ quirks });
  const guest = await GuestSession.connect(testGuest.endpoint, { label: 'sxl-test-1', timeoutMs: 10_000 });
  const runDir = mkdtempSync(join(tmpdir(), 'sxl-evidence-'));
  const ctx: EvidenceContext = {
    guest,
    iterationDir: join(runDir, 'iterations', '1'),
    iteration: 1,
    since: new Date(Date.now() - 60_000),
    signal: new AbortController().signal,
    timeoutMs: 20_000,
    predicates: ['eventMessage CONTAINS "handleNewFlow"'],
    extensions: ['com.example.sxl.app.proxy'],
  };
  return { testGuest, guest, runDir, ctx };
}

async function stop(testGuest: TestGuest, guest: GuestSession) {
  guest.close();
  await testGuest.guest.powerOff();
}

test('default collectors leave logs, snapshots and a sysdiagnose, each hashed', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  const report = await collectEvidence(defaultCollectors(), ctx, { runDir });
  // Every collector delivers: a misspelt command (the sim answers `command not found`) is a problem.
  t.deepEqual(report.problems, []);
  const expected: [string, string][] = [
    ['state-snapshots', 'iterations/1/evidence/state/systemextensionsctl-list.txt'],
    ['state-snapshots', 'iterations/1/evidence/state/launchctl-list.txt'],
    ['install-log', 'iterations/1/evidence/install.log'],
    ['pmset-log', 'iterations/1/evidence/pmset-log.txt'],
    ['unified-log', 'iterations/1/evidence/unified-log.ndjson'],
    ['sysdiagnose', 'iterations/1/evidence/sxl-1.tar.gz'],
  ];
  for (const [collector, path] of expected) {
    t.like(
      report.files.find((f) => f.path === path),
      { collector },
      path,
    );
  }
  for (const file of report.files) {
    const { sha256, bytes } = await hashFile(join(runDir, file.path));
    t.is(file.sha256, sha256);
    t.is(file.bytes, bytes);
  }
  const text = readFileSync(join(runDir, 'iterations/1/evidence/unified-log.ndjson'), 'utf8');
  t.true(text.startsWith('Filtering the log data using'));
  // pmset -g log's own header, not an error text.
  t.regex(
    readFileSync(join(runDir, 'iterations/1/evidence/pmset-log.txt'), 'utf8'),
    /Sleep\/Wakes since boot/,
  );
});

test('a failing collector is recorded with why and how long, and the others still run', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  const broken: EvidenceCollector = {
    name: 'broken',
    async collect(c) {
      await writeFile(join(c.iterationDir, 'evidence', 'partial.txt'), 'x');
      await c.guest.exec(['false'], { signal: c.signal });
      return [];
    },
  };
  const hanging: EvidenceCollector = {
    name: 'hanging',
    timeoutMs: 200,
    collect: () => new Promise(() => {}),
  };
  const report = await collectEvidence([broken, hanging, stateSnapshotsCollector()], ctx, {
    runDir,
  });
  t.is(report.problems.length, 2);
  t.like(report.problems[0], { collector: 'broken', reason: 'failed' });
  t.regex(report.problems[0]?.message ?? '', /CommandError: Exit code 1 from `false`/);
  t.like(report.problems[1], { collector: 'hanging', reason: 'timed-out' });
  t.true((report.problems[1]?.durationMs ?? 0) >= 150);
  t.true(report.files.some((f) => f.collector === 'state-snapshots'));
  t.like(
    report.files.find((f) => f.path === 'iterations/1/evidence/partial.txt'),
    { collector: 'broken', bytes: 1 },
  );
  t.is(report.problems[0]?.partialFiles, 1);
});

test('a download still in flight (its .partial file) is not evidence', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  const evidence = join(ctx.iterationDir, 'evidence');
  // As a collector cut short by Ctrl-C leaves it: the copy's `.partial`, which its download removes
  // once it has noticed the abort (here: never), beside a file that was whole.
  const cutShort: EvidenceCollector = {
    name: 'cut-short',
    async collect() {
      await writeFile(join(evidence, 'unified-log.ndjson.partial'), 'half a log');
      await writeFile(join(evidence, 'kept.txt'), 'whole');
      throw new Error('interrupted');
    },
  };
  const report = await collectEvidence([cutShort], ctx, { runDir });
  t.deepEqual(
    report.files.map((f) => f.path),
    ['iterations/1/evidence/kept.txt'],
  );
  t.like(report.problems[0], { collector: 'cut-short', partialFiles: 1 });
});

test('a collector cut short by Ctrl-C finishes its clean-up before the folder is read', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  const controller = new AbortController();
  const temporary = join(ctx.iterationDir, 'evidence', 'temporary.txt');
  const tidy: EvidenceCollector = {
    name: 'tidy',
    async collect(c) {
      await writeFile(temporary, 'half');
      setTimeout(() => controller.abort(), 20);
      // Heeds its signal, then takes a moment to remove what it left, as a download does.
      await new Promise<void>((resolve) =>
        c.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      await rm(temporary, { force: true });
      throw c.signal.reason;
    },
  };
  const report = await collectEvidence([tidy], { ...ctx, signal: controller.signal }, { runDir });
  t.deepEqual(report.files, []);
  t.like(report.problems[0], { collector: 'tidy', reason: 'interrupted', partialFiles: 0 });
});

const sleeper = (seconds: number): EvidenceCollector => ({
  name: 'sleeper',
  async collect(c) {
    await c.guest.exec(['sleep', String(seconds)], { signal: c.signal, timeoutMs: 600_000 });
    return [];
  },
});

test('a collector whose guest command hangs times out, is recorded, and the others go on', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup({ 'sysdiagnose-hang': 1 });
  t.teardown(() => stop(testGuest, guest));
  const hang = { ...sleeper(120), timeoutMs: 500 };
  const report = await collectEvidence(
    [hang, sysdiagnoseCollector({ timeoutMs: 500 }), stateSnapshotsCollector()],
    ctx,
    {
      runDir,
    },
  );
  t.like(report.problems[0], { collector: 'sleeper', reason: 'timed-out' });
  t.regex(report.problems[0]?.message ?? '', /^Timed out after 500 ms collecting sleeper on sxl-test-1/);
  // The quirk makes sysdiagnose hang: a timeout, not a failure (which a misspelt command would be).
  t.like(report.problems[1], { collector: 'sysdiagnose', reason: 'timed-out' });
  t.is(report.problems.length, 2);
  t.true(report.files.some((f) => f.collector === 'state-snapshots'));
  t.false(existsSync(join(ctx.iterationDir, 'evidence', 'sxl-1.tar.gz')));
});

test('Ctrl-C marks the collector in flight and the rest as interrupted, keeping what was collected', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  const controller = new AbortController();
  const report = await collectEvidence(
    [stateSnapshotsCollector(), sleeper(120), { name: 'later', collect: async () => [] }],
    { ...ctx, signal: controller.signal },
    {
      runDir,
      onCollector: (name, phase) => {
        if (name === 'sleeper' && phase === 'started') setTimeout(() => controller.abort(), 100);
      },
    },
  );
  t.deepEqual(
    report.problems.map((p) => [p.collector, p.reason]),
    [
      ['sleeper', 'interrupted'],
      ['later', 'interrupted'],
    ],
  );
  t.true(report.files.some((f) => f.collector === 'state-snapshots'));
});

test('downloads refuse a guest file over the cap and keep nothing of it', async (t) => {
  const { testGuest, guest, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  await guest.exec('printf 0123456789 > /private/tmp/ten.txt');
  const local = join(ctx.iterationDir, 'ten.txt');
  await t.throwsAsync(downloadCapped(guest, '/private/tmp/ten.txt', local, { maxBytes: 5 }), {
    instanceOf: EvidenceTooLargeError,
    message: /^Evidence too large to download: \/private\/tmp\/ten.txt has 10 bytes, the cap is 5/,
  });
  t.false(existsSync(local));
  const progress: number[] = [];
  t.is(
    await downloadCapped(guest, '/private/tmp/ten.txt', local, { onProgress: (b) => progress.push(b) }),
    10,
  );
  t.is(readFileSync(local, 'utf8'), '0123456789');
  t.is(progress.at(-1), 10);
});

test('a planted secret in collected evidence is redacted before it is hashed', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  const secret = 'hunter2-planted-secret';
  const planted: EvidenceCollector = {
    name: 'planted',
    async collect(c) {
      const path = join(c.iterationDir, 'evidence', 'planted.txt');
      await writeFile(path, `token=${secret}\n`);
      return [{ path, source: 'test' }];
    },
  };
  const report = await collectEvidence([planted], ctx, {
    runDir,
    redactor: new Redactor([{ name: 'GITHUB_TOKEN', value: secret }]),
  });
  const text = readFileSync(join(ctx.iterationDir, 'evidence', 'planted.txt'), 'utf8');
  t.is(text, 'token=[REDACTED:GITHUB_TOKEN]\n');
  t.like(report.files[0], { redactions: 1, bytes: Buffer.byteLength(text) });
});

test('the sysdiagnose archive is redacted inside: a value it holds is masked, the archive stays readable', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  // A value the guest's sysdiagnose certainly holds (its sw_vers output), treated as a secret.
  const secret = 'ProductVersion';
  const report = await collectEvidence([sysdiagnoseCollector({ timeoutMs: 20_000 })], ctx, {
    runDir,
    redactor: new Redactor([{ name: 'PLANTED', value: secret }]),
  });
  t.deepEqual(report.problems, []);
  const record = report.files.find((f) => f.path.endsWith('sxl-1.tar.gz'));
  t.true((record?.redactions ?? 0) >= 1, 'the archive held the value');
  const text = gunzipSync(readFileSync(join(runDir, record?.path ?? ''))).toString('latin1');
  t.false(text.includes(secret));
  t.true(text.includes(`${'*'.repeat(secret.length)}:`));
  // Member sizes did not change: GNU tar still lists it.
  const listing = execFileSync('tar', ['-tzf', join(runDir, record?.path ?? '')], { encoding: 'utf8' });
  t.regex(listing, /^sxl-1\/sw_vers\.txt$/m);
  t.is(record?.sha256, (await hashFile(join(runDir, record?.path ?? ''))).sha256);
});

test('a collected archive that cannot be redacted is removed and recorded as a problem', async (t) => {
  const { testGuest, guest, runDir, ctx } = await setup();
  t.teardown(() => stop(testGuest, guest));
  const secret = 'hunter2-planted-secret';
  const truncated: EvidenceCollector = {
    name: 'truncated',
    async collect(c) {
      const path = join(c.iterationDir, 'evidence', 'sxl-1.tar.gz');
      const whole = gzipSync(Buffer.from(`token=${secret}\n${'x'.repeat(10_000)}`));
      await writeFile(path, whole.subarray(0, whole.length - 20));
      return [{ path, source: 'test' }];
    },
  };
  const report = await collectEvidence([truncated, stateSnapshotsCollector()], ctx, {
    runDir,
    redactor: new Redactor([{ name: 'GITHUB_TOKEN', value: secret }]),
  });
  t.false(existsSync(join(ctx.iterationDir, 'evidence', 'sxl-1.tar.gz')));
  t.false(report.files.some((f) => f.path.endsWith('sxl-1.tar.gz')));
  t.is(report.problems.length, 1);
  t.like(report.problems[0], { collector: 'truncated', reason: 'failed' });
  t.regex(report.problems[0]?.message ?? '', /^Redaction failed for .*sxl-1\.tar\.gz, so it was removed: /);
  t.true(report.files.some((f) => f.collector === 'state-snapshots'));
});

test('the log predicate ORs the base sources, the extension and the scenario', (t) => {
  t.is(
    logPredicate(['com.example.sxl.app.proxy'], ['eventMessage CONTAINS "x"']),
    'process == "sysextd" OR process == "nesessionmanager" OR subsystem == "com.apple.networkextension" OR process == "com.example.sxl.app.proxy" OR subsystem == "com.example.sxl.app.proxy" OR (eventMessage CONTAINS "x")',
  );
});
