// Typed errors: facts as fields, message = reason + subject + evidence, original in `cause`.
// The runner classifies outcomes by class: CheckFailedError is the product misbehaving (`fail`),
// everything else is the harness or the infrastructure (`error`).

/** Keeps the last `max` characters of command output for messages; full output goes to the transcript. */
export function tail(text: string, max = 600): string {
  const trimmed = text.trimEnd();
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(-max)}`;
}

/** A check of the product failed: the bug (or another product failure) was observed. */
export class CheckFailedError extends Error {
  override name = 'CheckFailedError';
  constructor(
    readonly check: string,
    message: string,
    /** Raw output the check read, attached to the report as evidence. */
    readonly evidence: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A guest command exited non-zero, or timed out, where success was required. */
export class CommandError extends Error {
  override name = 'CommandError';
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderrTail: string;
  readonly stdoutTail: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly target: string;
  /** The signal that killed the command (`SIGSEGV`): a non-zero exit, the connection is fine. */
  readonly signal?: string;
  /** Why the server refused the channel (MaxSessions), when it did: the connection is fine. */
  readonly refused?: string;
  constructor(facts: {
    command: string;
    exitCode: number | null;
    signal?: string;
    stdout: string;
    stderr: string;
    durationMs: number;
    timedOut: boolean;
    target: string;
    /** Why the server refused the channel (MaxSessions), when it did: the connection is fine. */
    refused?: string;
    cause?: unknown;
  }) {
    const reason = facts.timedOut
      ? `Timed out after ${facts.durationMs} ms`
      : facts.signal
        ? `Killed by ${facts.signal} (exit code ${facts.exitCode})`
        : facts.refused
          ? `No channel for the command (${facts.refused})`
          : `Exit code ${facts.exitCode ?? 'none (connection lost)'}`;
    const evidence = tail(facts.stderr, 400) || tail(facts.stdout, 400);
    super(`${reason} from \`${facts.command}\` on ${facts.target}${evidence ? `: ${evidence}` : ''}`, {
      cause: facts.cause,
    });
    this.command = facts.command;
    this.exitCode = facts.exitCode;
    this.stderrTail = tail(facts.stderr);
    this.stdoutTail = tail(facts.stdout);
    this.durationMs = facts.durationMs;
    this.timedOut = facts.timedOut;
    this.target = facts.target;
    if (facts.signal) this.signal = facts.signal;
    if (facts.refused) this.refused = facts.refused;
  }

  /** The command ended without an exit status, neither by its timeout nor refused a channel. */
  get connectionLost(): boolean {
    return this.exitCode === null && !this.timedOut && !this.refused && !this.signal;
  }
}

/** Something did not happen in time: SSH, an IP, an extension state. */
export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
  constructor(
    readonly what: string,
    readonly vm: string,
    readonly timeoutMs: number,
    readonly lastSeen?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Timed out after ${timeoutMs} ms waiting for ${what} on ${vm}${lastSeen ? `; last seen: ${lastSeen}` : ''}`,
      options,
    );
  }
}

/** A host-side tool (tart) failed. */
export class HostCommandError extends Error {
  override name = 'HostCommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
    readonly durationMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Exit code ${exitCode ?? 'none'} from \`${command}\` after ${durationMs} ms${stderrTail ? `: ${stderrTail}` : ''}`,
      options,
    );
  }
}

/** Bad flags, options or files given by the user; the CLI maps it to exit code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly subject: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The run was interrupted (SIGINT/SIGTERM); the iteration in flight is recorded as an error. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor(readonly signalName: string) {
    super(`Interrupted by ${signalName}`);
  }
}

/** The guest did not sleep (or did not wake): an infrastructure problem, not the product's. */
export class NoSleepError extends Error {
  override name = 'NoSleepError';
  constructor(
    readonly vm: string,
    detail: string,
    /** Raw output that shows it (pmset -g log), attached like a check's evidence. */
    readonly evidence: Record<string, string> = {},
  ) {
    super(`No sleep happened on ${vm}: ${detail}`);
  }
}

// The first rule: an iteration counts toward a signature only on positive evidence of the bug.
// The errors below are the harness proving that one of its own steps did not happen; each is an
// `error` outcome with its class name as the typed cause, never a `fail`.

/** Approval automation ran but the extension is still waiting for the user, and sysextd refused nothing. */
export class ApprovalAutomationError extends Error {
  override name = 'ApprovalAutomationError';
  constructor(
    readonly vm: string,
    /** The extension, as "id short (build)". */
    readonly extension: string,
    /** Its state after the attempt, e.g. "activated waiting for user". */
    readonly state: string,
    detail: string,
    /** What shows it: systemextensionsctl list, sysextd's lines, the UI tree, a screenshot's path. */
    readonly evidence: Record<string, string> = {},
  ) {
    super(`Approval automation had no effect on ${extension} on ${vm} (still [${state}]): ${detail}`);
  }
}

/** `tart suspend` did not save the VM's state, or `tart run` did not restore it (a cold boot). */
export class SuspendFailedError extends Error {
  override name = 'SuspendFailedError';
  constructor(
    readonly vm: string,
    readonly stage: 'suspend' | 'resume',
    detail: string,
    readonly evidence: Record<string, string> = {},
  ) {
    super(`${stage === 'suspend' ? 'Suspend' : 'Resume'} of ${vm} did not happen as a snapshot: ${detail}`);
  }
}

