// The persisted macOS model of one guest: <vmDir>/guest/state.json. `tart clone` copies the VM
// folder, so everything the guest remembers across power cycles lives in this one file.
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GuestStateError } from './errors.ts';

/** sysextd's state names, stored with underscores as db.plist does; printed with spaces. */
export type SysextState =
  | 'activated_enabled'
  | 'activated_waiting_for_user'
  | 'terminating_for_upgrade_via_delegate'
  | 'terminated_waiting_to_uninstall_on_reboot';

export type SysextCategory =
  | 'com.apple.system_extension.network_extension'
  | 'com.apple.system_extension.endpoint_security'
  | 'com.apple.system_extension.driver_extension';

export interface SysextEntry {
  /** The staging folder name under /Library/SystemExtensions. */
  uuid: string;
  teamId: string;
  bundleId: string;
  shortVersion: string;
  bundleVersion: string;
  name: string;
  category: SysextCategory;
  state: SysextState;
  /** Guest path of the staged bundle. */
  stagedPath: string;
  /** Guest path of the staged executable (the job's program). */
  executable: string;
  /** NetworkExtension.NEMachServiceName, for network extensions. */
  machServiceName?: string;
  /**
   * The keys of NetworkExtension.NEProviderClasses (`com.apple.networkextension.app-proxy`,
   * `...filter-data`, `...dns-proxy`); absent in older state files, which meant an app proxy.
   */
  providerClasses?: string[];
  /** Guest path of the app that activated it. */
  appPath: string;
  /** The xpc-invalidated-until-reapproval quirk fired on this entry: look-ups of its service fail. */
  xpcInvalidated?: boolean;
  /** Fault rates the installed build carries (its SXLSimFaults), overriding the run's quirks. */
  buildFaults?: Record<string, number>;
}

export interface JobEndpoint {
  name: string;
  port: number;
}

export interface LaunchdJob {
  label: string;
  program: string;
  pid: number;
  /** null: the job has no endpoints block at all (the xpc-endpoint-lost-on-upgrade quirk). */
  endpoints: JobEndpoint[] | null;
  runs: number;
  /** The sysext entry the job runs. */
  extensionUuid: string;
}

/** An app process in the GUI session, as LaunchServices knows it. */
export interface RunningApp {
  pid: number;
  bundleId: string;
  /** Guest path of the .app it was launched from. */
  path: string;
  /** Guest path of its executable; the process name is its basename. */
  executable: string;
}

export interface PackageReceipt {
  packageId: string;
  version: string;
  volume: string;
  /** install-location without the leading slash, as pkgutil prints it. */
  location: string;
  installTime: number;
  title: string;
  /** Guest paths of the files installed, for the upgrade that removes stale ones. */
  files: string[];
}

export interface GuestState {
  format: 1;
  image: string;
  macos: { productName: string; productVersion: string; buildVersion: string };
  hardwareModel: string;
  hostname: string;
  user: { name: string; password: string; uid: number; home: string };
  sip: 'enabled' | 'disabled';
  /**
   * The image's TCC.db rows for osascript and sshd-keygen-wrapper (Cirrus -base since 2026-03);
   * false after the quirk no-tcc-grants. Absent in older state files: granted.
   */
  tccGrants?: boolean;
  /** false after the quirk no-cc: the image has no Command Line Tools. Absent: installed. */
  commandLineTools?: boolean;
  developerMode: boolean;
  bootCount: number;
  bootUuid: string;
  /** Epoch ms of the current boot. */
  bootTime: number;
  nextPid: number;
  extensions: SysextEntry[];
  jobs: LaunchdJob[];
  receipts: PackageReceipt[];
  /** Per-quirk roll counters, so that a reboot never replays a roll. */
  quirkCounters: Record<string, number>;
  /** Roll counters of the modelled delays (model/timing-dice.ts); absent in older state files. */
  timingCounters?: Record<string, number>;
  /** Guest clock minus host clock, in ms (negative after a host-side suspend until `date` sets it). */
  clockOffsetMs?: number;
  /** Host epoch ms when the VM was last suspended or powered off (for the clock after a resume). */
  haltedAtHostMs?: number;
  /** `pmset -g log` events of this disk, oldest first. */
  pmsetLog?: PmsetLogEntry[];
  /** Pending `pmset schedule wake` events (guest epoch ms). */
  scheduledWakes?: ScheduledWake[];
  /**
   * `pmset relative wake N`: the kernel's one-shot "wake N s after the next sleep" setting; not a
   * powerd event, so `pmset -g sched` never lists it (approval-and-power-facts §8.2).
   */
  relativeWakeSeconds?: number;
  /** NetworkExtension configurations saved by apps (NETransparentProxyManager). */
  proxies?: ProxyConfig[];
  /** mDNSResponder's cache: host name -> guest epoch ms when its answer expires (model/dns-cache.ts). */
  dnsCache?: Record<string, number>;
  /** Content-filter (NEFilterManager) and DNS-proxy (NEDNSProxyManager) configurations saved by apps. */
  filters?: FilterConfig[];
  /** Apps running in the GUI session; every boot starts with none (absent in older state files). */
  apps?: RunningApp[];
  /**
   * false from a boot until the auto-login GUI session exists (model/gui-session.ts); absent in
   * state files written before it was modelled, which count as having the session.
   */
  guiSession?: boolean;
}

export interface PmsetLogEntry {
  /** Guest epoch ms. */
  time: number;
  domain: string;
  message: string;
  durationSecs?: number;
}

export interface ScheduledWake {
  /** Guest epoch ms. */
  at: number;
  owner: string;
}

export interface ProxyConfig {
  uuid: string;
  name: string;
  /** The app that saved it (the type tag's bundle id). */
  appBundleId: string;
  /** The provider extension's bundle id. */
  providerBundleId: string;
  status: 'Connected' | 'Disconnected';
  /** flows-stop-after-wake fired: connected, but no flow reaches the provider until a restart. */
  flowsStopped?: boolean;
}

/** An enabled content filter or DNS proxy: nesessionmanager runs it whenever its provider runs. */
export interface FilterConfig {
  uuid: string;
  name: string;
  kind: 'content-filter' | 'dns-proxy';
  appBundleId: string;
  providerBundleId: string;
  /** filter-stops-after-wake fired: enabled, but no flow reaches the provider until its process restarts. */
  blind?: boolean;
}

export const STATE_FILE = 'state.json';

export function newBootUuid(): string {
  return randomUUID().toUpperCase();
}

export async function loadState(guestDir: string): Promise<GuestState> {
  const file = join(guestDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new GuestStateError('Cannot read the guest state (not a guest disk?)', file, { cause: error });
  }
  let state: GuestState;
  try {
    state = JSON.parse(text) as GuestState;
  } catch (error) {
    throw new GuestStateError('Corrupt guest state (invalid JSON)', file, { cause: error });
  }
  if (state.format !== 1) throw new GuestStateError(`Unknown guest state format ${state.format}`, file);
  return state;
}

/** The state file's text: indented, so that a guest disk can be read while debugging. */
export function serializeState(state: GuestState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** Writes through a temporary file and a rename, so a power-off never leaves half a file. */
export async function writeStateText(guestDir: string, text: string): Promise<void> {
  const file = join(guestDir, STATE_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

export function saveState(guestDir: string, state: GuestState): Promise<void> {
  return writeStateText(guestDir, serializeState(state));
}
