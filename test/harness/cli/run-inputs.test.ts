// Usage errors before any VM: every bad input of `sysext-lab run` exits 2, names the input, and no
// `tart clone` is run. The clones are counted by a wrapper given as TART_BIN, which logs each tart
// call and refuses clones (so that a valid run ends at its first clone instead of booting).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { ZipWriter } from '../../../harness/report/zip-writer.ts';
import { encodeXar } from '../../../sim/builds/xar-archive.ts';
import { runCli } from '../../helpers/cli-run.ts';
import { fakeTart, makeSimEnv, sampleBuilds } from '../../helpers/sim-env.ts';

const pkg10 = join(sampleBuilds, 'SXL Sample 1.0.pkg');
const pkg11 = join(sampleBuilds, 'SXL Sample 1.1.pkg');
const zip10 = join(sampleBuilds, 'SXL Sample 1.0.zip');

interface Counted {
  code: number;
  stdout: string;
  stderr: string;
  /** Every tart command line the run issued, one per call. */
  calls: string[];
  clones: number;
  artifacts: string;
}

async function runCounted(args: string[]): Promise<Counted> {
  const sim = makeSimEnv();
  const log = join(sim.dir, 'tart-calls.log');
  const wrapper = join(sim.dir, 'counting-tart');
  writeFileSync(
    wrapper,
    [
      '#!/bin/bash',
      'printf "%s\\n" "$*" >> "$SXL_TEST_TART_LOG"',
      'if [ "$1" = clone ]; then echo "clone refused by the test wrapper" >&2; exit 1; fi',
      `exec "${fakeTart}" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  const result = await runCli(sim, [...args, '--artifacts', sim.artifacts], {
    TART_BIN: wrapper,
    SXL_TEST_TART_LOG: log,
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  return {
    ...result,
    calls,
    clones: calls.filter((line) => line.startsWith('clone ')).length,
    artifacts: sim.artifacts,
  };
}

/** A real-Mac run (the tart backend) with both builds given, as a user on a Mac would type it. */
function tartRun(scenario: string, extra: string[], builds = ['--from', pkg10, '--to', pkg11]): string[] {
  return ['run', scenario, '--backend', 'tart', ...builds, ...extra];
}

function scratch(name: string): string {
  const dir = join(makeSimEnv().dir, 'builds');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

test('control: valid inputs (.zip and .app builds) reach tart clone', async (t) => {
  const app = scratch('Other.app');
  mkdirSync(join(app, 'Contents'), { recursive: true });
  writeFileSync(join(app, 'Contents', 'Info.plist'), '<plist/>');
  const run = await runCounted(tartRun('upgrade-xpc', [], ['--from', zip10, '--to', app]));
  t.is(run.clones, 1, run.stdout + run.stderr);
  t.is(run.code, 3, run.stdout + run.stderr);
  t.regex(run.stdout, /clone refused by the test wrapper/);
  // run.json is written before the first clone; it records what a failure would have counted on.
  const [runId] = readdirSync(run.artifacts);
  const manifest = JSON.parse(readFileSync(join(run.artifacts, runId!, 'run.json'), 'utf8'));
  t.is(manifest.signature.check, 'xpc-endpoint-after-upgrade');
  t.regex(manifest.signature.evidence, /registration deadline/);
});

const textFile = (name: string) => {
  const path = scratch(name);
  writeFileSync(path, 'just some notes\n');
  return path;
};

const cases: { title: string; args: () => Promise<string[]> | string[]; stderr: RegExp }[] = [
  {
    title: 'a missing build',
    args: () => tartRun('upgrade-xpc', [], ['--from', '/nonexistent/SXL.pkg', '--to', pkg11]),
    stderr: /--from of upgrade-xpc: "\/nonexistent\/SXL\.pkg" does not exist/,
  },
  {
    title: 'a text file given as --from (.pkg)',
    args: () => tartRun('upgrade-xpc', [], ['--from', textFile('notes.pkg'), '--to', pkg11]),
    stderr:
      /--from of upgrade-xpc: ".*notes\.pkg" is not a flat package: it does not start with xar's magic "xar!" .*; its first bytes are "just"/,
  },
  {
    title: 'a .pkg cut after its first bytes (a download stopped short)',
    args: () => {
      const path = scratch('cut.pkg');
      writeFileSync(path, readFileSync(pkg10).subarray(0, 64));
      return tartRun('upgrade-xpc', [], ['--from', path, '--to', pkg11]);
    },
    stderr:
      /--from of upgrade-xpc: ".*cut\.pkg" is not a readable flat package: the file is cut: its table of contents ends at byte \d+, the file has 64/,
  },
  {
    title: 'a xar archive that is no installer package',
    args: async () => {
      const path = scratch('notes.pkg');
      const data = Buffer.from('just some notes\n');
      writeFileSync(
        path,
        await encodeXar([{ path: 'notes.txt', data, encoding: 'zlib' }], { mtime: new Date(0) }),
      );
      return tartRun('upgrade-xpc', [], ['--from', pkg10, '--to', path]);
    },
    stderr:
      /--to of upgrade-xpc: ".*notes\.pkg" is not an installer package: its table of contents has neither PackageInfo \(pkgbuild\) nor Distribution \(productbuild\); its first entries: notes\.txt/,
  },
  {
    title: 'a text file given as --to (.zip)',
    args: () => tartRun('upgrade-xpc', [], ['--from', pkg10, '--to', textFile('notes.zip')]),
    stderr: /--to of upgrade-xpc: ".*notes\.zip" is not a zip archive/,
  },
  {
    title: 'a zip without an app at its top',
    args: async () => {
      const path = scratch('docs.zip');
      const zip = new ZipWriter(path);
      await zip.addBuffer('docs/readme.txt', 'read me');
      await zip.addBuffer('docs/Nested.app/Contents/Info.plist', '<plist/>');
      await zip.close();
      return tartRun('upgrade-xpc', [], ['--from', path, '--to', pkg11]);
    },
    stderr:
      /--from of upgrade-xpc: ".*docs\.zip" holds no app at its top level .*its first entries: docs\/readme\.txt/,
  },
  {
    title: 'an .app folder without Contents/Info.plist',
    args: () => {
      const app = scratch('Empty.app');
      mkdirSync(join(app, 'Contents'), { recursive: true });
      return tartRun('same-version-no-replace', [], ['--from', pkg10, '--to', app]);
    },
    stderr: /--to of same-version-no-replace: ".*Empty\.app" is not an app bundle: .*Info\.plist is missing/,
  },
  {
    title: 'a non-number',
    args: () => tartRun('sleep-wake-flows', ['--input', 'deadline-ms=soon'], ['--from', pkg10]),
    stderr:
      /Invalid --input deadline-ms for sleep-wake-flows: expected a whole number >= 1 .*; pass e\.g\. --input deadline-ms=30000, got "soon"/,
  },
  {
    title: 'a number below its minimum',
    args: () => tartRun('activation-location', ['--input', 'activation-timeout-ms=0'], ['--from', pkg10]),
    stderr: /Invalid --input activation-timeout-ms for activation-location: expected a whole number >= 1/,
  },
  {
    title: 'a bad enum',
    args: () => tartRun('upgrade-xpc', ['--input', 'bootstrap-lookup=maybe']),
    stderr: /Invalid --input bootstrap-lookup for upgrade-xpc: expected on, auto or off .*got "maybe"/,
  },
  {
    title: "a bad enum of filter-sleep-wake (issue 14's scenario obeys the same guards)",
    args: () => tartRun('filter-sleep-wake', ['--input', 'provider=vpn'], ['--from', pkg10]),
    stderr:
      /Invalid --input provider for filter-sleep-wake: expected content-filter or dns-proxy .*got "vpn"/,
  },
  {
    title: 'a bad boolean',
    args: () => tartRun('upgrade-xpc', ['--input', 'reboot-probe=yes']),
    stderr: /Invalid --input reboot-probe for upgrade-xpc: expected true or false .*got "yes"/,
  },
  {
    title: 'an unknown input',
    args: () => tartRun('upgrade-xpc', ['--input', 'colour=blue']),
    stderr:
      /Scenario upgrade-xpc has no input "colour": expected from, to, probe-command, bootstrap-lookup, reboot-probe/,
  },
  {
    title: 'an image that begins with -',
    args: () => tartRun('upgrade-xpc', ['--image=-x']),
    stderr: /Invalid --image "-x": it begins with "-"/,
  },
  {
    title: 'an image that begins with - (as a separate argument)',
    args: () => tartRun('upgrade-xpc', ['--image', '-x']),
    stderr: /Option '--image' argument is ambiguous/,
  },
  {
    title: 'an image with a space',
    args: () => tartRun('upgrade-xpc', ['--image', 'foo bar']),
    stderr: /Invalid --image "foo bar": a local VM name is letters, digits/,
  },
  {
    title: 'a malformed OCI reference in the matrix',
    args: () =>
      tartRun('upgrade-xpc', ['--image', 'ghcr.io/cirruslabs/macos-sequoia-base:latest,ghcr.io/a b:1']),
    stderr: /Invalid --image "ghcr\.io\/a b:1": it is not a well-formed OCI reference/,
  },
];

for (const { title, args, stderr } of cases) {
  test(`${title}: exit 2, the input named, no clone`, async (t) => {
    const run = await runCounted(await args());
    t.is(run.code, 2, run.stdout + run.stderr);
    t.regex(run.stderr, stderr);
    t.is(run.clones, 0, run.calls.join('\n'));
  });
}

test('on the sim backend too, a bad input leaves the simulated host without VMs or pulled images', async (t) => {
  const sim = makeSimEnv();
  const run = await runCli(sim, [
    'run',
    'sleep-wake-flows',
    '--input',
    'deadline-ms=1.5',
    '--artifacts',
    sim.artifacts,
  ]);
  t.is(run.code, 2, run.stdout + run.stderr);
  t.regex(run.stderr, /Invalid --input deadline-ms for sleep-wake-flows: expected a whole number >= 1/);
  t.false(existsSync(join(sim.tartHome, 'vms')));
  t.false(existsSync(join(sim.tartHome, 'cache')));
  t.false(existsSync(sim.artifacts));
});
