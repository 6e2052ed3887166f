// A guest command of the approval (a System Events script, screencapture) whose hang is a finding,
// not the end of the approval: System Events can wait on a consent prompt nobody answers.
import { CommandError } from '../../errors.ts';
import type { GuestSession } from '../../ssh/guest-session.ts';

/**
 * Runs a System Events script whose hang is a finding, not the end: a timeout comes back as a result
 * with no exit code and says so on stderr (the approval goes on to its verdict and evidence).
 */
export async function scriptRun(
  guest: GuestSession,
  argv: string[],
  options: { signal?: AbortSignal; timeoutMs: number },
): Promise<{ command: string; exitCode: number | null; stdout: string; stderr: string }> {
  try {
    return await guest.exec(argv, { ...options, allowFailure: true });
  } catch (error) {
    if (!(error instanceof CommandError) || !error.timedOut) throw error;
    return {
      command: error.command,
      exitCode: null,
      stdout: error.stdoutTail,
      stderr: `${error.stderrTail}${error.stderrTail && !error.stderrTail.endsWith('\n') ? '\n' : ''}timed out after ${options.timeoutMs} ms\n`,
    };
  }
}
