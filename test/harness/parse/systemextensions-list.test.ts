import test from 'ava';
import fc from 'fast-check';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parseSystemExtensionsList } from '../../../harness/parse/systemextensions-list.ts';
import { expandTabs, fixture, windowsPaste } from './helpers.ts';

const NE = 'com.apple.system_extension.network_extension';
const ES = 'com.apple.system_extension.endpoint_security';

test('older layout without category hint (LuLu #331)', (t) => {
  t.deepEqual(parseSystemExtensionsList(fixture('systemextensions-list-older.txt')), {
    count: 1,
    extensions: [
      {
        category: NE,
        enabled: true,
        active: true,
        teamId: 'VBG97UB4TA',
        bundleId: 'com.objective-see.lulu.extension',
        shortVersion: '2.3.0',
        bundleVersion: '2.3.0',
        name: 'Extension',
        state: 'activated enabled',
      },
    ],
  });
});

test('macOS 15+ layout: hint on the category line, two categories, empty columns, names with parentheses', (t) => {
  const result = parseSystemExtensionsList(fixture('systemextensions-list-macos15.txt'));
  t.is(result.count, 4);
  t.deepEqual(
    result.extensions.map((e) => [e.category, e.enabled, e.active, e.bundleId, e.name, e.state]),
    [
      [
        NE,
        false,
        false,
        'com.avg.Antivirus.SystemExtension',
        'AVG Antivirus',
        'terminated waiting to uninstall on reboot',
      ],
      [NE, true, true, 'ch.protonvpn.mac.WireGuard-Extension', 'Proton VPN WireGuard', 'activated enabled'],
      [
        NE,
        true,
        true,
        'ch.protonvpn.mac.Transparent-Proxy',
        'Proton VPN Split Tunneling (experimental)',
        'activated enabled',
      ],
      [
        ES,
        false,
        false,
        'com.malwarebytes.mbam.engine.sys.ext',
        'Malwarebytes Engine',
        'terminated waiting to uninstall on reboot',
      ],
    ],
  );
  const proton = result.extensions[1]!;
  t.is(proton.teamId, 'J6S6Q257EK');
  t.is(proton.shortVersion, '6.5.1');
  t.is(proton.bundleVersion, '3106797.2605011144');
  t.is(result.extensions[3]!.bundleVersion, '5.27.1.4191');
});

test('0 extension(s)', (t) => {
  t.deepEqual(parseSystemExtensionsList(fixture('systemextensions-list-empty.txt')), {
    count: 0,
    extensions: [],
  });
});

test('TABs expanded to spaces (width 8, 4 and collapsed), CRLF and trailing spaces give the same result', (t) => {
  for (const name of ['systemextensions-list-older.txt', 'systemextensions-list-macos15.txt']) {
    const text = fixture(name);
    const expected = parseSystemExtensionsList(text);
    t.deepEqual(parseSystemExtensionsList(expandTabs(text, 8)), expected, `${name} width 8`);
    t.deepEqual(parseSystemExtensionsList(expandTabs(text, 4)), expected, `${name} width 4`);
    t.deepEqual(parseSystemExtensionsList(text.replace(/[ \t]+/g, ' ')), expected, `${name} collapsed`);
    t.deepEqual(parseSystemExtensionsList(windowsPaste(text)), expected, `${name} CRLF`);
    t.deepEqual(parseSystemExtensionsList(windowsPaste(expandTabs(text))), expected, `${name} CRLF + spaces`);
  }
});

test('enabled-only and active-only rows, with TABs and with TABs expanded', (t) => {
  const text = [
    '2 extension(s)',
    `--- ${NE}`,
    'enabled\tactive\tteamID\tbundleID (version)\tname\t[state]',
    '*\t\tABCDE12345\tcom.example.app.filter (1.2.3/456)\tExample [T] Filter\t[activated waiting for user]',
    '\t*\tABCDE12345\tcom.example.app.proxy (1.2.3/456)\tProxy\t[activated disabled]',
    '',
  ].join('\n');
  for (const input of [text, expandTabs(text, 8), expandTabs(text, 4)]) {
    const [filter, proxy] = parseSystemExtensionsList(input).extensions;
    t.like(filter, {
      enabled: true,
      active: false,
      name: 'Example [T] Filter',
      state: 'activated waiting for user',
    });
    t.like(proxy, { enabled: false, active: true, name: 'Proxy', state: 'activated disabled' });
  }
});

