// The runner's verdict for every kind of error a step can throw: only a CheckFailedError outside an
// abort is a `fail`, and only its check name (and message, when the signature names one) decides
// whether it counts toward the signature. Everything else is an `error` typed by its class.
import test from 'ava';
import * as errors from '../../../harness/errors.ts';
import { ParseWarningError } from '../../../harness/parse/line-parser.ts';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { defineScenario } from '../../../harness/scenario/define-scenario.ts';
import { classify } from '../../../harness/scenario/runner.ts';

const SIGNATURE_CHECK = 'xpc-endpoint-after-upgrade';
const OTHER_CHECK = 'extension-activated';

function scenarioWith(message?: RegExp) {
  return defineScenario({
    id: 'classify-table',
    title: 'classify table',
    report: 'none',
    inputs: {},
    checks: [SIGNATURE_CHECK, OTHER_CHECK],
    signature: {
      check: SIGNATURE_CHECK,
      ...(message ? { message } : {}),
      description: 'lost the endpoint',
      evidence: 'launchctl print without the endpoints block',
    },
    unit: 'upgrades',
    async run() {},
  });
}

// One instance of every error class the harness throws, as the runner would catch it.
const harnessErrors: Array<[string, () => unknown]> = [
  [
    'CommandError',
    () =>
      new errors.CommandError({
        command: 'launchctl print system/x',
        exitCode: null,
        stdout: '',
        stderr: '',
        durationMs: 5,
        timedOut: false,
        target: 'admin@vm:22',
      }),
  ],
  ['WaitTimeoutError', () => new errors.WaitTimeoutError('SSH', 'sxl-1', 1000)],
  ['HostCommandError', () => new errors.HostCommandError('tart run', 1, 'VZErrorDomain Code=1', 3)],
  ['ConfigError', () => new errors.ConfigError('--from', 'no such file')],
  ['InterruptedError', () => new errors.InterruptedError('SIGINT')],
  ['NoSleepError', () => new errors.NoSleepError('sxl-1', 'no Sleep entry')],
  [
    'ApprovalAutomationError',
    () =>
      new errors.ApprovalAutomationError('sxl-1', 'x 1.1 (110)', 'activated waiting for user', 'no effect'),
  ],
  ['SuspendFailedError', () => new errors.SuspendFailedError('sxl-1', 'resume', 'cold boot')],
  ['NoFullWakeError', () => new errors.NoFullWakeError('sxl-1', 'DarkWake only')],
  [
    'AppNotRelaunchedError',
    () => new errors.AppNotRelaunchedError('sxl-1', '/Applications/A.app', 'same pid'),
  ],
  ['LogPersistenceError', () => new errors.LogPersistenceError('vm', 'com.example', 'log config failed')],
  [
    'ProbeNotRunError',
    () =>
      new errors.ProbeNotRunError(
        'sxl-1',
        '/Applications/A.app/probe',
        127,
        'zsh:1: no such file or directory',
      ),
  ],
  [
    'HostPreconditionError',
    () => new errors.HostPreconditionError('host-vm-limit', 'VM limit', 'reboot the host', true, 'tart run'),
  ],
  ['UnreadableStateError', () => new errors.UnreadableStateError('the look-up', 'vm', 'garbage')],
  [
    'TransferChecksumError',
    () => new errors.TransferChecksumError('download', '/tmp/x', 'admin@vm:22', 'aa', 'bb', 10),
  ],
  ['OrchardApiError', () => new errors.OrchardApiError('POST', '/v1/vms', 503, 'no workers')],
  ['BackendUnsupportedError', () => new errors.BackendUnsupportedError('orchard', 'suspend', 'vm', 'no API')],
  ['VmLostError', () => new errors.VmLostError('vm', 'worker lost')],
  [
    'ParseError',
    () =>
      new ParseError({
        kind: 'launchctl-print',
        command: 'launchctl print',
        line: 1,
        expected: 'a',
        got: 'b',
      }),
  ],
  // A strict parse (the harness's own reads of systemextensionsctl list, launchctl print, pkgutil)
  // that met a changed shape: the run stops on it as an error, never reads it as the bug.
  [
    'ParseWarningError',
    () =>
      new ParseWarningError('systemextensions-list', 'systemextensionsctl list', [
        { code: 'missing-count-line', line: 1, message: 'no "<n> extension(s)" line' },
      ]),
  ],
  ['TypeError', () => new TypeError('x is undefined')],
  ['Error', () => new Error('boom')],
  // A thrown string or object is not an Error: still an error, never a verdict.
  ['Error', () => 'a thrown string'],
  ['Error', () => ({ check: SIGNATURE_CHECK, message: 'XPC endpoint missing' })],
];

