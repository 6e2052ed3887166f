// `log config --status [--subsystem <id>]` (approval-and-power-facts §7): `Mode for '<id>'  DEBUG
// PERSIST_DEBUG`, possibly followed by SIGNPOST_/OVERSIZE_ words; Apple's older sample prints the level
// alone (`Mode for '<id>' DEBUG`). Pure: no I/O.
import { splitLines } from './lines.ts';

export type LogLevelWord = 'off' | 'default' | 'info' | 'debug';

export interface SubsystemLogMode {
  subsystem: string;
  /** Which messages are collected; undefined when the line names no level. */
  level?: LogLevelWord;
  /** Which messages reach the store; undefined when the line has no PERSIST_ word. */
  persist?: LogLevelWord;
  /** Every word after the subsystem, as printed. */
  words: string[];
}

const LEVELS: LogLevelWord[] = ['off', 'default', 'info', 'debug'];
const RANK: Record<LogLevelWord, number> = { off: 0, default: 1, info: 2, debug: 3 };

function levelWord(word: string | undefined): LogLevelWord | undefined {
  const lower = word?.toLowerCase();
  return LEVELS.find((l) => l === lower);
}

/** The first `Mode for '<subsystem>' ...` line, or undefined when there is none. */
export function parseSubsystemLogMode(text: string): SubsystemLogMode | undefined {
  for (const { text: line } of splitLines(text)) {
    const m = /^Mode for '([^']+)'\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const words = m[2]!.split(/\s+/).filter(Boolean);
    const level = levelWord(words.find((w) => !w.includes('_')));
    const persist = levelWord(words.find((w) => w.startsWith('PERSIST_'))?.slice('PERSIST_'.length));
    return { subsystem: m[1]!, ...(level ? { level } : {}), ...(persist ? { persist } : {}), words };
  }
  return undefined;
}

/** True when messages of `level` are both collected and written to the store. */
export function persistsLevel(mode: SubsystemLogMode, level: 'info' | 'debug'): boolean {
  if (mode.level === undefined || mode.persist === undefined) return false;
  return RANK[mode.level] >= RANK[level] && RANK[mode.persist] >= RANK[level];
}
