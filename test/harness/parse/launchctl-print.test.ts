import test from 'ava';
import fc from 'fast-check';
import { parseLaunchctlPrint } from '../../../harness/parse/launchctl-print.ts';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { expandTabs, fixture, windowsPaste } from './helpers.ts';

test('running Apple daemon (akd): header, top-level fields, endpoints and dynamic endpoints', (t) => {
  const result = parseLaunchctlPrint(fixture('launchctl-print-akd.txt'));
  t.like(result, {
    domain: 'system',
    label: 'com.apple.akd',
    type: 'LaunchDaemon',
    state: 'running',
    pid: 928,
    lastExitCode: null,
    program: '/System/Library/PrivateFrameworks/AuthKit.framework/Versions/A/Support/akd',
  });
  t.deepEqual(result.endpoints, [
    { name: 'com.apple.ak.auth.xpc', port: '0x3a777', active: true, managed: true, watching: false },
    { name: 'com.apple.ak.anisette.xpc', port: '0x39003', active: true, managed: true, watching: false },
  ]);
  t.deepEqual(result.dynamicEndpoints, [
    { name: 'com.apple.ak.aps', port: '0x30d33', active: true, managed: false, watching: false },
  ]);
  t.deepEqual(Object.keys(result.endpointBlocks), ['endpoints', 'dynamic endpoints']);
  t.is(result.values['job state'], 'running');
  t.is(result.values['jetsam memory limit (active, soft)'], '50 MB');
  t.is(result.values.properties?.split(' | ').length, 5);
});

test('submitted login item: domain from the header, not from "domain = gui/501 [100015]"', (t) => {
  const result = parseLaunchctlPrint(fixture('launchctl-print-login-item.txt'));
  t.like(result, {
    domain: 'gui/501',
    label: 'com.vendor.helper',
    type: 'Submitted',
    state: 'not running',
    pid: null,
    lastExitCode: 0,
    program: null,
  });
  t.is(result.values.domain, 'gui/501 [100015]');
  t.deepEqual(result.endpoints, [
    { name: 'com.vendor.helper', port: '0x9a403', active: false, managed: true, watching: true },
  ]);
  t.deepEqual(result.dynamicEndpoints, []);
  t.is(result.endpointBlocks['dynamic endpoints'], undefined);
});

test('excerpt cut mid-word inside an endpoint keeps the endpoint read so far (pylaunchd #1)', (t) => {
  const result = parseLaunchctlPrint(fixture('launchctl-print-icloudhelper-excerpt.txt'));
  t.like(result, {
    domain: 'user/501',
    label: 'com.apple.iCloudHelper',
    type: 'XPCService',
    state: 'not running',
  });
  t.deepEqual(result.endpoints, [
    { name: 'com.apple.iCloudHelper', port: '0x2ed07', active: false, managed: true, watching: false },
  ]);
});

test('NE system extension job (reconstructed sample): label with versions, XPC endpoint', (t) => {
  const result = parseLaunchctlPrint(fixture('launchctl-print-ne-sysext.txt'));
  t.like(result, {
    domain: 'system',
    label: 'NetworkExtension.com.example.app.filter.1.2.3.456',
    type: 'Submitted',
    state: 'running',
    pid: 612,
    lastExitCode: null,
  });
  t.deepEqual(
    result.endpoints.map((e) => [e.name, e.active, e.watching]),
    [['ABCDE12345.group.com.example.app.filter.xpc', true, true]],
  );
});

test('no endpoints block is undefined, an empty block is an empty list', (t) => {
  const withBlock = fixture('launchctl-print-ne-sysext.txt');
  const start = withBlock.indexOf('\tendpoints = {');
  const end = withBlock.indexOf('\n\t}\n', start) + 4;
  const absent = parseLaunchctlPrint(withBlock.slice(0, start) + withBlock.slice(end));
  t.is(absent.endpointBlocks.endpoints, undefined);
  t.deepEqual(absent.endpoints, []);
  const empty = parseLaunchctlPrint(
    withBlock.slice(0, start) + '\tendpoints = {\n\t}\n' + withBlock.slice(end),
  );
  t.deepEqual(empty.endpointBlocks.endpoints, []);
  const oneLine = parseLaunchctlPrint(
    withBlock.slice(0, start) + '\tendpoints = {}\n' + withBlock.slice(end),
  );
  t.deepEqual(oneLine.endpointBlocks.endpoints, []);
});

test('only the top-level state counts, never one nested in event triggers', (t) => {
  const text = [
    'system/ABCDE12345.com.example.es = {',
    '\tactive count = 0',
    '\tpath = (submitted by smd[123])',
    '\ttype = Submitted',
    '\tevent triggers = {',
    '\t\tcom.example.trigger => {',
    '\t\t\tstate = active',
    '\t\t}',
    '\t}',
    '\tstate = spawn scheduled',
    '\tlast exit code = 78: EX_CONFIG',
    '}',
  ].join('\n');
  const result = parseLaunchctlPrint(text);
  t.is(result.state, 'spawn scheduled');
  t.is(result.lastExitCode, '78: EX_CONFIG');
  t.deepEqual(result.endpointBlocks, {});
  t.is(parseLaunchctlPrint(text.replace('\tstate = spawn scheduled\n', '')).state, null);
});

