import test from 'ava';
import { parseLaunchctlPrintDomain } from '../../../harness/parse/launchctl-print-domain.ts';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { expandTabs, fixture, windowsPaste } from './helpers.ts';

test('launchctl print system: services, endpoints, disabled services, top-level values', (t) => {
  const result = parseLaunchctlPrintDomain(fixture('launchctl-print-system-domain.txt'));
  t.is(result.domain, 'system');
  t.deepEqual(result.services, [
    { pid: null, status: '-', label: 'com.apple.lskdd' },
    { pid: 184, status: '-', label: 'com.apple.runningboardd' },
    { pid: null, status: '-', label: 'com.apple.relatived' },
  ]);
  t.deepEqual(result.endpoints, [
    { name: 'com.apple.fpsd.arcadeservice', port: '0', flags: ['M', 'D'], managed: true, active: false },
    { name: 'com.apple.VirtualDisplay', port: '0x1090b', flags: ['M', 'A'], managed: true, active: true },
    { name: 'com.apple.logd.admin', port: '0xe03', flags: ['M', 'A'], managed: true, active: true },
  ]);
  t.deepEqual(result.disabledServices, { 'com.apple.CSCSupportd': true, 'com.apple.ftpd': true });
  t.is(result.values['service count'], '380');
  t.is(result.values.properties, 'uncorked | audit check done | bootcache hack');
});

test('NE row with a TAB before the label and macOS 26 "(pe)" flag rows', (t) => {
  const rows = [
    fixture('launchctl-print-system-ne-row.txt'),
    fixture('launchctl-print-system-macos26-rows.txt'),
  ].join('');
  const text = `system = {\n\tservices = {\n${rows}\t}\n\tdisabled services = {\n\t\t"com.example.x" => enabled\n\t}\n}\n`;
  const result = parseLaunchctlPrintDomain(text);
  t.deepEqual(result.services, [
    {
      pid: 1414,
      status: '-',
      label: 'NetworkExtension.com.adguard.mac.adguard.network-extension.2.19.0.2258',
    },
    { pid: 9682, status: '(pe)', label: 'com.apple.modelcatalogd' },
    { pid: 10001, status: '(pe)', label: 'com.apple.audioanalyticsd' },
  ]);
  t.deepEqual(result.disabledServices, { 'com.example.x': false });
});

test('expanded TABs and CRLF parse the same', (t) => {
  const text = fixture('launchctl-print-system-domain.txt');
  const expected = parseLaunchctlPrintDomain(text);
  t.deepEqual(parseLaunchctlPrintDomain(expandTabs(text, 4)), expected);
  t.deepEqual(parseLaunchctlPrintDomain(windowsPaste(text)), expected);
});

test('every cut after the header parses to a prefix of the services', (t) => {
  const text = fixture('launchctl-print-system-domain.txt');
  const full = parseLaunchctlPrintDomain(text).services;
  for (let end = text.indexOf('\n') + 1; end <= text.length; end++) {
    const part = parseLaunchctlPrintDomain(text.slice(0, end)).services;
    t.deepEqual(part, full.slice(0, part.length), `cut at ${end}`);
  }
});

test('a service print, a broken row and garbage are ParseErrors', (t) => {
  t.like(
    t.throws(() => parseLaunchctlPrintDomain(fixture('launchctl-print-akd.txt')), { instanceOf: ParseError }),
    {
      line: 1,
      got: 'system/com.apple.akd = {',
    },
  );
  t.like(
    t.throws(() => parseLaunchctlPrintDomain('system = {\n\tservices = {\n\t\tnot a row\n\t}\n}\n'), {
      instanceOf: ParseError,
    }),
    { line: 3, expected: 'a service row "<pid> <status> <label>"' },
  );
  t.throws(() => parseLaunchctlPrintDomain(''), { instanceOf: ParseError });
});
