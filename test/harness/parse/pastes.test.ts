// What people paste (test/fixtures/macos/SOURCES.md names where each shape comes from): every class
// of the issue reads right, with warnings instead of failures, and strict mode refuses them.
import { readdirSync } from 'node:fs';
import test from 'ava';
import fc from 'fast-check';
import { parseLaunchctlPrint } from '../../../harness/parse/launchctl-print.ts';
import { ParseWarningError } from '../../../harness/parse/line-parser.ts';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parsePkgutilFiles, parsePkgutilPkgInfo } from '../../../harness/parse/pkgutil.ts';
import { parsePmsetAssertions } from '../../../harness/parse/pmset-assertions.ts';
import { detectKind, parseKinds, parseKindText } from '../../../harness/parse/registry.ts';
import { parseScutilNcList } from '../../../harness/parse/scutil-nc-list.ts';
import { parseSwVers } from '../../../harness/parse/sw-vers.ts';
import { parseSystemExtensionsList } from '../../../harness/parse/systemextensions-list.ts';
import { parseUnifiedLog } from '../../../harness/parse/unified-log.ts';
import { expandTabs, FIXTURE_KINDS, fixture, fixtureInput, spacesToTabs, windowsPaste } from './helpers.ts';

test('systemextensionsctl list pasted from its "---" line: the rows, with a missing-count-line warning', (t) => {
  const full = parseSystemExtensionsList(fixture('systemextensions-list-older.txt'));
  const { result, warnings } = parseKindText(
    'systemextensions-list',
    fixture('systemextensions-list-no-count.txt'),
  );
  t.deepEqual(result, full);
  t.deepEqual(
    warnings.map((w) => [w.code, w.line]),
    [['missing-count-line', 1]],
  );
  t.throws(() => parseSystemExtensionsList(fixture('systemextensions-list-no-count.txt'), { strict: true }), {
    instanceOf: ParseWarningError,
  });
});

test('a camera extension (com.apple.system_extension.cmio) pasted from its "---" line: the row, with warnings', (t) => {
  const { result, warnings } = parseKindText(
    'systemextensions-list',
    fixture('systemextensions-list-cmio-no-count.txt'),
  );
  t.deepEqual(result, {
    count: 1,
    extensions: [
      {
        category: 'com.apple.system_extension.cmio',
        enabled: true,
        active: true,
        teamId: '2MMRE5MTB8',
        bundleId: 'com.obsproject.obs-studio.mac-camera-extension',
        shortVersion: '30.0.0',
        bundleVersion: '6132306234',
        name: 'com.obsproject.obs-studio.mac-camera-extension',
        state: 'activated enabled',
      },
    ],
  });
  t.deepEqual(
    warnings.map((w) => [w.code, w.line]),
    [
      ['missing-count-line', 1],
      ['unknown-category', 1],
    ],
  );
});

test('a list pasted with its command line, a stderr log line among the rows, a row without name, cut mid-row', (t) => {
  const { result, warnings } = parseKindText(
    'systemextensions-list',
    fixture('systemextensions-list-cmio-obs.txt'),
  );
  const list = result as ReturnType<typeof parseSystemExtensionsList>;
  t.is(list.count, 6);
  t.deepEqual(
    list.extensions.map((e) => [e.category.replace('com.apple.system_extension.', ''), e.bundleId, e.name]),
    [
      ['cmio', 'com.obsproject.obs-studio.mac-camera-extension', ''],
      ['endpoint_security', 'at.obdev.littlesnitch.endpointsecurity', 'Little Snitch Endpoint Security'],
      [
        'driver_extension',
        'org.pqrs.Karabiner-DriverKit-VirtualHIDDevice',
        'org.pqrs.Karabiner-DriverKit-VirtualHIDDevice',
      ],
      ['network_extension', 'ch.protonvpn.mac.OpenVPN-Extension', 'ProtonVPN OpenVPN'],
      ['network_extension', 'ch.protonvpn.mac.WireGuard-Extension', 'ProtonVPN WireGuard'],
    ],
  );
  t.deepEqual(
    warnings.map((w) => [w.code, w.line]),
    [
      ['extra-line', 1],
      ['unknown-category', 3],
      ['extra-line', 5],
      ['truncated', 17],
    ],
  );
  t.is(detectKind(fixture('systemextensions-list-cmio-obs.txt').split('\n')), 'systemextensions-list');
  t.throws(() => parseSystemExtensionsList(fixture('systemextensions-list-cmio-obs.txt'), { strict: true }), {
    instanceOf: ParseWarningError,
  });
});

