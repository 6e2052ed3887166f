// The simulated Mac's own command line, for the few host commands `sysext-lab doctor` runs (the
// harness runs the same argv on a real Mac). Outputs follow macOS; the host's state comes from
// SXL_SIM_HOST_FAULTS (sim/tart/host-faults.ts) and SXL_SIM_HOST_DIR (leases, leaked slots).
import { readFileSync, statfsSync } from 'node:fs';
import { hostHasFault, VMNET_POOL_SIZE } from '../tart/host-faults.ts';
import { formatLeases, LEASE_SECONDS, leasesPath, readLeases } from '../tart/leases.ts';
import { checkSimSettings } from '../tart/sim-settings.ts';
import { tartHome } from '../tart/storage.ts';

export interface HostResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** The simulated host: an Apple-silicon Mac on macOS 15.5 (reconstructed choice: any host from macOS 14 on runs every check). */
const HOST_MACOS = { productName: 'macOS', productVersion: '15.5', buildVersion: '24F74' };
const HOST_USER = { name: 'admin', uid: 501 };
const KEYCHAIN = `/Users/${HOST_USER.name}/Library/Keychains/login.keychain-db`;
const INTERNET_SHARING_PLIST =
  '/Library/Preferences/SystemConfiguration/com.apple.InternetSharing.default.plist';

const ok = (stdout = ''): HostResult => ({ stdout, stderr: '', code: 0 });
const fail = (stderr: string, code = 1): HostResult => ({ stdout: '', stderr, code });

type HostCommand = (args: string[]) => HostResult;

const commands: Record<string, HostCommand> = {
  sw_vers(args) {
    if (args[0] === '-productVersion') return ok(`${HOST_MACOS.productVersion}\n`);
    return ok(
      `ProductName:\t\t${HOST_MACOS.productName}\nProductVersion:\t\t${HOST_MACOS.productVersion}\nBuildVersion:\t\t${HOST_MACOS.buildVersion}\n`,
    );
  },
  security(args) {
    if (args[0] !== 'show-keychain-info') return fail(`security: unknown command "${args[0] ?? ''}"\n`, 2);
    // Reconstructed: security's settings line, and its refusal for a locked keychain in a
    // session that cannot prompt (errSecInteractionNotAllowed, -25308, exit 36).
    if (hostHasFault('keychain-locked'))
      return fail(`security: SecKeychainCopySettings ${KEYCHAIN}: User interaction is not allowed.\n`, 36);
    return ok(`Keychain "${KEYCHAIN}" no-timeout\n`);
  },
  defaults(args) {
    const [verb, domain, key] = args;
    if (verb !== 'read' || domain !== INTERNET_SHARING_PLIST || key !== 'bootpd') {
      return fail(`\nThe domain/default pair of (${domain ?? ''}, ${key ?? ''}) does not exist\n`);
    }
    // The simulated host keeps bootpd's default lease time (86,400 s): nothing was written there.
    return fail(`\nThe domain/default pair of (${domain}, ${key}) does not exist\n`);
  },
  cat(args) {
    if (args[0] !== '/var/db/dhcpd_leases') return fail(`cat: ${args[0] ?? ''}: No such file or directory\n`);
    const leases = readLeases();
    if (hostHasFault('dhcp-exhausted')) {
      // Every address of the pool leased for the next day to VMs that are long gone.
      const expiry = Math.floor(Date.now() / 1000) + LEASE_SECONDS / 2;
      for (let n = leases.length; n < VMNET_POOL_SIZE; n += 1) {
        const host = n + 2;
        const mac = `6e:2:a:0:${(n >> 8).toString(16)}:${(n & 0xff).toString(16)}`;
        leases.push({ name: `sxl-old-${n}`, ipAddress: `192.168.64.${host}`, hwAddress: mac, lease: expiry });
      }
    }
    if (leases.length === 0) {
      try {
        readFileSync(leasesPath());
      } catch {
        return fail('cat: /var/db/dhcpd_leases: No such file or directory\n');
      }
    }
    return ok(formatLeases(leases));
  },
  stat(args) {
    if (args[0] !== '-f%Su' || args[1] !== '/dev/console')
      return fail('usage: stat [-FLnq] [-f format | -l | -r | -s | -x] [-t timefmt] [file ...]\n');
    // loginwindow owns the console as root until someone logs in.
    return ok(`${hostHasFault('no-console-user') ? 'root' : HOST_USER.name}\n`);
  },
  id(args) {
    if (args[0] === '-u') return ok(`${HOST_USER.uid}\n`);
    if (args[0] === '-un') return ok(`${HOST_USER.name}\n`);
    return fail('usage: id [-Gn] [-u [-n]] [user]\n');
  },
  df(args) {
    const path = args.at(-1) === '-k' || args.length === 0 ? tartHome() : (args.at(-1) as string);
    let stats: ReturnType<typeof statfsSync>;
    try {
      stats = statfsSync(path);
    } catch {
      return fail(`df: ${path}: No such file or directory\n`);
    }
    const k = (blocks: number) => Math.floor((blocks * stats.bsize) / 1024);
    const total = k(stats.blocks);
    const avail = k(stats.bavail);
    const used = total - k(stats.bfree);
    const capacity = total > 0 ? Math.round((used / total) * 100) : 0;
    return ok(
      `Filesystem     1024-blocks      Used Available Capacity iused     ifree %iused  Mounted on\n/dev/disk3s5   ${total} ${used} ${avail}    ${capacity}% 1000000 ${stats.ffree} 1%   /System/Volumes/Data\n`,
    );
  },
};

export function main(argv: string[]): HostResult {
  const invalid = checkSimSettings();
  if (invalid) return fail(`Invalid sim settings: ${invalid}\n`);
  const [bin, ...args] = argv;
  const command = bin === undefined ? undefined : commands[bin];
  if (!command) return fail(`zsh:1: command not found: ${bin ?? ''}\n`, 127);
  return command(args);
}
