// Evidence about where a bundle really is and how it is signed: `realpath`, `codesign -dv
// --verbose=4` and `spctl -a -vv` (both print to stderr). Never throws for a failing tool: the
// report is evidence, and its non-zero exits are part of it.
import type { GuestSession } from '../ssh/guest-session.ts';
import { shellCommand } from '../ssh/shell-quote.ts';

export interface SigningReport {
  path: string;
  /** What `realpath` printed, or null when it failed. */
  realPath: string | null;
  /** The full text: each command with its exit code and output. */
  text: string;
}

export async function signingReport(
  guest: GuestSession,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<SigningReport> {
  const sections: string[] = [];
  let realPath: string | null = null;
  for (const argv of [
    ['realpath', path],
    ['codesign', '-dv', '--verbose=4', path],
    ['spctl', '-a', '-vv', path],
  ]) {
    try {
      const r = await guest.exec(argv, { signal: options.signal, allowFailure: true, timeoutMs: 60_000 });
      if (argv[0] === 'realpath' && r.exitCode === 0) realPath = r.stdout.trim();
      sections.push(`$ ${shellCommand(argv)}\n(exit ${r.exitCode})\n${r.stdout}${r.stderr}`);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      sections.push(`$ ${shellCommand(argv)}\n(failed: ${(error as Error).message})\n`);
    }
  }
  return { path, realPath, text: sections.join('\n') };
}

/** `shasum -a 256 PATH`: the hex digest, or null when the file cannot be read. */
export async function guestSha256(
  guest: GuestSession,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<string | null> {
  const r = await guest.exec(['shasum', '-a', '256', path], { signal: options.signal, allowFailure: true });
  const match = /^([0-9a-f]{64})\s/.exec(r.stdout);
  return r.exitCode === 0 && match ? match[1]! : null;
}
