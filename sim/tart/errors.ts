// The three kinds of failure tart's Root.main tells apart, because each prints and exits differently:
// RuntimeError (stderr, no prefix, exit 1 or 2), ValidationError (`Error:` + usage, exit 64) and any
// other error (TartGenericError), including a RuntimeError thrown from validate() (`Error:`, exit 1).

/** tart's RuntimeError: printed as is on stderr; `exitCode` 2 for the VM-state errors, else 1. */
export class TartRuntimeError extends Error {
  override name = 'TartRuntimeError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export function vmDoesNotExist(name: string): TartRuntimeError {
  return new TartRuntimeError(`the specified VM "${name}" does not exist`, 2);
}

export function vmNotRunning(name: string): TartRuntimeError {
  return new TartRuntimeError(`VM "${name}" is not running`, 2);
}

export function vmAlreadyRunning(name: string): TartRuntimeError {
  return new TartRuntimeError(`VM "${name}" is already running!`, 2);
}

/** swift-argument-parser's ValidationError: `Error: <msg>`, the usage block, exit 64. */
export class TartValidationError extends Error {
  override name = 'TartValidationError';
  constructor(
    message: string,
    /** Extra `Help:` line shown between the error and the usage (missing arguments). */
    readonly helpLine?: string,
  ) {
    super(message);
  }
}

/**
 * Any other error, including a RuntimeError thrown from a command's validate(), which
 * swift-argument-parser wraps: printed as `Error: <msg>`, exit 1.
 */
export class TartGenericError extends Error {
  override name = 'TartGenericError';
}

/** A subcommand of real tart that the sim does not model; exit 1 with a message naming it. */
export class NotSimulatedError extends TartRuntimeError {
  override name = 'NotSimulatedError';
  constructor(readonly command: string) {
    super(`"tart ${command}" is not simulated by the sysext-lab sim (see sim/README.md, "The fake tart")`, 1);
  }
}