test('a list pasted after a prompt with spaces (zsh, bash): auto picks the kind, the command line is an extra line', (t) => {
  const output = fixture('systemextensions-list-cmio-obs.txt').replace(/^systemextensionsctl list\n/, '');
  const bare = parseKindText('systemextensions-list', `systemextensionsctl list\n${output}`);
  for (const prompt of ['user@mac ~ % ', 'mac:~ me$ ', 'user@mac ~ % sudo ']) {
    const text = `${prompt}systemextensionsctl list\n${output}`;
    t.is(detectKind(text.split('\n')), 'systemextensions-list', prompt);
    const { result, warnings } = parseKindText('systemextensions-list', text);
    t.deepEqual(result, bare.result, prompt);
    t.deepEqual(
      warnings.map((w) => [w.code, w.line]),
      bare.warnings.map((w) => [w.code, w.line]),
      prompt,
    );
  }
  // The command is a whole word: a longer name is not its echo.
  const other = `xsystemextensionsctl list\n${output}`;
  t.not(detectKind(other.split('\n')), 'systemextensions-list');
  t.throws(() => parseKindText('systemextensions-list', other), { instanceOf: ParseError });
});

test('launchctl print of older releases: label-only header, 8 or 4 spaces, internal domain name, empty blocks on two lines, cut', (t) => {
  // macOS 10.14 (wazuh-packages #2206): 8 spaces, the paste ends at an open "sockets = {".
  const mojave = parseKindText('launchctl-print', fixture('launchctl-print-mojave-wazuh.txt'));
  const print = mojave.result as ReturnType<typeof parseLaunchctlPrint>;
  t.like(print, {
    domain: 'system',
    label: 'com.wazuh.agent',
    state: 'running',
    pid: 1486,
    lastExitCode: 0,
    program: '/Library/StartupItems/WAZUH/Wazuh-launcher',
  });
  // "endpoints = {" / "}" on two lines is an empty block, not an absent one.
  t.deepEqual(print.endpoints, []);
  t.deepEqual(Object.keys(print.endpointBlocks), [
    'endpoints',
    'dynamic endpoints',
    'pid-local endpoints',
    'instance-specific endpoints',
    'event channels',
  ]);
  t.deepEqual(
    mojave.warnings.map((w) => w.code),
    ['older-layout', 'truncated', 'older-layout'],
  );
  t.throws(() => parseLaunchctlPrint(fixture('launchctl-print-mojave-wazuh.txt'), { strict: true }), {
    instanceOf: ParseWarningError,
  });
  // OS X 10.10 (puppet-boxen #104): 4 spaces, cut mid-word after the endpoint blocks.
  const yosemite = parseKindText('launchctl-print', fixture('launchctl-print-yosemite-boxen.txt'));
  t.like(yosemite.result, {
    domain: 'system',
    label: 'dev.mysql',
    state: 'running',
    pid: 24784,
    lastExitCode: 1,
  });
  t.deepEqual(
    yosemite.warnings.map((w) => w.code),
    ['older-layout', 'truncated', 'older-layout'],
  );
});

test('nested coalition dictionaries keep their own "state =" lines: the job\'s state is the job\'s', (t) => {
  // The coalition blocks of a real recent launchctl print (SOURCES.md), put into the Mojave job at its indentation.
  const coalitions = [
    'resource coalition = {',
    '\tID = 1296',
    '\ttype = resource',
    '\tstate = terminated',
    '\tactive count = 0',
    '\tname = io.shuttle.daemon',
    '}',
    '',
    'jetsam coalition = {',
    '\tID = 1297',
    '\ttype = jetsam',
    '\tstate = terminated',
    '\tactive count = 0',
    '\tname = io.shuttle.daemon',
    '}',
    '',
  ]
    .map((line) => (line === '' ? '' : `        ${line.replace('\t', '        ')}`))
    .join('\n');
  const text = fixture('launchctl-print-mojave-wazuh.txt').replace(
    '        event triggers = {',
    `${coalitions}\n        event triggers = {`,
  );
  t.not(text, fixture('launchctl-print-mojave-wazuh.txt'));
  const print = parseLaunchctlPrint(text);
  t.is(print.state, 'running');
  t.is(print.values.state, 'running');
  t.false('ID' in print.values);
});

