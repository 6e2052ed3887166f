// The seam between the runner and whatever runs VMs. The runner never asks which backend it has.

import type { VmLostError } from '../errors.ts';
import type { SshEndpoint } from '../ssh/guest-session.ts';
import type { HostCommandRecord } from './host-command.ts';

export interface VmInfo {
  name: string;
  state: 'running' | 'suspended' | 'stopped';
}

/** How a VM process ended. */
export interface VmStopped {
  /** null when it was killed by a signal. */
  exitCode: number | null;
  /** What it printed since it started (tart run's stdout and stderr). */
  output: string;
  /** `Exit code 1 from \`tart run ...\`: <last lines>`, for messages. */
  description: string;
}

export interface BackendDescription {
  /** `tart` for real tart, `sim` for the embedded simulated Mac (which runs the fake tart). */
  backend: string;
  /** The VM tool's version, e.g. tart's `2.32.1`. */
  toolVersion: string;
  /** The executable that was run. */
  tool: string;
}

export interface StartOptions {
  /** Where the VM process's own output goes (`tart run` stdout/stderr). */
  logFile: string;
  /** Start so that `suspend` works (tart `--suspendable`). @default false */
  suspendable?: boolean;
}

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface VmBackend {
  readonly name: string;
  describe(options?: WaitOptions): Promise<BackendDescription>;
  /** Fetches `image` again from its registry even when it is cached (`tart pull`). */
  pull(image: string, options?: WaitOptions): Promise<void>;
  /** Copies `image` to a new VM `name` (pulling it first if needed) with a fresh MAC address. */
  clone(image: string, name: string, options?: WaitOptions): Promise<void>;
  /** Boots the VM in the background; returns once the VM process runs. */
  start(name: string, options: StartOptions): Promise<void>;
  /** Waits for the guest's address and returns how to reach its SSH server. */
  endpoint(name: string, options?: WaitOptions): Promise<SshEndpoint>;
  /** Hard stop (a VM that is kept should have been shut down from inside first). Stopping a stopped VM is fine. */
  stop(name: string, options?: WaitOptions): Promise<void>;
  /**
   * Saves the VM's state to a snapshot (it stops) and proves it: the VM process ended cleanly after
   * saving, and the VM is listed as suspended. Throws SuspendFailedError otherwise.
   */
  suspend(name: string, options?: WaitOptions): Promise<void>;
  /** Starts a suspended VM again from its snapshot; returns once the VM process runs. */
  resume(name: string, options: StartOptions): Promise<void>;
  /**
   * Once the guest answers after `resume`: proves that the VM process restored the snapshot (a
   * cold boot would pass for a resume otherwise). Throws SuspendFailedError with its output.
   */
  confirmResumed(name: string, options?: WaitOptions): Promise<void>;
  /**
   * Settles when the VM process that `start` or `resume` began has ended, with why; never while it
   * runs (so a wait for the guest can stop early). Rejects with the signal's reason on abort.
   */
  whenStopped(name: string, signal: AbortSignal): Promise<VmStopped>;
  /**
   * After the guest's connection dropped mid-iteration: a VmLostError when the VM is gone from its
   * host (an Orchard worker lost), undefined when it still runs (the drop was the guest's own).
   * A backend without it cannot lose a VM apart from the guest.
   */
  lost?(name: string, options?: WaitOptions): Promise<VmLostError | undefined>;
  /** Deletes the VM; deleting a missing VM is fine, so cleanup can be repeated. */
  delete(name: string, options?: WaitOptions): Promise<void>;
  list(options?: WaitOptions): Promise<VmInfo[]>;
  /** The image's content digest (e.g. `host/ns@sha256:...`) once it is cached, if the backend knows it. */
  imageDigest(image: string, options?: WaitOptions): Promise<string | undefined>;
  /** Every host command the backend runs, for transcripts. Returns an unsubscribe function. */
  onCommand(listener: (record: HostCommandRecord) => void): () => void;
}
