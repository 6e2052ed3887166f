import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../../fixtures/macos/', import.meta.url);

/** A sample output from test/fixtures/macos (see SOURCES.md there). */
export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** What a web page does to TABs: expands them to spaces at the given tab width. */
export function expandTabs(text: string, width = 8): string {
  return text
    .split('\n')
    .map((line) => {
      let out = '';
      for (const char of line) out += char === '\t' ? ' '.repeat(width - (out.length % width)) : char;
      return out;
    })
    .join('\n');
}

/** CRLF line endings and trailing spaces, as pasted from a Windows browser. */
export function windowsPaste(text: string): string {
  return text.replace(/\n/g, '  \r\n');
}
