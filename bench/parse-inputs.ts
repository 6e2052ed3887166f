// Synthetic inputs of any size for every parse kind: a real-shaped head, then the part of the
// output that repeats (rows, entries, endpoints), generated on the fly and never held whole.

import { NDJSON_HEADER, ndjsonEntry } from './ndjson-log.ts';

export interface SyntheticInput {
  readonly head: string;
  /** The n-th repeated piece. */
  readonly body: (n: number) => string;
  readonly tail?: string;
}

export const syntheticInputs: Record<string, SyntheticInput> = {
  'systemextensions-list': {
    head: '999999 extension(s)\n\n--- com.apple.system_extension.network_extension\nenabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n',
    body: (n) => `*\t*\tVBG97UB4TA\tcom.example.ext${n} (2.3.0/${n})\tExtension\t[activated enabled]\n`,
  },
  'launchctl-print-domain': {
    head: 'system = {\n\ttype = system\n\tservices = {\n',
    body: (n) => `\t\t${n % 5 === 0 ? 0 : 400 + (n % 9000)}      -  com.example.job${n}\n`,
    tail: '\t}\n}\n',
  },
  'launchctl-print': {
    head: 'system/com.example.helper = {\n\tstate = running\n\tendpoints = {\n',
    body: (n) =>
      `\t\t"com.example.ep${n}" = {\n\t\t\tport = 0x2ed07\n\t\t\tactive = 1\n\t\t\tmanaged = 1\n\t\t}\n`,
    tail: '\t}\n}\n',
  },
  'launchctl-list': {
    head: 'PID\tStatus\tLabel\n',
    body: (n) => `${n % 3 === 0 ? '-' : 100 + (n % 90000)}\t0\tcom.example.job${n}\n`,
  },
  'launchctl-error': {
    head: 'Bad request.\n',
    body: () => 'Could not find service "com.foo" in domain for system\n',
  },
  'sw-vers': {
    head: 'ProductName:\t\tmacOS\nProductVersion:\t\t14.2.1\nBuildVersion:\t\t23C71\n',
    body: (n) => `OtherKey:\t\tvalue ${n}\n`,
  },
  'pmset-log': {
    head: 'Time stamp                Domain                  Message\n',
    body: (n) =>
      `2021-01-21 18:56:45 +0100 ${n % 2 === 0 ? 'Sleep   ' : 'Wake    '}            \tEntering state ${n} due to 'Software Sleep pid=1':\t16 secs\n`,
  },
  'pmset-assertions': {
    head: '2020-11-14 18:34:48 +0100\nAssertion status system-wide:\n   UserIsActive                   1\nListed by owning process:\n',
    body: (n) =>
      `   pid ${100 + (n % 9000)}(WindowServer): [0x0000001200098083] 00:00:00 UserIsActive named: "tickle ${n}"\n        Timeout will fire in 600 secs Action=TimeoutActionRelease\n`,
  },
  'unified-log': { head: NDJSON_HEADER, body: ndjsonEntry },
  installer: {
    head: 'installer: Package name is Example\ninstaller: Installing at base path /\n',
    body: (n) => `installer: PHASE:Preparing for installation ${n}\n`,
  },
  'codesign-display': {
    head: 'Executable=/Applications/X.app/Contents/MacOS/X\nIdentifier=com.example.x\n',
    body: () => 'Authority=Apple Root CA\n',
  },
  'spctl-assess': {
    head: '/Applications/X.app: accepted\n',
    body: () => 'source=Notarized Developer ID\n',
  },
  'scutil-nc-list': {
    head: 'Available network connection services in the current set (*=enabled):\n',
    body: (n) =>
      `* (Disconnected)   E3A8F336-CCEB-4A29-B50A-${String(n % 1e12).padStart(12, '0')} PPP --> L2TP       "VPN ${n}"                         [PPP:L2TP]\n`,
  },
  'pkgutil-pkg-info': {
    head: 'package-id: com.example.pkg\nversion: 1.0\nvolume: /\nlocation: Applications\ninstall-time: 1597042784\n',
    body: () => 'volume: /\n',
  },
  'pkgutil-files': {
    head: 'X.app\nX.app/Contents\n',
    body: (n) => `X.app/Contents/Resources/file${n}.png\n`,
  },
};

/** The input in 64 KB chunks, until `bytes` (approximately: whole pieces) have been produced. */
export function* synthesize(input: SyntheticInput, bytes: number): Generator<string> {
  yield input.head;
  let produced = input.head.length;
  let n = 0;
  while (produced < bytes) {
    let chunk = '';
    while (chunk.length < 1 << 16) chunk += input.body(n++);
    produced += chunk.length;
    yield chunk;
  }
  if (input.tail !== undefined) yield input.tail;
}
