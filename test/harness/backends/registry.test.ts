// Backends as plug-ins: the registry makes a profile per kind, each validates its own settings and
// owns its defaults; the profiles describe the fake tart they run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { backendKinds, createBackend } from '../../../harness/backends/registry.ts';
import { ConfigError } from '../../../harness/errors.ts';
import { findScenario } from '../../../scenarios/index.ts';
import { makeSimEnv, sampleBuilds } from '../../helpers/sim-env.ts';

const generic = {
  image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
  registrationDeadlineMs: 60_000,
  sleepTimeoutMs: 30_000,
  suspendedMs: 5_000,
};

test('the registered kinds are sim, tart and orchard, the sim first', (t) => {
  t.deepEqual(backendKinds, ['sim', 'tart', 'orchard']);
});

test('the sim profile runs the fake tart and records its seed and quirks', async (t) => {
  const sim = makeSimEnv();
  const profile = createBackend('sim', {
    seed: 9,
    quirks: { 'no-sleep': 0.5 },
    tartHome: sim.tartHome,
    timeScale: 0,
  });
  const description = await profile.describe({ timeoutMs: 30_000 });
  t.like(description, { backend: 'sim', toolVersion: '2.32.1' });
  t.is(description.host.macos, undefined, 'the host of a simulation is not the Mac it models');
  t.deepEqual(profile.record, { seed: 9, quirks: { 'no-sleep': 0.5 } });
  t.deepEqual(profile.properties, { seed: '9', quirks: 'no-sleep=0.5' });
  t.deepEqual(await profile.vms.list(), []);
});

test('the sim scales the deadlines by its time scale, with floors; a real Mac keeps them', (t) => {
  const at = (timeScale: number) => createBackend('sim', { seed: 1, timeScale }).runDefaults(generic);
  t.deepEqual(at(0), {
    registrationDeadlineMs: 2_000,
    sleepWake: { sleepTimeoutMs: 5_000, suspendedMs: 50 },
  });
  t.deepEqual(at(1), {
    registrationDeadlineMs: 60_000,
    sleepWake: { sleepTimeoutMs: 30_000, suspendedMs: 5_000 },
  });
  t.deepEqual(createBackend('tart').runDefaults(generic), {});
});

test('a seed not given is drawn and recorded, so that the run can be repeated', (t) => {
  const seed = createBackend('sim', { timeScale: 0 }).record.seed;
  t.true(Number.isInteger(seed) && (seed as number) >= 0, String(seed));
});

test('the sim supplies the sample builds a scenario declares; a real Mac does not', (t) => {
  const scenario = findScenario('upgrade-xpc');
  if (!scenario) throw new Error('upgrade-xpc is not registered');
  const given = { to: '/builds/mine.pkg' };
  const inputs = createBackend('sim', { seed: 1 }).withDefaultInputs(scenario.inputs, given);
  t.is(inputs.from, join(sampleBuilds, 'SXL Sample 1.0.pkg'));
  t.true(existsSync(inputs.from!));
  t.is(inputs.to, '/builds/mine.pkg');
  t.deepEqual(createBackend('tart').withDefaultInputs(scenario.inputs, given), given);
});

test('tart that does not run is a usage error saying how to get it', async (t) => {
  const profile = createBackend('tart', { tartBin: '/nonexistent/tart' });
  const error = await t.throwsAsync(profile.describe({ timeoutMs: 10_000 }), { instanceOf: ConfigError });
  t.regex(
    error?.message ?? '',
    /^The tart backend's tart does not run \(.*\)\. Install tart or set TART_BIN\.$/,
  );
});

for (const [kind, settings, message] of [
  ['vmware', {}, /^--backend must be sim, tart or orchard, got "vmware"$/],
  [
    'tart',
    { seed: 4 },
    /^--seed works only with --backend sim: it seeds the simulated Mac's quirks; got it with --backend tart$/,
  ],
  ['tart', { quirks: { 'no-sleep': 1 } }, /^--quirk works only with --backend sim: /],
  [
    'sim',
    { colour: 'blue' },
    /^Backend sim has no setting "colour": expected seed, quirks, timeScale or tartHome$/,
  ],
  ['sim', { seed: -1 }, /^--seed must be a whole number >= 0, got -1$/],
  [
    'sim',
    { quirks: { 'no-sleep': 2 } },
    /^--quirk expects NAME=P with P between 0 and 1, .*; got "no-sleep=2"$/,
  ],
  ['sim', { timeScale: -0.5 }, /^timeScale must be a number >= 0, got -0\.5$/],
  ['tart', { tartBin: '' }, /^tartBin must be the path of the tart executable, got $/],
] as const) {
  test(`createBackend(${kind}, ${JSON.stringify(settings)}) is a usage error`, (t) => {
    t.throws(() => createBackend(kind, settings), { instanceOf: ConfigError, message });
  });
}

test('settings left undefined count as not given', (t) => {
  t.notThrows(() => createBackend('tart', { seed: undefined, quirks: undefined }));
});
