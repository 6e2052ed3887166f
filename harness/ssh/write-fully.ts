// A positioned write that writes everything: writev may take fewer bytes than it was given (a disk
// that fills up during the call) and says so only in its count. The copy's SHA-256 is taken of the
// pieces as they arrive, so a short write ignored would leave a hole in a file that still checks.
import type { FileHandle } from 'node:fs/promises';

/** Writes all of `buffers` at `position` in `file`, however many system calls that takes. */
export async function writeFully(
  file: FileHandle,
  buffers: readonly Buffer[],
  position: number,
): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await file.writev([...rest], at);
    // A regular file takes some bytes or fails (ENOSPC, EFBIG); none would loop forever.
    if (bytesWritten <= 0) throw new Error(`Writing at byte ${at} of the local file wrote nothing`);
    at += bytesWritten;
    rest = afterBytes(rest, bytesWritten);
  }
}

/** `buffers` without their first `bytes` bytes: what a short write left to write. */
export function afterBytes(buffers: readonly Buffer[], bytes: number): readonly Buffer[] {
  let skip = bytes;
  let index = 0;
  while (index < buffers.length && skip >= buffers[index]!.length) {
    skip -= buffers[index]!.length;
    index += 1;
  }
  if (index === buffers.length) return [];
  return [buffers[index]!.subarray(skip), ...buffers.slice(index + 1)];
}
