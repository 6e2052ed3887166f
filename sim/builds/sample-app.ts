// The sample apps that the scenarios install: "SXL Sample.app" embedding a transparent-proxy network
// system extension, and "SXL Filter.app" whose extension hosts a content filter and a DNS proxy
// (NEFilterDataProvider, NEDNSProxyProvider); each extension embeds a framework. Rendered from the
// text templates in sample-app/ for each build. Everything is source text; the Mach-O executables and code signatures are readable
// stand-ins, the resource seals (CodeResources) have codesign's shape.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CODE_RESOURCES,
  cdHashOf,
  developerIdRequirement,
  renderCodeResources,
  type SealedResource,
  STAND_IN_SIGNATURE,
  sha256,
} from './code-resources.ts';
import type { PackageFile } from './flat-package.ts';
import { escapeXml } from './xml-lite.ts';

export const templatesDir = join(dirname(fileURLToPath(import.meta.url)), 'sample-app');

export const sampleApp = {
  name: 'SXL Sample',
  bundleId: 'com.example.sxl.app',
  executable: 'SXL Sample',
  bundleDir: 'SXL Sample.app',
  teamId: 'SXLAB12345',
  packageId: 'com.example.sxl.app.pkg',
  installLocation: '/Applications',
  extension: {
    bundleId: 'com.example.sxl.app.proxy',
    name: 'SXL Proxy',
    displayName: 'SXL Transparent Proxy',
    executable: 'com.example.sxl.app.proxy',
    machServiceName: 'SXLAB12345.group.com.example.sxl.app.proxy.xpc',
    providerClass: 'SXLProxy.TransparentProxyProvider',
  },
  extensionTemplate: 'extension-Info.plist.tmpl',
} as const;

/**
 * The content-filter / DNS-proxy family: one network system extension with two provider classes
 * (NEProviderClasses `filter-data` and `dns-proxy`), as vendors of filtering products ship it.
 */
export const filterSampleApp = {
  name: 'SXL Filter',
  bundleId: 'com.example.sxl.filter',
  executable: 'SXL Filter',
  bundleDir: 'SXL Filter.app',
  teamId: sampleApp.teamId,
  packageId: 'com.example.sxl.filter.pkg',
  installLocation: '/Applications',
  extension: {
    bundleId: 'com.example.sxl.filter.provider',
    name: 'SXL Filter Provider',
    displayName: 'SXL Content Filter',
    executable: 'com.example.sxl.filter.provider',
    machServiceName: 'SXLAB12345.group.com.example.sxl.filter.provider.xpc',
    filterClass: 'SXLFilter.FilterDataProvider',
    dnsProxyClass: 'SXLFilter.DNSProxyProvider',
  },
  extensionTemplate: 'filter-extension-Info.plist.tmpl',
} as const;

/** What renderSampleFamily needs of a family: the app, its one extension and that extension's template. */
export type SampleFamily = typeof sampleApp | typeof filterSampleApp;

/** Path of the embedded extension bundle, relative to the install location. */
export const sampleExtensionDir = `${sampleApp.bundleDir}/Contents/Library/SystemExtensions/${sampleApp.extension.bundleId}.systemextension`;

/** The framework the extension embeds. */
export const sampleFramework = {
  bundleId: 'com.example.sxl.shared',
  executable: 'SXLShared',
  bundleDir: 'SXLShared.framework',
} as const;

/** Path of the embedded framework, relative to the install location. */
export const sampleFrameworkDir = `${sampleExtensionDir}/Contents/Frameworks/${sampleFramework.bundleDir}`;

export interface SampleBuild {
  /** Distinguishes builds that share versions, e.g. `1.1-reship`; used in file names. */
  label: string;
  shortVersion: string;
  bundleVersion: string;
  /** When the stand-in signature says the build was signed (ISO 8601, UTC). */
  signedTime: string;
  /**
   * Fault rates this build carries (quirk name -> probability), written into its extension's
   * Info.plist (key SXLSimFaults) so that the sim behaves according to the build installed, as a
   * regression does: `make-sample-builds --version 1.4 --sim-fault xpc-endpoint-lost-on-upgrade=0.3`.
   */
  simFaults?: Record<string, number>;
}

export const sampleBuilds: readonly SampleBuild[] = [
  { label: '1.0', shortVersion: '1.0', bundleVersion: '100', signedTime: '2024-05-02T09:30:00Z' },
  { label: '1.1', shortVersion: '1.1', bundleVersion: '110', signedTime: '2024-06-04T09:30:00Z' },
  // Same versions as 1.1 but different executables: macOS keeps running the old extension binary.
  { label: '1.1-reship', shortVersion: '1.1', bundleVersion: '110', signedTime: '2024-06-11T09:30:00Z' },
];

/** Builds of "SXL Filter": one version is enough for the content-filter / DNS-proxy scenario. */
export const filterSampleBuilds: readonly SampleBuild[] = [
  { label: '1.0', shortVersion: '1.0', bundleVersion: '100', signedTime: '2024-07-02T09:30:00Z' },
];

