// Moving evidence off the guest without holding it in memory: a command's stdout goes to a guest
// file first, then every guest file comes down as an SFTP stream with a size cap.
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { combineSignals } from '../abort.ts';
import { CommandError } from '../errors.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { quoteArg, shellCommand } from '../ssh/shell-quote.ts';
import type { EvidenceContext, EvidenceFile } from './collector.ts';

/** Guest folder for evidence staged before download; /private/var/tmp is writable by admin users. */
export const GUEST_EVIDENCE_DIR = '/private/var/tmp/sxl';

/** @default 4 GiB: larger than any sysdiagnose seen (hundreds of MB), below the zip writer's limit. */
export const defaultMaxBytes = 4 * 1024 ** 3 - 1;

/** A guest file is larger than the cap allows; nothing of it is kept. */
export class EvidenceTooLargeError extends Error {
  override name = 'EvidenceTooLargeError';
  constructor(
    readonly remotePath: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`Evidence too large to download: ${remotePath} has ${bytes} bytes, the cap is ${maxBytes}`);
  }
}

export interface DownloadOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** @default defaultMaxBytes */
  maxBytes?: number;
  onProgress?: (bytes: number, total: number) => void;
}

/** Size of a guest file by `stat -f %z` (BSD stat), through sudo when the file is root's. */
export async function guestFileSize(
  guest: GuestSession,
  remotePath: string,
  options: { signal?: AbortSignal; sudo?: boolean } = {},
): Promise<number> {
  const argv = ['stat', '-f', '%z', remotePath];
  const result = await guest.exec(options.sudo ? ['sudo', '-n', ...argv] : argv, { signal: options.signal });
  const bytes = Number.parseInt(result.stdout.trim(), 10);
  if (!Number.isSafeInteger(bytes))
    throw new Error(`Unreadable size of ${remotePath}: stat printed "${result.stdout.trim()}"`);
  return bytes;
}

/**
 * Streams a guest file to disk with GuestSession.download; refuses files over the cap up front and
 * stops a file that grows past it. The bytes arrive in `<localPath>.partial`, renamed once whole and
 * removed otherwise: a file under its own name is always complete, even while others download.
 */
export async function downloadCapped(
  guest: GuestSession,
  remotePath: string,
  localPath: string,
  options: DownloadOptions = {},
): Promise<number> {
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const total = await guestFileSize(guest, remotePath, { signal: options.signal });
  if (total > maxBytes) throw new EvidenceTooLargeError(remotePath, total, maxBytes);
  await mkdir(dirname(localPath), { recursive: true });
  const cap = new AbortController();
  const signal = combineSignals({ signal: options.signal, timeoutMs: options.timeoutMs });
  let received = 0;
  const partial = `${localPath}.partial`;
  try {
    await guest.download(remotePath, partial, {
      signal: signal ? AbortSignal.any([signal, cap.signal]) : cap.signal,
      // GuestSession applies its own default bound; ours (or the caller's signal) is the real one.
      timeoutMs: options.timeoutMs ?? 24 * 3_600_000,
      onProgress: (bytes) => {
        received = bytes;
        if (bytes > maxBytes) cap.abort(new EvidenceTooLargeError(remotePath, bytes, maxBytes));
        options.onProgress?.(bytes, total);
      },
    });
    await rename(partial, localPath);
  } catch (error) {
    await rm(partial, { force: true });
    throw cap.signal.aborted ? cap.signal.reason : error;
  }
  return received;
}

/**
 * Runs a guest command with stdout redirected into a guest file, then downloads that file to
 * `<iterationDir>/evidence/<name>`: a long log never passes through the harness's memory.
 */
export async function commandToFile(
  ctx: EvidenceContext,
  argv: readonly string[],
  name: string,
  options: { signal?: AbortSignal; maxBytes?: number } = {},
): Promise<EvidenceFile> {
  const signal = options.signal ?? ctx.signal;
  const remote = `${GUEST_EVIDENCE_DIR}/${ctx.iteration}-${name.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
  await ctx.guest.exec(['mkdir', '-p', GUEST_EVIDENCE_DIR], { signal });
  const command = `${shellCommand(argv)} > ${quoteArg(remote)}`;
  const result = await ctx.guest.exec(command, { signal, allowFailure: true, timeoutMs: 24 * 3_600_000 });
  if (result.exitCode !== 0) {
    throw new CommandError({ ...result, timedOut: false, target: ctx.guest.target });
  }
  const local = join(ctx.iterationDir, 'evidence', name);
  await downloadCapped(ctx.guest, remote, local, { signal, maxBytes: options.maxBytes });
  await ctx.guest.exec(['rm', '-f', remote], { signal, allowFailure: true });
  return { path: local, source: shellCommand(argv) };
}