test('pmset -g assertions with a locale time, legacy types and rows without process name or age', (t) => {
  const { result, warnings } = parseKindText('pmset-assertions', fixture('pmset-assertions-legacy.txt'));
  const assertions = result as ReturnType<typeof parsePmsetAssertions>;
  t.is(assertions.timestamp, null);
  t.is(assertions.localTime, '7/11/12 10:45:33 PM PDT');
  t.is(assertions.systemWide.NoIdleSleepAssertion, 1);
  t.is(assertions.systemWide.CPUBoundAssertion, 0);
  t.deepEqual(assertions.byProcess, [
    {
      pid: 1827,
      process: null,
      id: '0x000000bb012c01f1',
      age: null,
      type: 'PreventUserIdleSystemSleep',
      name: "com.apple.audio.'AppleHDAEngineOutput:1B,0,1,1:0'.noidlesleep",
      details: [],
    },
  ]);
  t.deepEqual([...new Set(warnings.map((w) => w.code))], ['older-layout']);
  // A locale time with a comma and trailing spaces, and "..." lines where the poster left rows out.
  const spotifree = parseKindText('pmset-assertions', fixture('pmset-assertions-locale-time.txt'));
  t.like(spotifree.result, {
    timestamp: null,
    localTime: '4/16/14, 8:56:48 PM CDT',
    systemWide: { PreventUserIdleSystemSleep: 1 },
  });
  t.like((spotifree.result as ReturnType<typeof parsePmsetAssertions>).byProcess[0], {
    pid: 425,
    process: 'applet',
    age: '56:10:03',
    type: 'PreventUserIdleSystemSleep',
    name: 'executing event',
  });
  t.deepEqual(
    spotifree.warnings.map((w) => w.code),
    ['older-layout'],
  );
  // The German locale line reads the same way.
  const german = fixture('pmset-assertions.txt').replace(/^.*\n/, '13.08.15 19:19:28 MESZ\n');
  t.is(parsePmsetAssertions(german).localTime, '13.08.15 19:19:28 MESZ');
});

test('log stream --source: the sender in angle brackets is its own field, the process stays the process', (t) => {
  const log = parseUnifiedLog(fixture('log-stream-source.txt'));
  t.deepEqual(
    log.entries.map((e) => [e.sender, e.process, e.subsystem, e.category, e.message]),
    [
      [
        'sysextd',
        'sysextd',
        'com.apple.sx',
        'XPC',
        'client activation request for com.objective-see.lulu.extension',
      ],
      [
        'libxpc.dylib`_xpc_connection_call_event_handler',
        'sysextd',
        'com.apple.xpc',
        'connection',
        'activating connection',
      ],
      [undefined, 'sysextd', 'com.apple.sx', 'XPC', 'no sender column on this line'],
    ],
  );
  t.false('sender' in log.entries[2]!);
});

test('scutil --nc list with the UUID replaced by text or removed: the service, id null, a redacted-id warning', (t) => {
  const redacted = parseKindText('scutil-nc-list', fixture('scutil-nc-list-redacted.txt'));
  t.like((redacted.result as ReturnType<typeof parseScutilNcList>).services[0], {
    id: null,
    status: 'Disconnected',
    type: 'PPP --> PPTP',
    name: 'myVPName',
    subtype: 'PPP:PPTP',
  });
  t.deepEqual(
    redacted.warnings.map((w) => w.code),
    ['redacted-id'],
  );
  const real = fixture('scutil-nc-list-l2tp.txt');
  const uuid = 'E3A8F336-CCEB-4A29-B50A-FBAD41D84A71';
  for (const replaced of [real.replace(uuid, '[uuid here]'), real.replace(`${uuid} `, '')]) {
    const { services } = parseScutilNcList(replaced);
    t.like(services[0], { id: null, type: 'PPP --> L2TP', name: 'My VPN', subtype: 'PPP:L2TP' });
  }
  t.is(parseScutilNcList(real).services[0]!.id, uuid);
  t.throws(() => parseScutilNcList(fixture('scutil-nc-list-redacted.txt'), { strict: true }), {
    instanceOf: ParseWarningError,
  });
});

