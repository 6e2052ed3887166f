// Test helpers: a fresh guest disk in a temp folder, booted on a random 127.x.y.z address and a
// free port (timeScale 0), and a small ssh2 client for exec and sftp.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { bootGuest, type RunningGuest } from '../../../sim/guest/boot.ts';
import { createGuestDisk } from '../../../sim/guest/disk.ts';
import { type ImageManifest, loadImageManifests } from '../../../sim/images.ts';
import type { QuirkSettings } from '../../../sim/quirks.ts';
import { freePort } from '../../helpers/free-port.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

function randomLoopback(): string {
  const byte = () => 1 + Math.floor(Math.random() * 250);
  return `127.${byte()}.${byte()}.${byte()}`;
}

export function manifestFor(name = 'sxl-sequoia'): ImageManifest {
  const manifest = loadImageManifests().find((m) => m.name === name);
  if (!manifest) throw new Error(`No image manifest named ${name}`);
  return manifest;
}

export class TestGuest {
  readonly vmDir: string;
  readonly host: string;
  port = 0;
  running: RunningGuest | undefined;
  powerOffs = 0;
  quirks: QuirkSettings;
  readonly vmName: string;
  /** The sim's time scale (0 by default: modelled delays are immediate). */
  timeScale = 0;
  #clients: ssh2.Client[] = [];

  private constructor(vmDir: string, host: string, vmName: string, quirks: QuirkSettings) {
    this.vmDir = vmDir;
    this.host = host;
    this.vmName = vmName;
    this.quirks = quirks;
  }

  static async create(
    options: {
      quirks?: QuirkSettings;
      manifest?: ImageManifest;
      vmName?: string;
      mutate?: (m: ImageManifest) => void;
      timeScale?: number;
    } = {},
  ): Promise<TestGuest> {
    const vmDir = await mkdtemp(join(tmpdir(), 'sxl-guest-'));
    const manifest = structuredClone(options.manifest ?? manifestFor());
    options.mutate?.(manifest);
    await createGuestDisk(join(vmDir, 'guest'), manifest);
    const guest = new TestGuest(
      vmDir,
      randomLoopback(),
      options.vmName ?? 'sxl-test-1',
      options.quirks ?? {},
    );
    guest.timeScale = options.timeScale ?? 0;
    await guest.boot();
    return guest;
  }

  async boot(options: { resume?: boolean } = {}): Promise<void> {
    this.port = await freePort(this.host);
    this.running = await bootGuest({
      resume: options.resume ?? false,
      vmDir: this.vmDir,
      vmName: this.vmName,
      host: this.host,
      port: this.port,
      settings: { quirks: this.quirks, seed: 7, timeScale: this.timeScale },
      onPowerOff: () => {
        this.powerOffs++;
      },
    });
  }

  async connect(username = 'admin', password = 'admin'): Promise<ssh2.Client> {
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client
        .once('ready', () => resolve())
        .once('error', reject)
        .connect({ host: this.host, port: this.port, username, password, readyTimeout: 10_000 });
    });
    client.on('error', () => {});
    this.#clients.push(client);
    return client;
  }

  /** Connects, retrying while the guest (re)boots, for up to timeoutMs. */
  async connectRetry(timeoutMs = 10_000): Promise<ssh2.Client> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.connect();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async close(): Promise<void> {
    for (const c of this.#clients) c.end();
    await this.running?.powerOff();
    await rm(this.vmDir, { recursive: true, force: true });
  }
}

export function exec(client: ssh2.Client, command: string, stdin?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      stream.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
      });
      stream.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
      });
      stream.on('exit', (c: number | null) => {
        code = c;
      });
      stream.on('close', () => resolve({ stdout, stderr, code }));
      if (stdin !== undefined) stream.end(stdin);
      else stream.end();
    });
  });
}

/** POSIX single-quoting, the same rule the harness uses for every argument. */
export function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Polls `command` until `accept` holds for its result (the model acts asynchronously). */
export async function waitFor(
  client: ssh2.Client,
  command: string,
  accept: (r: ExecResult) => boolean,
  timeoutMs = 5_000,
): Promise<ExecResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await exec(client, command);
    if (accept(result)) return result;
    if (Date.now() > deadline) throw new Error(`Timed out waiting on ${command}: ${JSON.stringify(result)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
