// The sample app that the scenarios install: "SXL Sample.app" embedding a transparent-proxy network
// system extension, rendered from the text templates in sample-app/ for each build. Everything is
// source text; the Mach-O executables and code signatures are readable stand-ins.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
} as const;

/** Path of the embedded extension bundle, relative to the install location. */
export const sampleExtensionDir = `${sampleApp.bundleDir}/Contents/Library/SystemExtensions/${sampleApp.extension.bundleId}.systemextension`;

export interface SampleBuild {
  /** Distinguishes builds that share versions, e.g. `1.1-reship`; used in file names. */
  label: string;
  shortVersion: string;
  bundleVersion: string;
  /** When the stand-in signature says the build was signed (ISO 8601, UTC). */
  signedTime: string;
}

export const sampleBuilds: readonly SampleBuild[] = [
  { label: '1.0', shortVersion: '1.0', bundleVersion: '100', signedTime: '2024-05-02T09:30:00Z' },
  { label: '1.1', shortVersion: '1.1', bundleVersion: '110', signedTime: '2024-06-04T09:30:00Z' },
  // Same versions as 1.1 but different executables: macOS keeps running the old extension binary.
  { label: '1.1-reship', shortVersion: '1.1', bundleVersion: '110', signedTime: '2024-06-11T09:30:00Z' },
];

export class TemplateError extends Error {
  readonly template: string;
  constructor(reason: string, template: string, evidence: string) {
    super(`${reason} in sample-app template ${template}: ${evidence}`);
    this.name = 'TemplateError';
    this.template = template;
  }
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

function cdHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  // Real CDHashes are 20 bytes shown as 40 hex digits.
  return hash.digest('hex').slice(0, 40);
}

/** The files of "SXL Sample.app" for one build, relative to /Applications, in bundle order. */
export async function renderSampleApp(build: SampleBuild): Promise<PackageFile[]> {
  const ext = sampleApp.extension;
  const common = {
    SHORT_VERSION: build.shortVersion,
    BUNDLE_VERSION: build.bundleVersion,
    BUILD: build.label,
    TEAM_ID: sampleApp.teamId,
    SIGNED_TIME: build.signedTime,
    APP_NAME: sampleApp.name,
  };
  const asIs = (value: string) => value;

  const appInfo = await render('app-Info.plist.tmpl', {
    ...common,
    APP_ID: sampleApp.bundleId,
    APP_EXECUTABLE: sampleApp.executable,
  });
  const appExe = await render(
    'executable.txt.tmpl',
    { ...common, IDENTIFIER: sampleApp.bundleId, EXECUTABLE: sampleApp.executable },
    asIs,
  );
  const extInfo = await render('extension-Info.plist.tmpl', {
    ...common,
    EXT_ID: ext.bundleId,
    EXT_NAME: ext.name,
    EXT_DISPLAY_NAME: ext.displayName,
    EXT_EXECUTABLE: ext.executable,
    MACH_SERVICE: ext.machServiceName,
    PROVIDER_CLASS: ext.providerClass,
  });
  const extExe = await render(
    'executable.txt.tmpl',
    { ...common, IDENTIFIER: ext.bundleId, EXECUTABLE: ext.executable },
    asIs,
  );
  // The extension's signature covers its own bundle; the app's also covers the nested extension.
  const extSignature = await render('code-signature.plist.tmpl', {
    ...common,
    IDENTIFIER: ext.bundleId,
    CDHASH: cdHash(extInfo, extExe),
  });
  const appSignature = await render('code-signature.plist.tmpl', {
    ...common,
    IDENTIFIER: sampleApp.bundleId,
    CDHASH: cdHash(appInfo, appExe, extInfo, extExe),
  });

  const app = `${sampleApp.bundleDir}/Contents`;
  const extContents = `${sampleExtensionDir}/Contents`;
  return [
    { path: `${app}/Info.plist`, content: appInfo, mode: 0o644 },
    { path: `${app}/MacOS/${sampleApp.executable}`, content: appExe, mode: 0o755 },
    { path: `${app}/_CodeSignature/sxl-sim-signature.plist`, content: appSignature, mode: 0o644 },
    { path: `${extContents}/Info.plist`, content: extInfo, mode: 0o644 },
    { path: `${extContents}/MacOS/${ext.executable}`, content: extExe, mode: 0o755 },
    { path: `${extContents}/_CodeSignature/sxl-sim-signature.plist`, content: extSignature, mode: 0o644 },
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
