// The host half of `sysext-lab doctor`: what the Mac that runs tart must be before a run. Every
// command goes through the backend profile's host shell, so the sim answers as a Mac would.
import { homedir } from 'node:os';
import type { BackendProfile } from '../backends/backend-profile.ts';
import type { WaitOptions } from '../backends/vm-backend.ts';
import { check, type DoctorCheck } from './doctor-check.ts';
import {
  compareVersions,
  parseBootpdLeaseTime,
  parseDfAvailableKb,
  parseDhcpdLeases,
  parseKeychainInfo,
  parseProductVersion,
  parseToolVersion,
  parseUid,
  parseUserName,
} from './doctor-parsers.ts';
import { advice } from './host-advice.ts';
import type { RawOutput, RawOutputs } from './raw-outputs.ts';

export const hostCheckDefaults = {
  /** A clone of a 50 GB image is copy-on-write, but a first pull needs the compressed image and room to unpack it. */
  minFreeKb: 60 * 1024 * 1024,
  /** bootpd hands out 192.168.64.2 - .254 on vmnet's shared network. */
  poolSize: 253,
  /** A lease time above this fills the pool within a long run (tart FAQ). */
  maxLeaseSeconds: 3_600,
  minTartVersion: '2.27.0',
  minMacos: '14',
} as const;

const INTERNET_SHARING_PLIST =
  '/Library/Preferences/SystemConfiguration/com.apple.InternetSharing.default.plist';

export interface HostCheckContext {
  profile: BackendProfile;
  raw: RawOutputs;
  wait: WaitOptions;
  /** `tart --version`, already read by the caller. */
  toolVersion: string;
}

async function host(ctx: HostCheckContext, key: string, bin: string, args: string[]): Promise<RawOutput> {
  // A command that cannot even start (not a Mac: no sw_vers) is an output like any other.
  const result = await ctx.profile.doctor.hostCommand(bin, args, ctx.wait).catch((error: Error) => ({
    exitCode: null,
    stdout: '',
    stderr: `${error.message}\n`,
  }));
  return ctx.raw.add({
    side: 'host',
    key,
    command: [bin, ...args].join(' '),
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
  });
}

/** Runs `read` over the output; a ParseError becomes a failed check that quotes it. */
function readOr<T>(read: () => T, onError: (message: string) => DoctorCheck): T | DoctorCheck {
  try {
    return read();
  } catch (error) {
    return onError((error as Error).message);
  }
}

function isCheck(value: unknown): value is DoctorCheck {
  return typeof value === 'object' && value !== null && 'status' in value && 'fix' in value;
}

