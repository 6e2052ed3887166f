// Image identity: the manifests name only images Cirrus publishes (`-base` exists as `:latest`
// only), the Packer templates bake what runs need and fail without the TCC grants, and `--pull`
// pulls every image before the first iteration.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { onlyRunDir, runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv, repo } from '../../helpers/sim-env.ts';

const imagesDir = join(repo, 'vm-images');
const manifests = readdirSync(imagesDir).filter((f) => f.endsWith('.json'));

test('every manifest names only the :latest tag of a Cirrus -base image', (t) => {
  t.true(manifests.length >= 2);
  for (const file of manifests) {
    const manifest = JSON.parse(readFileSync(join(imagesDir, file), 'utf8')) as {
      refs: string[];
      from: string;
    };
    for (const ref of [...manifest.refs, manifest.from]) {
      t.regex(ref, /^ghcr\.io\/cirruslabs\/macos-[a-z]+-base:latest$/, `${file}: ${ref}`);
    }
  }
});

for (const template of readdirSync(imagesDir).filter((f) => f.endsWith('.pkr.hcl'))) {
  test(`${template} re-pulls, checks the TCC grants, prebuilds the guest tools, sets sleep and log persistence`, (t) => {
    const text = readFileSync(join(imagesDir, template), 'utf8');
    t.regex(text, /always_pull\s*=\s*true/);
    t.regex(text, /TCC\.db/);
    for (const grant of ['kTCCServiceAccessibility', 'kTCCServiceAppleEvents', 'kTCCServiceScreenCapture'])
      t.true(text.includes(grant), grant);
    t.regex(text, /exit 1/);
    const sources = [...text.matchAll(/source\s*=\s*"\$\{path\.root\}\/([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    t.true(sources.length > 0);
    for (const source of sources) t.true(existsSync(join(imagesDir, source)), source);
    t.regex(text, /cc -O2 -Wall -o \/Users\/admin\/sxl-tools\//);
    t.regex(text, /pmset -a sleep 0/);
    t.regex(text, /variable "provider_subsystem"/);
    t.regex(
      text,
      /log config --subsystem '\$\{var\.provider_subsystem\}' --mode 'level:debug,persist:debug'/,
    );
  });
}

test('--pull pulls the image before the first iteration', async (t) => {
  const sim = makeSimEnv();
  const ok = await runCli(sim, [
    'run',
    'upgrade-xpc',
    '--backend',
    'sim',
    '--pull',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /pulling ghcr\.io\/cirruslabs\/macos-sequoia-base:latest \(--pull\)/);
  const manifest = JSON.parse(readFileSync(join(onlyRunDir(sim), 'run.json'), 'utf8')) as {
    imageDigest?: string;
  };
  t.regex(manifest.imageDigest ?? '', /^ghcr\.io\/cirruslabs\/macos-sequoia-base@sha256:[0-9a-f]{64}$/);

  // A tag the registry does not have (the old manifests' :15.5): the pull fails before any VM.
  const other = makeSimEnv();
  const missing = await runCli(other, [
    'run',
    'upgrade-xpc',
    '--backend',
    'sim',
    '--pull',
    '--image',
    'ghcr.io/cirruslabs/macos-sequoia-base:15.5',
    '--artifacts',
    other.artifacts,
  ]);
  t.is(missing.code, 3);
  const results = JSON.parse(readFileSync(join(onlyRunDir(other), 'results.json'), 'utf8')) as {
    results: unknown[];
  };
  t.is(results.results.length, 0);
});
