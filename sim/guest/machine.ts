// One simulated Mac: its persisted state, its disk, its unified log, and the timers of the current
// boot. Every command and every model step goes through this object; state changes are serialised
// and written through, so concurrent SSH channels see one consistent macOS.
import { join } from 'node:path';
import type { SimSettings } from '../quirks.ts';
import { ROOTFS_DIR } from './disk.ts';
import { GuestFs, type GuestUser, type LinkCache, ROOT_USER } from './guest-fs.ts';
import { type GuestState, loadState, serializeState, writeStateText } from './state.ts';
import { type LogLine, UnifiedLog } from './unified-log.ts';

export interface PowerControl {
  /** The guest halts itself (shutdown -h, halt). */
  powerOff(): void;
  /** The guest restarts itself (reboot, shutdown -r). */
  reboot(): void;
  /** `pmset sleepnow`: the guest sleeps until its next scheduled wake (or forever). */
  sleep(pid: number): void;
}

export class Machine {
  readonly guestDir: string;
  readonly rootfs: string;
  readonly vmName: string;
  readonly settings: SimSettings;
  readonly log: UnifiedLog;
  state: GuestState;
  power: PowerControl = { powerOff() {}, reboot() {}, sleep() {} };
  /**
   * Where the sim reports its own failures (a background task that threw): the `tart run` that
   * boots the guest passes its stderr, so they land in that run's log, not in the daemon's.
   */
  report: (line: string) => void = (line) => console.error(line);
  /** Aborted when the current boot ends: pending model timers die with it. */
  #boot = new AbortController();
  #lock: Promise<unknown> = Promise.resolve();
  /** Symlinks and plain entries of the rootfs seen by path lookups (guest-fs.ts); cleared at power-off. */
  readonly #links: LinkCache = new Map();
  /** The state as last written: a change that changed nothing (a quirk at 0) costs no write. */
  #saved: string;

  private constructor(guestDir: string, vmName: string, settings: SimSettings, state: GuestState) {
    this.guestDir = guestDir;
    this.rootfs = join(guestDir, ROOTFS_DIR);
    this.vmName = vmName;
    this.settings = settings;
    this.state = state;
    this.#saved = serializeState(state);
    this.log = new UnifiedLog(guestDir);
  }

  static async open(guestDir: string, vmName: string, settings: SimSettings): Promise<Machine> {
    return new Machine(guestDir, vmName, settings, await loadState(guestDir));
  }

  get bootSignal(): AbortSignal {
    return this.#boot.signal;
  }

  /** Ends the current boot's timers; a new boot gets a fresh signal. */
  endBoot(): void {
    this.#boot.abort(new Error(`Guest ${this.vmName} powered off`));
    this.#boot = new AbortController();
    // While it is off, the host may change its disk.
    this.#links.clear();
  }

  /** Runs `change` alone against the state and writes the state through afterwards. */
  mutate<T>(change: (state: GuestState) => T | Promise<T>): Promise<T> {
    const run = this.#lock.then(async () => {
      const result = await change(this.state);
      const text = serializeState(this.state);
      if (text !== this.#saved) {
        await writeStateText(this.guestDir, text);
        this.#saved = text;
      }
      return result;
    });
    this.#lock = run.catch(() => {});
    return run;
  }

  /** Settles when every state change and log line issued so far is on disk. */
  async idle(): Promise<void> {
    await this.#lock;
    await this.log.flush().catch(() => {});
  }

  /** The next process id; call inside mutate. */
  allocPid(): number {
    this.state.nextPid += 1 + (this.state.nextPid % 7);
    return this.state.nextPid;
  }

  emit(...lines: LogLine[]): Promise<void> {
    return this.log.writeAt(this.now(), this.state.bootUuid, lines);
  }

  /** The guest clock: the host's plus the offset a suspend or `date` left behind. */
  now(): Date {
    return new Date(Date.now() + (this.state.clockOffsetMs ?? 0));
  }

  scaledMs(ms: number): number {
    return ms * this.settings.timeScale;
  }

  /** Runs `task` after a scaled delay unless the boot ends first; failures never escape. */
  later(delayMs: number, task: () => Promise<void>): void {
    const signal = this.bootSignal;
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', cancel);
      if (signal.aborted) return;
      task().catch((error: unknown) => {
        if (!signal.aborted)
          this.report(`sim guest ${this.vmName}: background task failed: ${describe(error)}`);
      });
    }, this.scaledMs(delayMs));
    const cancel = () => clearTimeout(timer);
    signal.addEventListener('abort', cancel, { once: true });
  }

  /** A failure of the sim itself, with its stack: the model is wrong, not the guest. */
  reportFailure(what: string, error: unknown): void {
    this.report(`sim guest ${this.vmName}: ${what} failed: ${describe(error)}`);
  }

  get loginUser(): GuestUser {
    const { name, uid, home } = this.state.user;
    return { name, uid, home };
  }

  userNamed(name: string): GuestUser | undefined {
    if (name === 'root') return ROOT_USER;
    return name === this.state.user.name ? this.loginUser : undefined;
  }

  fs(user: GuestUser, cwd = user.home): GuestFs {
    return new GuestFs(this.rootfs, user, cwd, this.state.sip === 'enabled', this.#links);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
