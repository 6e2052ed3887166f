// The sim's `cc` checks a guest source with the host's clang (-fsyntax-only) against the stub
// headers in sim/guest/sdk-stubs/, which carry the macOS SDK's signatures: a source that Apple's
// clang would refuse (a missing semicolon, a wrong argument type) fails in the sim too. Results are
// kept per source text and flags, so a run compiles each tool once per process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// From the source (sim/guest/commands) or from the bundle the sim's executables run (.sim/dist and
// .sim/dist/chunks), which does not carry the headers along.
const STUBS =
  ['../sdk-stubs', '../../sim/guest/sdk-stubs', '../../../sim/guest/sdk-stubs']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((dir) => existsSync(join(dir, 'servers', 'bootstrap.h'))) ?? '';
/** How long one syntax check may take before it counts as clang not answering. */
const CHECK_TIMEOUT_MS = 60_000;

export type HostClangResult =
  | { kind: 'checked'; exitCode: number; stderr: string }
  /** No clang on the host (`make tools` installs it): the caller falls back to its marker check. */
  | { kind: 'unavailable'; reason: string };

const cache = new Map<string, Promise<HostClangResult>>();

/**
 * clang -fsyntax-only on `text` with the warning and language flags the caller gave (-W..., -std=...),
 * its diagnostics naming `guestPath` as Apple's clang would name the file.
 */
export function checkWithHostClang(
  text: string,
  guestPath: string,
  flags: readonly string[],
): Promise<HostClangResult> {
  const passed = flags.filter((flag) => /^-(W[\w=-]*|std=[\w+]+|D\w+(=\S*)?)$/.test(flag));
  const key = createHash('sha256')
    .update(`${passed.join('\0')}\0${guestPath}\0${text}`)
    .digest('hex');
  let result = cache.get(key);
  if (!result) {
    result = run(text, guestPath, passed);
    cache.set(key, result);
  }
  return result;
}

function run(text: string, guestPath: string, flags: readonly string[]): Promise<HostClangResult> {
  if (!STUBS) return Promise.resolve({ kind: 'unavailable', reason: 'sim/guest/sdk-stubs not found' });
  return new Promise((resolve) => {
    const child = spawn('clang', ['-fsyntax-only', '-isystem', STUBS, ...flags, '-x', 'c', '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
      timeout: CHECK_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => resolve({ kind: 'unavailable', reason: error.message }));
    child.on('close', (code, signal) => {
      if (code === null) resolve({ kind: 'unavailable', reason: `clang ended by ${signal}` });
      else resolve({ kind: 'checked', exitCode: code, stderr: stderr.replaceAll('<stdin>', guestPath) });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(text);
  });
}
