// SFTP copies with many requests in flight. One 64 KiB request at a time waits a round trip per
// request (what ssh2's streams do); OpenSSH's sftp keeps 64 in flight and scp streams. Here a
// bounded window of reads or writes is outstanding; bytes reach the disk and the hash in file order,
// so memory stays at window × chunk whatever the file size, and the SHA-256 covers what was copied.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { untilAborted } from '../abort.ts';
import { writeFully } from './write-fully.ts';

export interface SftpTransferOptions {
  /** Stops the copy with the signal's reason; the remote handle is closed. */
  signal?: AbortSignal;
  /** Called with the bytes copied so far (in file order). */
  onProgress?: (bytes: number) => void;
  /**
   * Bytes per request; OpenSSH's sftp-server answers reads up to 256 KiB, larger ones short.
   * @default 65536
   */
  chunkBytes?: number;
  /**
   * Requests outstanding at once: memory is about chunkBytes × inFlight.
   * @default 32
   */
  inFlight?: number;
  /** Hash what is copied (SHA-256 costs about 1 s of CPU per GiB). @default true */
  hash?: boolean;
}

export const sftpTransferDefaults = { chunkBytes: 64 * 1024, inFlight: 32 } as const;

export interface SftpTransferResult {
  bytes: number;
  /** Hex SHA-256 of the bytes copied; empty when `hash` was false. */
  sha256: string;
}

/** Copies a remote file to `localPath` (created or truncated) with parallel reads. */
export async function sftpDownload(
  sftp: SFTPWrapper,
  remotePath: string,
  localPath: string,
  options: SftpTransferOptions = {},
): Promise<SftpTransferResult> {
  const { chunkBytes, inFlight } = settings(options);
  options.signal?.throwIfAborted();
  const handle = await call<Buffer>((cb) => sftp.open(remotePath, 'r', cb));
  const file = await open(localPath, 'w').catch(async (error: unknown) => {
    await closeRemote(sftp, handle);
    throw error;
  });
  try {
    const size = (await call<{ size?: number }>((cb) => sftp.fstat(handle, cb))).size ?? 0;
    return await new Promise<SftpTransferResult>((resolve, reject) => {
      const hash = options.hash === false ? undefined : createHash('sha256');
      const buffers = new BufferPool(chunkBytes);
      // Finished pieces by their offset, waiting for the ones before them.
      const done = new Map<number, Buffer>();
      let written = 0;
      let next = 0;
      // Reads are issued up to the size fstat gave; one read past it then tells whether the file grew.
      let limit = Math.max(size, 1);
      let eofAt = Number.POSITIVE_INFINITY;
      let outstanding = 0;
      let writing = false;
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        options.signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () => fail(options.signal?.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });

      const read = (offset: number, length: number) => {
        outstanding += 1;
        const buffer = buffers.take();
        sftp.read(handle, buffer, 0, length, offset, (error, bytesRead) => {
          outstanding -= 1;
          if (failed) return;
          if (error) return fail(error);
          if (bytesRead === 0) {
            eofAt = Math.min(eofAt, offset);
            buffers.give(buffer);
          } else {
            done.set(offset, buffer.subarray(0, bytesRead));
            // A short answer before the end: ask for the rest of this piece.
            if (bytesRead < length && offset + bytesRead < eofAt)
              read(offset + bytesRead, length - bytesRead);
            // Bytes past the size fstat gave: the file grows, read on at full width until its end.
            if (offset >= size) limit = Number.POSITIVE_INFINITY;
          }
          void flush();
          // Refill the window now, not only after the write under way: a write would stall the reads.
          pump();
        });
      };

      const pump = () => {
        while (
          !failed &&
          next < Math.min(limit, eofAt) &&
          outstanding < inFlight &&
          // Pieces that wait for the disk count too: memory stays under two windows.
          next - written < 2 * chunkBytes * inFlight
        ) {
          read(next, chunkBytes);
          next += chunkBytes;
        }
        // A file that shrank during the copy leaves pieces read past its new end: they are dropped.
        if (!failed && outstanding === 0 && !done.has(written) && !writing) {
          if (next >= eofAt) {
            // Settled: later callbacks (a pump from a read and one from a write) return early.
            failed = true;
            options.signal?.removeEventListener('abort', onAbort);
            resolve({ bytes: written, sha256: hash?.digest('hex') ?? '' });
          } else if (next >= limit) {
            // Everything fstat announced has arrived: one more read finds the end (or more bytes).
            limit = next + chunkBytes;
            pump();
          }
        }
      };

      const flush = async () => {
        if (writing) return;
        writing = true;
        try {
          while (done.has(written) && !failed) {
            // Every piece that joins on goes to disk in one writev: fewer system calls than one each.
            const run: Buffer[] = [];
            let end = written;
            for (let piece = done.get(end); piece !== undefined; piece = done.get(end)) {
              done.delete(end);
              hash?.update(piece);
              run.push(piece);
              end += piece.length;
            }
            await writeFully(file, run, written);
            written = end;
            for (const piece of run) buffers.give(piece);
            options.onProgress?.(written);
          }
        } catch (error) {
          fail(error);
        } finally {
          writing = false;
        }
        if (!failed && done.has(written)) void flush();
        else pump();
      };

      pump();
    });
  } finally {
    await file.close();
    await closeRemote(sftp, handle);
  }
}

