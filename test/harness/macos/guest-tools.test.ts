import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { UnreadableStateError } from '../../../harness/errors.ts';
import { dateSetArgument, setGuestClock } from '../../../harness/macos/guest-clock.ts';
import {
  bootstrapLookup,
  bootstrapLookupTool,
  ensureGuestTool,
  guestToolsDir,
  parseBootstrapLookup,
} from '../../../harness/macos/guest-tools.ts';
import { logShowArgv, predicateString } from '../../../harness/macos/unified-log.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { connectedGuest } from '../../helpers/activated-guest.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

const SOURCE = fileURLToPath(new URL('../../../harness/guest-tools/sxl-bootstrap-lookup.c', import.meta.url));
const STUBS = fileURLToPath(new URL('../../../sim/guest/sdk-stubs', import.meta.url));

/** Debian's clang, against stub headers with the SDK's signatures: what `cc` on the guest would say. */
function compile(source: string) {
  return spawnSync(
    'clang',
    ['-fsyntax-only', '-std=gnu17', '-Wall', '-Wextra', '-Werror', '-isystem', STUBS, source],
    { encoding: 'utf8' },
  );
}

test('the bootstrap look-up tool compiles against the SDK stubs without a warning', (t) => {
  const result = compile(SOURCE);
  if (result.error) return t.fail(`clang did not run (make tools installs it): ${result.error.message}`);
  t.is(result.stderr, '');
  t.is(result.status, 0);
});

// The stubs reject what the SDK rejects: otherwise the test above could not fail.
const breakages: Array<[string, (source: string) => string, RegExp]> = [
  ['a missing semicolon', (s) => s.replace('MACH_PORT_NULL;', 'MACH_PORT_NULL'), /expected ';'/],
  ['the port passed by value', (s) => s.replace('&port)', 'port)'), /take the address with &/],
  ['a kern_return_t printed as a string', (s) => s.replace('bootstrap_strerror(kr))', 'kr)'), /-Wformat/],
  [
    'an undeclared SDK name',
    (s) => s.replace('bootstrap_port,', 'bootstrap_port_of_task,'),
    /undeclared identifier/,
  ],
  [
    'the strerror result ignored',
    (s) => s.replace('printf("ok', 'bootstrap_strerror(kr); printf("ok'),
    /-Wunused-result/,
  ],
];
for (const [name, mutate, expected] of breakages) {
  test(`clang refuses the tool with ${name}`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sxl-cc-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const original = readFileSync(SOURCE, 'utf8');
    const broken = mutate(original);
    t.not(broken, original, 'the breakage applies to the source');
    const file = join(dir, 'sxl-bootstrap-lookup.c');
    await writeFile(file, broken);
    const result = compile(file);
    t.is(result.status, 1);
    t.regex(result.stderr, expected);
  });
}

test('the tool source starts with the marker the sim builds it by', (t) => {
  t.is(readFileSync(SOURCE, 'utf8').split('\n')[0], '// sxl-guest-tool: bootstrap-lookup');
});

test('parses the tool output: ok, or a kern_return with its text', (t) => {
  t.like(parseBootstrapLookup('a.b', 'ok a.b port=0x1a03\n', '', 0), { ok: true, port: '0x1a03' });
  t.like(parseBootstrapLookup('a.b', '', 'bootstrap_look_up a.b: 1102 (Unknown service name)\n', 1), {
    ok: false,
    code: 1102,
    reason: 'Unknown service name',
  });
});

