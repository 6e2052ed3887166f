import test from 'ava';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parseScutilNcList } from '../../../harness/parse/scutil-nc-list.ts';
import { fixture, windowsPaste } from './helpers.ts';

test('PPP/L2TP service with the title line', (t) => {
  t.deepEqual(parseScutilNcList(fixture('scutil-nc-list-l2tp.txt')).services, [
    {
      enabled: true,
      status: 'Disconnected',
      id: 'E3A8F336-CCEB-4A29-B50A-FBAD41D84A71',
      type: 'PPP --> L2TP',
      providerBundleId: null,
      name: 'My VPN',
      subtype: 'PPP:L2TP',
    },
  ]);
});

test('NE VPN providers: bundle ID from the type, names with parentheses', (t) => {
  const { services } = parseScutilNcList(windowsPaste(fixture('scutil-nc-list-ne.txt')));
  t.deepEqual(
    services.map((s) => [s.status, s.providerBundleId, s.name, s.subtype]),
    [
      ['Connected', 'io.nextdns.NextDNSMac', 'NextDNS', 'VPN:io.nextdns.NextDNSMac'],
      ['Disconnected', 'com.anchorfree.hss-mac', 'Hotspot Shield VPN (Hydra)', 'VPN:com.anchorfree.hss-mac'],
    ],
  );
});

test('a disabled service, an empty set, garbage', (t) => {
  const row = '  (Disconnected)   FEC1F266-2F9C-4D12-99F7-E5D124A1B46D VPN (com.x) "X"     [VPN:com.x]\n';
  t.like(parseScutilNcList(row).services[0], { enabled: false, name: 'X' });
  t.deepEqual(
    parseScutilNcList('Available network connection services in the current set (*=enabled):\n').services,
    [],
  );
  t.like(
    t.throws(() => parseScutilNcList('No service\n'), { instanceOf: ParseError }),
    { line: 1 },
  );
});
