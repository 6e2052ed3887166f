// Golden tests: the sim's output of each command, parsed with the harness parser, has the same
// structure (keys, kinds of values, layout) as the same parser's result for the real samples in
// test/fixtures/macos/. The sim is only useful if the harness reads it as it reads a real Mac.
import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import type ssh2 from 'ssh2';
import { parseByKind } from '../../../harness/parse/registry.ts';
import { exec, q, waitFor } from './guest-harness.ts';
import { SampleBuilds } from './sample-setup.ts';

const builds = new SampleBuilds();
let client: ssh2.Client;

test.before(async () => {
  await builds.make();
  const setup = await builds.activated({}, 'sxl-golden-1');
  client = setup.client;
  await exec(client, `scutil --nc start ${q('SXL Transparent Proxy')}`);
  await exec(client, 'curl -sS -o /dev/null https://example.com/');
  await exec(client, 'sudo -n pmset relative wake 1');
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  await exec(client, 'sudo -n pmset sleepnow');
  await closed;
  client = await setup.guest.connectRetry();
  await waitFor(client, 'pmset -g log', (r) => r.stdout.includes('Wake from Deep Idle'));
});
test.after.always(() => builds.cleanup());

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/macos/${name}`, import.meta.url), 'utf8');

// Records keyed by data (codesign's key=value lines, launchd's disabled services): their keys vary
// with the subject, so only the kinds of their values are compared.
const RECORDS = new Set(['$.fields', '$.disabledServices']);

/** Why `a` and `b` differ in structure, or null: same keys, same kinds; null matches anything. */
function difference(a: unknown, b: unknown, path = '$'): string | null {
  if (a === null || b === null || a === undefined || b === undefined) return null;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b))
      return `${path}: array vs ${typeof (Array.isArray(a) ? b : a)}`;
    if (a.length === 0 || b.length === 0) return null;
    return difference(a[0], b[0], `${path}[0]`);
  }
  if (typeof a === 'object' && typeof b === 'object' && RECORDS.has(path)) {
    const va = Object.values(a as object);
    const vb = Object.values(b as object);
    return va.length && vb.length ? difference(va[0], vb[0], `${path}[*]`) : null;
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object).sort();
    const kb = Object.keys(b as object).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka.join(',')} vs ${kb.join(',')}`;
    for (const k of ka) {
      const d = difference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (d) return d;
    }
    return null;
  }
  return typeof a === typeof b ? null : `${path}: ${typeof a} vs ${typeof b}`;
}

async function golden(
  t: ExecutionContext,
  kind: string,
  command: string,
  fixtures: string[],
  stream: 'stdout' | 'stderr' = 'stdout',
) {
  const result = await exec(client, command);
  const text = result[stream];
  t.true(text.length > 0, `${command} printed nothing on ${stream}`);
  const sim = parseByKind(kind, text);
  for (const name of fixtures) {
    const real = parseByKind(kind, fixture(name));
    t.is(difference(sim, real), null, `${command} vs ${name}`);
  }
  return sim;
}

test('systemextensionsctl list', async (t) => {
  const sim = (await golden(t, 'systemextensions-list', 'systemextensionsctl list', [
    'systemextensions-list-macos15.txt',
  ])) as { extensions: unknown[] };
  t.is(sim.extensions.length, 1);
});

test('launchctl print system/<NE job>, launchctl print system, launchctl list', async (t) => {
  await golden(
    t,
    'launchctl-print',
    'sudo launchctl print system/NetworkExtension.com.example.sxl.app.proxy.1.0.100',
    ['launchctl-print-ne-sysext.txt'],
  );
  await golden(t, 'launchctl-print-domain', 'sudo launchctl print system', [
    'launchctl-print-system-domain.txt',
  ]);
  await golden(t, 'launchctl-list', 'launchctl list', ['launchctl-list.txt']);
});

test('pmset -g log', async (t) => {
  const sim = (await golden(t, 'pmset-log', 'pmset -g log', [
    'pmset-log-header.txt',
    'pmset-log-wake-sleep.txt',
  ])) as {
    events: { kind: string }[];
  };
  t.deepEqual(
    sim.events.map((e) => e.kind).filter((k) => k !== 'other'),
    ['sleep', 'wake'],
  );
});

test('log show in all four styles', async (t) => {
  const predicate = q('process == "com.example.sxl.app.proxy" OR process == "sysextd"');
  await golden(t, 'unified-log', `log show --info --debug --predicate ${predicate}`, [
    'log-stream-default.txt',
    'log-show-default-footer.txt',
  ]);
  await golden(t, 'unified-log', `log show --style compact --info --debug --predicate ${predicate}`, [
    'log-show-compact.txt',
  ]);
  await golden(t, 'unified-log', `log show --style json --info --debug --predicate ${predicate}`, [
    'log-show-json-object.txt',
  ]);
  const ndjson = (await golden(
    t,
    'unified-log',
    `log show --style ndjson --info --debug --predicate ${predicate}`,
    ['log-show-json-object.txt'],
  )) as { style: string; entries: { message: string }[] };
  t.is(ndjson.style, 'ndjson');
  t.true(ndjson.entries.some((e) => e.message === 'startProxy(options:)'));
});

test('sw_vers, installer, codesign -dv, spctl -a -vv, scutil --nc list', async (t) => {
  await golden(t, 'sw-vers', 'sw_vers', ['sw-vers-14.txt']);
  await golden(
    t,
    'installer',
    `sudo -n installer -pkg ${q('/Users/admin/sxl/SXL Sample 1.0.pkg')} -target /`,
    ['installer-upgrade.txt'],
  );
  await golden(
    t,
    'codesign-display',
    `codesign -dv --verbose=4 ${q('/Applications/SXL Sample.app')}`,
    ['codesign-dv.txt'],
    'stderr',
  );
  await golden(
    t,
    'spctl-assess',
    `spctl -a -vv ${q('/Applications/SXL Sample.app')}`,
    ['spctl-accepted.txt'],
    'stderr',
  );
  const nc = (await golden(t, 'scutil-nc-list', 'scutil --nc list', [
    'scutil-nc-list-ne.txt',
    'scutil-nc-list-l2tp.txt',
  ])) as {
    services: { status: string; name: string; subtype: string }[];
  };
  t.deepEqual(
    nc.services.map((s) => [s.status, s.name, s.subtype]),
    [['Connected', 'SXL Transparent Proxy', 'TransparentProxy:com.example.sxl.app']],
  );
});