test('sw_vers after a Rapid Security Response: ProductVersionExtra, with TABs or spaces', (t) => {
  const expected = {
    productName: 'macOS',
    productVersion: '13.3.1',
    productVersionExtra: '(a)',
    buildVersion: '22E772610a',
  };
  t.deepEqual(parseSwVers(fixture('sw-vers-rsr.txt')), expected);
  t.deepEqual(parseSwVers(fixture('sw-vers-rsr-spaces.txt')), expected);
  t.deepEqual(parseSwVers(fixture('sw-vers-14.txt')), {
    productName: 'macOS',
    productVersion: '14.2.1',
    buildVersion: '23C71',
  });
});

test('ndjson out of time order, with multi-line messages, escaped slashes and no process field', (t) => {
  const { result, warnings } = parseKindText('unified-log', fixture('log-ndjson-unordered.txt'));
  const log = result as ReturnType<typeof parseUnifiedLog>;
  t.is(log.style, 'ndjson');
  t.deepEqual(
    log.entries.map((e) => [e.process, e.type]),
    [
      ['sysextd', 'Default'],
      ['sysextd', 'Error'],
      ['SSMenuAgent', 'Default'],
    ],
  );
  t.is(log.entries[1]!.message, 'validation failed:\nteam ID mismatch\n(expected VBG97UB4TA)');
  t.is(log.entries[2]!.message, 'path /Library/SystemExtensions/x');
  t.deepEqual(
    warnings.map((w) => [w.code, w.line]),
    [['out-of-order', 2]],
  );
  // A real ndjson line (SOURCES.md): no process field, the path with escaped slashes.
  const real = parseKindText('unified-log', fixture('log-ndjson-symptomsd.txt'));
  t.like((real.result as ReturnType<typeof parseUnifiedLog>).entries[0], {
    timestamp: '2026-08-27T22:19:30.831980+08:00',
    process: 'symptomsd',
    pid: 444,
    subsystem: 'com.apple.symptomsd',
    message: 'TCP metrics iteration:4',
  });
  t.deepEqual(real.warnings, []);
});

test('pkgutil --pkg-info and --files: the receipt fields and the paths', (t) => {
  t.deepEqual(parsePkgutilPkgInfo(fixture('pkgutil-pkg-info.txt')), {
    packageId: 'net.adoptopenjdk.8.jdk',
    version: '1.8.0_265-b01',
    volume: '/',
    location: 'Library/Java/JavaVirtualMachines/adoptopenjdk-8.jdk',
    installTime: 1597042784,
  });
  t.deepEqual(parsePkgutilFiles('X.app\nX.app/Contents\nX.app/Contents/Info.plist\n').files, [
    'X.app',
    'X.app/Contents',
    'X.app/Contents/Info.plist',
  ]);
  t.throws(() => parsePkgutilFiles("No receipt for 'com.x' found at '/'.\n"), { instanceOf: ParseError });
  t.throws(() => parsePkgutilPkgInfo('hello\n'), { instanceOf: ParseError });
});

const SAMPLES = Object.entries(FIXTURE_KINDS).map(([name, kind]) => ({
  name,
  kind,
  text: fixtureInput(name),
}));

test('every file of test/fixtures/macos has its kind here and its source in SOURCES.md', (t) => {
  const files = readdirSync(new URL('../../fixtures/macos/', import.meta.url)).filter((name) =>
    name.endsWith('.txt'),
  );
  t.deepEqual(files.sort(), Object.keys(FIXTURE_KINDS).sort());
  const sources = fixture('SOURCES.md');
  for (const name of files) t.true(sources.includes(`| ${name} `), `${name} is not in SOURCES.md`);
});

