// Samples collected from public sources beyond the reference file (test/fixtures/macos/SOURCES.md).
import test from 'ava';
import { parsePmsetLog } from '../../../harness/parse/pmset-log.ts';
import { parseSystemExtensionsList } from '../../../harness/parse/systemextensions-list.ts';
import { expandTabs, fixture } from './helpers.ts';

test('Cisco AMP: two categories in the older layout, one extension each', (t) => {
  const parsed = parseSystemExtensionsList(fixture('systemextensions-list-cisco-amp.txt'));
  t.is(parsed.count, 2);
  t.deepEqual(
    parsed.extensions.map((e) => [e.category, e.bundleId, e.shortVersion, e.bundleVersion, e.name, e.state]),
    [
      [
        'com.apple.system_extension.network_extension',
        'com.cisco.endpoint.svc.networkextension',
        '1.15.5',
        '837',
        'AMP Network Extension',
        'activated enabled',
      ],
      [
        'com.apple.system_extension.endpoint_security',
        'com.cisco.endpoint.svc.securityextension',
        '1.15.5',
        '837',
        'AMP Security Extension',
        'activated enabled',
      ],
    ],
  );
});

test('Santa: a dotted bundle version and a one-word name', (t) => {
  const [santa] = parseSystemExtensionsList(fixture('systemextensions-list-santa.txt')).extensions;
  t.like(santa, {
    teamId: 'EQHXZ8M8AV',
    bundleId: 'com.google.santa.daemon',
    shortVersion: '2024.9',
    bundleVersion: '2024.9.674285143',
    name: 'santad',
    enabled: true,
    active: true,
  });
});

test('endpoint security on macOS 15+: the settings hint on the category line, pasted with TABs expanded too', (t) => {
  for (const text of [
    fixture('systemextensions-list-es-macos15.txt'),
    expandTabs(fixture('systemextensions-list-es-macos15.txt')),
  ]) {
    const parsed = parseSystemExtensionsList(text);
    t.is(parsed.count, 2);
    t.deepEqual(
      parsed.extensions.map(
        (e) => `${e.category} ${e.bundleId} ${e.shortVersion}/${e.bundleVersion} ${e.name}`,
      ),
      [
        'com.apple.system_extension.endpoint_security ai.canyonroad.agentsh.SysExt 1.0/14 ai.canyonroad.agentsh.SysExt',
        'com.apple.system_extension.endpoint_security ai.canyonroad.beacon.sysext 0.1.0/1781653639 Beacon System Extension',
      ],
    );
  }
});

test('pmset -g log grepped for sleep and wake: an empty sleep reason and durations only on some lines', (t) => {
  const { events } = parsePmsetLog(fixture('pmset-log-grep-sleep-wake.txt'));
  t.deepEqual(
    events.map((e) => [e.timestamp, e.kind, e.durationSeconds]),
    [
      ['2025-04-27T08:49:22+08:00', 'sleep', null],
      ['2025-04-27T08:57:42+08:00', 'sleep', null],
      ['2025-04-27T09:03:11+08:00', 'sleep', 19],
      ['2025-04-27T09:03:30+08:00', 'wake', null],
    ],
  );
  t.regex(events[1]!.message, /^Entering Sleep state due to '': Using AC/);
});
