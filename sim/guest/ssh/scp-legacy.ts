// The remote half of legacy scp (`scp -O` on the client): the guest's /usr/bin/scp run by sshd as
// `scp [-v] [-r] [-p] [-d] -t|-f [--] PATH` speaks the rcp protocol over the exec channel. Modelled
// on OpenSSH's scp.c (source() and sink()): a 0 byte acknowledges each step, `\x01scp: ...\n` reports
// an error that the other side prints, and the exit status is 1 when any error was reported.
// Modern scp uses the sftp subsystem instead (sftp.ts).
import type { Stats } from 'node:fs';
import { chmod, constants, lstat, open, readdir, stat, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ServerChannel } from 'ssh2';
import type { GuestFs } from '../guest-fs.ts';

const COPY_BUFLEN = 16 * 1024;
// scp.c's FILEMODEMASK: setuid, setgid and the permission bits.
const MODE_MASK = 0o6777;
// The umask of an sshd session on macOS.
const UMASK = 0o022;

export interface ScpRequest {
  direction: 'to' | 'from';
  recursive: boolean;
  preserve: boolean;
  targetIsDir: boolean;
  paths: string[];
}

/** The request when `argv` is a legacy scp server invocation (`-t` or `-f`), else undefined. */
export function legacyScpRequest(argv: string[]): ScpRequest | undefined {
  if (argv[0] !== 'scp' && argv[0] !== '/usr/bin/scp') return undefined;
  const request: ScpRequest = {
    direction: 'to',
    recursive: false,
    preserve: false,
    targetIsDir: false,
    paths: [],
  };
  let server = false;
  let k = 1;
  for (; k < argv.length; k++) {
    const arg = argv[k]!;
    if (arg === '--') {
      k++;
      break;
    }
    if (!/^-[a-zA-Z]+$/.test(arg)) break;
    for (const flag of arg.slice(1)) {
      if (flag === 't' || flag === 'f') {
        server = true;
        request.direction = flag === 't' ? 'to' : 'from';
      } else if (flag === 'r') request.recursive = true;
      else if (flag === 'p') request.preserve = true;
      else if (flag === 'd') request.targetIsDir = true;
    }
  }
  request.paths = argv.slice(k);
  return server ? request : undefined;
}

/** Reads the client's bytes from the channel as scp's read(2) on stdin would. */
class ChannelInput {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(channel: ServerChannel) {
    channel.on('data', (data: Buffer) => {
      this.#chunks.push(data);
      this.#buffered += data.length;
      this.#wake?.();
    });
    const end = () => {
      this.#ended = true;
      this.#wake?.();
    };
    channel.on('end', end);
    channel.on('close', end);
  }

  async #fill(n: number): Promise<boolean> {
    while (this.#buffered < n && !this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
    return this.#buffered >= n;
  }

  /** Up to `n` bytes (fewer only at EOF); empty at EOF. */
  async read(n: number): Promise<Buffer> {
    await this.#fill(1);
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const out = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(out.length);
    this.#chunks = rest.length ? [rest] : [];
    this.#buffered = rest.length;
    return out;
  }

  /** One line with its newline, or what arrived before EOF. */
  async line(): Promise<string> {
    let line = '';
    for (;;) {
      const byte = await this.read(1);
      if (byte.length === 0) return line;
      line += byte.toString('latin1');
      if (line.endsWith('\n') || line.length >= 2047) return line;
    }
  }
}

class ScpSession {
  errors = 0;
  readonly #in: ChannelInput;

  constructor(
    readonly channel: ServerChannel,
    readonly fs: GuestFs,
    readonly request: ScpRequest,
  ) {
    this.#in = new ChannelInput(channel);
  }

