// codesign -dv --verbose=4, codesign --verify [--deep], spctl -a -vv and realpath (macos-outputs §6).
// The facts come from the stand-in signature plist a sample build carries
// (Contents/_CodeSignature/sxl-sim-signature.plist); verification is model/code-signature.ts.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { CODE_RESOURCES, STAND_IN_SIGNATURE } from '../../builds/code-resources.ts';
import type { GuestFs } from '../guest-fs.ts';
import { readPlistFile } from '../model/bundle-info.ts';
import { verifyCode } from '../model/code-signature.ts';
import { isDict, type PlistDict } from '../plist.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

interface Signed {
  bundle: string;
  executable: string;
  identifier: string;
  signature: PlistDict;
  infoKeys: number;
  /** Entries of the resource seal (`files2` of _CodeSignature/CodeResources). */
  sealedFiles: number;
}

/** The bundle a path belongs to (the path itself or the .app/.systemextension above it). */
function bundleOf(path: string): string | undefined {
  const parts = path.split('/');
  for (let k = parts.length; k > 0; k--) {
    if (/\.(app|systemextension|appex|framework)$/.test(parts[k - 1]!)) return parts.slice(0, k).join('/');
  }
  return undefined;
}

async function readSigned(fs: GuestFs, path: string): Promise<Signed | undefined> {
  const bundle = bundleOf(fs.resolve(path).guest);
  if (!bundle) return undefined;
  try {
    // A framework's signature lives in its current version (Versions/Current resolved, as codesign
    // prints it); every other bundle's in Contents.
    const framework = bundle.endsWith('.framework');
    const content = framework
      ? fs.resolve(posix.join(bundle, 'Versions/Current')).guest
      : posix.join(bundle, 'Contents');
    const signature = await readPlistFile(fs, posix.join(content, STAND_IN_SIGNATURE));
    const plist = await readPlistFile(
      fs,
      posix.join(content, framework ? 'Resources/Info.plist' : 'Info.plist'),
    );
    const bundleId = typeof plist.CFBundleIdentifier === 'string' ? plist.CFBundleIdentifier : '';
    const exeName = typeof plist.CFBundleExecutable === 'string' ? plist.CFBundleExecutable : '';
    const identifier = typeof signature.Identifier === 'string' ? signature.Identifier : bundleId;
    let sealedFiles = 0;
    try {
      const seal = await readPlistFile(fs, posix.join(content, CODE_RESOURCES));
      if (isDict(seal.files2)) sealedFiles = Object.keys(seal.files2).length;
    } catch {
      sealedFiles = 0;
    }
    return {
      bundle,
      executable: framework ? posix.join(content, exeName) : posix.join(content, 'MacOS', exeName),
      identifier,
      signature,
      infoKeys: Object.keys(plist).length,
      sealedFiles,
    };
  } catch {
    return undefined;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** codesign's `Sep 15, 2019 at 6:36:03 PM` (the guest's zone is UTC). */
function signedTime(date: Date): string {
  const h = date.getUTCHours();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()} at ${h % 12 || 12}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

const text = (dict: PlistDict, key: string) => (typeof dict[key] === 'string' ? (dict[key] as string) : '');

export function formatCodesign(s: Signed): string {
  const sig = s.signature;
  const cdhash = text(sig, 'CDHash') || createHash('sha1').update(s.identifier).digest('hex');
  const runtime = sig.HardenedRuntime === true;
  const flags = runtime ? '0x10000(runtime)' : '0x0(none)';
  const format = s.bundle.endsWith('.app')
    ? 'app bundle with Mach-O thin (arm64)'
    : 'bundle with Mach-O thin (arm64)';
  const authorities = Array.isArray(sig.Authority)
    ? sig.Authority.filter((a): a is string => typeof a === 'string')
    : [];
  const time = sig.SignedTime instanceof Date ? sig.SignedTime : new Date(0);
  let out = `Executable=${s.executable}\nIdentifier=${s.identifier}\nFormat=${format}\n`;
  out += `CodeDirectory v=20500 size=${600 + s.identifier.length * 3} flags=${flags} hashes=12+7 location=embedded\n`;
  out += `Hash type=sha256 size=32\nCandidateCDHash sha256=${cdhash}\nCandidateCDHashFull sha256=${createHash('sha256').update(cdhash).digest('hex')}\nHash choices=sha256\n`;
  out +=
    'CMSDigestType=2\nExecutable Segment base=0\nExecutable Segment limit=16384\nExecutable Segment flags=0x1\nPage size=16384\n';
  out += `CDHash=${cdhash}\nSignature size=9045\n`;
  for (const a of authorities) out += `Authority=${a}\n`;
  // A notarized Developer ID build carries a secure timestamp; others only the signing time.
  if (sig.Notarized === true) out += `Timestamp=${signedTime(time)}\nNotarization Ticket=stapled\n`;
  else out += `Signed Time=${signedTime(time)}\n`;
  out += `Info.plist entries=${s.infoKeys}\nTeamIdentifier=${text(sig, 'TeamIdentifier') || 'not set'}\n`;
  if (runtime) out += 'Runtime Version=14.0.0\n';
  out += `Sealed Resources version=2 rules=13 files=${s.sealedFiles}\nInternal requirements count=1 size=212\n`;
  return out;
}

/** `codesign --verify [--deep] [--strict] [-v...] path...`: silent when valid unless verbose. */
async function verify(ctx: CommandContext, args: readonly string[], paths: readonly string[]) {
  const shortVs = args
    .filter((a) => /^-[a-zA-Z]+$/.test(a))
    .reduce((n, a) => n + (a.match(/v/g)?.length ?? 0), 0);
  const long = args.find((a) => a.startsWith('--verbose'));
  const longLevel = long === undefined ? 0 : long.includes('=') ? Number(long.split('=')[1]) || 0 : 1;
  // The first -v names the operation unless --verify does; the others raise the verbosity.
  const verbose = shortVs + longLevel - (args.includes('--verify') ? 0 : 1);
  const deep = args.includes('--deep');
  let stderr = '';
  let exitCode = 0;
  for (const typed of paths) {
    const path = typed.length > 1 ? typed.replace(/\/+$/, '') : typed;
    if (!(await ctx.fs.lstat(path))) {
      stderr += `${typed}: No such file or directory\n`;
      exitCode = 1;
      continue;
    }
    const result = await verifyCode(ctx.fs, path, { deep });
    if (result.valid) {
      if (verbose >= 1) stderr += `${typed}: valid on disk\n${typed}: satisfies its Designated Requirement\n`;
      continue;
    }
    exitCode = 1;
    stderr += `${typed}: ${result.reason}\n`;
    for (const line of result.details) stderr += `${line}\n`;
    if (result.subcomponent) stderr += `In subcomponent: ${result.subcomponent}\n`;
  }
  return { stderr, exitCode };
}

async function codesign(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  const display = args.some((a) => /^-[a-zA-Z]*d/.test(a) || a === '--display');
  const paths = args.filter((a) => !a.startsWith('-'));
  const verifying = args.includes('--verify') || args.some((a) => /^-[a-zA-Z]*v/.test(a));
  if (!display && verifying && paths.length > 0) return verify(ctx, args, paths);
  // [RECONSTRUCTED] only display and verify are modelled; anything else is refused with the usage line.
  if (!display || paths.length === 0)
    return fail(
      'Usage: codesign -s identity [-fv*] [-o flags] [-r reqs] [-i ident] path ... # sign\n       codesign -v [-v*] [-R=<req string>|-R <req file path>] path|[+]pid ... # verify\n       codesign -d [options] path ... # display contents\n',
    );
  return eachSignedPath(ctx, paths, (path, signed) =>
    signed
      ? { text: formatCodesign(signed), code: 0 }
      : { text: `${path}: code object is not signed at all\n`, code: 1 },
  );
}

async function spctl(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  // Gatekeeper: the Cirrus images run `spctl --global-disable` (vanilla-*.pkr.hcl).
  if (args[0] === '--status') return ok('assessments disabled\n');
  const assess = args.some((a) => a === '-a' || a === '--assess' || /^-a[v]*$/.test(a));
  const verbose =
    args.filter((a) => /^-v+$/.test(a)).reduce((n, a) => n + a.length - 1, 0) +
    (args.some((a) => /^-av+$/.test(a)) ? 1 : 0);
  const paths = args.filter((a) => !a.startsWith('-'));
  if (!assess || paths.length === 0)
    return fail(
      'System Policy Basic Usage:\n       spctl --assess [--type type] [-v] path ... # assessment\n',
      2,
    );
  // spctl reports on stderr, as codesign does.
  return eachSignedPath(ctx, paths, (path, signed) => {
    const authorities = signed && Array.isArray(signed.signature.Authority) ? signed.signature.Authority : [];
    const developerId =
      typeof authorities[0] === 'string' && authorities[0].startsWith('Developer ID Application');
    if (!signed || !developerId) {
      const origin = verbose >= 2 && signed ? `origin=${String(authorities[0] ?? '')}\n` : '';
      return { text: `${path}: rejected\n${origin}`, code: 3 };
    }
    const source = signed.signature.Notarized === true ? 'Notarized Developer ID' : 'Developer ID';
    const details = verbose >= 2 ? `source=${source}\norigin=${authorities[0]}\n` : '';
    return { text: `${path}: accepted\n${details}`, code: 0 };
  });
}

/**
 * codesign and spctl report per path on stderr: a missing path is `No such file or directory`
 * (exit 1); otherwise `report` says what to print and the exit code (the last failure wins).
 */
async function eachSignedPath(
  ctx: CommandContext,
  paths: readonly string[],
  report: (path: string, signed: Awaited<ReturnType<typeof readSigned>>) => { text: string; code: number },
): Promise<{ stderr: string; exitCode: number }> {
  let stderr = '';
  let exitCode = 0;
  for (const path of paths) {
    if (!(await ctx.fs.stat(path))) {
      stderr += `${path}: No such file or directory\n`;
      exitCode = 1;
      continue;
    }
    const { text, code } = report(path, await readSigned(ctx.fs, path));
    stderr += text;
    if (code !== 0) exitCode = code;
  }
  return { stderr, exitCode };
}

async function realpath(ctx: CommandContext) {
  const paths = ctx.argv.slice(1).filter((a) => a !== '-q');
  if (paths.length === 0) return fail('usage: realpath [-q] [path ...]\n');
  let stdout = '';
  let stderr = '';
  let code = 0;
  for (const path of paths) {
    if (!(await ctx.fs.stat(path))) {
      stderr += `realpath: ${path}: No such file or directory\n`;
      code = 1;
    } else stdout += `${ctx.fs.resolve(path).guest}\n`;
  }
  return { stdout, stderr, exitCode: code };
}

export const signingCommands: CommandTable = { codesign, spctl, realpath };
