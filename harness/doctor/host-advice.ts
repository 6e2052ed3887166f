// The advice for host failures that doctor reports and a run meets: one sentence each, with the
// reference it comes from, and the recogniser that turns a run's raw failure (tart's text, a
// socket error) into a HostPreconditionError carrying the same advice.
import { HostPreconditionError } from '../errors.ts';

export const advice = {
  keychain: {
    fix: 'Unlock the login keychain in the session that runs tart (`security unlock-keychain login.keychain`, or log in at the console once after boot).',
    reference: 'tart FAQ "Headless machines"',
  },
  vmLimit: {
    fix: 'Reboot the host: a VM-limit slot leaked by an earlier VM is given back only by a reboot (stop other macOS VMs first if some still run).',
    reference: 'tart issue #1217; macOS SLA: two additional macOS instances',
  },
  localNetwork: {
    fix: 'Run the harness from Terminal or over SSH (exempt from Local Network privacy), or allow the VM network for every process: `sudo defaults write com.apple.network.local-network AllowedEthernetLocalNetworkAddresses -array 192.168.64.0/24` (and the AllowedWiFi key), then reboot.',
    reference: 'Apple TN3179; tart FAQ "Local Network permission"',
  },
} as const;

/**
 * How long EHOSTUNREACH from a guest that has an address must persist to be the Local Network
 * refusal: with the refusal every connect fails at once; a guest still bringing its network up
 * does not answer that way for long. Doctor and a run's first SSH connect use the same bound.
 */
export const LOCAL_NETWORK_GIVE_UP_MS = 15_000;

/** tart's texts when VZ cannot make the VM's key pair (tart FAQ "Headless machines", tuist #10670). */
const KEYCHAIN_TEXTS =
  /SecKeyCreateRandomKey_ios failed|Failed to generate keypair|Interaction is not allowed with the Security Server|Failed to create new HostKey/;
/** tart's RuntimeError.VirtualMachineLimitExceeded (Run.swift). */
const VM_LIMIT_TEXT = /The number of VMs exceeds the system limit[^\n]*/;

/** A HostPreconditionError for `error` (or an error in its cause chain) when it is one of these failures. */
export function recogniseHostFailure(error: unknown): HostPreconditionError | undefined {
  if (error instanceof HostPreconditionError) return error;
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth += 1) {
    const text = `${e.message}\n${(e as { stderrTail?: string }).stderrTail ?? ''}`;
    const limit = VM_LIMIT_TEXT.exec(text);
    if (limit) {
      return new HostPreconditionError(
        'host-vm-limit',
        'The host refuses to start another macOS VM',
        advice.vmLimit.fix,
        true,
        limit[0],
        { cause: error },
      );
    }
    const keychain = KEYCHAIN_TEXTS.exec(text);
    if (keychain) {
      return new HostPreconditionError(
        'host-keychain',
        'tart cannot create the VM because the login keychain is locked',
        advice.keychain.fix,
        true,
        keychain[0],
        { cause: error },
      );
    }
    if ((e as NodeJS.ErrnoException).code === 'EHOSTUNREACH' || /\bEHOSTUNREACH\b/.test(e.message)) {
      return new HostPreconditionError(
        'guest-local-network',
        'This process may not reach the VMs (Local Network privacy)',
        advice.localNetwork.fix,
        true,
        e.message,
        { cause: error },
      );
    }
  }
  return undefined;
}
