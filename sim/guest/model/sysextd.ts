// sysextd: activation requests, the replacement decision (OSSystemExtensionRequest header rules,
// macos-outputs §7), user approval and the clean-up at boot. Log lines follow §4.5.
import { randomInt, randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { ROOT_USER } from '../guest-fs.ts';
import { canonicalGuestPath, isUnder } from '../guest-paths.ts';
import type { Machine } from '../machine.ts';
import type { GuestState, SysextEntry, SysextState } from '../state.ts';
import type { LogLine } from '../unified-log.ts';
import {
  buildFaults,
  machServiceName,
  providerClasses,
  readBundleInfo,
  sysextCategory,
} from './bundle-info.ts';
import { verifyCode } from './code-signature.ts';
import { SYSEXTD_PID, startExtensionJob, stopExtensionJob } from './launchd.ts';
import { providerStopped, saveAppConfigurations } from './network-configurations.ts';
import { rollQuirk } from './quirk-dice.ts';
import { rollDelayMs } from './timing-dice.ts';

export const UPGRADE_QUIRK = 'xpc-endpoint-lost-on-upgrade';
export const INVALIDATED_QUIRK = 'xpc-invalidated-until-reapproval';

/**
 * After a replacement launchd gets the new NetworkExtension job asynchronously: it appears 0-5 s
 * later (real-mac-review.md §5), a delay that changes from upgrade to upgrade.
 */
export const REPLACEMENT_JOB_DELAY_MS = { min: 0, max: 5_000 } as const;
/**
 * Reconstructed: how long the old version stays [terminating for upgrade via delegate] before
 * [terminated waiting to uninstall on reboot] (macos-outputs §2.2, §7 list both; no duration is
 * documented). Up to 3 s, so a harness that reads the list once right after the replacement sees it.
 */
export const UPGRADE_TERMINATION_DELAY_MS = { min: 300, max: 3_000 } as const;
/** Old versions on their way out: neither is replaced again by a new request. */
const LEAVING_STATES: readonly SysextState[] = [
  'terminating_for_upgrade_via_delegate',
  'terminated_waiting_to_uninstall_on_reboot',
];

/** The app side of a request: whose log lines the request's outcome goes to. */
export interface RequestingApp {
  path: string;
  process: string;
  pid: number;
  executable: string;
  bundleId: string;
}

export type ActivationOutcome =
  | { result: 'failed'; code: number }
  | { result: 'completed' }
  | { result: 'needs-approval'; entry: SysextEntry }
  | { result: 'replaced'; entry: SysextEntry; old: SysextEntry; endpointLost: boolean };

export function printedState(state: SysextState): string {
  return state.replace(/_/g, ' ');
}

function sysextdLine(eventMessage: string, category = '', subsystem = 'com.apple.sx'): LogLine {
  return {
    process: 'sysextd',
    pid: SYSEXTD_PID,
    subsystem,
    category,
    messageType: 'Default',
    eventMessage,
    processImagePath: '/usr/libexec/sysextd',
  };
}

// [RECONSTRUCTED] the app's delegate messages: apps log their own wording; these are ours.
function appLine(
  app: RequestingApp,
  eventMessage: string,
  messageType: LogLine['messageType'] = 'Default',
): LogLine {
  return {
    process: app.process,
    pid: app.pid,
    subsystem: app.bundleId,
    category: 'sysext',
    messageType,
    eventMessage,
    processImagePath: app.executable,
  };
}

function versionText(entry: { shortVersion: string; bundleVersion: string }): string {
  return `BundleVersion(CFBundleShortVersionString: "${entry.shortVersion}", CFBundleVersion: "${entry.bundleVersion}")`;
}

function errorText(code: number, description: string): string {
  return `Error Domain=OSSystemExtensionErrorDomain Code=${code} "${description}"`;
}

/** An activation request from the app at app.path for the extension bundle at extensionPath. */
export async function requestActivation(
  machine: Machine,
  app: RequestingApp,
  extensionPath: string,
): Promise<ActivationOutcome> {
  const fs = machine.fs(ROOT_USER, '/');
  const guessedId = posix.basename(extensionPath).replace(/\.systemextension$/, '');
  let info: Awaited<ReturnType<typeof readBundleInfo>> | undefined;
  try {
    info = await readBundleInfo(fs, extensionPath);
  } catch {
    info = undefined;
  }
  const id = info?.bundleId ?? guessedId;
  await machine.emit(
    appLine(app, `submitting activation request for ${id}`),
    sysextdLine(`client activation request for ${id}`, 'XPC'),
    sysextdLine(`attempting to realize extension with identifier ${id}`),
  );
  const fail = async (code: number, description: string, sysextdMessage?: string) => {
    if (sysextdMessage) await machine.emit(sysextdLine(sysextdMessage));
    await machine.emit(appLine(app, `request failed: ${errorText(code, description)}`, 'Error'));
    return { result: 'failed', code } as const;
  };
  const inApplications = isUnder(canonicalGuestPath('/', app.path), '/Applications');
  // activation-no-policy (forum report 3): sysextd refuses an app that is in /Applications.
  if (
    inApplications &&
    (await machine.mutate((state) => rollQuirk(machine, state, 'activation-no-policy')))
  ) {
    await machine.emit(
      sysextdLine('no policy, cannot allow apps outside /Applications'),
      appLine(
        app,
        `request failed: OSSystemExtensionErrorDomain code=4 "Extension not found in App bundle. Unable to find any matched extension with identifier: ${id}"`,
        'Error',
      ),
    );
    return { result: 'failed', code: 4 };
  }
  if (!inApplications && !machine.state.developerMode) {
    return fail(
      3,
      `App containing System Extension to be activated must be in /Applications folder. Current location: file://${encodeURI(app.path)}/`,
      'no policy, cannot allow apps outside /Applications',
    );
  }
  if (!info) {
    return fail(
      4,
      `Extension not found in App bundle. Unable to find any matched extension with identifier: ${id}`,
    );
  }
  const found = info;
  const teamId = found.teamId;
  // sysextd validates the extension's signature statically, nested frameworks included.
  if (!teamId || !(await verifyCode(fs, extensionPath, { deep: true })).valid)
    return fail(8, 'Code signature invalid', `${id}: extension has no valid code signature`);

  return machine.mutate(async (state): Promise<ActivationOutcome> => {
    const existing = state.extensions.findLast(
      (e) => e.teamId === teamId && e.bundleId === id && !LEAVING_STATES.includes(e.state),
    );
    const sameVersion =
      existing?.shortVersion === found.shortVersion && existing.bundleVersion === found.bundleVersion;
    if (existing && sameVersion && !state.developerMode) {
      // Same versions: nothing to replace, the old binary keeps running (forum report 4).
      await machine.emit(
        sysextdLine(`extension ${id} ${versionText(existing)} is already ${printedState(existing.state)}`),
        appLine(app, 'request finished with result: 0 (completed)'),
      );
      return { result: 'completed' };
    }
    const uuid = randomUUID().toUpperCase();
    const stagedPath = `/Library/SystemExtensions/${uuid}/${posix.basename(extensionPath)}`;
    await fs.mkdir(posix.dirname(stagedPath), { parents: true });
    await fs.copy(extensionPath, stagedPath, { recursive: true });
    const entry: SysextEntry = {
      uuid,
      teamId,
      bundleId: id,
      shortVersion: found.shortVersion,
      bundleVersion: found.bundleVersion,
      name: found.name,
      category: sysextCategory(found),
      state: 'activated_waiting_for_user',
      stagedPath,
      executable: stagedPath + found.executable.slice(extensionPath.length),
      appPath: app.path,
    };
    const service = machServiceName(found);
    if (service) entry.machServiceName = service;
    const classes = providerClasses(found);
    if (classes) entry.providerClasses = classes;
    const faults = buildFaults(found);
    if (faults) entry.buildFaults = faults;
    if (!existing) {
      state.extensions.push(entry);
      await machine.emit(
        sysextdLine(`staged extension ${id} ${versionText(entry)} at ${stagedPath}`),
        appLine(app, 'request needs user approval'),
      );
      return { result: 'needs-approval', entry };
    }
    await machine.emit(
      sysextdLine(`activateDecision found entry to replace: ${id}, ${versionText(existing)}`),
      sysextdLine(
        `initial activation decision: requestAppReplaceAction(<sysextd.Extension: 0x${randomInt(0x100000000, 0xfffffffff).toString(16)}>)`,
        '',
        '',
      ),
      sysextdLine('notifying client of activation conflict'),
      appLine(
        app,
        `actionForReplacingExtension: existing ${existing.shortVersion} (${existing.bundleVersion}) with ${entry.shortVersion} (${entry.bundleVersion}): replace`,
      ),
    );
    const wasEnabled = existing.state === 'activated_enabled';
    // The old version's job stops now; its entry is listed [terminating for upgrade via delegate]
    // for a moment, then [terminated waiting to uninstall on reboot] (finishUpgradeTermination).
    existing.state = 'terminating_for_upgrade_via_delegate';
    stopExtensionJob(state, existing);
    providerStopped(state, existing.bundleId);
    // A build that carries its own rate (a regression) rolls at that rate, whatever the run's quirk.
    const endpointLost = rollQuirk(machine, state, UPGRADE_QUIRK, entry.buildFaults?.[UPGRADE_QUIRK]);
    // xpc-invalidated-until-reapproval: rolled per replacement, sticks to the new entry.
    if (rollQuirk(machine, state, INVALIDATED_QUIRK)) entry.xpcInvalidated = true;
    entry.state = wasEnabled ? 'activated_enabled' : 'activated_waiting_for_user';
    state.extensions.push(entry);
    const { min: termMin, max: termMax } = UPGRADE_TERMINATION_DELAY_MS;
    const oldUuid = existing.uuid;
    machine.later(rollDelayMs(machine, state, 'upgrade-termination', termMin, termMax), () =>
      finishUpgradeTermination(machine, oldUuid),
    );
    if (wasEnabled) {
      // The new job comes late on every upgrade; with the quirk it comes without its endpoints block.
      const { min, max } = REPLACEMENT_JOB_DELAY_MS;
      machine.later(rollDelayMs(machine, state, 'replacement-job', min, max), () =>
        submitReplacementJob(machine, entry.uuid, !endpointLost),
      );
    }
    await machine.emit(
      sysextdLine(`${existing.bundleId} ${versionText(existing)} ${printedState(existing.state)}`),
      sysextdLine(`${id} ${versionText(entry)} ${printedState(entry.state)}`),
      appLine(
        app,
        wasEnabled ? 'request finished with result: 0 (completed)' : 'request needs user approval',
      ),
    );
    return { result: 'replaced', entry, old: existing, endpointLost: wasEnabled && endpointLost };
  });
}

export const APPROVAL_UI_QUIRK = 'approval-ui-ignored';

/**
 * The user turned on the switches of `uuids` in the Network Extensions sheet, authorised them and
 * clicked Done (model/system-settings.ts): they become enabled and their jobs start. Under
 * approval-ui-ignored (rolled per commit) nothing changes although the UI did all that. Returns how
 * many were enabled.
 */
export async function commitApproval(machine: Machine, uuids: readonly string[]): Promise<number> {
  const outcome = await machine.mutate(async (state) => {
    const waiting = state.extensions.filter(
      (e) => e.state === 'activated_waiting_for_user' && uuids.includes(e.uuid),
    );
    if (waiting.length === 0) return undefined;
    if (rollQuirk(machine, state, APPROVAL_UI_QUIRK)) return undefined;
    for (const entry of waiting) {
      entry.state = 'activated_enabled';
      startExtensionJob(machine, state, entry, { endpoints: true });
      // [RECONSTRUCTED] sysextd's wording for a user approval.
      await machine.emit(sysextdLine(`user approved extension ${entry.bundleId} ${versionText(entry)}`));
    }
    // The requesting apps that still run hear didFinishWithResult and save their configuration.
    const apps = (state.apps ?? []).filter((a) => waiting.some((e) => e.appPath === a.path));
    return { count: waiting.length, apps };
  });
  if (!outcome) return 0;
  for (const app of outcome.apps) {
    if (app.bundleId) await saveAppConfigurations(machine, app.bundleId, app.path);
  }
  return outcome.count;
}

/**
 * sysextd read db.plist again at its restart and found `entries` edited from waiting for the user
 * to `activated_enabling` (harden-runner's bypass, approval-and-power-facts.md §4.3): with SIP off
 * it finishes them to [activated enabled]. Whether real sysextd does is [UNKNOWN]; the sim does,
 * and (Reconstructed) the requesting app is not told: its request died with the old sysextd.
 */
export async function enableFromDatabase(
  machine: Machine,
  state: GuestState,
  entries: SysextEntry[],
): Promise<void> {
  for (const entry of entries) {
    entry.state = 'activated_enabled';
    startExtensionJob(machine, state, entry, { endpoints: true });
    // [RECONSTRUCTED] sysextd's wording.
    await machine.emit(sysextdLine(`${entry.bundleId} ${versionText(entry)} ${printedState(entry.state)}`));
  }
}

/** The old version of a replacement has stopped: it waits for the reboot that uninstalls it. */
async function finishUpgradeTermination(machine: Machine, uuid: string): Promise<void> {
  await machine.mutate(async (state) => {
    const old = state.extensions.find((e) => e.uuid === uuid);
    // Uninstalled meanwhile: nothing left to terminate.
    if (old?.state !== 'terminating_for_upgrade_via_delegate') return;
    old.state = 'terminated_waiting_to_uninstall_on_reboot';
    await machine.emit(sysextdLine(`${old.bundleId} ${versionText(old)} ${printedState(old.state)}`));
  });
}

/** launchd gets the replacement's job, late; with `endpoints` false it has no endpoints block. */
async function submitReplacementJob(machine: Machine, uuid: string, endpoints: boolean): Promise<void> {
  await machine.mutate((state) => {
    const entry = state.extensions.find((e) => e.uuid === uuid);
    // Uninstalled or no longer enabled meanwhile, or already started by something else: no job.
    if (entry?.state !== 'activated_enabled' || state.jobs.some((j) => j.extensionUuid === uuid)) return;
    startExtensionJob(machine, state, entry, { endpoints });
  });
}

/** Removes an entry for good (after a reboot or an uninstall): entry, job and staged folder. */
async function purge(machine: Machine, state: GuestState, entry: SysextEntry): Promise<void> {
  stopExtensionJob(state, entry);
  state.extensions = state.extensions.filter((e) => e.uuid !== entry.uuid);
  const fs = machine.fs(ROOT_USER, '/');
  await fs.remove(posix.dirname(entry.stagedPath), { recursive: true }).catch(() => {});
  await machine.emit(sysextdLine(`uninstalled extension ${entry.bundleId} ${versionText(entry)}`));
}

/**
 * Boot-time work of sysextd: finish pending uninstalls (also of an old version whose termination a
 * reboot cut short), start every enabled extension afresh; a job a replacement had not yet
 * submitted comes now, with its endpoints.
 */
export async function sysextdBoot(machine: Machine, state: GuestState): Promise<void> {
  await machine.emit(sysextdLine('sysextd started'));
  for (const entry of [...state.extensions]) {
    if (LEAVING_STATES.includes(entry.state)) await purge(machine, state, entry);
  }
  state.jobs = [];
  for (const entry of state.extensions) {
    if (entry.state === 'activated_enabled') startExtensionJob(machine, state, entry, { endpoints: true });
  }
}

/** `systemextensionsctl uninstall TEAM ID` with SIP off: the extension and its job are removed now. */
export async function uninstall(machine: Machine, teamId: string, bundleId: string): Promise<number> {
  return machine.mutate(async (state) => {
    const matches = state.extensions.filter(
      (e) => (teamId === '-' || e.teamId === teamId) && e.bundleId === bundleId,
    );
    for (const entry of matches) {
      providerStopped(state, entry.bundleId);
      await purge(machine, state, entry);
    }
    return matches.length;
  });
}
