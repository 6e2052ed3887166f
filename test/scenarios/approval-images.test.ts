// Issue 10: `--approval auto` approves in a run on both images the sim serves: the (i) sheet on 15,
// "By Category" first on 26, the password prompt and the configuration alert; every iteration
// records the UI strategy and none is labelled bypassed.
import test from 'ava';
import { runOnSim } from './run-on-sim.ts';

const IMAGES = ['ghcr.io/cirruslabs/macos-sequoia-base:latest', 'ghcr.io/cirruslabs/macos-tahoe-base:latest'];

test('--approval auto approves through System Settings on the sequoia and tahoe images', async (t) => {
  t.timeout(240_000);
  const run = await runOnSim('upgrade-xpc', { images: IMAGES, repeat: 1, seed: 3, approval: 'auto' });
  t.is(run.exitCode, 0, run.console);
  t.deepEqual(
    run.results.map((r) => [r.image, r.outcome, r.findings?.['approval-strategy'], r.findings?.approval]),
    IMAGES.map((image) => [image, 'pass', 'ui', undefined]),
  );
  t.deepEqual(
    run.summary.scenarios.map((s) => [s.image, s.findings?.['approval-strategy']]),
    IMAGES.map((image) => [image, { ui: 1 }]),
  );
});
