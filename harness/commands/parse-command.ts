// `sysext-lab parse [auto|<kind>] [FILE] [--strict]`: reads macOS command output from a file or
// standard input (a pipe, a slow producer, any size) and prints what it holds as JSON, with the
// warnings of a tolerant read. Memory stays bounded: lists are spilled to temporary files.
import { createReadStream, existsSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { parseStream } from '../parse/parse-stream.ts';
import { isParseKind, parseKind, parseKinds } from '../parse/registry.ts';
import { SpilledOutput } from '../parse/spilled-output.ts';
import { exitCodes } from '../report/run-summary.ts';

const HELP = `Usage: sysext-lab parse [auto|<kind>] [FILE] [--strict]
       sysext-lab parse FILE [--strict]

Reads macOS command output from FILE or standard input (pipes and slow producers are fine, any size)
and prints the facts as JSON, with "warnings" where the paste differs from what the command prints
(truncated, missing count line, redacted id, unknown category, older layout, ...).
With no kind, or "auto", the kind is guessed from the first lines (stderr says which).

  --strict   exit 1 when there is any warning (for scripts that must not read around a changed shape)
  --help     this text; "parse <kind> --help" shows one kind

Kinds:
${Object.entries(parseKinds)
  .map(
    ([kind, entry]) =>
      `  ${kind.padEnd(24)}${entry.description}\n  ${''.padEnd(24)}e.g. ${entry.example} | sysext-lab parse ${kind}`,
  )
  .join('\n')}

Exit codes: 0 parsed, 1 warnings under --strict, 2 not this command's output or usage error.
`;

export async function parseCli(args: string[]): Promise<number> {
  const flags = args.filter((arg) => arg.startsWith('-') && arg !== '-');
  const positionals = args.filter((arg) => !flags.includes(arg));
  const unknown = flags.filter((flag) => !['--help', '-h', '--strict'].includes(flag));
  if (unknown.length > 0)
    throw new ConfigError('parse', `Unknown parse option ${unknown[0]}: expected --strict or --help`);
  const [kindArg, fileArg, ...extra] = positionals;
  let file = fileArg;
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(kindArg === undefined || kindArg === 'auto' ? HELP : kindHelp(kindArg));
    return 0;
  }
  if (extra.length > 0) {
    throw new ConfigError(
      'parse',
      `parse takes a kind and an optional FILE, got ${positionals.length} arguments (see parse --help)`,
    );
  }
  // `parse FILE`: a first argument that is no kind but an existing file is read with `auto`.
  const fileFirst =
    kindArg !== undefined &&
    kindArg !== 'auto' &&
    !isParseKind(kindArg) &&
    file === undefined &&
    existsSync(kindArg);
  const kind = fileFirst ? 'auto' : (kindArg ?? 'auto');
  if (fileFirst) file = kindArg;
  if (kind !== 'auto') parseKind(kind);

  const source = file === undefined || file === '-' ? process.stdin : createReadStream(file);
  const out = new SpilledOutput();
  // An EPIPE may be emitted between two writes: held here (no crash), rejected by the next write.
  process.stdout.on('error', holdStdoutError);
  try {
    let parsed: { kind: string; result: unknown };
    try {
      parsed = await parseStream(source, out, {
        kind,
        onDetected: (chosen, line) =>
          process.stderr.write(`sysext-lab parse: auto: read as ${chosen} (from line ${line})\n`),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
        throw new ConfigError('FILE', `Cannot read ${file ?? 'standard input'}: ${(error as Error).message}`);
      }
      throw error;
    }
    const warnings = out.log.list(0);
    for (const warning of warnings) {
      process.stderr.write(
        `sysext-lab parse: warning: line ${warning.line}: ${warning.code}: ${warning.message}\n`,
      );
    }
    const printed =
      parsed.result !== null && typeof parsed.result === 'object'
        ? { ...parsed.result, warnings }
        : parsed.result;
    // The verdict is the input's, known before printing: a reader that stops early does not change it.
    const exitCode = warnings.length > 0 && flags.includes('--strict') ? exitCodes.checkFailed : 0;
    try {
      await out.writeJson(printed, writeStdout);
      await writeStdout('\n');
    } catch (error) {
      // The reader stopped reading (`| head`, a closed pager): nothing more to print, and no stack.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return exitCode;
      throw error;
    }
    return exitCode;
  } finally {
    process.stdout.off('error', holdStdoutError);
    stdoutError = null;
    out.dispose();
  }
}

let stdoutError: Error | null = null;
function holdStdoutError(error: Error): void {
  stdoutError = error;
}

function kindHelp(kind: string): string {
  const entry = parseKind(kind);
  return `Usage: sysext-lab parse ${kind} [FILE] [--strict]

Reads the output of: ${entry.description}
Example: ${entry.example} | sysext-lab parse ${kind}
`;
}

// Honours back-pressure, so that a huge result goes out as fast as the reader takes it; a closed
// stdout (EPIPE) rejects instead of leaving the write waiting for a drain that never comes.
function writeStdout(text: string): Promise<void> {
  if (stdoutError !== null) return Promise.reject(stdoutError);
  return new Promise((resolve, reject) => {
    const stdout = process.stdout;
    const settle = (error?: Error | null): void => {
      stdout.off('drain', settle);
      stdout.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    stdout.once('error', settle);
    if (stdout.write(text)) settle();
    else stdout.once('drain', settle);
  });
}