  #send(data: Buffer | string): void {
    try {
      this.channel.write(data);
    } catch {
      // The client went away.
    }
  }

  #ack(): void {
    this.#send(Buffer.alloc(1));
  }

  // run_err(): counted, and sent to the client, which prints it.
  #error(message: string): void {
    this.errors++;
    this.#send(`\x01scp: ${message}\n`);
  }

  /** response(): the client's acknowledgement; false for an error (or EOF). */
  async #response(): Promise<boolean> {
    const first = await this.#in.read(1);
    if (first.length === 0) throw new LostConnection();
    if (first[0] === 0) return true;
    // 1: an error, 2: a fatal one, anything else starts the message itself; a line follows.
    await this.#in.line();
    this.errors++;
    if (first[0] === 2) throw new LostConnection();
    return false;
  }

  async source(): Promise<void> {
    if (!(await this.#response())) return;
    for (const path of this.request.paths) await this.#sendPath(path.replace(/(.)\/+$/, '$1'));
  }

  async #sendPath(path: string): Promise<void> {
    const { host, guest } = this.fs.resolve(path);
    let info: Stats;
    try {
      info = await stat(host);
    } catch (error) {
      return this.#error(`${path}: ${strerror(error)}`);
    }
    if (info.isDirectory()) {
      if (this.request.recursive) return this.#sendDir(path, guest, info);
      return this.#error(`${path}: not a regular file`);
    }
    if (!info.isFile()) return this.#error(`${path}: not a regular file`);
    if (this.request.preserve && !(await this.#times(info))) return;
    const name = posix.basename(guest);
    this.#send(`C${(info.mode & MODE_MASK).toString(8).padStart(4, '0')} ${info.size} ${name}\n`);
    if (!(await this.#response())) return;
    const fh = await open(host, 'r');
    try {
      const buffer = Buffer.allocUnsafe(COPY_BUFLEN);
      for (let at = 0; at < info.size; ) {
        const { bytesRead } = await fh.read(buffer, 0, Math.min(COPY_BUFLEN, info.size - at), at);
        if (bytesRead === 0) break;
        await this.#write(Buffer.from(buffer.subarray(0, bytesRead)));
        at += bytesRead;
      }
    } finally {
      await fh.close();
    }
    this.#ack();
    await this.#response();
  }

  async #sendDir(path: string, guest: string, info: Stats): Promise<void> {
    if (this.request.preserve && !(await this.#times(info))) return;
    this.#send(`D${(info.mode & MODE_MASK).toString(8).padStart(4, '0')} 0 ${posix.basename(guest)}\n`);
    if (!(await this.#response())) return;
    for (const name of (await readdir(this.fs.resolve(guest).host)).sort()) {
      await this.#sendPath(posix.join(path, name));
    }
    this.#send('E\n');
    await this.#response();
  }

  async #times(info: Stats): Promise<boolean> {
    this.#send(`T${Math.floor(info.mtimeMs / 1000)} 0 ${Math.floor(info.atimeMs / 1000)} 0\n`);
    return this.#response();
  }

  /** Writes with the channel's flow control, so a large file is not buffered whole. */
  async #write(data: Buffer): Promise<void> {
    if (this.channel.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.channel.off('drain', done);
        this.channel.off('close', done);
        resolve();
      };
      this.channel.on('drain', done);
      this.channel.on('close', done);
    });
  }

  async sink(target: string): Promise<void> {
    const { guest: targetGuest, host: targetHost } = this.fs.resolve(target);
    const targetInfo = await stat(targetHost).catch(() => undefined);
    if (this.request.targetIsDir && !targetInfo?.isDirectory()) {
      this.#error(`${target}: ${targetInfo ? 'Not a directory' : 'No such file or directory'}`);
      throw new ScpExit(1);
    }
    this.#ack();
    const targetIsDir = targetInfo?.isDirectory() ?? false;
    let times: { atime: number; mtime: number } | undefined;
    for (let first = true; ; first = false) {
      const line = await this.#in.line();
      if (line === '') return;
      if (line[0] === '\x01' || line[0] === '\x02') {
        if (line[0] === '\x02') throw new ScpExit(1);
        this.errors++;
        continue;
      }
      if (line[0] === 'E') {
        this.#ack();
        return;
      }
      const body = line.replace(/\n$/, '');
      if (body[0] === 'T') {
        const m = /^T(\d+) (\d+) (\d+) (\d+)$/.exec(body);
        if (!m) return this.#protocolError('mtime.sec not present');
        times = { mtime: Number(m[1]), atime: Number(m[3]) };
        this.#ack();
        continue;
      }
      if (body[0] !== 'C' && body[0] !== 'D') {
        if (first) {
          this.#error(body);
          throw new ScpExit(1);
        }
        return this.#protocolError('expected control record');
      }
      const m = /^[CD]([0-7]{4}) (\d+) (.*)$/.exec(body);
      if (!m) return this.#protocolError('bad mode');
      const name = m[3]!;
      if (name === '' || name.includes('/') || name === '.' || name === '..') {
        this.#error(`error: unexpected filename: ${name}`);
        throw new ScpExit(1);
      }
      const mode = Number.parseInt(m[1]!, 8);
      const size = Number(m[2]);
      const path = targetIsDir ? (targetGuest === '/' ? `/${name}` : `${targetGuest}/${name}`) : targetGuest;
      if (body[0] === 'D') {
        if (!this.request.recursive) return this.#protocolError('received directory without -r');
        await this.#sinkDir(path, mode, times);
        times = undefined;
        continue;
      }
      await this.#sinkFile(path, mode, size, times);
      times = undefined;
    }
  }

  async #sinkDir(path: string, mode: number, times: { atime: number; mtime: number } | undefined) {
    const { host } = this.fs.resolve(path);
    const existing = await stat(host).catch(() => undefined);
    if (existing && !existing.isDirectory()) return this.#error(`${path}: Not a directory`);
    if (!existing) {
      try {
        await this.fs.mkdir(path);
      } catch (error) {
        return this.#error(`${path}: ${strerror(error)}`);
      }
    }
    await this.sink(path);
    if (times) await utimes(host, times.atime, times.mtime).catch(() => {});
    if (!existing || this.request.preserve) await chmod(host, this.request.preserve ? mode : mode & ~UMASK);
  }

  async #sinkFile(
    path: string,
    mode: number,
    size: number,
    times: { atime: number; mtime: number } | undefined,
  ): Promise<void> {
    const { guest, host } = this.fs.resolve(path);
    const existing = await lstat(host).catch(() => undefined);
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    try {
      const denial = this.fs.writeDenial(guest);
      if (denial) throw Object.assign(new Error(denial), { code: denial });
      // scp.c opens O_WRONLY|O_CREAT without truncating and cuts the file to size at the end.
      fh = await open(host, constants.O_WRONLY | constants.O_CREAT, (mode | 0o200) & ~UMASK);
    } catch (error) {
      // As scp.c: the error is reported and the file's data is then read as the next record.
      return this.#error(`${path}: ${strerror(error)}`);
    }
    this.#ack();
    let failed: unknown;
    try {
      for (let at = 0; at < size; ) {
        const data = await this.#in.read(Math.min(COPY_BUFLEN, size - at));
        if (data.length === 0) {
          this.#error('dropped connection');
          throw new ScpExit(1);
        }
        if (!failed) await fh.write(data, 0, data.length, at).catch((error: unknown) => (failed = error));
        at += data.length;
      }
      if (!failed) await fh.truncate(size).catch((error: unknown) => (failed = error));
      if (!existing || this.request.preserve)
        await fh.chmod(this.request.preserve ? mode : mode & ~UMASK).catch(() => {});
    } finally {
      await fh.close();
    }
    await this.#response();
    if (times && !failed) await utimes(host, times.atime, times.mtime).catch(() => {});
    if (failed) {
      this.errors++;
      this.#send(`\x01scp: ${path}: ${strerror(failed)}\n`);
    } else this.#ack();
  }

  #protocolError(why: string): never {
    this.#error(`protocol error: ${why}`);
    throw new ScpExit(1);
  }
}

class ScpExit extends Error {
  constructor(readonly code: number) {
    super(`scp exits ${code}`);
  }
}

class LostConnection extends Error {}

// strerror() of the errors the sim's file operations raise.
function strerror(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EISDIR':
      return 'Is a directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EPERM':
      return 'Operation not permitted';
    case 'EEXIST':
      return 'File exists';
    case 'ENOSPC':
      return 'No space left on device';
    default:
      return 'Input/output error';
  }
}

/** Runs the scp server half on `channel`; resolves to scp's exit status. */
export async function runLegacyScp(
  channel: ServerChannel,
  fs: GuestFs,
  request: ScpRequest,
): Promise<number> {
  const session = new ScpSession(channel, fs, request);
  try {
    if (request.direction === 'from') await session.source();
    else {
      if (request.paths.length !== 1) {
        channel.write('\x01scp: ambiguous target\n');
        return 1;
      }
      await session.sink(request.paths[0]!);
    }
  } catch (error) {
    if (error instanceof ScpExit) return error.code;
    if (error instanceof LostConnection) return 1;
    throw error;
  }
  return session.errors ? 1 : 0;
}
