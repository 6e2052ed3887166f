// `make mutants`: applies known breakages (issue 17's list and the like) one at a time to a copy of
// the working tree and runs the tests that should catch each; reports the ones that survive. A
// mutant is a breakage the suite must notice: if its tests still pass, an assertion is hollow.
// The copy keeps the shared checkout untouched while the mutants run.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Mutant {
  id: string;
  /** What it breaks, as the issue says it. */
  what: string;
  file: string;
  from: string;
  to: string;
  /** The test files that must fail with it. */
  tests: string[];
}

const MUTANTS: Mutant[] = [
  {
    id: 'guest-tool-semicolon',
    what: 'the bootstrap look-up tool loses a semicolon',
    file: 'harness/guest-tools/sxl-bootstrap-lookup.c',
    from: 'MACH_PORT_NULL;',
    to: 'MACH_PORT_NULL',
    tests: ['test/harness/macos/guest-tools.test.ts'],
  },
  {
    id: 'sim-cc-accepts-anything',
    what: "the sim's cc builds any source with the marker line, compiled or not",
    file: 'sim/guest/commands/guest-tools.ts',
    from: "if (checked.kind === 'checked' && checked.exitCode !== 0) return fail(checked.stderr, 1);",
    to: '',
    tests: ['test/sim/guest/guest-tools.test.ts'],
  },
  {
    id: 'lookup-garbage-is-a-failure',
    what: 'look-up output the tool does not print counts as a failed look-up',
    file: 'harness/macos/guest-tools.ts',
    from: '  throw new UnreadableStateError(\n    `the bootstrap look-up',
    to: "  if (exitCode !== 0) return { ok: false, service, code: -1, reason: 'unexpected output', raw };\n  throw new UnreadableStateError(\n    `the bootstrap look-up",
    tests: ['test/harness/macos/guest-tools.test.ts'],
  },
  {
    id: 'sysdiagnose-misspelt',
    what: 'the evidence collector runs `sysdiagnos`',
    file: 'harness/evidence/sysdiagnose.ts',
    from: "'sudo', '-n', 'sysdiagnose',",
    to: "'sudo', '-n', 'sysdiagnos',",
    tests: ['test/harness/evidence/collect-evidence.test.ts'],
  },
  {
    id: 'pmset-misspelt',
    what: 'the evidence collector runs `pmest -g log`',
    file: 'harness/evidence/pmset-log.ts',
    from: "['pmset', '-g', 'log']",
    to: "['pmest', '-g', 'log']",
    tests: ['test/harness/evidence/collect-evidence.test.ts'],
  },
  {
    id: 'approval-wrong-window',
    what: 'the approval script addresses a window that does not exist',
    file: 'harness/macos/approval/ui-script.ts',
    from: "'    set theWindow to window 1',",
    to: '\'    set theWindow to window "No Such Window"\',',
    tests: ['test/harness/macos/approve-extension.test.ts'],
  },
  {
    id: 'classify-always-signature',
    what: 'every failed check counts toward the signature',
    file: 'harness/scenario/runner.ts',
    from: 'matchesSignature: matchesSignature(scenario.signature, error.check, error.message),',
    to: 'matchesSignature: true,',
    tests: ['test/harness/scenario/classify.test.ts'],
  },
  {
    id: 'classify-ignores-abort',
    what: 'a check that fails after Ctrl-C is still a fail',
    file: 'harness/scenario/runner.ts',
    from: '  if (signal.aborted) {\n    // Ctrl-C',
    to: '  if (signal.aborted && !(error instanceof CheckFailedError)) {\n    // Ctrl-C',
    tests: ['test/harness/scenario/classify.test.ts'],
  },
  {
    id: 'xpc-check-infra-is-a-fail',
    what: 'an SSH drop during the XPC check becomes a failed check',
    file: 'harness/checks/xpc-endpoint-registered.ts',
    from: 'if (!(error instanceof CheckFailedError)) throw doNotRetry(error);',
    to: 'if (!(error instanceof CheckFailedError)) throw doNotRetry(new CheckFailedError(check, String(error)));',
    tests: [
      'test/harness/checks/xpc-endpoint-registered.test.ts',
      'test/scenarios/infrastructure-quirks.test.ts',
    ],
  },
  {
    id: 'activation-refusal-is-report-3',
    what: 'any refusal of the activation counts as forum report 3',
    file: 'scenarios/activation-location.ts',
    from: 'return lines.some((line) => REFUSAL.test(line));',
    to: 'return lines.length >= 0;',
    tests: ['test/scenarios/verdict-guards.test.ts', 'test/scenarios/activation-location.test.ts'],
  },
  {
    id: 'same-version-no-program-is-a-fail',
    what: 'a job without a readable program counts as the reinstalled build running',
    file: 'scenarios/same-version-no-replace.ts',
    from: '  if (job.program) return job.program;',
    to: '  return job.program ?? null;',
    tests: ['test/scenarios/verdict-guards.test.ts'],
  },
  {
    id: 'redaction-swallowed',
    what: 'a truncated archive that cannot be redacted stays on disk, the failure swallowed',
    file: 'harness/report/redact.ts',
    from: 'unredacted.\n      await rm(path, { force: true });\n      throw new RedactionError(path, error);',
    to: 'unredacted.\n      return 0;',
    tests: ['test/harness/report/redact-failures.test.ts', 'test/harness/evidence/collect-evidence.test.ts'],
  },
  {
    id: 'redaction-no-unicode-escapes',
    what: 'a secret written with JSON \\u escapes is not masked',
    file: 'harness/report/redact.ts',
    from: "      unicodeEscaped(json, /[^\\x20-\\x7e]|[<>&]/gu, 'lower'),",
    to: '',
    tests: ['test/harness/report/redact-failures.test.ts'],
  },
  {
    id: 'sysdiagnose-not-redacted-inside',
    what: 'a .gz (the sysdiagnose) is searched as compressed bytes, so its secrets stay',
    file: 'harness/report/redact.ts',
    from: 'if (gzipped) stages.push(createGunzip(), masking, createGzip());',
    to: 'if (gzipped) stages.push(masking);',
    tests: ['test/harness/evidence/collect-evidence.test.ts'],
  },
  {
    id: 'activation-errors-are-fails',
    what: 'any error during the activation (a dropped SSH) becomes a failed extension-activated',
    file: 'harness/macos/activation.ts',
    from: 'export async function activateExtension(\n  guest: GuestSession,',
    to: [
      'export async function activateExtension(...args: Parameters<typeof activateAsIs>): Promise<void> {',
      '  try {',
      '    await activateAsIs(...args);',
      '  } catch (error) {',
      '    if (error instanceof CheckFailedError) throw error;',
      "    throw new CheckFailedError('extension-activated', (error as Error).message);",
      '  }',
      '}',
      'async function activateAsIs(',
      '  guest: GuestSession,',
    ].join('\n'),
    tests: ['test/harness/macos/activation.test.ts'],
  },
  {
    id: 'activation-refusal-ignored',
    what: 'macOS refusing the activation is not the extension-activated failure (the harness waits on)',
    file: 'harness/macos/activation.ts',
    from: "  if (outcome.kind === 'refused') throw refused(outcome.lines, outcome.log);",
    to: "  if (outcome.kind === 'refused') return;",
    tests: ['test/harness/checks/xpc-endpoint-registered.test.ts'],
  },
  {
    id: 'xpc-no-job-passes',
    what: "the XPC check's no-job branch lets a missing launchd job pass",
    file: 'harness/checks/xpc-endpoint-registered.ts',
    from: '  if (!job) {\n    const others',
    to: '  if (!job) return;\n  if (!job) {\n    const others',
    tests: ['test/harness/checks/xpc-endpoint-registered.test.ts'],
  },
  {
    id: 'xpc-block-lacks-service-passes',
    what: "an endpoints block without the extension's service passes the XPC check",
    file: 'harness/checks/xpc-endpoint-registered.ts',
    from: '  if (!block.some((endpoint) => endpoint.name === service)) {',
    to: '  if (block.length === 0) {',
    tests: ['test/harness/checks/xpc-endpoint-registered.test.ts'],
  },
  {
    id: 'same-version-kept-accepts-reinstalled',
    what: 'the reinstalled build (or no job) running passes same-version-kept',
    file: 'scenarios/same-version-no-replace.ts',
    from: "  if (which === 'the first build' || which === 'a binary identical in both builds') return;",
    to: "  if (which !== 'neither build') return;",
    tests: ['test/scenarios/verdict-guards.test.ts'],
  },
  {
    id: 'second-signal-ignored',
    what: 'a second Ctrl-C or SIGTERM does not hurry the teardown (a kept VM is still shut down cleanly)',
    file: 'harness/commands/run-cli.ts',
    from: 'hurry: () => interrupts > 1,',
    to: 'hurry: () => false,',
    tests: ['test/harness/cli/second-signal.test.ts'],
  },
  {
    id: 'sigterm-unhandled',
    what: 'SIGTERM is not handled: the run dies without cleanup or reports',
    file: 'harness/commands/run-cli.ts',
    from: "  process.on('SIGTERM', onSignal);",
    to: '',
    tests: ['test/harness/cli/second-signal.test.ts'],
  },
  {
    id: 'late-signal-kills',
    what: 'a Ctrl-C that comes after the run has returned kills the CLI: its exit code is lost to the signal',
    file: 'harness/commands/run-cli.ts',
    from: '    absorbLateSignals();',
    to: '',
    tests: ['test/harness/cli/second-signal.test.ts'],
  },
  {
    id: 'orchard-forward-refusal-retried',
    what: 'a port-forward the controller refuses for a failed VM is retried until the SSH wait times out',
    file: 'harness/backends/orchard/orchard-backend.ts',
    from: 'throw error instanceof OrchardApiError ? await this.lostOr(name, error, signal) : error;',
    to: 'throw error;',
    tests: ['test/harness/backends/orchard/orchard-lost.test.ts'],
  },
  {
    id: 'short-write-ignored',
    what: "a download's short write of the local file is taken as done",
    file: 'harness/ssh/write-fully.ts',
    from: 'rest = afterBytes(rest, bytesWritten);',
    to: 'rest = [];',
    tests: ['test/harness/ssh/write-fully.test.ts'],
  },
  {
    id: 'parse-strict-ignored',
    what: '`sysext-lab parse --strict` exits 0 on warnings',
    file: 'harness/commands/parse-command.ts',
    from: "const exitCode = warnings.length > 0 && flags.includes('--strict') ? exitCodes.checkFailed : 0;",
    to: 'const exitCode = 0;',
    tests: ['test/harness/parse/parse-cli.test.ts'],
  },
  {
    id: 'reap-deletes-live-runs',
    what: '`sysext-lab reap` deletes the VMs of runs that are still alive',
    file: 'harness/reap.ts',
    from: '    if (!options.all && isRunAlive(match[1]!, registryDir)) {',
    to: '    if (false) {',
    tests: ['test/harness/reap.test.ts'],
  },
  {
    id: 'events-not-redacted',
    what: 'reporters get the events unmasked (console FAIL line, junit.xml, run.json, report.html)',
    file: 'harness/report/redact-events.ts',
    from: '  if (!redactor.active) return next;',
    to: '  return next;',
    tests: ['test/harness/cli/secrets.test.ts'],
  },
  {
    id: 'quote-runs-substitution',
    what: 'quoteArg leaves $(...) unquoted, so the guest shell would run it',
    file: 'harness/ssh/shell-quote.ts',
    from: "  if (arg === '') return \"''\";",
    to: "  if (arg === '') return \"''\";\n  if (arg.includes('$(')) return arg;",
    tests: ['test/harness/ssh/guest-session.test.ts'],
  },
  {
    id: 'summary-interval-unchecked',
    what: "the run's 95% interval is not the one its counts give (quirks-off compared the bound with itself)",
    file: 'harness/report/run-summary.ts',
    from: '      ci95: rate.ci95,',
    to: '      ci95: [0, 1],',
    tests: ['test/scenarios/quirks-off-upgrade-xpc.test.ts'],
  },
  {
    id: 'sim-log-style-drifts',
    what: "the sim's log default style drifts from macOS's columns (styles once compared only with each other)",
    file: 'sim/guest/log/format.ts',
    from: "'Thread'.padEnd(11)",
    to: "'Thread'.padEnd(10)",
    tests: ['test/sim/guest/format-layout.test.ts'],
  },
  {
    id: 'sim-sysdiagnose-any-flag',
    what: "the sim's sysdiagnose accepts a flag the real one refuses",
    file: 'sim/guest/commands/sysdiagnose.ts',
    from: "      return fail(`sysdiagnose: unrecognized option '",
    to: "      if (arg) continue;\n      else return fail(`sysdiagnose: unrecognized option '",
    tests: ['test/sim/guest/sysdiagnose.test.ts'],
  },
  {
    id: 'fast-check-seed-ignored',
    what: 'fast-check ignores SXL_FC_SEED (a failure cannot be replayed)',
    file: 'test/helpers/fast-check-seed.ts',
    from: "const seed = given === undefined || given === '' ? Math.floor(Math.random() * 2 ** 31) : Number(given);",
    to: 'const seed = Math.floor(Math.random() * 2 ** 31);',
    tests: ['test/helpers/fast-check-seed.test.ts'],
  },
  {
    id: 'launchd-missing-job-throws',
    what: 'a job launchd does not have ("Could not find service") is an error instead of no job',
    file: 'harness/macos/launchd.ts',
    from: "  if (known?.kind === 'service-not-found') return { raw: result.stderr, job: null };",
    to: '',
    tests: ['test/harness/macos/launchd.test.ts'],
  },
  {
    id: 'curl-failure-is-a-code',
    what: "curl's failure reads as an empty HTTP code instead of an error",
    file: 'harness/macos/traffic.ts',
    from: '    timeoutMs: options.timeoutMs ?? 60_000,',
    to: '    timeoutMs: options.timeoutMs ?? 60_000,\n    allowFailure: true,',
    tests: ['test/harness/macos/traffic.test.ts'],
  },
  {
    id: 'signing-report-loses-exit-codes',
    what: 'a failing codesign or spctl is reported as a failed command, without its exit code and output',
    file: 'harness/macos/signing-report.ts',
    from: 'allowFailure: true, timeoutMs: 60_000',
    to: 'timeoutMs: 60_000',
    tests: ['test/harness/macos/signing-report.test.ts'],
  },
  {
    id: 'probe-not-run-is-a-fail',
    what: "a probe command the guest's shell cannot find or execute fails the XPC check",
    file: 'harness/checks/xpc-endpoint-registered.ts',
    from: '(probe.exitCode === 127 || probe.exitCode === 126)',
    to: 'false',
    tests: ['test/scenarios/probe.test.ts'],
  },
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The working tree as it is (tracked and untracked, not ignored), plus the generated sample builds. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-mutants-'));
  const listed = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    try {
      cpSync(join(root, file), join(dir, file), { recursive: true });
    } catch {
      // Listed but deleted in the working tree.
    }
  }
  cpSync(join(root, 'sim', 'builds', 'out'), join(dir, 'sim', 'builds', 'out'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function runTests(dir: string, tests: string[]): { passed: boolean; tail: string } {
  const result = spawnSync('npx', ['ava', ...tests], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, SXL_ACCEPTANCE: '' },
    timeout: 10 * 60_000,
  });
  const lines = `${result.stdout}${result.stderr}`.trim().split('\n');
  // The failed tests' names say what broke; ava's last lines only count them.
  const failed = lines.filter((line) => line.includes('✘')).slice(0, 5);
  return {
    passed: result.status === 0,
    tail: (failed.length > 0 ? failed : lines.slice(-3)).map((line) => line.trim()).join(' | '),
  };
}

