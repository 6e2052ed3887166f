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
  return {
    passed: result.status === 0,
    tail: `${result.stdout}${result.stderr}`.trim().split('\n').slice(-3).join(' | '),
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