export class TemplateError extends Error {
  readonly template: string;
  constructor(reason: string, template: string, evidence: string) {
    super(`${reason} in sample-app template ${template}: ${evidence}`);
    this.name = 'TemplateError';
    this.template = template;
  }
}

/** The Info.plist with an SXLSimFaults dictionary as its last key, when the build carries faults. */
function withSimFaults(info: string, faults: Record<string, number> | undefined): string {
  if (!faults || Object.keys(faults).length === 0) return info;
  const end = '</dict>\n</plist>';
  if (!info.trimEnd().endsWith(end))
    throw new TemplateError('No closing dictionary', 'extension-Info.plist.tmpl', info.slice(-40));
  const entries = Object.entries(faults)
    .map(([name, p]) => `\t\t<key>${escapeXml(name)}</key>\n\t\t<real>${p}</real>\n`)
    .join('');
  const at = info.lastIndexOf(end);
  return `${info.slice(0, at)}\t<key>SXLSimFaults</key>\n\t<dict>\n${entries}\t</dict>\n${info.slice(at)}`;
}

/** Fills `{{NAME}}` placeholders; every placeholder must have a value and every value is used as text. */
export function fillTemplate(
  name: string,
  text: string,
  values: Record<string, string>,
  escapeValue: (value: string) => string,
): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TemplateError('Unknown placeholder', name, `{{${key}}}`);
    return escapeValue(value);
  });
}

async function render(
  name: string,
  values: Record<string, string>,
  escapeValue = escapeXml,
): Promise<string> {
  return fillTemplate(name, await readFile(join(templatesDir, name), 'utf8'), values, escapeValue);
}

/** A signed bundle's parts before the signature: what the code directory and the seal bind. */
interface SignedParts {
  identifier: string;
  info: string;
  executable: string;
  resources: SealedResource[];
}

/** CodeResources and the stand-in signature for one bundle, and the CDHash that nests it. */
async function sign(
  parts: SignedParts,
  common: Record<string, string>,
): Promise<{ codeResources: string; signature: string; cdhash: string }> {
  const codeResources = renderCodeResources(parts.resources);
  const hashes = {
    INFO_PLIST_HASH: sha256(parts.info).toString('hex'),
    EXECUTABLE_HASH: sha256(parts.executable).toString('hex'),
    RESOURCES_HASH: sha256(codeResources).toString('hex'),
  };
  const cdhash = cdHashOf(
    parts.identifier,
    hashes.INFO_PLIST_HASH,
    hashes.EXECUTABLE_HASH,
    hashes.RESOURCES_HASH,
  );
  const signature = await render('code-signature.plist.tmpl', {
    ...common,
    ...hashes,
    IDENTIFIER: parts.identifier,
    CDHASH: cdhash,
  });
  return { codeResources, signature, cdhash };
}

function nested(path: string, identifier: string, cdhash: string): SealedResource {
  return {
    path,
    kind: 'nested',
    cdhash: Buffer.from(cdhash, 'hex'),
    requirement: developerIdRequirement(identifier, sampleApp.teamId),
  };
}

/** The template values of a family's extension Info.plist (each template uses its own). */
function extensionValues(family: SampleFamily): Record<string, string> {
  const ext = family.extension;
  const common = {
    EXT_ID: ext.bundleId,
    EXT_NAME: ext.name,
    EXT_DISPLAY_NAME: ext.displayName,
    EXT_EXECUTABLE: ext.executable,
    MACH_SERVICE: ext.machServiceName,
  };
  return 'providerClass' in ext
    ? { ...common, PROVIDER_CLASS: ext.providerClass }
    : { ...common, FILTER_CLASS: ext.filterClass, DNS_PROXY_CLASS: ext.dnsProxyClass };
}

/**
 * The files of "SXL Sample.app" for one build, relative to /Applications, in bundle order. The
 * extension embeds SXLShared.framework in the layout Xcode builds (a system extension cannot reach
 * its app's frameworks once sysextd has copied it): the framework's root holds only symlinks into
 * `Versions/Current`, itself a symlink to `A`.
 */
export function renderSampleApp(build: SampleBuild): Promise<PackageFile[]> {
  return renderSampleFamily(build, sampleApp);
}