export async function hostChecks(ctx: HostCheckContext): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const macosRef = 'tart: `tart suspend` exists only on macOS 14 and later (Root.swift)';
  const macos = await host(ctx, 'host-macos-version', 'sw_vers', ['-productVersion']);
  const macosVersion = readOr(
    () => parseProductVersion(macos.stdout).version,
    (message) =>
      check(
        'host-macos',
        'fail',
        `This host is not macOS: ${message}`,
        macosRef,
        'Run tart on an Apple-silicon Mac with macOS 14 or later.',
      ),
  );
  if (isCheck(macosVersion)) checks.push(macosVersion);
  else if (compareVersions(macosVersion, hostCheckDefaults.minMacos) < 0)
    checks.push(
      check(
        'host-macos',
        'warn',
        `macOS ${macosVersion}: tart suspend (--sleep-strategy suspend) needs 14`,
        macosRef,
        'Update the host to macOS 14 or later to use --sleep-strategy suspend.',
      ),
    );
  else checks.push(check('host-macos', 'ok', `macOS ${macosVersion}`, macosRef));

  const tartRef = 'tart 2.27.0 added `tart exec` (#1074); suspend fixes followed';
  const tartVersion = readOr(
    () => parseToolVersion(ctx.toolVersion).version,
    (message) =>
      check(
        'host-tart',
        'fail',
        `tart --version: ${message}`,
        tartRef,
        'Install tart 2.27 or later (brew install cirruslabs/cli/tart).',
      ),
  );
  ctx.raw.add({
    side: 'host',
    key: 'tart-version',
    command: 'tart --version',
    exitCode: 0,
    stdout: ctx.toolVersion,
    stderr: '',
  });
  if (isCheck(tartVersion)) checks.push(tartVersion);
  else if (compareVersions(tartVersion, hostCheckDefaults.minTartVersion) < 0)
    checks.push(
      check(
        'host-tart',
        'fail',
        `tart ${tartVersion} is older than 2.27`,
        tartRef,
        'Update tart to 2.27 or later (brew upgrade cirruslabs/cli/tart).',
      ),
    );
  else checks.push(check('host-tart', 'ok', `tart ${tartVersion}`, tartRef));

  const uid = await host(ctx, 'host-uid', 'id', ['-u']);
  const uidValue = readOr(
    () => parseUid(uid.stdout).uid,
    (message) => check('host-not-root', 'warn', `id -u: ${message}`, 'tart issue #921'),
  );
  if (isCheck(uidValue)) checks.push(uidValue);
  else if (uidValue === 0)
    checks.push(
      check(
        'host-not-root',
        'fail',
        'running as root',
        'tart issue #921: tart as root breaks macOS 15 VMs',
        'Run the harness as the logged-in user, not with sudo.',
      ),
    );
  else checks.push(check('host-not-root', 'ok', `running as uid ${uidValue}`, 'tart issue #921'));

  const consoleRef = 'tuist #10670: VZ needs a live GUI (Aqua) session';
  const consoleOut = await host(ctx, 'host-console-user', 'stat', ['-f%Su', '/dev/console']);
  const consoleUser = readOr(
    () => parseUserName(consoleOut.stdout).user,
    (message) =>
      check(
        'host-console-user',
        'fail',
        `stat /dev/console: ${message}`,
        consoleRef,
        'Log in at the console (or enable auto-login) before running VMs.',
      ),
  );
  if (isCheck(consoleUser)) checks.push(consoleUser);
  else if (consoleUser === 'root')
    checks.push(
      check(
        'host-console-user',
        'fail',
        'nobody is logged in at the console (/dev/console belongs to root)',
        consoleRef,
        'Log in at the console (or enable auto-login for this user) and keep the session.',
      ),
    );
  else
    checks.push(check('host-console-user', 'ok', `${consoleUser} is logged in at the console`, consoleRef));

  const keychainOut = await host(ctx, 'keychain', 'security', ['show-keychain-info', 'login.keychain']);
  const keychain = readOr(
    () => parseKeychainInfo(`${keychainOut.stdout}${keychainOut.stderr}`),
    (message) =>
      check(
        'host-keychain',
        'fail',
        `security show-keychain-info: ${message}`,
        advice.keychain.reference,
        advice.keychain.fix,
      ),
  );
  if (isCheck(keychain)) checks.push(keychain);
  else if (!keychain.unlocked)
    checks.push(
      check(
        'host-keychain',
        'fail',
        `the login keychain is locked: ${keychain.reason}`,
        advice.keychain.reference,
        advice.keychain.fix,
      ),
    );
  else
    checks.push(check('host-keychain', 'ok', `${keychain.keychain} is unlocked`, advice.keychain.reference));

  const diskRef = 'tart quick start: the first clone pulls about 25 GB';
  // A fresh host has no TART_HOME yet: the volume of the home folder is where tart will create it.
  let df = await host(ctx, 'host-df', 'df', ['-k', ctx.profile.doctor.storageDir]);
  if (df.exitCode !== 0) df = await host(ctx, 'host-df', 'df', ['-k', homedir()]);
  const disk = readOr(
    () => parseDfAvailableKb(df.stdout),
    (message) =>
      check(
        'host-disk',
        'warn',
        `df: ${message}`,
        diskRef,
        'Check that TART_HOME exists and has 60 GB free.',
      ),
  );
  if (isCheck(disk)) checks.push(disk);
  else {
    const gb = (disk.availableKb / 1024 / 1024).toFixed(0);
    checks.push(
      disk.availableKb < hostCheckDefaults.minFreeKb
        ? check(
            'host-disk',
            'fail',
            `${gb} GB free under ${ctx.profile.doctor.storageDir}`,
            diskRef,
            'Free 60 GB for TART_HOME (`tart prune --space-budget`, or move TART_HOME).',
          )
        : check('host-disk', 'ok', `${gb} GB free under ${ctx.profile.doctor.storageDir}`, diskRef),
    );
  }

  const leaseRef = 'tart FAQ "Changing the default DHCP lease time"';
  const bootpd = await host(ctx, 'bootpd', 'defaults', ['read', INTERNET_SHARING_PLIST, 'bootpd']);
  const leaseTime = readOr(
    () => parseBootpdLeaseTime(`${bootpd.stdout}${bootpd.stderr}`),
    (message) => check('host-dhcp-lease-time', 'warn', `defaults read bootpd: ${message}`, leaseRef),
  );
  if (isCheck(leaseTime)) checks.push(leaseTime);
  else if (leaseTime.leaseSeconds > hostCheckDefaults.maxLeaseSeconds)
    checks.push(
      check(
        'host-dhcp-lease-time',
        'warn',
        `DHCP leases last ${leaseTime.leaseSeconds} s${leaseTime.configured ? '' : " (bootpd's default)"}: about 250 VMs a day fill 192.168.64.0/24`,
        leaseRef,
        `Shorten them: \`sudo defaults write ${INTERNET_SHARING_PLIST} bootpd -dict DHCPLeaseTimeSecs -int 600\`.`,
      ),
    );
  else
    checks.push(
      check('host-dhcp-lease-time', 'ok', `DHCP leases last ${leaseTime.leaseSeconds} s`, leaseRef),
    );

  const leasesOut = await host(ctx, 'dhcpd-leases', 'cat', ['/var/db/dhcpd_leases']);
  const leases = readOr(
    () => (leasesOut.exitCode === 0 ? parseDhcpdLeases(leasesOut.stdout) : []),
    (message) => check('host-dhcp-range', 'warn', `/var/db/dhcpd_leases: ${message}`, leaseRef),
  );
  if (isCheck(leases)) checks.push(leases);
  else {
    const now = Date.now() / 1000;
    const live = new Set(leases.filter((l) => l.expires > now).map((l) => l.ipAddress)).size;
    checks.push(
      live >= hostCheckDefaults.poolSize
        ? check(
            'host-dhcp-range',
            'fail',
            `${live} of ${hostCheckDefaults.poolSize} addresses of 192.168.64.0/24 are leased: a new VM gets no address`,
            leaseRef,
            'Shorten the lease time (see host-dhcp-lease-time), then `sudo rm /var/db/dhcpd_leases` with no VM running.',
          )
        : check(
            'host-dhcp-range',
            'ok',
            `${live} of ${hostCheckDefaults.poolSize} addresses leased`,
            leaseRef,
          ),
    );
  }

  const limitRef = advice.vmLimit.reference;
  const list = await ctx.profile.vms.list(ctx.wait).then(
    (vms) => vms,
    (error: Error) => error,
  );
  ctx.raw.add({
    side: 'host',
    key: 'tart-list',
    command: 'tart list --source local --format json',
    exitCode: list instanceof Error ? 1 : 0,
    stdout:
      list instanceof Error ? '' : JSON.stringify(list.map((vm) => ({ Name: vm.name, State: vm.state }))),
    stderr: list instanceof Error ? list.message : '',
  });
  if (list instanceof Error)
    checks.push(
      check(
        'host-vms-running',
        'fail',
        `tart list: ${list.message}`,
        limitRef,
        'Check that tart runs (`tart list`).',
      ),
    );
  else {
    const running = list.filter((vm) => vm.state === 'running').map((vm) => vm.name);
    checks.push(
      running.length >= 2
        ? check(
            'host-vms-running',
            'fail',
            `${running.length} VMs run already (${running.join(', ')}): Apple allows two`,
            limitRef,
            'Stop the other macOS VMs (`tart stop NAME`) or use another host.',
          )
        : running.length === 1
          ? check(
              'host-vms-running',
              'warn',
              `1 VM runs already (${running[0]}): a run needs one of the two slots`,
              limitRef,
              'Stop it (`tart stop NAME`) if its slot is needed.',
            )
          : check('host-vms-running', 'ok', 'no VM running', limitRef),
    );
  }

  const pruneRef = 'tart FAQ "Automatic pruning"';
  checks.push(
    ctx.profile.doctor.env.TART_NO_AUTO_PRUNE !== undefined
      ? check('host-auto-prune', 'ok', 'TART_NO_AUTO_PRUNE is set: cached images stay', pruneRef)
      : check(
          'host-auto-prune',
          'warn',
          'TART_NO_AUTO_PRUNE is not set: clone and pull may evict the cached image (and its digest)',
          pruneRef,
          'Set TART_NO_AUTO_PRUNE= in the environment that runs the harness.',
        ),
  );
  return checks;
}