// Every harness error class in errors.ts is in the table (a new one must be added here).
test('the table covers every error class of harness/errors.ts', (t) => {
  const classes = Object.entries(errors)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
    .map(([name]) => name)
    .filter((name) => name !== 'CheckFailedError');
  const covered = new Set(harnessErrors.map(([name]) => name));
  t.deepEqual(
    classes.filter((name) => !covered.has(name)),
    [],
  );
});

const signatures: Array<[string, RegExp | undefined]> = [
  ['check only', undefined],
  ['check and message', /XPC endpoint missing/],
];
const messages = ['XPC endpoint missing: no endpoints block', 'XPC round trip failed: probe exited 1'];

for (const [signatureName, signatureMessage] of signatures) {
  const scenario = scenarioWith(signatureMessage);
  for (const [k, [type, make]] of harnessErrors.entries()) {
    test(`#${k} ${type} is an error with its type, never the signature (signature: ${signatureName})`, (t) => {
      const { outcome, failure } = classify(make(), scenario, new AbortController().signal);
      t.is(outcome, 'error');
      t.is(failure.errorType, type);
      t.is(failure.failedCheck, undefined);
      t.not(failure.matchesSignature, true);
      t.truthy(failure.message);
    });
  }
  for (const check of [SIGNATURE_CHECK, OTHER_CHECK]) {
    for (const message of messages) {
      const expected = check === SIGNATURE_CHECK && (signatureMessage?.test(message) ?? true);
      test(`CheckFailedError(${check}, "${message.slice(0, 20)}") is a fail, signature ${expected} (signature: ${signatureName})`, (t) => {
        const error = new errors.CheckFailedError(check, message, { 'x.txt': 'evidence' });
        const { outcome, failure } = classify(error, scenario, new AbortController().signal);
        t.is(outcome, 'fail');
        t.is(failure.failedCheck, check);
        t.is(failure.matchesSignature, expected);
        t.is(failure.message, message);
        t.is(failure.errorType, undefined);
      });
      test(`CheckFailedError(${check}, "${message.slice(0, 20)}") after an abort is an error (signature: ${signatureName})`, (t) => {
        const controller = new AbortController();
        controller.abort(new errors.InterruptedError('SIGINT'));
        const { outcome, failure } = classify(
          new errors.CheckFailedError(check, message),
          scenario,
          controller.signal,
        );
        t.is(outcome, 'error');
        t.is(failure.errorType, 'InterruptedError');
        t.is(failure.message, 'Interrupted by SIGINT during the iteration');
        t.is(failure.matchesSignature, undefined);
      });
    }
  }
}

test('an abort for another reason names it, typed by its class', (t) => {
  const controller = new AbortController();
  controller.abort(new errors.HostCommandError('tart list', 1, 'crashed', 2));
  const { outcome, failure } = classify(new Error('x'), scenarioWith(), controller.signal);
  t.is(outcome, 'error');
  t.is(failure.errorType, 'HostCommandError');
  t.regex(failure.message ?? '', /^Run aborted: Exit code 1 from `tart list`/);
});

test('an abort without an Error reason is an InterruptedError', (t) => {
  const controller = new AbortController();
  controller.abort('stop');
  const { failure } = classify(
    new errors.CheckFailedError(SIGNATURE_CHECK, 'XPC endpoint missing'),
    scenarioWith(),
    controller.signal,
  );
  t.is(failure.errorType, 'InterruptedError');
});
