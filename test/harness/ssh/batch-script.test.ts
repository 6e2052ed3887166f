// Several commands in one SSH exec: the script is read alike by real shells (sh, dash, bash) and by
// the sim's, and each command gets back exactly its own stdout, stderr and exit code, also when its
// output has no last newline, is empty, or holds what looks like a marker of another batch.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { CommandError } from '../../../harness/errors.ts';
import { batchNonce, batchScript, splitBatchOutput } from '../../../harness/ssh/batch-script.ts';
import { type ExecRecord, GuestSession } from '../../../harness/ssh/guest-session.ts';
import { connectedGuest } from '../../helpers/activated-guest.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

const run = promisify(execFile);

const commands: string[][] = [
  ['printf', '%s', 'no newline at the end'],
  ['sh', '-c', 'echo out; echo err >&2; exit 3'],
  ['true'],
  ['printf', '\\n\\036SXL-BATCH-000000000000000000000000 7\\nline\\n'],
  ['sh', '-c', 'printf "two\\n\\n"; printf "e1\\ne2" >&2'],
];

for (const shell of ['sh', 'dash', 'bash']) {
  test(`${shell} runs the batch and each command gets its own output and exit code`, async (t) => {
    const nonce = batchNonce();
    const { stdout, stderr } = await run(shell, ['-c', batchScript(commands, nonce)]);
    const parts = splitBatchOutput(stdout, stderr, nonce, commands.length);
    t.deepEqual(parts, [
      { stdout: 'no newline at the end', stderr: '', exitCode: 0 },
      { stdout: 'out\n', stderr: 'err\n', exitCode: 3 },
      { stdout: '', stderr: '', exitCode: 0 },
      { stdout: '\n\x1eSXL-BATCH-000000000000000000000000 7\nline\n', stderr: '', exitCode: 0 },
      { stdout: 'two\n\n', stderr: 'e1\ne2', exitCode: 0 },
    ]);
  });
}

test('a batch cut short: the command in flight keeps what it printed and has no exit code, later ones nothing', (t) => {
  const nonce = 'SXL-BATCH-abc';
  const parts = splitBatchOutput(`first\n\n\x1e${nonce} 0\nhalf`, `\n\x1e${nonce}\nerr`, nonce, 3);
  t.deepEqual(parts, [
    { stdout: 'first\n', stderr: '', exitCode: 0 },
    { stdout: 'half', stderr: 'err', exitCode: null },
    { stdout: '', stderr: '', exitCode: null },
  ]);
});

test('execEach on the sim guest: one SSH exec, a transcript record per command, the first failure thrown', async (t) => {
  const vm = await bootTestGuest();
  t.teardown(() => vm.guest.powerOff());
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  t.teardown(() => guest.close());
  const records: ExecRecord[] = [];
  guest.onExec((record) => records.push(record));
  const results = await guest.execEach([['whoami'], ['frobnicate', '--now'], ['sw_vers']], {
    allowFailure: true,
  });
  t.deepEqual(
    results.map((r) => [r.command, r.exitCode]),
    [
      ['whoami', 0],
      ['frobnicate --now', 127],
      ['sw_vers', 0],
    ],
  );
  t.is(results[0]!.stdout, 'admin\n');
  t.regex(results[1]!.stderr, /command not found: frobnicate/);
  t.regex(results[2]!.stdout, /^ProductName:\t+macOS\n/);
  t.deepEqual(
    records.map((r) => [r.command, r.batch]),
    [
      ['whoami', { index: 1, of: 3 }],
      ['frobnicate --now', { index: 2, of: 3 }],
      ['sw_vers', { index: 3, of: 3 }],
    ],
  );
  const error = await t.throwsAsync(guest.execEach([['whoami'], ['frobnicate']]), {
    instanceOf: CommandError,
  });
  t.is(error.exitCode, 127);
  t.regex(error.message, /^Exit code 127 from `frobnicate` on sxl-test-1/);
});

test('a batch cut short names the command it cut, not one that had ended before it', async (t) => {
  await using connected = await connectedGuest();
  const { guest } = connected;
  const records: ExecRecord[] = [];
  guest.onExec((record) => records.push(record));
  const batch = guest.execEach(
    [
      ['echo', 'first'],
      ['sleep', '30'],
      ['echo', 'never'],
    ],
    { allowFailure: true },
  );
  // The connection goes once the first command has ended and the second runs.
  setTimeout(() => guest.close(), 1_000);
  const error = await t.throwsAsync(batch, { instanceOf: CommandError });
  t.true(error.connectionLost);
  t.regex(error.message, /^Exit code none \(connection lost\) from `sleep 30` on sxl-test-1/);
  t.deepEqual(
    records.map((r) => [r.command, r.exitCode]),
    [
      ['echo first', 0],
      ['sleep 30', null],
      ['echo never', null],
    ],
  );
});