/** The guest woke only to a DarkWake, or went back to sleep while a check ran. */
export class NoFullWakeError extends Error {
  override name = 'NoFullWakeError';
  constructor(
    readonly vm: string,
    detail: string,
    readonly evidence: Record<string, string> = {},
  ) {
    super(`No full wake on ${vm}: ${detail}`);
  }
}

/**
 * The app's probe command never ran: the guest's shell could not find it or not execute it (its
 * exit codes 127 and 126). The command line given is wrong for this guest or build; the probe's
 * verdict on the XPC round trip does not exist, so it cannot count as one.
 */
export class ProbeNotRunError extends Error {
  override name = 'ProbeNotRunError';
  constructor(
    readonly vm: string,
    readonly command: string,
    readonly exitCode: number,
    shellSays: string,
    readonly evidence: Record<string, string> = {},
  ) {
    super(
      `The probe command \`${command}\` did not run on ${vm}: the shell exited ${exitCode}${shellSays ? ` (${shellSays})` : ''}. Check --input probe-command: its program must exist in the guest once the build is installed, and be executable.`,
    );
  }
}

/** Launching a build did not start a new app process that asked sysextd for activation. */
export class AppNotRelaunchedError extends Error {
  override name = 'AppNotRelaunchedError';
  constructor(
    readonly vm: string,
    readonly appPath: string,
    detail: string,
    readonly evidence: Record<string, string> = {},
  ) {
    super(`The app ${appPath} was not relaunched on ${vm}: ${detail}`);
  }
}

/**
 * The provider's log lines at Info/Debug are not persisted (`log config` failed or did not take), so
 * `log show` cannot see them: a missing flow line then says nothing about the product.
 */
export class LogPersistenceError extends Error {
  override name = 'LogPersistenceError';
  constructor(
    readonly target: string,
    readonly subsystem: string,
    detail: string,
    /** The `log config` commands and their output. */
    readonly evidence: Record<string, string> = {},
  ) {
    super(`Logging of ${subsystem} is not persisted on ${target}: ${detail}`);
  }
}

/**
 * The host cannot run VMs until someone acts on it (a locked login keychain, a leaked or full
 * VM-limit slot, no Local Network permission for this process). `precondition` names the
 * `sysext-lab doctor` check that says the same; `fix` is its one-sentence advice. `stopsRun`: every
 * later iteration would fail the same way, so the runner launches no more.
 */
export class HostPreconditionError extends Error {
  override name = 'HostPreconditionError';
  constructor(
    readonly precondition: 'host-keychain' | 'host-vm-limit' | 'guest-local-network',
    readonly subject: string,
    readonly fix: string,
    readonly stopsRun: boolean,
    evidence: string,
    options?: { cause?: unknown },
  ) {
    super(`${subject}: ${fix} (${evidence})`, options);
  }
}

/**
 * The harness could not read the state a check decides on (a guest tool's output it cannot parse,
 * a launchd job without a readable program): the check can say nothing about the product, so this
 * is an `error`, never a `fail`.
 */
export class UnreadableStateError extends Error {
  override name = 'UnreadableStateError';
  constructor(
    /** What was to be read, e.g. "the bootstrap look-up of com.example.xpc". */
    readonly what: string,
    readonly target: string,
    detail: string,
    /** The raw output that could not be read. */
    readonly evidence: Record<string, string> = {},
  ) {
    super(`Cannot read ${what} on ${target}: ${detail}`);
  }
}

/**
 * A file transfer arrived whole but not intact: the SHA-256 of the bytes written differs from the
 * one `shasum -a 256` printed for the other end (a file that changed during the copy, or a broken
 * transfer). The copy is not the file; it must not be used as evidence or as the installed build.
 */
export class TransferChecksumError extends Error {
  override name = 'TransferChecksumError';
  constructor(
    readonly direction: 'upload' | 'download',
    readonly remotePath: string,
    readonly target: string,
    readonly localSha256: string,
    readonly remoteSha256: string,
    readonly bytes: number,
  ) {
    super(
      `Checksum mismatch after the ${direction} of ${remotePath} on ${target}: ${bytes} bytes copied with sha256 ${localSha256}, the guest's shasum -a 256 says ${remoteSha256}`,
    );
  }
}

/**
 * The Orchard controller answered an API request with an error status (Orchard's own error body is
 * `{"message": ...}`, many answers have none). 401 is wrong or missing credentials.
 */
export class OrchardApiError extends Error {
  override name = 'OrchardApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly apiMessage: string,
  ) {
    super(
      `Orchard refused ${method} ${path}: HTTP ${status}${apiMessage ? ` (${apiMessage})` : ''}${status === 401 ? "; check ORCHARD_SERVICE_ACCOUNT_NAME and ORCHARD_SERVICE_ACCOUNT_TOKEN and the account's roles" : ''}`,
    );
  }
}

/** A backend cannot do what the scenario asked (Orchard cannot suspend and resume one VM). */
export class BackendUnsupportedError extends Error {
  override name = 'BackendUnsupportedError';
  constructor(
    readonly backend: string,
    readonly operation: string,
    readonly vm: string,
    reason: string,
  ) {
    super(`Backend ${backend} cannot ${operation} ${vm}: ${reason}`);
  }
}

/** The VM went away under the run (an Orchard worker lost, the VM failed on its worker). */
export class VmLostError extends Error {
  override name = 'VmLostError';
  constructor(
    readonly vm: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`VM lost: ${vm} is gone from its host: ${detail}`, options);
  }
}
