// `sysext-lab doctor` takes the project's sysext-lab.config.json as `run` does: its backend and
// image are doctor's defaults, and a flag given wins over them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from '../../helpers/cli-run.ts';
import { makeSimEnv } from '../../helpers/sim-env.ts';

const tahoe = 'ghcr.io/cirruslabs/macos-tahoe-base:latest';

function config(json: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sxl-doctor-config-')), 'sysext-lab.config.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

test("the config's backend is doctor's: orchard without ORCHARD_URL is a usage error; --backend wins", async (t) => {
  t.timeout(120_000);
  const sim = makeSimEnv();
  const file = config({ backend: 'orchard', image: tahoe });
  const env = { ORCHARD_URL: '' };
  const fromConfig = await runCli(sim, ['doctor', '--config', file, '--json'], env);
  t.is(fromConfig.code, 2, fromConfig.stderr);
  t.regex(fromConfig.stderr, /--backend orchard needs the controller's address: set ORCHARD_URL/);
  const flagged = await runCli(
    sim,
    ['doctor', '--config', file, '--backend', 'sim', '--json', '--no-sleep-probe'],
    env,
  );
  t.is(flagged.code, 0, flagged.stderr);
  const report = JSON.parse(flagged.stdout) as { versions: { backend: string; image: string } };
  t.is(report.versions.backend, 'sim');
  // The config's image, which is not the built-in default.
  t.is(report.versions.image, tahoe);
});

test("a config's bad image is a usage error naming it; --image wins over the config's image", async (t) => {
  t.timeout(60_000);
  const sim = makeSimEnv();
  const bad = await runCli(sim, ['doctor', '--config', config({ backend: 'sim', image: ['-x'] }), '--json']);
  t.is(bad.code, 2, bad.stderr);
  t.regex(bad.stderr, /Invalid --image "-x": it begins with "-"/);
  const flagged = await runCli(sim, ['doctor', '--config', config({ image: tahoe }), '--image=-y']);
  t.is(flagged.code, 2, flagged.stderr);
  t.regex(flagged.stderr, /Invalid --image "-y"/);
  const missing = await runCli(sim, ['doctor', '--config', join(tmpdir(), 'sxl-no-such', 'x.json')]);
  t.is(missing.code, 2, missing.stderr);
  t.regex(missing.stderr, /Cannot read the config/);
});