/** Copies `localPath` to a remote file (created or truncated) with parallel writes. */
export async function sftpUpload(
  sftp: SFTPWrapper,
  localPath: string,
  remotePath: string,
  options: SftpTransferOptions = {},
): Promise<SftpTransferResult> {
  const { chunkBytes, inFlight } = settings(options);
  options.signal?.throwIfAborted();
  const file = await open(localPath, 'r');
  let handle: Buffer | undefined;
  try {
    handle = await call<Buffer>((cb) => sftp.open(remotePath, 'w', cb));
    const remote = handle;
    const hash = options.hash === false ? undefined : createHash('sha256');
    let offset = 0;
    let acknowledged = 0;
    const pending = new Set<Promise<void>>();
    const buffers = new BufferPool(chunkBytes);
    while (true) {
      options.signal?.throwIfAborted();
      const buffer = buffers.take();
      const { bytesRead } = await file.read(buffer, 0, chunkBytes, offset);
      if (bytesRead === 0) break;
      const piece = buffer.subarray(0, bytesRead);
      hash?.update(piece);
      const position = offset;
      offset += bytesRead;
      const write: Promise<void> = call((cb) =>
        sftp.write(remote, piece, 0, piece.length, position, cb),
      ).then(() => {
        pending.delete(write);
        acknowledged += piece.length;
        options.onProgress?.(acknowledged);
      });
      pending.add(write);
      // A rejected write is seen by the race below or the final allSettled, never unhandled.
      write.catch(() => {});
      if (pending.size >= inFlight) await untilAborted(Promise.race(pending), options.signal);
    }
    await untilAborted(Promise.all(pending), options.signal);
    return { bytes: offset, sha256: hash?.digest('hex') ?? '' };
  } finally {
    await file.close();
    if (handle !== undefined) await closeRemote(sftp, handle);
  }
}

/**
 * Reuses the window's buffers: a fresh 64 KiB buffer per request left a gigabyte of garbage outside
 * the JavaScript heap per gigabyte copied, which the collector frees late, so resident memory grew.
 */
class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly size: number) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Returns a buffer, or a view at its start, once nothing reads it any more. */
  give(piece: Buffer): void {
    if (piece.byteOffset === 0 && piece.buffer.byteLength === this.size) {
      this.free.push(Buffer.from(piece.buffer, 0, this.size));
    }
  }
}

function settings(options: SftpTransferOptions): { chunkBytes: number; inFlight: number } {
  const chunkBytes = options.chunkBytes ?? sftpTransferDefaults.chunkBytes;
  const inFlight = options.inFlight ?? sftpTransferDefaults.inFlight;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`Invalid option chunkBytes: expected a positive integer, got ${chunkBytes}`);
  }
  if (!Number.isSafeInteger(inFlight) || inFlight < 1) {
    throw new RangeError(`Invalid option inFlight: expected a positive integer, got ${inFlight}`);
  }
  return { chunkBytes, inFlight };
}

/** Whether the SFTP channel has ended: ssh2 answers no request on it any more. */
export function sftpEnded(sftp: SFTPWrapper): boolean {
  return !(sftp as SFTPWrapper & { readable?: boolean }).readable;
}

/**
 * Closes a remote file unless the SFTP channel has ended: ssh2 fails the requests in flight when the
 * channel ends ("No response from server") but queues a later one forever, so a close after the
 * server died (an sshd killed mid-transfer) would hold the transfer, its teardown and Ctrl-C.
 */
async function closeRemote(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  if (sftpEnded(sftp)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      sftp.off('end', done);
      sftp.off('close', done);
      resolve();
    };
    // A channel that ends while the close waits answers it no more.
    sftp.once('end', done);
    sftp.once('close', done);
    try {
      sftp.close(handle, () => done());
    } catch {
      done();
    }
  });
}

function call<T = void>(
  start: (cb: (error: Error | null | undefined, value: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value)));
  });
}
