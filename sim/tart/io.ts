// Where commands write: one seam, so the CLI entry decides about the real streams.

export interface TartIo {
  /** Writes one line (a newline is added) to stdout. */
  out(line: string): void;
  /** Writes one line (a newline is added) to stderr. */
  err(line: string): void;
  /** Raw streams for commands that pass bytes through (`tart exec`); a function, because touching
   * process.stdin opens it, which no other command should do. */
  streams?(): {
    stdin: NodeJS.ReadableStream;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
  };
}

export const processIo: TartIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  streams: () => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }),
};
