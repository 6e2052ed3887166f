// Logging profiles (approval-and-power-facts §7): which message types of a subsystem logd collects
// (Enable) and which it writes to the store (Persist). `log config` records them as plists under
// /Library/Preferences/Logging/Subsystems/<id>.plist (os_log(5)), so they survive a reboot.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDict, type PlistDict, parsePlist, toXmlPlist } from '../plist.ts';
import type { MessageType } from '../unified-log.ts';

export type LevelSetting = 'off' | 'default' | 'info' | 'debug';

export interface SubsystemMode {
  level: LevelSetting;
  persist: LevelSetting;
}

/** Apple's defaults: Info is collected in memory only, Debug not at all, Default and up persist. */
export const DEFAULT_MODE: SubsystemMode = { level: 'info', persist: 'default' };

export const PROFILES_DIR = '/Library/Preferences/Logging/Subsystems';

const SETTINGS: LevelSetting[] = ['off', 'default', 'info', 'debug'];
const RANK: Record<LevelSetting, number> = { off: 0, default: 1, info: 2, debug: 3 };
// The profile's spelling (os_log(5)): Off/Default/Info/Debug; Inherit means "the default".
const PLIST_WORD: Record<LevelSetting, string> = {
  off: 'Off',
  default: 'Default',
  info: 'Info',
  debug: 'Debug',
};

/** Error and Fault are always collected and persisted; the others by rank. */
function rank(type: MessageType): number | undefined {
  return { Default: 1, Info: 2, Debug: 3 }[type as 'Default' | 'Info' | 'Debug'];
}

export function isCollected(mode: SubsystemMode, type: MessageType): boolean {
  const r = rank(type);
  return r === undefined || r <= RANK[mode.level];
}

export function isPersisted(mode: SubsystemMode, type: MessageType): boolean {
  const r = rank(type);
  return r === undefined || (r <= RANK[mode.level] && r <= RANK[mode.persist]);
}

/** `level:debug,persist:debug` -> the settings it names, or the token it cannot read. */
export function parseMode(text: string): Partial<SubsystemMode> | { invalid: string } {
  const mode: Partial<SubsystemMode> = {};
  for (const token of text.split(',')) {
    const [key, value] = token.trim().split(':');
    if ((key !== 'level' && key !== 'persist') || !SETTINGS.includes(value as LevelSetting))
      return { invalid: token.trim() };
    mode[key] = value as LevelSetting;
  }
  return mode;
}

/** `DEBUG PERSIST_DEBUG`, the words `log config --status` prints for a subsystem. */
export function statusWords(mode: SubsystemMode): string {
  return `${mode.level.toUpperCase()} PERSIST_${mode.persist.toUpperCase()}`;
}

export function profileGuestPath(subsystem: string): string {
  return `${PROFILES_DIR}/${subsystem}.plist`;
}

export function profileText(mode: SubsystemMode): string {
  return toXmlPlist({
    'DEFAULT-OPTIONS': { Level: { Enable: PLIST_WORD[mode.level], Persist: PLIST_WORD[mode.persist] } },
  });
}

function settingOf(word: unknown, fallback: LevelSetting): LevelSetting {
  const found = SETTINGS.find((s) => PLIST_WORD[s] === word);
  return found ?? fallback;
}

/** A profile's DEFAULT-OPTIONS; unreadable or partial profiles fall back to the defaults, as logd's would. */
export function modeOfProfile(text: string): SubsystemMode {
  try {
    const root = parsePlist(text, 'profile');
    const options = isDict(root) ? root['DEFAULT-OPTIONS'] : undefined;
    const level = isDict(options) ? (options.Level as PlistDict | undefined) : undefined;
    return {
      level: settingOf(level?.Enable, DEFAULT_MODE.level),
      persist: settingOf(level?.Persist, DEFAULT_MODE.persist),
    };
  } catch {
    return { ...DEFAULT_MODE };
  }
}

/** Every subsystem profile on the guest's disk (read when logd starts, i.e. when the machine opens). */
export async function loadProfiles(rootfs: string): Promise<Map<string, SubsystemMode>> {
  const dir = join(rootfs, PROFILES_DIR);
  const profiles = new Map<string, SubsystemMode>();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith('.plist')) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text !== undefined) profiles.set(name.slice(0, -'.plist'.length), modeOfProfile(text));
  }
  return profiles;
}
