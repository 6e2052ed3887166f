// `log show` / `log stream` styles (macos-outputs §4.1-4.3): default (columns), compact, json
// (an array of pretty objects) and ndjson (one object per line, `/` escaped as `\/`).
import { createHash } from 'node:crypto';
import type { StoredLogLine } from '../unified-log.ts';

export type LogStyle = 'default' | 'compact' | 'json' | 'ndjson';

export const DEFAULT_HEADER = `${'Timestamp'.padEnd(32)}${'Thread'.padEnd(11)}${'Type'.padEnd(12)}${'Activity'.padEnd(21)}${'PID'.padEnd(7)}${'TTL'.padEnd(5)}\n`;
export const COMPACT_HEADER = `${'Timestamp'.padEnd(24)}Ty Process[PID:TID]\n`;

// [RECONSTRUCTED] compact type codes: Df/E/Fa/A are in the reference, I/Db are from memory.
const COMPACT_TYPES: Record<string, string> = {
  Default: 'Df',
  Info: 'I ',
  Debug: 'Db',
  Error: 'E ',
  Fault: 'Fa',
};

/** A stable thread id per process and message, so that reprints agree. */
function threadId(line: StoredLogLine): number {
  return (
    0x1000 + (createHash('sha1').update(`${line.pid}\0${line.process}`).digest().readUInt32BE(0) % 0xfffff)
  );
}

function hashHex(text: string, bytes: number): string {
  return createHash('sha256')
    .update(text)
    .digest('hex')
    .slice(0, bytes * 2)
    .toUpperCase();
}

function uuidOf(text: string): string {
  const h = hashHex(text, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function prefixed(line: StoredLogLine): string {
  const tag = line.subsystem || line.category ? `[${line.subsystem}:${line.category}] ` : '';
  return `${tag}${line.eventMessage}`;
}

export function formatDefaultRow(line: StoredLogLine): string {
  const thread = `0x${threadId(line).toString(16)}`;
  return `${line.timestamp} ${thread.padEnd(11)}${line.messageType.padEnd(12)}${'0x0'.padEnd(21)}${String(line.pid).padEnd(7)}${'0'.padEnd(5)}${line.process}: ${prefixed(line)}\n`;
}

export function formatCompactRow(line: StoredLogLine): string {
  // Compact timestamps have milliseconds and no offset.
  const ts = line.timestamp.slice(0, 23);
  const type = COMPACT_TYPES[line.messageType] ?? 'Df';
  return `${ts} ${type} ${line.process}[${line.pid}:${threadId(line).toString(16)}] ${prefixed(line)}\n`;
}

/** The object `log` prints for an entry, keys in the order macOS 15 prints them. */
export function jsonObject(line: StoredLogLine): Record<string, unknown> {
  const imageUuid = uuidOf(line.processImagePath);
  const userApp =
    line.processImagePath.startsWith('/Applications/') || line.processImagePath.startsWith('/Users/');
  const machTimestamp = Math.round(Date.parse(`${line.timestamp.slice(0, 23).replace(' ', 'T')}Z`) * 24_000);
  return {
    timezoneName: '',
    messageType: line.messageType,
    eventType: line.eventType,
    source: null,
    formatString: line.eventMessage,
    userID: userApp ? 501 : 0,
    activityIdentifier: 0,
    subsystem: line.subsystem,
    category: line.category,
    threadID: threadId(line),
    senderImageUUID: imageUuid,
    backtrace: { frames: [{ imageOffset: 51920, imageUUID: imageUuid }] },
    bootUUID: line.bootUUID,
    processImagePath: line.processImagePath,
    senderImagePath: line.processImagePath,
    timestamp: line.timestamp,
    machTimestamp,
    eventMessage: line.eventMessage,
    processImageUUID: imageUuid,
    traceID: Number.parseInt(hashHex(`${line.timestamp}${line.eventMessage}`, 6), 16),
    processID: line.pid,
    senderProgramCounter: 51920,
    parentActivityIdentifier: 0,
  };
}

const escapeSlashes = (json: string) => json.replace(/\//g, '\\/');

export function formatNdjsonRow(line: StoredLogLine): string {
  return `${escapeSlashes(JSON.stringify(jsonObject(line)))}\n`;
}

/** One object of the json style: two-space indent, ` : ` between key and value. */
function prettyObject(line: StoredLogLine): string {
  return escapeSlashes(JSON.stringify(jsonObject(line), null, 2)).replace(/^(\s*"[^"]+"):/gm, '$1 :');
}

/** The whole json style: `[{` ... `},{` ... `}]`. */
export function formatJson(lines: StoredLogLine[]): string {
  if (lines.length === 0) return '[\n\n]\n';
  return `[${lines.map(prettyObject).join(',')}]\n`;
}

export function formatRow(style: LogStyle, line: StoredLogLine): string {
  if (style === 'compact') return formatCompactRow(line);
  if (style === 'ndjson') return formatNdjsonRow(line);
  return formatDefaultRow(line);
}

/** [RECONSTRUCTED] the footer of `log show` in default style; the reference cuts it after "Inf". */
export function formatFooter(lines: StoredLogLine[]): string {
  const count = (type: string) => lines.filter((l) => l.messageType === type).length;
  return ` ${'-'.repeat(116)}\nLog      - Default: ${String(count('Default')).padStart(10)}, Info: ${String(count('Info')).padStart(16)}, Debug: ${String(count('Debug')).padStart(13)}, Error: ${String(count('Error')).padStart(10)}, Fault: ${String(count('Fault')).padStart(10)}\nActivity - Create: ${String(0).padStart(11)}, Transition: ${String(0).padStart(10)}, Actions: ${String(0).padStart(11)}\n`;
}
