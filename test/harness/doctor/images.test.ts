// Image identity: the manifests name only images Cirrus publishes (`-base` exists as `:latest`
// only), the Packer templates bake what runs need and fail without the TCC grants, and `--pull`
// pulls every image before the first iteration.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
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
    // Every guest tool the harness builds on first use is prebuilt, so runs on the image skip cc.
    for (const source of readdirSync(join(repo, 'harness', 'guest-tools')).filter((f) => f.endsWith('.c'))) {
      const name = source.slice(0, -2);
      t.true(text.includes(`cc -O2 -Wall -o /Users/admin/sxl-tools/${name} /tmp/${source}`), source);
    }
    t.regex(text, /pmset -a sleep 0/);
    t.regex(text, /variable "provider_subsystem"/);
    t.regex(
      text,
      /log config --subsystem '\$\{var\.provider_subsystem\}' --mode 'level:debug,persist:debug'/,
    );
  });
}

/** The shell provisioner's inline commands of a template, as packer hands them to the guest's sh. */
function inlineCommands(template: string): string[] {
  const block = /inline\s*=\s*\[\n([\s\S]*?)\n\s*\]/.exec(template)?.[1] ?? '';
  // HCL string literals escape as JSON does; the template has no ${...} other than var.*.
  return block
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('"'))
    .map((line) => JSON.parse(line.replace(/,$/, '')) as string);
}

const GRANTED = ['kTCCServiceAccessibility', 'kTCCServiceAppleEvents', 'kTCCServiceScreenCapture'].flatMap(
  (service) =>
    ['/usr/bin/osascript', '/usr/libexec/sshd-keygen-wrapper'].map((client) => `${service}|${client}`),
);

