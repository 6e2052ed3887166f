// /Library/SystemExtensions/db.plist, sysextd's database (approval-and-power-facts.md §4.1-4.3):
// top level bootUUID, developerMode, extensionPolicies, extensions; per extension identifier,
// teamID, state (underscored, §4.2), categories, bundleVersion, originPath, container,
// stagedBundleURL, uniqueID [CODE, osquery/munkireport]. sysextd writes it as its state changes and
// reads it when it starts, so an edit takes effect only at `launchctl kickstart -k
// system/com.apple.sysextd` (harden-runner's sequence, §4.3 [CODE]).
// Reconstructed: the real file is binary1; the sim writes XML1 (plutil reads either). The sim
// writes the file only when the model changed since its last write, so an edit survives until
// sysextd's next change or restart. An entry is matched by uniqueID; only the edit from waiting for
// the user to `activated_enabling` has an effect (the one edit anyone is known to make).
import { posix } from 'node:path';
import { ROOT_USER } from '../guest-fs.ts';
import type { Machine } from '../machine.ts';
import { isDict, type PlistValue, parsePlist, toXmlPlist } from '../plist.ts';
import type { SysextEntry } from '../state.ts';
import { enableFromDatabase } from './sysextd.ts';

export const DB_PLIST = '/Library/SystemExtensions/db.plist';

const written = new WeakMap<Machine, string>();

function renderEntry(entry: SysextEntry): PlistValue {
  const bundle = posix.basename(entry.stagedPath);
  return {
    identifier: entry.bundleId,
    teamID: entry.teamId,
    state: entry.state,
    categories: [entry.category],
    bundleVersion: { CFBundleShortVersionString: entry.shortVersion, CFBundleVersion: entry.bundleVersion },
    originPath: posix.join(entry.appPath, 'Contents/Library/SystemExtensions', bundle),
    container: { bundlePath: entry.appPath },
    stagedBundleURL: { relative: `file://${posix.dirname(entry.stagedPath)}/${bundle}/` },
    uniqueID: entry.uuid,
  };
}

function render(machine: Machine): string {
  const { state } = machine;
  return toXmlPlist({
    bootUUID: state.bootUuid,
    developerMode: state.developerMode,
    extensionPolicies: [],
    extensions: state.extensions.map(renderEntry),
  });
}

/** sysextd writes db.plist when its model changed since the last write (call before reading it). */
export async function syncDbPlist(machine: Machine): Promise<void> {
  const text = render(machine);
  if (written.get(machine) === text) return;
  const fs = machine.fs(ROOT_USER, '/');
  await fs.mkdir(posix.dirname(DB_PLIST), { parents: true });
  await fs.writeFile(DB_PLIST, text, { mode: 0o644 });
  written.set(machine, text);
}

/** sysextd restarted: it reads db.plist and takes the edits it honours, then writes it afresh. */
export async function restartSysextd(machine: Machine): Promise<void> {
  const fs = machine.fs(ROOT_USER, '/');
  let states = new Map<string, string>();
  try {
    const db = parsePlist((await fs.readFile(DB_PLIST)).toString('utf8'), DB_PLIST);
    const list = isDict(db) && Array.isArray(db.extensions) ? db.extensions : [];
    states = new Map(
      list.flatMap((e) =>
        isDict(e) && typeof e.uniqueID === 'string' && typeof e.state === 'string'
          ? [[e.uniqueID, e.state]]
          : [],
      ),
    );
  } catch {
    // Reconstructed: an unreadable database is ignored; sysextd keeps what it knew.
  }
  await machine.mutate(async (state) => {
    const enabling = state.extensions.filter(
      (e) => e.state === 'activated_waiting_for_user' && states.get(e.uuid) === 'activated_enabling',
    );
    await enableFromDatabase(machine, state, enabling);
  });
  written.delete(machine);
  await syncDbPlist(machine);
}