test('every endpoint block is collected: pid-local, instance-specific, event channels', (t) => {
  const entry = (name: string, port: string): string[] => [
    `\t\t"${name}" = {`,
    `\t\t\tport = ${port}`,
    '\t\t\tactive = 1',
    '\t\t\tmanaged = 0',
    '\t\t\treset = 0',
    '\t\t\thide = 0',
    '\t\t\twatching = 0',
    '\t\t}',
  ];
  const text = [
    'system/com.example.d = {',
    '\tpid-local endpoints = {',
    ...entry('com.example.local', '0x1'),
    '\t}',
    '\tinstance-specific endpoints = {',
    '\t}',
    '\tevent channels = {',
    ...entry('com.apple.fsevents.matching', '0x2'),
    ...entry('com.apple.notifyd.matching', '0'),
    '\t}',
    '}',
    '',
  ].join('\n');
  const result = parseLaunchctlPrint(text);
  t.deepEqual(Object.keys(result.endpointBlocks), [
    'pid-local endpoints',
    'instance-specific endpoints',
    'event channels',
  ]);
  t.deepEqual(
    result.endpointBlocks['event channels']?.map((e) => e.port),
    ['0x2', '0'],
  );
  t.deepEqual(result.endpointBlocks['instance-specific endpoints'], []);
});

test('4-space indentation, expanded TABs, CRLF and trailing spaces parse the same', (t) => {
  for (const name of [
    'launchctl-print-akd.txt',
    'launchctl-print-login-item.txt',
    'launchctl-print-ne-sysext.txt',
  ]) {
    const text = fixture(name);
    const expected = parseLaunchctlPrint(text);
    t.deepEqual(parseLaunchctlPrint(expandTabs(text, 4)), expected, `${name} 4 spaces`);
    t.deepEqual(parseLaunchctlPrint(expandTabs(text, 8)), expected, `${name} 8 spaces`);
    t.deepEqual(parseLaunchctlPrint(windowsPaste(text)), expected, `${name} CRLF`);
  }
});

test('every cut after the header gives a prefix of the endpoint names and never throws', (t) => {
  const text = fixture('launchctl-print-akd.txt');
  const names = (value: ReturnType<typeof parseLaunchctlPrint>): string[] =>
    [...value.endpoints, ...value.dynamicEndpoints].map((e) => e.name);
  const full = names(parseLaunchctlPrint(text));
  for (let end = text.indexOf('\n') + 1; end <= text.length; end++) {
    const part = names(parseLaunchctlPrint(text.slice(0, end)));
    t.deepEqual(part, full.slice(0, part.length), `cut at ${end}`);
  }
});

test('a domain print, garbage, empty input and text after the closing brace are ParseErrors', (t) => {
  const domain = t.throws(() => parseLaunchctlPrint(fixture('launchctl-print-system-domain.txt')), {
    instanceOf: ParseError,
  });
  t.is(
    domain.message,
    'Cannot parse launchctl print <domain>/<label>: line 1: expected a service header "<domain>/<label> = {" but got "system = {"',
  );
  t.like(
    t.throws(() => parseLaunchctlPrint(''), { instanceOf: ParseError }),
    { line: 1, got: null },
  );
  t.like(
    t.throws(() => parseLaunchctlPrint('\nCould not find service "x" in domain for system\n'), {
      instanceOf: ParseError,
    }),
    {
      line: 2,
    },
  );
  t.like(
    t.throws(() => parseLaunchctlPrint('system/x = {\n}\nmore\n'), { instanceOf: ParseError }),
    {
      line: 3,
      expected: 'the end of the output after the closing "}"',
    },
  );
});

test('property: random and mutated input either parses or throws ParseError', (t) => {
  const base = fixture('launchctl-print-akd.txt');
  const mutatedInput = fc
    .tuple(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 6, unit: 'binary' }))
    .map(([a, b, insert]) => base.slice(0, Math.min(a, b)) + insert + base.slice(Math.max(a, b)));
  const braces = fc
    .array(
      fc.constantFrom('x/y = {', '}', '\t"a" = {', 'port = 1', 'a => {', '= {', ' = ', '{}', '', '...'),
      {
        maxLength: 30,
      },
    )
    .map((lines) => lines.join('\n'));
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme-ascii' }), mutatedInput, braces), (input) => {
        try {
          parseLaunchctlPrint(input);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
      }),
      { numRuns: 500 },
    ),
  );
});