test('auto picks the kind of every fixture from its first lines', (t) => {
  for (const { name, kind, text } of SAMPLES) t.is(detectKind(text.split('\n')) as string | null, kind, name);
  t.is(detectKind(['hello world']), null);
});

// Every prefix of every fixture, cut at each character: at every line end and inside every line.
test('a paste cut anywhere after its first line never throws; cut inside the first line it is a ParseError', (t) => {
  let cuts = 0;
  for (const { name, kind, text } of SAMPLES) {
    // The first line of the command's output (after the command line, when the poster copied it too).
    const echo = /^[^\n]*systemextensionsctl list\n/.exec(text)?.[0].length ?? 0;
    const firstLineEnd = text.indexOf('\n', echo);
    for (let at = 1; at <= text.length; at++) {
      const cut = text.slice(0, at);
      if (cut.trim() === '') continue;
      cuts++;
      try {
        parseKindText(kind, cut);
      } catch (error) {
        // A first line cut short is no longer the command's output: there is nothing to read.
        if (error instanceof ParseError && at <= firstLineEnd) continue;
        t.fail(`${name} cut at ${at} of ${text.length} (${JSON.stringify(cut.slice(-30))}): ${error}`);
        return;
      }
    }
  }
  t.true(cuts > 10_000, `${cuts} cuts`);
});

test('property: a paste cut at any line, in any layout (TABs, spaces, CRLF), never throws', (t) => {
  const layouts = [(text: string) => text, (text: string) => expandTabs(text, 8), windowsPaste];
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.constantFrom(...SAMPLES),
        fc.constantFrom(...layouts),
        fc.nat(),
        fc.boolean(),
        ({ kind, text }, layout, at, inLine) => {
          const lines = layout(text).split('\n');
          // Keep the first line whole: with nothing of the command's output there is nothing to read.
          const first = /systemextensionsctl list\s*$/.test(lines[0]!) ? 2 : 1;
          const keep = Math.min(lines.length, first + (at % lines.length));
          let cut = lines.slice(0, keep).join('\n');
          if (inLine && keep > first)
            cut = cut.slice(0, cut.length - (at % Math.max(1, lines[keep - 1]!.length)));
          // A whole line ends with its newline; the last line stays as the paste has it (maybe cut).
          else if (keep < lines.length) cut += '\n';
          if (cut.trim() === '') return;
          parseKindText(kind, cut);
        },
      ),
      { numRuns: 1500 },
    ),
  );
});

// Compact log style keeps its own spacing; JSON strings and log messages hold no layout.
const LAYOUT_SAMPLES = SAMPLES.filter(({ kind }) => kind !== 'unified-log');

test('property: TABs turned into spaces (any width) read the same facts', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.constantFrom(...LAYOUT_SAMPLES),
        fc.integer({ min: 1, max: 8 }),
        ({ name, kind, text }, width) => {
          const expected = parseKindText(kind, text).result;
          const expanded = parseKindText(kind, expandTabs(text, width)).result;
          if (JSON.stringify(expanded) !== JSON.stringify(expected)) {
            throw new Error(`${name}: TABs expanded at width ${width} read differently`);
          }
        },
      ),
      { numRuns: 300 },
    ),
  );
});

test('property: runs of spaces turned into TABs read the same facts', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.constantFrom(...LAYOUT_SAMPLES),
        fc.integer({ min: 2, max: 8 }),
        ({ name, kind, text }, run) => {
          const expected = parseKindText(kind, expandTabs(text, 8)).result;
          const tabbed = parseKindText(kind, spacesToTabs(expandTabs(text, 8), run)).result;
          if (JSON.stringify(tabbed) !== JSON.stringify(expected)) {
            throw new Error(`${name}: runs of ${run}+ spaces as TABs read differently`);
          }
        },
      ),
      { numRuns: 300 },
    ),
  );
});

test('every kind has a description, an example and detection', (t) => {
  for (const [kind, entry] of Object.entries(parseKinds)) {
    t.true(entry.example.length > 0 && entry.description.length > 0, kind);
  }
  t.true('pkgutil-pkg-info' in parseKinds && 'pkgutil-files' in parseKinds);
});
