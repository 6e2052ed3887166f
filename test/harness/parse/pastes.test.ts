// What people paste (test/fixtures/macos/SOURCES.md names where each shape comes from): every class
// of the issue reads right, with warnings instead of failures, and strict mode refuses them.
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
import { expandTabs, fixture } from './helpers.ts';

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

test('a camera extension (com.apple.system_extension.cmio) is read as printed, with an unknown-category warning', (t) => {
  const { result, warnings } = parseKindText(
    'systemextensions-list',
    fixture('systemextensions-list-cmio.txt'),
  );
  const list = result as ReturnType<typeof parseSystemExtensionsList>;
  t.is(list.count, 2);
  t.deepEqual(
    list.extensions.map((e) => [e.category, e.bundleVersion, e.enabled, e.active, e.state]),
    [
      ['com.apple.system_extension.cmio', '1', false, false, 'terminated waiting to uninstall on reboot'],
      ['com.apple.system_extension.cmio', '2', true, true, 'activated enabled'],
    ],
  );
  t.deepEqual(
    warnings.map((w) => w.code),
    ['unknown-category'],
  );
});

test('launchctl print of an older release: label-only header, 8 spaces, internal domain name, cut inside a block', (t) => {
  const text = fixture('launchctl-print-older-layout.txt');
  const { result, warnings } = parseKindText('launchctl-print', text);
  const print = result as ReturnType<typeof parseLaunchctlPrint>;
  t.is(print.label, 'com.openssh.sshd');
  t.is(print.domain, 'system');
  // The coalition's own "state = active" does not override the job's.
  t.is(print.state, 'waiting');
  t.is(print.lastExitCode, 0);
  t.is(print.program, '/usr/libexec/sshd-keygen-wrapper');
  // "endpoints = {" / "}" on two lines is an empty block, not an absent one.
  t.deepEqual(print.endpointBlocks, { endpoints: [] });
  t.deepEqual(
    warnings.map((w) => w.code),
    ['older-layout', 'truncated', 'older-layout'],
  );
  t.throws(() => parseLaunchctlPrint(text, { strict: true }), { instanceOf: ParseWarningError });
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

// Every fixture of test/fixtures/macos by the kind that reads it.
const PASTES: Record<string, string[]> = {
  'systemextensions-list': [
    'systemextensions-list-older.txt',
    'systemextensions-list-macos15.txt',
    'systemextensions-list-no-count.txt',
    'systemextensions-list-cmio.txt',
    'systemextensions-list-santa.txt',
  ],
  'launchctl-print': [
    'launchctl-print-akd.txt',
    'launchctl-print-older-layout.txt',
    'launchctl-print-ne-sysext.txt',
  ],
  'launchctl-print-domain': ['launchctl-print-system-domain.txt'],
  'launchctl-list': ['launchctl-list.txt'],
  'sw-vers': ['sw-vers-14.txt', 'sw-vers-rsr.txt', 'sw-vers-rsr-spaces.txt', 'sw-vers-10.13.txt'],
  'pmset-log': ['pmset-log-header.txt', 'pmset-log-wake-sleep.txt'],
  'pmset-assertions': ['pmset-assertions.txt', 'pmset-assertions-legacy.txt'],
  'unified-log': [
    'log-stream-default.txt',
    'log-show-compact.txt',
    'log-show-json-object.txt',
    'log-stream-source.txt',
    'log-ndjson-unordered.txt',
  ],
  installer: ['installer-upgrade.txt'],
  'codesign-display': ['codesign-dv.txt'],
  'spctl-assess': ['spctl-accepted.txt'],
  'scutil-nc-list': ['scutil-nc-list-l2tp.txt', 'scutil-nc-list-redacted.txt'],
  'pkgutil-pkg-info': ['pkgutil-pkg-info.txt'],
};

test('auto picks the kind of every fixture from its first lines', (t) => {
  for (const [kind, names] of Object.entries(PASTES)) {
    for (const name of names) t.is(detectKind(fixture(name).split('\n')) as string | null, kind, name);
  }
  t.is(detectKind(['hello world']), null);
});

test('property: a paste cut at any line or inside any line never throws', (t) => {
  const samples = Object.entries(PASTES).flatMap(([kind, names]) =>
    names.map((name) => [kind, fixture(name)] as const),
  );
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), fc.boolean(), ([kind, text], at, inLine) => {
        const lines = text.split('\n');
        // Keep the first line whole: with nothing of the command's output there is nothing to read.
        const keep = 1 + (at % lines.length);
        let cut = lines.slice(0, keep).join('\n');
        if (inLine && keep > 1) cut = cut.slice(0, cut.length - (at % Math.max(1, lines[keep - 1]!.length)));
        else cut += '\n';
        if (cut.trim() === '') return;
        parseKindText(kind, cut);
      }),
      { numRuns: 1500 },
    ),
  );
});

test('property: TABs turned into spaces (any width) or spaces into TABs read the same facts', (t) => {
  const samples = Object.entries(PASTES)
    // Compact log style and launchctl print keep their own spacing; JSON strings hold no layout.
    .filter(([kind]) => kind !== 'unified-log')
    .flatMap(([kind, names]) => names.map((name) => [kind, fixture(name)] as const));
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.integer({ min: 2, max: 8 }), ([kind, text], width) => {
        const expected = parseKindText(kind, text).result;
        const expanded = parseKindText(kind, expandTabs(text, width)).result;
        if (JSON.stringify(expanded) !== JSON.stringify(expected)) {
          throw new Error(`${kind}: TABs expanded at width ${width} read differently`);
        }
      }),
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
