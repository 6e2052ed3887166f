// launchd's view of the guest: a few Apple daemons that always run, plus the jobs sysextd submits
// for enabled network extensions (label NetworkExtension.<id>.<short>.<build>, macos-outputs §1.4).
import { randomInt } from 'node:crypto';
import type { Machine } from '../machine.ts';
import type { GuestState, LaunchdJob, SysextEntry } from '../state.ts';

export interface AppleDaemon {
  label: string;
  program: string;
  /** undefined: not running (`-` in `launchctl list`). */
  pid: number | undefined;
  lastExit: number;
  machServices: string[];
}

// A handful of the daemons every macOS boot starts, with plausible low pids.
export const APPLE_DAEMONS: AppleDaemon[] = [
  {
    label: 'com.apple.logd',
    program: '/usr/libexec/logd',
    pid: 88,
    lastExit: 0,
    machServices: ['com.apple.logd'],
  },
  {
    label: 'com.apple.configd',
    program: '/usr/libexec/configd',
    pid: 97,
    lastExit: 0,
    machServices: ['com.apple.SystemConfiguration.configd'],
  },
  {
    label: 'com.apple.securityd',
    program: '/usr/sbin/securityd',
    pid: 151,
    lastExit: 0,
    machServices: ['com.apple.securityd'],
  },
  {
    label: 'com.apple.coreservicesd',
    program:
      '/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Support/coreservicesd',
    pid: 192,
    lastExit: 0,
    machServices: ['com.apple.CoreServices.coreservicesd'],
  },
  {
    label: 'com.apple.sysextd',
    program: '/usr/libexec/sysextd',
    pid: 312,
    lastExit: 0,
    machServices: ['com.apple.sysextd'],
  },
  {
    label: 'com.apple.nesessionmanager',
    program: '/usr/libexec/nesessionmanager',
    pid: 335,
    lastExit: 0,
    machServices: ['com.apple.nesessionmanager'],
  },
  {
    label: 'com.openssh.sshd',
    program: '/usr/libexec/sshd-keygen-wrapper',
    pid: undefined,
    lastExit: 0,
    machServices: [],
  },
  {
    label: 'com.apple.mobile.obliteration',
    program: '/usr/libexec/mobile_obliteration',
    pid: undefined,
    lastExit: 0,
    machServices: [],
  },
];

export const SYSEXTD_PID = 312;

export function extensionJobLabel(entry: SysextEntry): string {
  return `NetworkExtension.${entry.bundleId}.${entry.shortVersion}.${entry.bundleVersion}`;
}

/** Submits the job of an enabled network extension; call inside Machine.mutate. */
export function startExtensionJob(
  machine: Machine,
  state: GuestState,
  entry: SysextEntry,
  options: { endpoints: boolean },
): LaunchdJob | undefined {
  if (entry.category !== 'com.apple.system_extension.network_extension') return undefined;
  stopExtensionJob(state, entry);
  const job: LaunchdJob = {
    label: extensionJobLabel(entry),
    program: entry.executable,
    pid: machine.allocPid(),
    endpoints:
      options.endpoints && entry.machServiceName
        ? [{ name: entry.machServiceName, port: randomInt(0x1000, 0xfffff) }]
        : options.endpoints
          ? []
          : null,
    runs: 1,
    extensionUuid: entry.uuid,
  };
  state.jobs.push(job);
  return job;
}

export function stopExtensionJob(state: GuestState, entry: SysextEntry): void {
  state.jobs = state.jobs.filter((job) => job.extensionUuid !== entry.uuid);
}