const only = process.argv.slice(2);
const mutants = only.length ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;
const dir = copyTree();
const started = Date.now();
const baseline = runTests(dir, [...new Set(mutants.flatMap((m) => m.tests))]);
if (!baseline.passed) {
  console.error(`The tests fail without any mutant; fix them first: ${baseline.tail}`);
  process.exit(2);
}
const survivors: Mutant[] = [];
for (const mutant of mutants) {
  const path = join(dir, mutant.file);
  const original = readFileSync(path, 'utf8');
  const count = original.split(mutant.from).length - 1;
  if (count !== 1) {
    console.log(
      `STALE    ${mutant.id}: "${mutant.from.split('\n')[0]}" occurs ${count} times in ${mutant.file}`,
    );
    survivors.push(mutant);
    continue;
  }
  writeFileSync(path, original.replace(mutant.from, mutant.to));
  const result = runTests(dir, mutant.tests);
  writeFileSync(path, original);
  if (result.passed) survivors.push(mutant);
  console.log(
    `${result.passed ? 'SURVIVED' : 'killed  '} ${mutant.id}: ${mutant.what} (${mutant.tests.join(' ')})`,
  );
}
rmSync(dir, { recursive: true, force: true });
const killed = mutants.length - survivors.length;
console.log(
  `\nMutation score: ${killed}/${mutants.length} killed in ${Math.round((Date.now() - started) / 1000)} s${survivors.length ? `; survived or stale: ${survivors.map((m) => m.id).join(', ')}` : ''}`,
);
process.exitCode = survivors.length ? 1 : 0;
