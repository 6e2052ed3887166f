import test from 'ava';
import {
  fillTemplate,
  parseStandInExecutable,
  renderSampleApp,
  sampleBuilds,
  TemplateError,
} from '../../../sim/builds/sample-app.ts';
import { childElements, parseXml, textOf, type XmlElement } from '../../../sim/builds/xml-lite.ts';

// A tiny XML plist reader for the assertions (dict, array, string, true/false, date).
function plistValue(element: XmlElement): unknown {
  switch (element.name) {
    case 'dict': {
      const children = childElements(element);
      const result: Record<string, unknown> = {};
      for (let i = 0; i < children.length; i += 2)
        result[textOf(children[i]!)] = plistValue(children[i + 1]!);
      return result;
    }
    case 'array':
      return childElements(element).map(plistValue);
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      return textOf(element);
  }
}
const plist = (text: string) => plistValue(childElements(parseXml(text))[0]!) as Record<string, unknown>;

const ext =
  'SXL Sample.app/Contents/Library/SystemExtensions/com.example.sxl.app.proxy.systemextension/Contents';

test('the app has the documented layout and modes', async (t) => {
  const files = await renderSampleApp(sampleBuilds[0]!);
  t.deepEqual(
    files.map((f) => `${f.mode?.toString(8)} ${f.path}`),
    [
      '644 SXL Sample.app/Contents/Info.plist',
      '755 SXL Sample.app/Contents/MacOS/SXL Sample',
      '644 SXL Sample.app/Contents/_CodeSignature/sxl-sim-signature.plist',
      `644 ${ext}/Info.plist`,
      `755 ${ext}/MacOS/com.example.sxl.app.proxy`,
      `644 ${ext}/_CodeSignature/sxl-sim-signature.plist`,
    ],
  );
});

test('Info.plists carry the identifiers, versions and the NetworkExtension dictionary', async (t) => {
  for (const build of sampleBuilds) {
    const files = await renderSampleApp(build);
    const app = plist(String(files[0]!.content));
    t.like(app, {
      CFBundleIdentifier: 'com.example.sxl.app',
      CFBundleName: 'SXL Sample',
      CFBundleExecutable: 'SXL Sample',
      CFBundlePackageType: 'APPL',
      CFBundleShortVersionString: build.shortVersion,
      CFBundleVersion: build.bundleVersion,
      LSMinimumSystemVersion: '13.0',
    });
    const sysext = plist(String(files[3]!.content));
    t.like(sysext, {
      CFBundleIdentifier: 'com.example.sxl.app.proxy',
      CFBundleName: 'SXL Proxy',
      CFBundleDisplayName: 'SXL Transparent Proxy',
      CFBundleExecutable: 'com.example.sxl.app.proxy',
      CFBundlePackageType: 'SYSX',
      CFBundleShortVersionString: build.shortVersion,
      CFBundleVersion: build.bundleVersion,
    });
    t.deepEqual(sysext.NetworkExtension, {
      NEMachServiceName: 'SXLAB12345.group.com.example.sxl.app.proxy.xpc',
      NEProviderClasses: { 'com.apple.networkextension.app-proxy': 'SXLProxy.TransparentProxyProvider' },
    });
  }
});

test('stand-in signatures name the team, identifier, authorities, notarization and signing time', async (t) => {
  const [one, eleven, reship] = await Promise.all(sampleBuilds.map(renderSampleApp));
  const signature = plist(String(one![5]!.content));
  t.deepEqual(signature.Authority, [
    'Developer ID Application: Example Corp (SXLAB12345)',
    'Developer ID Certification Authority',
    'Apple Root CA',
  ]);
  t.like(signature, {
    TeamIdentifier: 'SXLAB12345',
    Identifier: 'com.example.sxl.app.proxy',
    Notarized: true,
    HardenedRuntime: true,
    SignedTime: '2024-05-02T09:30:00Z',
  });
  t.regex(String(signature.CDHash), /^[0-9a-f]{40}$/);
  t.is(plist(String(one![2]!.content)).Identifier, 'com.example.sxl.app');
  // The reship's executables differ, so do its CDHashes; its Info.plists do not.
  t.not(plist(String(eleven![5]!.content)).CDHash, plist(String(reship![5]!.content)).CDHash);
  t.is(eleven![3]!.content, reship![3]!.content);
});

test('stand-in executables say which build they are and parse back', async (t) => {
  const seen = new Set<string>();
  for (const build of sampleBuilds) {
    const files = await renderSampleApp(build);
    const exe = String(files[4]!.content);
    t.regex(exe, /stands in for the Mach-O executable/);
    t.deepEqual(parseStandInExecutable(exe), {
      bundleId: 'com.example.sxl.app.proxy',
      executable: 'com.example.sxl.app.proxy',
      shortVersion: build.shortVersion,
      bundleVersion: build.bundleVersion,
      build: build.label,
    });
    t.is(parseStandInExecutable(Buffer.from(String(files[1]!.content)))?.bundleId, 'com.example.sxl.app');
    seen.add(exe);
  }
  t.is(seen.size, 3);
  t.is(parseStandInExecutable('\x7fELF...'), undefined);
});

test('versions: 1.0 (100), 1.1 (110), and 1.1-reship with the same versions as 1.1', (t) => {
  t.deepEqual(
    sampleBuilds.map((b) => `${b.label} ${b.shortVersion} (${b.bundleVersion})`),
    ['1.0 1.0 (100)', '1.1 1.1 (110)', '1.1-reship 1.1 (110)'],
  );
});

test('templates refuse unknown placeholders and escape values', (t) => {
  t.throws(() => fillTemplate('x.tmpl', '{{NOPE}}', {}, (v) => v), {
    instanceOf: TemplateError,
    message: /NOPE/,
  });
  t.is(
    fillTemplate('x.tmpl', '<a>{{V}}</a>', { V: '<&>' }, (v) => v.replace(/</g, '&lt;')),
    '<a>&lt;&></a>',
  );
});
