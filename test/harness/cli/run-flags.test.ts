// The flags of `sysext-lab run`: usage errors exit 2 and name the flag; `list` and `show` describe the scenarios.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { cli, makeSimEnv } from '../../helpers/sim-env.ts';

const run = promisify(execFile);

async function sxl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], { env: makeSimEnv().env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('list shows the five scenarios', async (t) => {
  const { code, stdout } = await sxl(['list']);
  t.is(code, 0);
  t.deepEqual(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ')[0]),
    [
      'upgrade-xpc',
      'sleep-wake-flows',
      'activation-location',
      'same-version-no-replace',
      'filter-sleep-wake',
    ],
  );
});

for (const [args, pattern] of [
  [['--sleep-strategy', 'nap'], /--sleep-strategy must be guest or suspend, got "nap"/],
  [['--until-confident', '--threshold', '2'], /--threshold must be a number between 0 and 1, got "2"/],
  [['--until-fail', '--until-confident'], /--until-fail and --until-confident exclude each other/],
  [['--until-fail', '--max', '0'], /--max must be a whole number >= 1, got "0"/],
  [['--registration-deadline', 'soon'], /--registration-deadline must be a whole number >= 0, got "soon"/],
  [['--input', 'nonsense'], /--input expects NAME=VALUE, got "nonsense"/],
  [
    ['--input', 'colour=blue'],
    /Scenario upgrade-xpc has no input "colour": expected from, to, probe-command/,
  ],
] as const) {
  test(`run upgrade-xpc ${args.join(' ')}: exit 2`, async (t) => {
    const { code, stderr } = await sxl(['run', 'upgrade-xpc', ...args]);
    t.is(code, 2, stderr);
    t.regex(stderr, pattern);
  });
}

test('--reboot-probe belongs to upgrade-xpc', async (t) => {
  const { code, stderr } = await sxl(['run', 'sleep-wake-flows', '--reboot-probe']);
  t.is(code, 2);
  t.regex(stderr, /--reboot-probe works only with upgrade-xpc, not sleep-wake-flows/);
});

test('show states a scenario positive evidence, its signature and its typed inputs', async (t) => {
  const { code, stdout } = await sxl(['show', 'upgrade-xpc']);
  t.is(code, 0);
  t.regex(stdout, /^Signature: check xpc-endpoint-after-upgrade fails \(lost the XPC endpoint\)$/m);
  t.regex(stdout, /^Positive evidence: .*registration deadline.*relaunched.*replacement completed/m);
  t.regex(stdout, /^ {2}--input bootstrap-lookup: .*\(on, auto or off; default on\)$/m);
  t.regex(stdout, /^ {2}--reboot-probe: .*\(true or false; default false\)$/m);
  for (const id of [
    'sleep-wake-flows',
    'activation-location',
    'same-version-no-replace',
    'filter-sleep-wake',
  ]) {
    const shown = await sxl(['show', id]);
    t.is(shown.code, 0, shown.stderr);
    t.regex(shown.stdout, /^Positive evidence: \S.{40,}$/m);
  }
});

test('show names the scenarios when given an unknown one', async (t) => {
  const { code, stderr } = await sxl(['show', 'nope']);
  t.is(code, 2);
  t.regex(stderr, /Unknown scenario "nope": expected one of upgrade-xpc, .*, or the path of a scenario file/);
});
