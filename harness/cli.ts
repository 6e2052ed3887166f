// The CLI is thin: parse flags, call the library, set process.exitCode. Exit codes: 0 all passed,
// 1 a check failed, 2 usage or config error, 3 infrastructure errors only, 130 interrupted.
import { ConfigError } from './errors.ts';
import { exitCodes } from './report/run-summary.ts';

/** The usage text as the package build rendered it (tools/build.ts); not defined in a checkout. */
declare const SXL_RENDERED_USAGE: string | undefined;

async function usage(): Promise<string> {
  if (typeof SXL_RENDERED_USAGE === 'string') return SXL_RENDERED_USAGE;
  return (await import('./cli-usage.ts')).cliUsage();
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // Each command's module loads when it is asked for (a chunk of its own in dist/): --help and the
    // light commands do not pay for the runner, ssh2 and the reporters.
    switch (command) {
      case 'run':
        return await (await import('./commands/run-cli.ts')).runCli(rest, argv, await usage());
      case 'list':
        return await (await import('./commands/list-command.ts')).listCli(rest);
      case 'show':
        return await (await import('./commands/show-command.ts')).showCli(rest);
      case 'reap':
        return await (await import('./commands/reap-command.ts')).reapCli(rest);
      case 'feedback':
        return await (await import('./commands/feedback-command.ts')).feedbackCli(rest);
      case 'parse':
        return await (await import('./commands/parse-command.ts')).parseCli(rest);
      case 'doctor':
        return await (await import('./commands/doctor-command.ts')).doctorCli(rest);
      case 'compare':
        return await (await import('./commands/compare-command.ts')).compareCli(rest);
      case 'bisect':
        return await (await import('./commands/bisect-command.ts')).bisectCli(rest);
      case 'merge':
        return await (await import('./commands/merge-command.ts')).mergeCli(rest);
      case 'history':
        return await (await import('./commands/history-command.ts')).historyCli(rest);
      case 'init':
        return await (await import('./commands/init-command.ts')).initCli(rest);
      case 'sim':
        return await (await import('./commands/sim-command.ts')).simCli(rest);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(await usage());
        return command === undefined ? exitCodes.usage : 0;
      default:
        throw new ConfigError(
          'command',
          `Unknown command "${command}": expected run, list, show, init, reap, feedback, parse, compare, bisect, merge, history, sim or doctor (see --help)`,
        );
    }
  } catch (error) {
    if (await isUsageError(error)) {
      process.stderr.write(`sysext-lab: ${(error as Error).message}\n`);
      return exitCodes.usage;
    }
    // One line for the user; the stack only when asked for (a bug report).
    const text =
      process.env.SXL_DEBUG === '1'
        ? ((error as Error).stack ?? String(error))
        : `${(error as Error).name ?? 'Error'}: ${(error as Error).message ?? String(error)} (SXL_DEBUG=1 shows the stack)`;
    process.stderr.write(`sysext-lab: ${text}\n`);
    return exitCodes.infrastructure;
  }
}

/** A mistake of the caller (exit 2), not of the infrastructure; the parser's error classes load only now. */
async function isUsageError(error: unknown): Promise<boolean> {
  if (error instanceof ConfigError || isArgError(error)) return true;
  const [{ ParseError }, { UnknownInputKindError }, { UnknownParseKindError }] = await Promise.all([
    import('./parse/parse-error.ts'),
    import('./parse/parse-stream.ts'),
    import('./parse/registry.ts'),
  ]);
  return (
    error instanceof ParseError ||
    error instanceof UnknownParseKindError ||
    error instanceof UnknownInputKindError
  );
}

function isArgError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    String((error as { code?: string }).code).startsWith('ERR_PARSE_ARGS')
  );
}
