// Column-exact layout of the sim's formatters against the real samples (TABs and padding).
import { readFileSync } from 'node:fs';
import test from 'ava';
import { formatPmsetEvent } from '../../../sim/guest/commands/pmset.ts';
import { formatNcRow } from '../../../sim/guest/commands/scutil.ts';
import {
  COMPACT_HEADER,
  DEFAULT_HEADER,
  formatCompactRow,
  formatDefaultRow,
} from '../../../sim/guest/log/format.ts';
import type { StoredLogLine } from '../../../sim/guest/unified-log.ts';

const fixtureLines = (name: string) =>
  readFileSync(new URL(`../../fixtures/macos/${name}`, import.meta.url), 'utf8').split('\n');

test('scutil --nc list rows pad status to 17 and the quoted name to 32 columns', (t) => {
  const real = fixtureLines('scutil-nc-list-ne.txt')[0]!;
  const row = formatNcRow({
    uuid: 'D419AB1B-01F2-46FE-9940-B1BC779D83EE',
    name: 'NextDNS',
    appBundleId: 'io.nextdns.NextDNSMac',
    providerBundleId: 'io.nextdns.NextDNSMac.ext',
    status: 'Connected',
  });
  t.is(row, `${real.replace('[VPN:', '[TransparentProxy:')}\n`);
});

test('pmset -g log rows: domain padded to 20, TAB, message padded to 75, TAB, duration', (t) => {
  const real = fixtureLines('pmset-log-header.txt')[5]!;
  const row = formatPmsetEvent({
    time: Date.UTC(2019, 5, 16, 18, 22, 41),
    domain: 'Notification',
    message: 'Display is turned off',
  });
  t.is(row, `${real.replace('+0200', '+0000')}\n`.replace('2019-06-16 20:22:41', '2019-06-16 18:22:41'));
  const header = fixtureLines('pmset-log-header.txt')[2]!;
  t.true(header.startsWith('Time stamp                Domain              \tMessage'));
});

test('log default and compact rows and headers line up with the samples', (t) => {
  const real = fixtureLines('log-stream-default.txt');
  t.is(DEFAULT_HEADER, `${real[1]}\n`);
  const line: StoredLogLine = {
    timestamp: '2021-01-18 18:53:37.342822+0000',
    eventType: 'logEvent',
    bootUUID: 'B',
    process: 'LuLu',
    pid: 6521,
    subsystem: 'com.objective-see.lulu',
    category: 'application',
    messageType: 'Debug',
    eventMessage: 'started: /Applications/LuLu.app/Contents/MacOS/LuLu (pid: 6521 / uid: 501)',
    processImagePath: '/Applications/LuLu.app/Contents/MacOS/LuLu',
  };
  const row = formatDefaultRow(line);
  const thread = /^\S+ \S+ (0x[0-9a-f]+)/.exec(row)![1]!;
  t.is(row, `${real[2]!.replace('0x3884b    ', thread.padEnd(11))}\n`);
  t.is(COMPACT_HEADER, `${fixtureLines('log-show-compact.txt')[0]}\n`);
  t.regex(
    formatCompactRow(line),
    /^2021-01-18 18:53:37\.342 Db LuLu\[6521:[0-9a-f]+\] \[com\.objective-see\.lulu:application\] started: /,
  );
});
