// installer and pkgutil (macos-outputs §6): install a flat package with the builds helper's reader,
// keep receipts, append to /var/log/install.log.
import { posix } from 'node:path';
import { FlatPackageError, readFlatPackage } from '../../builds/flat-package.ts';
import { ROOT_USER } from '../guest-fs.ts';
import { toXmlPlist } from '../plist.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import type { PackageReceipt } from '../state.ts';

function installLogLine(ctx: CommandContext, pid: number, message: string): string {
  const iso = new Date().toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00 ${ctx.machine.state.hostname.replace(/\.local$/, '')} installer[${pid}]: ${message}\n`;
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function installer(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  const pkg = option(args, '-pkg') ?? option(args, '-package');
  const target = option(args, '-target') ?? option(args, '-tgt');
  if (pkg === undefined || target === undefined) {
    return fail(
      'Usage: installer [-help] [-dominfo] [-volinfo] [-pkginfo] [-allowUntrusted] [-dumplog]\n                 [-verbose | -verboseR] [-vers] [-config] [-plist]\n                 [[-file <pathToFile>] [-lang <ISOLanguageCode>] [-listiso] [-showChoicesXML] [-applyChoiceChangesXML <pathToFile>] [-showChoicesAfterApplyingChangesXML <pathToFile>]]\n                 -pkg <pathToPackage>\n                 -target <[DomainKey|MountPoint|DiskIdentifier|DiskUUID]>\n',
    );
  }
  const invalid = () => fail(`installer: Error - the package path specified was invalid: '${pkg}'.\n`);
  const pkgInfo = await ctx.fs.stat(pkg);
  if (!pkgInfo?.isFile()) return invalid();
  if (ctx.user.uid !== 0) return fail('installer: Must be run as root to install this package.\n');
  if (!['/', '/Volumes/Macintosh HD', 'LocalSystem', 'CurrentUserHomeDirectory'].includes(target)) {
    // [RECONSTRUCTED] the only volume of the guest is /.
    return fail(`installer: Error - the target volume specified was invalid: '${target}'.\n`);
  }
  let contents: Awaited<ReturnType<typeof readFlatPackage>>;
  try {
    contents = await readFlatPackage(ctx.fs.resolve(pkg).host);
  } catch (error) {
    if (!(error instanceof FlatPackageError)) throw error;
    // [RECONSTRUCTED] what installer says about a file that is not a package.
    return fail(
      `installer: Package name is \ninstaller: Error - the package path specified was invalid: '${pkg}'.\n`,
    );
  }
  const machine = ctx.machine;
  const root = machine.fs(ROOT_USER, '/');
  const pid = await machine.mutate(() => machine.allocPid());
  const location = posix.resolve('/', contents.installLocation || '/');
  const previous = machine.state.receipts.find((r) => r.packageId === contents.identifier);
  const verb = previous ? 'Upgrading' : 'Installing';
  const installed: string[] = [];
  for (const file of contents.files) {
    const guest = posix.join(location, file.path);
    await root.mkdir(posix.dirname(guest), { parents: true });
    // A payload symlink is installed as a symlink, replacing what an older version put there.
    if (file.type === 'symlink') await root.symlink(file.content.toString('utf8'), guest, { replace: true });
    else await root.writeFile(guest, file.content, { mode: file.mode || 0o644 });
    installed.push(guest);
  }
  if (previous) {
    // PackageKit removes what the old version installed and the new one no longer has.
    const keep = new Set(installed);
    for (const stale of previous.files.filter((f) => !keep.has(f))) await root.remove(stale).catch(() => {});
  }
  const receipt: PackageReceipt = {
    packageId: contents.identifier,
    version: contents.version,
    volume: '/',
    location: location === '/' ? '/' : location.slice(1),
    installTime: Math.floor(Date.now() / 1000),
    title: contents.title,
    files: installed,
  };
  await machine.mutate((state) => {
    state.receipts = [...state.receipts.filter((r) => r.packageId !== receipt.packageId), receipt];
  });
  await root.writeFile(
    `/private/var/db/receipts/${receipt.packageId}.plist`,
    toXmlPlist({
      InstallDate: new Date(receipt.installTime * 1000),
      InstallPrefixPath: receipt.location,
      InstallProcessName: 'installer',
      PackageFileName: posix.basename(pkg),
      PackageIdentifier: receipt.packageId,
      PackageVersion: receipt.version,
    }),
  );
  const done = previous ? 'The upgrade was successful.' : 'The install was successful.';
  const lines = [
    `Package name is ${contents.title}`,
    `${verb} at base path /`,
    `PackageKit: Installed "${contents.title}" ("${contents.version}")`,
    done,
  ];
  await root.writeFile(
    '/private/var/log/install.log',
    lines.map((l) => installLogLine(ctx, pid, l)).join(''),
    {
      append: true,
    },
  );
  return ok(
    `installer: Package name is ${contents.title}\ninstaller: ${verb} at base path /\ninstaller: ${done}\n`,
  );
}

async function pkgutil(ctx: CommandContext) {
  const [, command, id] = ctx.argv;
  const receipts = ctx.machine.state.receipts;
  const receipt = receipts.find((r) => r.packageId === id);
  const missing = () => fail(`No receipt for '${id}' found at '/'.\n`);
  switch (command) {
    case '--pkgs':
      return ok(receipts.map((r) => `${r.packageId}\n`).join(''));
    case '--pkg-info':
      if (!receipt) return missing();
      return ok(
        `package-id: ${receipt.packageId}\nversion: ${receipt.version}\nvolume: ${receipt.volume}\nlocation: ${receipt.location}\ninstall-time: ${receipt.installTime}\n`,
      );
    case '--files': {
      if (!receipt) return missing();
      const base = receipt.location === '/' ? '/' : `/${receipt.location}`;
      const paths = new Set<string>();
      for (const file of receipt.files) {
        // pkgutil lists the directories of the payload too, relative to the location.
        let rel = posix.relative(base, file);
        while (rel && rel !== '.') {
          paths.add(rel);
          rel = posix.dirname(rel);
        }
      }
      return ok(
        [...paths]
          .sort()
          .map((p) => `${p}\n`)
          .join(''),
      );
    }
    case '--forget':
      if (!receipt) return missing();
      if (ctx.user.uid !== 0) return fail(`Cannot forget package '${id}' on '/': Permission denied\n`);
      await ctx.machine.mutate((state) => {
        state.receipts = state.receipts.filter((r) => r.packageId !== id);
      });
      // [RECONSTRUCTED] pkgutil's confirmation line.
      return ok(`Forgot package '${id}' on '/'.\n`);
    default:
      return fail('Usage: pkgutil [options] [commands]\n', 1);
  }
}

export const packageCommands: CommandTable = { installer, pkgutil };
