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
const fw = `${ext}/Frameworks/SXLShared.framework`;

type Files = Awaited<ReturnType<typeof renderSampleApp>>;
const content = (files: Files, path: string) => {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the sample app`);
  return String(file.content);
};

test('the app has the documented layout, modes and framework symlinks', async (t) => {
  const files = await renderSampleApp(sampleBuilds[0]!);
  t.deepEqual(
    files.map((f) => `${f.mode?.toString(8)} ${f.path}${f.type === 'symlink' ? ` -> ${f.content}` : ''}`),
    [
      '644 SXL Sample.app/Contents/Info.plist',
      '755 SXL Sample.app/Contents/MacOS/SXL Sample',
      '644 SXL Sample.app/Contents/_CodeSignature/CodeResources',
      '644 SXL Sample.app/Contents/_CodeSignature/sxl-sim-signature.plist',
      `644 ${ext}/Info.plist`,
      `755 ${ext}/MacOS/com.example.sxl.app.proxy`,
      `644 ${fw}/Versions/A/Resources/Info.plist`,
      `755 ${fw}/Versions/A/SXLShared`,
      `644 ${fw}/Versions/A/_CodeSignature/CodeResources`,
      `644 ${fw}/Versions/A/_CodeSignature/sxl-sim-signature.plist`,
      `755 ${fw}/Versions/Current -> A`,
      `755 ${fw}/SXLShared -> Versions/Current/SXLShared`,
      `755 ${fw}/Resources -> Versions/Current/Resources`,
      `644 ${ext}/_CodeSignature/CodeResources`,
      `644 ${ext}/_CodeSignature/sxl-sim-signature.plist`,
    ],
  );
});

test('resource seals: the app seals the extension, the extension the framework, by CDHash', async (t) => {
  const files = await renderSampleApp(sampleBuilds[0]!);
  const appSeal = plist(content(files, 'SXL Sample.app/Contents/_CodeSignature/CodeResources'));
  const extSignature = plist(content(files, `${ext}/_CodeSignature/sxl-sim-signature.plist`));
  const extSeal = plist(content(files, `${ext}/_CodeSignature/CodeResources`));
  const fwSignature = plist(content(files, `${fw}/Versions/A/_CodeSignature/sxl-sim-signature.plist`));
  const nestedExt = (appSeal.files2 as Record<string, Record<string, string>>)[
    'Library/SystemExtensions/com.example.sxl.app.proxy.systemextension'
  ];
  t.is(Buffer.from(nestedExt!.cdhash!.trim(), 'base64').toString('hex'), String(extSignature.CDHash));
  t.regex(nestedExt!.requirement!, /^identifier "com\.example\.sxl\.app\.proxy" and anchor apple generic/);
  const nestedFw = (extSeal.files2 as Record<string, Record<string, string>>)[
    'Frameworks/SXLShared.framework'
  ];
  t.is(Buffer.from(nestedFw!.cdhash!.trim(), 'base64').toString('hex'), String(fwSignature.CDHash));
  t.is(fwSignature.Identifier, 'com.example.sxl.shared');
  t.regex(String(fwSignature.CodeResourcesHash), /^[0-9a-f]{64}$/);
});

test('Info.plists carry the identifiers, versions and the NetworkExtension dictionary', async (t) => {
  for (const build of sampleBuilds) {
    const files = await renderSampleApp(build);
    const app = plist(content(files, 'SXL Sample.app/Contents/Info.plist'));
    t.like(app, {
      CFBundleIdentifier: 'com.example.sxl.app',
      CFBundleName: 'SXL Sample',
      CFBundleExecutable: 'SXL Sample',
      CFBundlePackageType: 'APPL',
      CFBundleShortVersionString: build.shortVersion,
      CFBundleVersion: build.bundleVersion,
      LSMinimumSystemVersion: '13.0',
    });
    const sysext = plist(content(files, `${ext}/Info.plist`));
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
  const extSig = `${ext}/_CodeSignature/sxl-sim-signature.plist`;
  const signature = plist(content(one!, extSig));
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
  t.is(
    plist(content(one!, 'SXL Sample.app/Contents/_CodeSignature/sxl-sim-signature.plist')).Identifier,
    'com.example.sxl.app',
  );
  // The reship's executables differ, so do its CDHashes; its Info.plists do not.
  t.not(plist(content(eleven!, extSig)).CDHash, plist(content(reship!, extSig)).CDHash);
  t.is(content(eleven!, `${ext}/Info.plist`), content(reship!, `${ext}/Info.plist`));
});

test('stand-in executables say which build they are and parse back', async (t) => {
  const seen = new Set<string>();
  for (const build of sampleBuilds) {
    const files = await renderSampleApp(build);
    const exe = content(files, `${ext}/MacOS/com.example.sxl.app.proxy`);
    t.regex(exe, /stands in for the Mach-O executable/);
    t.deepEqual(parseStandInExecutable(exe), {
      bundleId: 'com.example.sxl.app.proxy',
      executable: 'com.example.sxl.app.proxy',
      shortVersion: build.shortVersion,
      bundleVersion: build.bundleVersion,
      build: build.label,
    });
    t.is(
      parseStandInExecutable(Buffer.from(content(files, 'SXL Sample.app/Contents/MacOS/SXL Sample')))
        ?.bundleId,
      'com.example.sxl.app',
    );
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