for (const template of readdirSync(imagesDir).filter((f) => f.endsWith('.pkr.hcl'))) {
  test(`${template}: its TCC check passes with every grant and fails the build, naming the grant, without one`, (t) => {
    const text = readFileSync(join(imagesDir, template), 'utf8');
    const base = /variable "base_image"[\s\S]*?default\s*=\s*"([^"]+)"/.exec(text)?.[1] ?? '';
    t.regex(base, /^ghcr\.io\/cirruslabs\/macos-[a-z]+-base:latest$/);
    // The commands up to the first one that changes the image: `set -eu` and the check itself.
    const commands = inlineCommands(text);
    const check = commands.slice(
      0,
      commands.findIndex((c) => c.startsWith('mkdir')),
    );
    t.true(check.length >= 2 && check.some((c) => c.includes('TCC.db')), check.join('\n'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: packer's interpolation, not JavaScript's
    const script = check.map((c) => c.replaceAll('${var.base_image}', base)).join('\n');
    // Linux stands in for the guest: sudo runs its command, sqlite3 answers the query with the rows
    // sqlite3 prints for it (`service|client`, one per granted row), or fails as without access.
    const dir = mkdtempSync(join(tmpdir(), 'sxl-tcc-'));
    try {
      writeFileSync(join(dir, 'sudo'), '#!/bin/sh\nexec "$@"\n');
      writeFileSync(
        join(dir, 'sqlite3'),
        `#!/bin/sh
[ "$1" = '/Library/Application Support/com.apple.TCC/TCC.db' ] || { echo "Error: unable to open database \\"$1\\"" >&2; exit 1; }
case "$2" in *auth_value=2*) ;; *) echo 'Error: the stub expects the granted rows only' >&2; exit 1;; esac
[ -f "$SXL_TCC_ROWS" ] || { echo 'Error: unable to open database: authorization denied' >&2; exit 1; }
cat "$SXL_TCC_ROWS"
`,
      );
      chmodSync(join(dir, 'sudo'), 0o755);
      chmodSync(join(dir, 'sqlite3'), 0o755);
      const build = (rows: string[] | undefined) => {
        const file = join(dir, 'rows');
        rmSync(file, { force: true });
        if (rows) writeFileSync(file, rows.map((r) => `${r}\n`).join(''));
        return spawnSync('/bin/sh', ['-c', script], {
          env: { PATH: `${dir}:${process.env.PATH}`, SXL_TCC_ROWS: file },
          encoding: 'utf8',
        });
      };
      // The Cirrus base grants AppleEvents twice (System Events and Safari): a duplicate line is fine.
      const all = build([
        ...GRANTED,
        'kTCCServiceAppleEvents|/usr/bin/osascript',
        'kTCCServicePostEvent|/usr/bin/osascript',
      ]);
      t.is(all.status, 0, all.stderr);
      const oneMissing = build(
        GRANTED.filter((g) => g !== 'kTCCServiceScreenCapture|/usr/libexec/sshd-keygen-wrapper'),
      );
      t.is(oneMissing.status, 1);
      t.is(
        oneMissing.stderr,
        `missing TCC grant kTCCServiceScreenCapture for /usr/libexec/sshd-keygen-wrapper: pull ${base} again\n`,
      );
      // A row is the whole `service|client`: a longer client of the same prefix grants nothing.
      const lookalike = build([
        ...GRANTED.filter((g) => g !== 'kTCCServiceAccessibility|/usr/bin/osascript'),
        'kTCCServiceAccessibility|/usr/bin/osascript2',
      ]);
      t.is(lookalike.status, 1);
      t.regex(lookalike.stderr, /^missing TCC grant kTCCServiceAccessibility for \/usr\/bin\/osascript:/);
      // A base built before 2026-03 has no rows; a TCC.db that cannot be read fails the build too.
      t.is(build([]).status, 1);
      const unreadable = build(undefined);
      t.not(unreadable.status, 0);
      t.regex(unreadable.stderr, /authorization denied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('make image runs packer init and build on the named template with the provider subsystem', (t) => {
  // A stand-in packer records how it was called and from where (no Mac, no packer here).
  const dir = mkdtempSync(join(tmpdir(), 'sxl-packer-'));
  try {
    const log = join(dir, 'calls');
    writeFileSync(
      join(dir, 'packer'),
      `#!/bin/sh\n[ -f "$(echo "$@" | awk '{print $NF}')" ] || { echo "no template $*" >&2; exit 1; }\necho "$(basename "$PWD"): $*" >> '${log}'\n`,
    );
    chmodSync(join(dir, 'packer'), 0o755);
    const make = (image: string) =>
      spawnSync('make', ['-s', 'image', `IMAGE=${image}`, 'SUBSYSTEM=com.example.vpn.provider'], {
        cwd: repo,
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
        encoding: 'utf8',
      });
    for (const image of ['sequoia', 'tahoe']) {
      const result = make(image);
      t.is(result.status, 0, result.stderr);
    }
    t.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      'vm-images: init sxl-sequoia.pkr.hcl',
      'vm-images: build -var provider_subsystem=com.example.vpn.provider sxl-sequoia.pkr.hcl',
      'vm-images: init sxl-tahoe.pkr.hcl',
      'vm-images: build -var provider_subsystem=com.example.vpn.provider sxl-tahoe.pkr.hcl',
    ]);
    // An image without a template stops at packer init.
    t.not(make('ventura').status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

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

test('a run pinned by the digest another run recorded clones that digest and records it again', async (t) => {
  const first = makeSimEnv();
  const latest = await runCli(first, [
    'run',
    'upgrade-xpc',
    '--backend',
    'sim',
    '--artifacts',
    first.artifacts,
  ]);
  t.is(latest.code, 0, latest.stderr);
  const digest = (
    JSON.parse(readFileSync(join(onlyRunDir(first), 'run.json'), 'utf8')) as { imageDigest?: string }
  ).imageDigest;
  t.regex(digest ?? '', /^ghcr\.io\/cirruslabs\/macos-sequoia-base@sha256:[0-9a-f]{64}$/);
  // Another host, nothing cached: the digest is pulled as such, not through :latest.
  const other = makeSimEnv();
  const pinned = await runCli(other, [
    'run',
    'upgrade-xpc',
    '--backend',
    'sim',
    '--image',
    digest ?? '',
    '--artifacts',
    other.artifacts,
  ]);
  t.is(pinned.code, 0, pinned.stderr);
  t.like(JSON.parse(readFileSync(join(onlyRunDir(other), 'run.json'), 'utf8')), {
    image: digest,
    imageDigest: digest,
  });
  // A digest the registry does not have is tart's 404, an infrastructure error, no iteration run.
  const unknown = makeSimEnv();
  const missing = await runCli(unknown, [
    'run',
    'upgrade-xpc',
    '--backend',
    'sim',
    '--image',
    (digest ?? '').replace(/@sha256:.*/, `@sha256:${'ab'.repeat(32)}`),
    '--artifacts',
    unknown.artifacts,
  ]);
  t.is(missing.code, 3);
  t.regex(missing.stdout, /manifest unknown/);
});