test('an old and a new version of one bundle ID after an upgrade', (t) => {
  const text = [
    '2 extension(s)',
    `--- ${NE}`,
    'enabled\tactive\tteamID\tbundleID (version)\tname\t[state]',
    '*\t*\tABCDE12345\tcom.example.app.filter (1.2.4/457)\tFilter\t[activated enabled]',
    '\t\tABCDE12345\tcom.example.app.filter (1.2.3/456)\tFilter\t[terminated waiting to uninstall on reboot]',
  ].join('\n');
  const result = parseSystemExtensionsList(text);
  t.deepEqual(
    result.extensions.map((e) => `${e.shortVersion}/${e.bundleVersion} ${e.state}`),
    ['1.2.4/457 activated enabled', '1.2.3/456 terminated waiting to uninstall on reboot'],
  );
});

test('an excerpt cut in the middle of a row keeps the complete rows', (t) => {
  const text = fixture('systemextensions-list-macos15.txt');
  const cut = text.slice(0, text.indexOf('Proton VPN Split'));
  const result = parseSystemExtensionsList(cut);
  t.is(result.count, 4);
  t.deepEqual(
    result.extensions.map((e) => e.bundleId),
    ['com.avg.Antivirus.SystemExtension', 'ch.protonvpn.mac.WireGuard-Extension'],
  );
});

test('every cut after the first line gives a prefix of the full list', (t) => {
  const text = fixture('systemextensions-list-macos15.txt');
  const full = parseSystemExtensionsList(text).extensions;
  for (let end = text.indexOf('\n') + 1; end <= text.length; end++) {
    const part = parseSystemExtensionsList(text.slice(0, end)).extensions;
    t.deepEqual(part, full.slice(0, part.length), `cut at ${end}`);
  }
});

test('garbage in place of the header is a ParseError with line, expected and got', (t) => {
  const error = t.throws(() => parseSystemExtensionsList(`1 extension(s)\n--- ${NE}\nfoo\n`), {
    instanceOf: ParseError,
  });
  t.is(
    error.message,
    'Cannot parse systemextensionsctl list: line 3: expected a header "enabled active teamID ..." but got "foo"',
  );
  t.like(error, { kind: 'systemextensions-list', line: 3, got: 'foo' });
});

test('missing count line, row before category, broken row and empty input are ParseErrors', (t) => {
  t.like(
    t.throws(() => parseSystemExtensionsList('hello\n'), { instanceOf: ParseError }),
    { line: 1 },
  );
  t.like(
    t.throws(() => parseSystemExtensionsList('1 extension(s)\n*\t*\tX\tcom.x (1/1)\tX\t[a]\n'), {
      instanceOf: ParseError,
    }),
    { line: 2, expected: 'a category line "--- <category>"' },
  );
  const broken = `1 extension(s)\n--- ${NE}\nenabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n*\t*\tX\tno-version\tX\t[a]\n`;
  t.like(
    t.throws(() => parseSystemExtensionsList(broken), { instanceOf: ParseError }),
    { line: 4 },
  );
  t.like(
    t.throws(() => parseSystemExtensionsList(''), { instanceOf: ParseError }),
    { line: 1, got: null },
  );
});

test('the sandboxed-caller failure is a ParseError, not an empty list', (t) => {
  const text =
    'systemextensionsctl: list command failed: The operation couldn\u2019t be completed. Connection refused\n';
  t.throws(() => parseSystemExtensionsList(text), { instanceOf: ParseError });
});

test('property: random and mutated input either parses or throws ParseError', (t) => {
  const base = fixture('systemextensions-list-macos15.txt');
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme-ascii' }), mutated(base)), (input) => {
        try {
          parseSystemExtensionsList(input);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
      }),
      { numRuns: 500 },
    ),
  );
});

function mutated(base: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 4, unit: 'binary' }))
    .map(([a, b, insert]) => base.slice(0, Math.min(a, b)) + insert + base.slice(Math.max(a, b)));
}
