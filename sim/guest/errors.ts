// Typed errors of the simulated guest: the message starts with the reason and the subject and ends
// with the evidence, the facts are fields.

/** A guest path operation failed the way the macOS syscall would (ENOENT, EACCES, ...). */
export class GuestFsError extends Error {
  readonly code: GuestFsCode;
  readonly guestPath: string;
  constructor(code: GuestFsCode, guestPath: string, options?: { cause?: unknown }) {
    super(`${FS_REASONS[code]}: ${guestPath} (${code})`, options);
    this.name = 'GuestFsError';
    this.code = code;
    this.guestPath = guestPath;
  }
  /** The text the BSD tools print after `tool: path: `. */
  get reason(): string {
    return FS_REASONS[this.code];
  }
}

export type GuestFsCode =
  | 'ENOENT'
  | 'EACCES'
  | 'EPERM'
  | 'EEXIST'
  | 'EISDIR'
  | 'ENOTDIR'
  | 'ENOTEMPTY'
  | 'ELOOP';

const FS_REASONS: Record<GuestFsCode, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EEXIST: 'File exists',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
};

/** The guest's persisted state could not be read or is not a guest disk. */
export class GuestStateError extends Error {
  readonly file: string;
  constructor(reason: string, file: string, options?: { cause?: unknown }) {
    super(`${reason}: ${file}`, options);
    this.name = 'GuestStateError';
    this.file = file;
  }
}

/** A shell command line the interpreter cannot parse (reported as zsh would, exit 1). */
export class ShellSyntaxError extends Error {
  readonly reason: string;
  readonly line: string;
  constructor(reason: string, line: string) {
    super(`${reason} in command line: ${line.slice(0, 200)}`);
    this.name = 'ShellSyntaxError';
    this.reason = reason;
    this.line = line;
  }
}

/** A property list could not be parsed. */
export class PlistError extends Error {
  readonly file: string;
  constructor(reason: string, file: string) {
    super(`${reason}: ${file}`);
    this.name = 'PlistError';
    this.file = file;
  }
}
