// Several guest commands in one SSH exec: each guest command costs a channel (open, exec, exit
// status, EOF, close: about 2.6 ms of CPU on both ends on loopback, more over a network), while the
// probes a wait repeats (pgrep and a log read, the package checks after an install) are each a few
// milliseconds of work for the guest. The batch runs them one after the other in the login shell and
// frames each one's stdout and stderr with a marker that carries a random nonce and its exit status,
// so every command keeps its own output and exit code for the same parsers and the transcript.

import { randomBytes } from 'node:crypto';
import { shellCommand } from './shell-quote.ts';

export interface BatchPart {
  stdout: string;
  stderr: string;
  /** The command's exit status as the shell saw it (128 + N for a signal); null when it never ended. */
  exitCode: number | null;
}

/** A marker no command prints by chance: RS (0x1e), a fixed word and 96 random bits. */
export function batchNonce(): string {
  return `SXL-BATCH-${randomBytes(12).toString('hex')}`;
}

/**
 * The script: each command, then a marker line on stdout with its status and one on stderr. The
 * newline before each marker ends a last line that has none; the split removes exactly that one.
 * Only `printf`, `;`, `$?` and `>&2`: zsh, bash, sh and the sim's shell read it alike.
 */
export function batchScript(commands: readonly (readonly string[])[], nonce: string): string {
  return commands
    .map(
      (argv) =>
        `${shellCommand(argv)}; printf '\\n\\036%s %d\\n' ${nonce} "$?"; printf '\\n\\036%s\\n' ${nonce} >&2`,
    )
    .join('\n');
}

/**
 * Cuts the batch's output back into one part per command. A command whose marker is missing (the
 * connection dropped, the batch was killed) gets what came after the last marker and no exit code;
 * commands after it get nothing and no exit code either.
 */
export function splitBatchOutput(stdout: string, stderr: string, nonce: string, count: number): BatchPart[] {
  // indexOf, not a RegExp: the nonce makes each batch's pattern new, and compiling one costs more
  // than the search.
  const outMarker = `\n\x1e${nonce} `;
  const errMarker = `\n\x1e${nonce}\n`;
  const parts: BatchPart[] = [];
  let from = 0;
  for (let at = stdout.indexOf(outMarker); at !== -1; at = stdout.indexOf(outMarker, at + 1)) {
    const statusAt = at + outMarker.length;
    const lineEnd = stdout.indexOf('\n', statusAt);
    const status = stdout.slice(statusAt, lineEnd);
    if (lineEnd === -1 || !/^\d+$/.test(status)) continue;
    parts.push({ stdout: stdout.slice(from, at), stderr: '', exitCode: Number(status) });
    from = lineEnd + 1;
    at = lineEnd;
  }
  if (parts.length < count) parts.push({ stdout: stdout.slice(from), stderr: '', exitCode: null });
  const errors = stderr.split(errMarker);
  for (const [i, part] of parts.entries()) part.stderr = errors[i] ?? '';
  while (parts.length < count) parts.push({ stdout: '', stderr: '', exitCode: null });
  return parts.slice(0, count);
}
