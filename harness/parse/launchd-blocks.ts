/** One line of a launchctl `print` dump, classified by its brace structure. */
export type LaunchdLine =
  | { readonly type: 'open'; readonly key: string }
  | { readonly type: 'empty-block'; readonly key: string }
  | { readonly type: 'close' }
  | { readonly type: 'value'; readonly key: string; readonly value: string }
  | { readonly type: 'other'; readonly text: string };

// `key = value` for fields, `key => value` in environment and disabled lists; linear to search.
const SEPARATOR = /\s(?:=>|=)(?=\s|$)/;

/**
 * Classifies one line of `launchctl print` output by content, not indentation: real output indents
 * with TABs, fixtures and web pages with 4 or 8 spaces.
 */
export function classifyLaunchdLine(text: string): LaunchdLine {
  const trimmed = text.trim();
  if (trimmed === '}') return { type: 'close' };
  const separator = SEPARATOR.exec(trimmed);
  if (separator === null) return { type: 'other', text: trimmed };
  const key = unquote(trimmed.slice(0, separator.index).trim());
  const rest = trimmed.slice(separator.index + separator[0].length).trim();
  if (key === '') return { type: 'other', text: trimmed };
  if (rest === '{') return { type: 'open', key };
  if (rest.startsWith('{') && rest.endsWith('}') && rest.slice(1, -1).trim() === '') {
    return { type: 'empty-block', key };
  }
  return { type: 'value', key, value: rest };
}

function unquote(key: string): string {
  return key.length >= 2 && key.startsWith('"') && key.endsWith('"') ? key.slice(1, -1) : key;
}