/** The files of `family`'s app for one build, relative to /Applications, in bundle order. */
export async function renderSampleFamily(build: SampleBuild, family: SampleFamily): Promise<PackageFile[]> {
  const ext = family.extension;
  const fw = sampleFramework;
  const extensionDir = `${family.bundleDir}/Contents/Library/SystemExtensions/${ext.bundleId}.systemextension`;
  const common = {
    SHORT_VERSION: build.shortVersion,
    BUNDLE_VERSION: build.bundleVersion,
    BUILD: build.label,
    TEAM_ID: family.teamId,
    SIGNED_TIME: build.signedTime,
    APP_NAME: family.name,
  };
  const asIs = (value: string) => value;
  const executable = (identifier: string, name: string) =>
    render('executable.txt.tmpl', { ...common, IDENTIFIER: identifier, EXECUTABLE: name }, asIs);

  const fwInfo = await render('framework-Info.plist.tmpl', {
    ...common,
    FRAMEWORK_ID: fw.bundleId,
    FRAMEWORK_EXECUTABLE: fw.executable,
  });
  const fwExe = await executable(fw.bundleId, fw.executable);
  // A framework version seals its Resources (Info.plist included); the code directory binds the rest.
  const fwSigned = await sign(
    {
      identifier: fw.bundleId,
      info: fwInfo,
      executable: fwExe,
      resources: [{ path: 'Resources/Info.plist', kind: 'file', sha256: sha256(fwInfo) }],
    },
    common,
  );

  const extInfo = withSimFaults(
    await render(family.extensionTemplate, { ...common, ...extensionValues(family) }),
    build.simFaults,
  );
  const extExe = await executable(ext.bundleId, ext.executable);
  const extSigned = await sign(
    {
      identifier: ext.bundleId,
      info: extInfo,
      executable: extExe,
      resources: [nested(`Frameworks/${fw.bundleDir}`, fw.bundleId, fwSigned.cdhash)],
    },
    common,
  );

  const appInfo = await render('app-Info.plist.tmpl', {
    ...common,
    APP_ID: family.bundleId,
    APP_EXECUTABLE: family.executable,
  });
  const appExe = await executable(family.bundleId, family.executable);
  const appSigned = await sign(
    {
      identifier: family.bundleId,
      info: appInfo,
      executable: appExe,
      resources: [
        nested(`Library/SystemExtensions/${ext.bundleId}.systemextension`, ext.bundleId, extSigned.cdhash),
      ],
    },
    common,
  );

  const app = `${family.bundleDir}/Contents`;
  const extContents = `${extensionDir}/Contents`;
  const fwDir = `${extensionDir}/Contents/Frameworks/${fw.bundleDir}`;
  const link = (path: string, target: string): PackageFile => ({
    path,
    content: target,
    mode: 0o755,
    type: 'symlink',
  });
  return [
    { path: `${app}/Info.plist`, content: appInfo, mode: 0o644 },
    { path: `${app}/MacOS/${family.executable}`, content: appExe, mode: 0o755 },
    { path: `${app}/${CODE_RESOURCES}`, content: appSigned.codeResources, mode: 0o644 },
    { path: `${app}/${STAND_IN_SIGNATURE}`, content: appSigned.signature, mode: 0o644 },
    { path: `${extContents}/Info.plist`, content: extInfo, mode: 0o644 },
    { path: `${extContents}/MacOS/${ext.executable}`, content: extExe, mode: 0o755 },
    { path: `${fwDir}/Versions/A/Resources/Info.plist`, content: fwInfo, mode: 0o644 },
    { path: `${fwDir}/Versions/A/${fw.executable}`, content: fwExe, mode: 0o755 },
    { path: `${fwDir}/Versions/A/${CODE_RESOURCES}`, content: fwSigned.codeResources, mode: 0o644 },
    { path: `${fwDir}/Versions/A/${STAND_IN_SIGNATURE}`, content: fwSigned.signature, mode: 0o644 },
    link(`${fwDir}/Versions/Current`, 'A'),
    link(`${fwDir}/${fw.executable}`, `Versions/Current/${fw.executable}`),
    link(`${fwDir}/Resources`, 'Versions/Current/Resources'),
    { path: `${extContents}/${CODE_RESOURCES}`, content: extSigned.codeResources, mode: 0o644 },
    { path: `${extContents}/${STAND_IN_SIGNATURE}`, content: extSigned.signature, mode: 0o644 },
  ];
}

export interface StandInExecutable {
  bundleId: string;
  executable: string;
  shortVersion: string;
  bundleVersion: string;
  /** The build label, which tells apart builds that share versions (`1.1` vs `1.1-reship`). */
  build: string;
}

/** Reads a stand-in executable written from executable.txt.tmpl; `undefined` for anything else. */
export function parseStandInExecutable(content: Buffer | string): StandInExecutable | undefined {
  const text = typeof content === 'string' ? content : content.toString('utf8');
  if (!text.startsWith('SXL-SIM-STAND-IN\n')) return undefined;
  const field = (key: string) => new RegExp(`^${key}: (.*)$`, 'm').exec(text)?.[1];
  const version = /^(\S+) \((\S+)\)$/.exec(field('version') ?? '');
  const bundleId = field('bundle-id');
  const executable = field('executable');
  const build = field('build');
  if (!version || !bundleId || !executable || !build) return undefined;
  return { bundleId, executable, shortVersion: version[1] ?? '', bundleVersion: version[2] ?? '', build };
}
