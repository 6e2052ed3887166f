// A finished two-iteration run directory (one fail, one pass) as the runner and reporters leave it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JUnitReporter } from '../../../harness/report/junit-reporter.ts';
import { fanOut } from '../../../harness/report/reporter.ts';
import { ResultsReporter } from '../../../harness/report/results-reporter.ts';
import { SummaryReporter } from '../../../harness/report/summary-reporter.ts';
import type { IterationResult } from '../../../harness/scenario/events.ts';

export function makeRunDir(): string {
  const runDir = mkdtempSync(join(tmpdir(), 'sxl-run-'));
  const step = (name: string, durationMs: number, ok = true, error?: string) => ({
    name,
    startedAt: '2026-11-28T00:00:00.000Z',
    durationMs,
    ok,
    ...(error ? { error } : {}),
  });
  const base = {
    scenario: 'upgrade-xpc',
    image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
    startedAt: '2026-11-28T00:00:00.000Z',
    artifacts: [],
  };
  const results: IterationResult[] = [
    {
      ...base,
      iteration: 1,
      vm: 'sxl-r-1',
      outcome: 'fail',
      failedCheck: 'xpc-endpoint-registered',
      matchesSignature: true,
      message: 'XPC endpoint com.example.sxl.app.proxy.xpc not registered after the upgrade',
      durationMs: 5200,
      steps: [
        step('install old build', 800),
        step('activate old extension', 1500),
        step('install new build', 900),
        step('check XPC endpoint after upgrade', 300, false, 'not registered'),
      ],
    },
    {
      ...base,
      iteration: 2,
      vm: 'sxl-r-2',
      outcome: 'pass',
      durationMs: 4100,
      steps: [
        step('install old build', 800),
        step('activate old extension', 1500),
        step('check XPC endpoint after upgrade', 300),
      ],
    },
  ];
  for (const r of results) {
    const dir = join(runDir, 'iterations', String(r.iteration));
    mkdirSync(join(dir, 'evidence', 'state'), { recursive: true });
    writeFileSync(join(dir, 'transcript.log'), `$ sw_vers\n`);
    writeFileSync(join(dir, 'evidence', 'state', 'systemextensionsctl-list.txt'), '1 extension(s)\n');
    writeFileSync(
      join(dir, 'evidence', 'unified-log.ndjson'),
      'Filtering the log data using "process == \\"sysextd\\""\n' +
        `${JSON.stringify({ timestamp: '2026-11-28 00:00:01.000000+0000', processImagePath: '/usr/libexec/sysextd', processID: 88, eventMessage: 'bootstrap_look_up com.example.sxl.app.proxy.xpc: 1102 (Unknown service name)', messageType: 'Error' })}\n` +
        `${JSON.stringify({ timestamp: '2026-11-28 00:00:02.000000+0000', processImagePath: '/usr/libexec/sysextd', processID: 88, eventMessage: 'routine', messageType: 'Default' })}\n`,
    );
  }
  const wording = () => ({ unit: 'upgrades', bug: 'lost the XPC endpoint' });
  const emit = fanOut([
    new JUnitReporter(runDir, { runId: 'r', backend: 'sim', builds: {}, wording }),
    new ResultsReporter(runDir, { wording }),
    new SummaryReporter(runDir, { wording }),
  ]);
  emit({
    type: 'run-started',
    runId: 'r',
    runDir,
    scenario: 'upgrade-xpc',
    image: base.image,
    iterations: 2,
    backend: 'sim',
    at: base.startedAt,
  });
  for (const result of results) emit({ type: 'iteration-finished', result });
  emit({ type: 'run-finished', at: '2026-11-27T10:05:00.000Z', exitCode: 1, interrupted: false });
  writeFileSync(
    join(runDir, 'run.json'),
    JSON.stringify({
      runId: 'r',
      command: [
        'sysext-lab',
        'run',
        'upgrade-xpc',
        '--repeat',
        '2',
        '--quirk',
        'xpc-endpoint-lost-on-upgrade=1',
      ],
      backend: 'sim',
      tool: 'tart',
      toolVersion: '2.32.1',
      host: { os: 'Darwin', release: '24.1.0', arch: 'arm64' },
      image: base.image,
      guest: { productName: 'macOS', productVersion: '15.1', buildVersion: '24B83' },
      scenario: 'upgrade-xpc',
      iterations: 2,
      builds: [
        {
          role: 'from',
          path: '/b/SXL Sample 1.0.pkg',
          sha256: 'ab',
          bytes: 1,
          bundles: [
            { kind: 'app', bundleId: 'com.example.sxl.app', shortVersion: '1.0', bundleVersion: '100' },
          ],
        },
      ],
      startedAt: base.startedAt,
      exitCode: 1,
    }),
  );
  return runDir;
}
