// One line of `sysext-lab doctor`: a precondition of a run, how it stands, the fix in one
// sentence and where the fact comes from (a tart FAQ section, an Apple TN; never a link).

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  /** Stable id, e.g. `host-keychain`; tests and `--json` readers key on it. */
  id: CheckId;
  status: CheckStatus;
  /** What was found, with the evidence. */
  message: string;
  /** One sentence: what to do (empty when ok). */
  fix: string;
  /** Where the requirement is documented, without a link. */
  reference: string;
}

/** What each check is about, in the order doctor prints them; ids not listed here are refused. */
export const CHECK_IDS = [
  'host-macos',
  'host-tart',
  'host-not-root',
  'host-console-user',
  'host-keychain',
  'host-disk',
  'host-dhcp-lease-time',
  'host-dhcp-range',
  'host-vms-running',
  'host-auto-prune',
  'host-vm-limit',
  'fleet-controller',
  'fleet-credentials',
  'fleet-slots',
  'guest-boot',
  'guest-local-network',
  'guest-sw-vers',
  'guest-sip',
  'guest-gatekeeper',
  'guest-developer-mode',
  'guest-tcc-grants',
  'guest-gui-session',
  'guest-cc',
  'guest-sudo',
  'guest-agent',
  'guest-log-config',
  'guest-sleep',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export function check(
  id: CheckId,
  status: CheckStatus,
  message: string,
  reference: string,
  fix = '',
): DoctorCheck {
  return { id, status, message, fix: status === 'ok' ? '' : fix, reference };
}

/** 0 when nothing fails, 1 when a check fails. */
export function doctorExitCode(checks: readonly DoctorCheck[]): 0 | 1 {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
