// Identity of the simulated Mac: sw_vers (macos-outputs §6), whoami, id, hostname, uname, csrutil.

import { type CommandTable, fail, ok } from '../shell/types.ts';
import type { GuestState } from '../state.ts';

// Darwin's major version is macOS's major + 9 for 11..15, and 25 for macOS 26.
function darwinRelease(state: GuestState): string {
  const [major = 15, minor = 0] = state.macos.productVersion.split('.').map(Number);
  const darwin = major >= 26 ? major - 1 : major + 9;
  return `${darwin}.${minor}.0`;
}

export const systemInfoCommands: CommandTable = {
  async sw_vers({ argv, machine }) {
    const { productName, productVersion, buildVersion } = machine.state.macos;
    const flag = argv[1];
    if (flag === undefined) {
      return ok(
        `ProductName:\t\t${productName}\nProductVersion:\t\t${productVersion}\nBuildVersion:\t\t${buildVersion}\n`,
      );
    }
    const values: Record<string, string> = {
      '-productName': productName,
      '--productName': productName,
      '-productVersion': productVersion,
      '--productVersion': productVersion,
      '-buildVersion': buildVersion,
      '--buildVersion': buildVersion,
    };
    const value = values[flag];
    if (value === undefined) {
      return fail('Usage: sw_vers [--productName|--productVersion|--productVersionExtra|--buildVersion]\n');
    }
    return ok(`${value}\n`);
  },
  async whoami({ user }) {
    return ok(`${user.name}\n`);
  },
  async id({ argv, user }) {
    const gid = user.uid === 0 ? 0 : 20;
    const group = user.uid === 0 ? 'wheel' : 'staff';
    const flags = argv.slice(1).join('');
    if (/^-u?n?u?$/.test(flags) && flags.includes('u'))
      return ok(`${flags.includes('n') ? user.name : user.uid}\n`);
    if (/^-g?n?g?$/.test(flags) && flags.includes('g')) return ok(`${flags.includes('n') ? group : gid}\n`);
    if (flags === '') {
      const groups =
        user.uid === 0
          ? '0(wheel),1(daemon),2(kmem),3(sys),4(tty),5(operator),8(procview),9(procmod),12(everyone),20(staff),29(certusers),61(localaccounts),80(admin)'
          : '20(staff),12(everyone),61(localaccounts),79(_appserverusr),80(admin),81(_appserveradm),98(_lpadmin),701(com.apple.sharepoint.group.1),33(_appstore),100(_lpoperator),204(_developer),250(_analyticsusers),395(com.apple.access_ftp),398(com.apple.access_screensharing),399(com.apple.access_ssh),400(com.apple.access_remote_ae)';
      return ok(`uid=${user.uid}(${user.name}) gid=${gid}(${group}) groups=${groups}\n`);
    }
    return fail(
      'usage: id [user]\n       id -A\n       id -F [user]\n       id -G [-n] [user]\n       id -M\n       id -P [user]\n       id -c\n       id -g [-nr] [user]\n       id -p [user]\n       id -u [-nr] [user]\n',
    );
  },
  async hostname({ machine }) {
    return ok(`${machine.state.hostname}\n`);
  },
  async uname({ argv, machine }) {
    const release = darwinRelease(machine.state);
    const version = `Darwin Kernel Version ${release}: Mon Jan  6 20:00:00 PST 2025; root:xnu-11417.121.6~2/RELEASE_ARM64_VMAPPLE`;
    const flags = argv.slice(1).join('').replace(/-/g, '');
    if (flags === '' || flags === 's') return ok('Darwin\n');
    if (flags.includes('a')) return ok(`Darwin ${machine.state.hostname} ${release} ${version} arm64\n`);
    const parts: string[] = [];
    for (const f of flags) {
      if (f === 's') parts.push('Darwin');
      else if (f === 'n') parts.push(machine.state.hostname);
      else if (f === 'r') parts.push(release);
      else if (f === 'v') parts.push(version);
      else if (f === 'm' || f === 'p') parts.push(f === 'm' ? 'arm64' : 'arm');
      else return fail(`uname: illegal option -- ${f}\nusage: uname [-amnoprsv]\n`);
    }
    return ok(`${parts.join(' ')}\n`);
  },
  async csrutil({ argv, machine }) {
    if (argv[1] === 'status') return ok(`System Integrity Protection status: ${machine.state.sip}.\n`);
    if (argv[1] === 'enable' || argv[1] === 'disable') {
      return fail(
        'csrutil: failed to modify system integrity configuration. This tool needs to be executed from the Recovery OS.\n',
      );
    }
    // [RECONSTRUCTED] csrutil's usage text, shortened.
    return fail(
      'usage: csrutil <command>\nModify the System Integrity Protection configuration.\nAvailable commands:\n\n    clear\n    disable\n    enable\n    netboot\n    status\n',
      64,
    );
  },
};