// Output the tool does not print says nothing about the service: an error, never a failed look-up.
const unreadable: Array<[string, string, string, number | null]> = [
  ['sudo refusing', '', 'sudo: a password is required\n', 1],
  ['a crash', '', 'zsh: segmentation fault  sudo -n tool a.b\n', 139],
  ['no output and a lost connection', '', '', null],
  ['ok for another service', 'ok x.y port=0x1a03\n', '', 0],
  ['ok with a non-zero exit', 'ok a.b port=0x1a03\n', '', 1],
  ['a look-up failure with exit 0', '', 'bootstrap_look_up a.b: 1102 (Unknown service name)\n', 0],
];
for (const [name, stdout, stderr, exitCode] of unreadable) {
  test(`tool output with ${name} is UnreadableStateError with the raw output`, (t) => {
    const error = t.throws(() => parseBootstrapLookup('a.b', stdout, stderr, exitCode, 'admin@vm:22'), {
      instanceOf: UnreadableStateError,
    });
    t.regex(error?.message ?? '', /^Cannot read the bootstrap look-up of "a\.b" on admin@vm:22: /);
    t.is(
      error?.evidence['bootstrap-lookup.txt'],
      `$ exit ${exitCode}\n--- stdout\n${stdout}--- stderr\n${stderr}`,
    );
  });
}

test('a look-up tool on the guest that prints something else is UnreadableStateError', async (t) => {
  const vm = await bootTestGuest();
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  t.teardown(async () => {
    guest.close();
    await vm.guest.powerOff();
  });
  const dir = await mkdtemp(join(tmpdir(), 'sxl-tool-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // An executable that is not the tool (a stale or foreign file under the tools folder).
  await writeFile(join(dir, 'tool'), 'not a Mach-O\n');
  await guest.exec(['mkdir', '-p', guestToolsDir]);
  const path = `${guestToolsDir}/${bootstrapLookupTool.name}`;
  await guest.upload(join(dir, 'tool'), path);
  await guest.exec(['chmod', '755', path]);
  const error = await t.throwsAsync(bootstrapLookup(guest, 'com.example.xpc'), {
    instanceOf: UnreadableStateError,
  });
  t.regex(error?.message ?? '', /exec format error/);
});

test('a session builds the tool once and asks for it once; a tool gone later is UnreadableStateError', async (t) => {
  await using connected = await connectedGuest();
  const { guest } = connected;
  const commands: string[] = [];
  guest.onExec((record) => commands.push(record.command));
  const path = await ensureGuestTool(guest, bootstrapLookupTool);
  t.is(await ensureGuestTool(guest, bootstrapLookupTool), path);
  t.is(commands.filter((command) => command.startsWith('test -x')).length, 1);
  t.is(commands.filter((command) => command.startsWith('cc ')).length, 1);
  // Removed behind the harness's back: the look-up's output is no result, never a missing endpoint.
  await guest.exec(['rm', '-f', path]);
  await t.throwsAsync(bootstrapLookup(guest, 'com.example.xpc'), { instanceOf: UnreadableStateError });
});

test('the guest clock is set to the whole second at or after the time asked, never back', async (t) => {
  const sent: string[][] = [];
  const guest = {
    exec: async (command: string[]) => {
      sent.push(command);
      return { stdout: '', stderr: '', exitCode: 0 };
    },
  } as unknown as Parameters<typeof setGuestClock>[0];
  const set = await setGuestClock(guest, new Date('2026-03-04T05:06:07.245Z'));
  t.is(set.toISOString(), '2026-03-04T05:06:08.000Z');
  t.is(
    (await setGuestClock(guest, new Date('2026-03-04T05:06:07.000Z'))).toISOString(),
    '2026-03-04T05:06:07.000Z',
  );
  t.deepEqual(sent, [
    ['sudo', '-n', 'date', '-u', '030405062026.08'],
    ['sudo', '-n', 'date', '-u', '030405062026.07'],
  ]);
});

test('date -u argument, log show argv and predicate strings', (t) => {
  t.is(dateSetArgument(new Date('2026-03-04T05:06:07Z')), '030405062026.07');
  t.deepEqual(logShowArgv({ predicate: 'process == "sysextd"', start: '2026-01-01 00:00:00' }), [
    'log',
    'show',
    '--style',
    'ndjson',
    '--info',
    '--debug',
    '--start',
    '2026-01-01 00:00:00',
    '--predicate',
    'process == "sysextd"',
  ]);
  t.deepEqual(logShowArgv({ predicate: 'x', last: '5m' }).slice(6, 8), ['--last', '5m']);
  t.is(predicateString('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
});
