// The scenario-level guards that keep a harness problem off the signature, on the values the
// scenarios read: only sysextd's location refusal is forum report 3, and a running job whose program
// cannot be read is an error, while no job at all is the first build stopped. And the
// same-version-kept verdict on each running binary (the sim never replaces an equal version, so its
// failing side is reached here).
import test from 'ava';
import { CheckFailedError, UnreadableStateError } from '../../harness/errors.ts';
import { isLocationRefusal } from '../../scenarios/activation-location.ts';
import {
  checkFirstBuildKept,
  type RunningBuild,
  runningBuild,
  runningProgram,
} from '../../scenarios/same-version-no-replace.ts';

test("report 3 is only sysextd refusing the location (or the app's code 4 for it)", (t) => {
  t.true(
    isLocationRefusal([
      'sysextd: client activation request for com.example.sxl.app.proxy',
      'sysextd: no policy, cannot allow apps outside /Applications',
    ]),
  );
  t.true(
    isLocationRefusal([
      'SXL Sample: OSSystemExtensionErrorDomain error 4 (Extension not found in App bundle)',
    ]),
  );
  // Other refusals are product failures on another check, not report 3.
  t.false(isLocationRefusal(['sysextd: Extension validation failed: code signature invalid']));
  t.false(
    isLocationRefusal([
      'sysextd: extension com.example.sxl.app.proxy (1.0/100) is not newer than the active one',
    ]),
  );
  t.false(isLocationRefusal([]));
});

const context = {
  label: 'NetworkExtension.com.example.sxl.app.proxy.1.1.110',
  target: 'admin@127.0.0.1:2222',
  evidence: { 'launchctl-print.txt': 'system/NetworkExtension... = {\n\tstate = running\n}' },
};

test('a running job without a readable program is UnreadableStateError with launchctl print', (t) => {
  const error = t.throws(() => runningProgram({ program: null, state: 'running', pid: 414 }, context), {
    instanceOf: UnreadableStateError,
  });
  t.is(
    error?.message,
    'Cannot read the program of system/NetworkExtension.com.example.sxl.app.proxy.1.1.110 on admin@127.0.0.1:2222: launchctl print has no readable "program =" line (state running, pid 414)',
  );
  t.deepEqual(error?.evidence, context.evidence);
  t.throws(() => runningProgram({ program: '', state: 'running', pid: 414 }, context), {
    instanceOf: UnreadableStateError,
  });
});

test('no job at all is the first build stopped (null); a program is returned as read', (t) => {
  t.is(runningProgram(null, context), null);
  t.is(
    runningProgram(
      { program: '/Library/SystemExtensions/X/proxy.systemextension/Contents/MacOS/proxy' },
      context,
    ),
    '/Library/SystemExtensions/X/proxy.systemextension/Contents/MacOS/proxy',
  );
});

const FIRST = 'a'.repeat(64);
const RESHIP = 'b'.repeat(64);
const OTHER = 'c'.repeat(64);

test('same-version-kept: the first build, or a binary both builds share, passes; anything else fails on it', (t) => {
  const evidence = { 'launchctl-print.txt': 'state = running' };
  const kept: Array<[string | null, string, string]> = [
    [FIRST, FIRST, RESHIP],
    [FIRST, FIRST, FIRST],
  ];
  t.deepEqual(
    kept.map(([running, first, reship]) => runningBuild(running, first, reship)),
    ['the first build', 'a binary identical in both builds'],
  );
  for (const [running, first, reship] of kept) {
    t.notThrows(() => checkFirstBuildKept(runningBuild(running, first, reship), 'statement', evidence));
  }
  const replaced: Array<[string | null, RunningBuild]> = [
    [RESHIP, 'the reinstalled build'],
    [OTHER, 'neither build'],
    [null, 'no job'],
  ];
  for (const [running, which] of replaced) {
    t.is(runningBuild(running, FIRST, RESHIP), which);
    const error = t.throws(
      () => checkFirstBuildKept(runningBuild(running, FIRST, RESHIP), `runs ${which}`, evidence),
      { instanceOf: CheckFailedError },
    );
    t.is(error?.check, 'same-version-kept');
    t.is(error?.message, `Running extension is not the first build: runs ${which}`);
    t.deepEqual(error?.evidence, evidence);
  }
});
