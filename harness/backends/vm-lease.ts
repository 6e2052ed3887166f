// A VM for one iteration, as an AsyncDisposable: `await using vm = new VmLease(...)` guarantees
// that it is shut down, stopped and deleted, also when the iteration fails or is interrupted.

import type { GuestSession } from '../ssh/guest-session.ts';
import { shellCommand } from '../ssh/shell-quote.ts';
import type { StartOptions, VmBackend } from './vm-backend.ts';

export interface VmLeaseOptions {
  /** Leave the VM behind for inspection (--keep-vm). @default false */
  keep?: boolean;
  /** Skip the clean guest shutdown (second Ctrl-C): go straight to a hard stop and delete. */
  hurry?: () => boolean;
  /** Reports teardown problems; teardown never throws. */
  onTeardownProblem?: (message: string) => void;
}

export class VmLease implements AsyncDisposable {
  private guest: GuestSession | undefined;
  private disposed = false;

  constructor(
    private readonly backend: VmBackend,
    readonly name: string,
    private readonly options: VmLeaseOptions = {},
  ) {}

  async clone(image: string, signal?: AbortSignal): Promise<void> {
    await this.backend.clone(image, this.name, { signal });
  }

  async start(options: StartOptions): Promise<void> {
    await this.backend.start(this.name, options);
  }

  /** The guest connection, so that teardown can shut a kept guest down cleanly first. */
  attachGuest(guest: GuestSession): void {
    this.guest = guest;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const problem = (what: string, error: unknown) => {
      // Telling of a problem (a transcript on a full disk) must not skip the rest of the teardown.
      try {
        this.options.onTeardownProblem?.(`${what} ${this.name} failed: ${(error as Error).message}`);
      } catch {}
    };
    // tart's stop is a hard power-off (tart-cli.md §0): a VM that is kept for inspection is shut
    // down from inside the guest first, so its disk is consistent. One that is deleted next is
    // not: a clean macOS shutdown takes seconds that every iteration would pay for nothing.
    if (this.options.keep && this.guest?.isConnected && !this.options.hurry?.()) {
      try {
        await this.guest.exec(shellCommand(['sudo', '-n', 'shutdown', '-h', 'now']), {
          timeoutMs: 15_000,
          allowFailure: true,
        });
      } catch {
        // The connection drops as the guest powers off; that is the expected end of this command.
      }
    }
    this.guest?.close();
    try {
      await this.backend.stop(this.name, { timeoutMs: 60_000 });
    } catch (error) {
      problem('Stopping', error);
    }
    if (this.options.keep) return;
    try {
      await this.backend.delete(this.name, { timeoutMs: 60_000 });
    } catch (error) {
      problem('Deleting', error);
    }
  }
}
