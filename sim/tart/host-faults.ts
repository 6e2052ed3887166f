// The simulated host's standing faults: states of the Mac itself (not dice per VM), set with
// SXL_SIM_HOST_FAULTS=name,name. Each is what a real host can be in before a run starts
// (real-mac-review.md items 10 and 15, tart-cli.md §8); `sysext-lab doctor` must name every one.

export const HOST_FAULTS = {
  'keychain-locked':
    'tart FAQ "Headless machines": the login keychain is locked, so `security show-keychain-info` fails and `tart run` cannot create the VM\'s key pair',
  'local-network-denied':
    "TN3179: the harness process lacks the Local Network permission (an IDE terminal, a LaunchAgent CI runner), so its connects to the VMs fail with EHOSTUNREACH; only processes started with the sim's local-network preload see it",
  'dhcp-exhausted':
    'tart FAQ "Changing the default DHCP lease time": bootpd\'s 86,400 s leases fill 192.168.64.0/24, so a new VM gets no address',
  'no-console-user':
    'nobody is logged in at the console (a headless host after a reboot without auto-login): /dev/console belongs to root',
} as const satisfies Record<string, string>;

export type HostFault = keyof typeof HOST_FAULTS;

export function isHostFault(name: string): name is HostFault {
  return Object.hasOwn(HOST_FAULTS, name);
}

/** Reads SXL_SIM_HOST_FAULTS; throws naming the unknown entry. */
export function readHostFaults(env: NodeJS.ProcessEnv = process.env): Set<HostFault> {
  const faults = new Set<HostFault>();
  for (const name of (env.SXL_SIM_HOST_FAULTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!isHostFault(name)) {
      throw new Error(
        `Unknown host fault "${name}" in SXL_SIM_HOST_FAULTS: expected one of ${Object.keys(HOST_FAULTS).join(', ')}`,
      );
    }
    faults.add(name);
  }
  return faults;
}

export function hostHasFault(fault: HostFault, env: NodeJS.ProcessEnv = process.env): boolean {
  return readHostFaults(env).has(fault);
}

/**
 * What `tart run` prints when VZ cannot make the VM's key pair because the login keychain is locked.
 * Reconstructed: the FAQ quotes `SecKeyCreateRandomKey_ios failed` and `Failed to generate keypair`,
 * tuist #10670 the VZError around them; the exact join of the three is not published.
 */
export const KEYCHAIN_LOCKED_RUN_ERROR =
  'Error Domain=VZErrorDomain Code=-9 "Failed to create new HostKey" UserInfo={NSLocalizedFailure=Failed to generate keypair, NSLocalizedFailureReason=SecKeyCreateRandomKey_ios failed}';

/** Addresses bootpd hands out on vmnet's shared network (192.168.64.2 - .254). */
export const VMNET_POOL_SIZE = 253;
