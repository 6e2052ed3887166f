// Quirks are the sim's seeded fault models. The harness passes them to the fake `tart` through the
// environment (SXL_SIM_QUIRKS, SXL_SIM_SEED); every process of the simulated host reads them here.
import { createHash } from 'node:crypto';

/** Every quirk the sim knows, with the forum report or tart issue it models. */
export const QUIRKS = {
  'xpc-endpoint-lost-on-upgrade':
    'forum report 1: after a replacement the new NetworkExtension job has no endpoints block until reboot',
  'xpc-invalidated-until-reapproval':
    'forum report 1 (variant): after a replacement the endpoints block is present but bootstrap look-up fails with 1102, also after reboot, until uninstall + new activation + approval',
  'flows-stop-after-wake':
    'forum report 2: after a wake the transparent proxy stays connected but handleNewFlow is no longer called until the proxy is stopped and started again (or reboot)',
  'filter-flows-stop-after-wake':
    'a content filter (NEFilterDataProvider) or DNS proxy (NEDNSProxyProvider) stays enabled after a wake and gets wake(), but handleNewFlow is no longer called until its provider process restarts (reboot, replacement); rolled per wake per running provider',
  'activation-no-policy':
    'forum report 3: sysextd refuses an activation request with "no policy, cannot allow apps outside /Applications" and the app gets OSSystemExtensionErrorDomain code 4',
  'approval-ui-ignored':
    'approval automation that has no effect: the System Settings script turns the switch on, answers the password prompt and clicks Done, exits 0, but the extension stays [activated waiting for user] (rolled per Done)',
  'darkwake-only':
    'the scheduled wake is only a DarkWake ([CDNP], no display): the guest sleeps again a few seconds later and a user-activity assertion does not promote it (rolled per scheduled wake)',
  'sip-enabled':
    'an image with System Integrity Protection on (a vanilla image, or a -base built before 2025-08): csrutil status says enabled and what needs SIP off refuses (rolled once per clone, at its first boot)',
  'no-tcc-grants':
    'a -base image cached before 2026-03-12 (macos-image-templates #329): TCC.db has no Accessibility, PostEvent, ScreenCapture or AppleEvents rows for osascript and sshd-keygen-wrapper (rolled once per clone, at its first boot)',
  'no-cc':
    'an image without the Command Line Tools: cc fails with xcrun\'s "invalid active developer path" (rolled once per clone, at its first boot)',
  'no-sleep':
    'VZ guests that do not really sleep: `pmset sleepnow` prints "Sleeping now..." but the guest stays awake',
  'ssh-drop': 'flaky networking: the SSH connection is reset in the middle of a command',
  'sysdiagnose-hang': 'sysdiagnose never finishes (it hangs until the SSH channel closes)',
  'sshd-dies-mid-transfer':
    'the sshd serving an SFTP transfer dies after the first piece of a file (rolled per file opened): the connection closes mid-file',
  'boot-fail': 'tart run fails with VZErrorDomain Code=1 "The virtual machine failed to start." (exit 1)',
  'no-ip': 'tart run: the VM runs but never gets a DHCP lease, so `tart ip` fails',
  'suspend-save-fails':
    'tart suspend: `tart run` prints "Failed to suspend the VM: ..." on stdout, exits 1 and leaves no snapshot, so the next `tart run` boots afresh',
  'vm-limit-leak':
    'tart #1217: a guest shutdown leaks one slot of the host VM limit; after two leaks every tart run fails with "The number of VMs exceeds the system limit" until the host reboots',
} as const satisfies Record<string, string>;

export type QuirkName = keyof typeof QUIRKS;
export type QuirkSettings = Partial<Record<QuirkName, number>>;

export function isQuirkName(name: string): name is QuirkName {
  return Object.hasOwn(QUIRKS, name);
}

/** Parses `name=P,name=P` (P a probability in [0,1]); throws with the offending entry named. */
export function parseQuirkList(text: string | undefined): QuirkSettings {
  const settings: QuirkSettings = {};
  if (!text) return settings;
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const match = /^([a-z0-9-]+)=([0-9.]+)$/.exec(entry);
    if (!match) throw new Error(`Invalid quirk "${entry}": expected NAME=P with P between 0 and 1`);
    const [, name, value] = match as unknown as [string, string, string];
    if (!isQuirkName(name)) {
      throw new Error(`Unknown quirk "${name}": expected one of ${Object.keys(QUIRKS).join(', ')}`);
    }
    const p = Number(value);
    if (!(p >= 0 && p <= 1))
      throw new Error(`Invalid probability for quirk "${name}": ${value}, expected 0..1`);
    settings[name] = p;
  }
  return settings;
}

export function formatQuirkList(settings: QuirkSettings): string {
  return Object.entries(settings)
    .map(([name, p]) => `${name}=${p}`)
    .join(',');
}

/** What the simulated host was started with: read once per process from the environment. */
export interface SimSettings {
  quirks: QuirkSettings;
  seed: number;
  /** Multiplies every modelled delay (boot, shutdown, sysdiagnose); 0 makes them immediate. */
  timeScale: number;
}

export function readSimSettings(env: NodeJS.ProcessEnv = process.env): SimSettings {
  const seed = env.SXL_SIM_SEED === undefined ? 0 : Number(env.SXL_SIM_SEED);
  if (!Number.isInteger(seed))
    throw new Error(`Invalid SXL_SIM_SEED "${env.SXL_SIM_SEED}": expected an integer`);
  const timeScale = env.SXL_SIM_TIME_SCALE === undefined ? 1 : Number(env.SXL_SIM_TIME_SCALE);
  if (!(timeScale >= 0)) {
    throw new Error(`Invalid SXL_SIM_TIME_SCALE "${env.SXL_SIM_TIME_SCALE}": expected a number >= 0`);
  }
  return { quirks: parseQuirkList(env.SXL_SIM_QUIRKS), seed, timeScale };
}

/**
 * The VM's ordinal: the trailing number of its name (the harness names VMs `sxl-<run-id>-<n>`,
 * n the iteration), so that seed + iteration decide the dice and a run can be repeated exactly
 * whatever its run id. Names without a trailing number fall back to the whole name.
 */
export function vmStreamKey(vmName: string): string {
  const match = /-(\d+)$/.exec(orchardVmName(vmName) ?? vmName);
  return match ? `#${match[1]}` : vmName;
}

/**
 * Deterministic dice for one VM: the k-th roll of quirk Q on the VM with stream key S under seed
 * N is the same number in every run. Counters live in the caller's persisted state so that a
 * reboot does not replay the same roll.
 */
export function quirkRoll(seed: number, streamKey: string, quirk: string, counter: number): number {
  const digest = createHash('sha256').update(`${seed}\0${streamKey}\0${quirk}\0${counter}`).digest();
  // 48 bits are plenty for a probability and stay exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function quirkFires(
  settings: SimSettings,
  streamKey: string,
  quirk: QuirkName,
  counter: number,
): boolean {
  const p = settings.quirks[quirk] ?? 0;
  if (p <= 0) return false;
  if (p >= 1) return true;
  return quirkRoll(settings.seed, streamKey, quirk, counter) < p;
}

/**
 * The Orchard VM an Orchard worker's tart VM stands for: workers name it
 * `orchard-<name>-<uid>-<restart count>` (orchard internal/worker/ondiskname), so its dice and its
 * run follow `<name>` as the harness chose it.
 */
export function orchardVmName(localName: string): string | undefined {
  return /^orchard-(.+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d+$/.exec(
    localName,
  )?.[1];
}
