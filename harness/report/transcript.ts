// transcript.log: every command sent to the guest and the host, with exit code, duration and output,
// appended as it happens so that a crash leaves what ran before it. A write that fails (a full disk)
// is remembered, not thrown: it is called from command listeners and from teardown, which must go on.
import { appendFileSync } from 'node:fs';
import type { HostCommandRecord } from '../backends/host-command.ts';
import type { ExecRecord } from '../ssh/guest-session.ts';

export class Transcript {
  /** The first write that failed, e.g. ENOSPC; later lines are dropped with it. */
  failure: Error | undefined;

  constructor(readonly path: string) {
    this.append('');
  }

  guest(target: string, record: ExecRecord): void {
    // A guest command without an exit code lost its SSH connection before the guest said how it ended.
    this.write(`guest ${target}`, record, 'none (connection lost)');
  }

  host(record: HostCommandRecord): void {
    // A host command without an exit code was left running on purpose (`tart run` in the background).
    this.write('host', record, 'none yet (running in the background)');
  }

  note(text: string): void {
    this.append(`# ${new Date().toISOString()} ${text}\n`);
  }

  private append(text: string): void {
    if (this.failure) return;
    try {
      appendFileSync(this.path, text);
    } catch (error) {
      this.failure = error as Error;
    }
  }

  private write(where: string, record: ExecRecord | HostCommandRecord, noExitCode: string): void {
    const status = record.timedOut ? 'timed out' : `exit ${record.exitCode ?? noExitCode}`;
    // A batched command has no time of its own: the exec's is said, with its place in the batch.
    const batch = 'batch' in record ? record.batch : undefined;
    const took = batch
      ? `in ${record.durationMs} ms for the ${batch.of} commands of one SSH exec (this is ${batch.index} of ${batch.of})`
      : `in ${record.durationMs} ms`;
    const lines = [
      `$ [${record.startedAt.toISOString()}] (${where}) ${record.command}`,
      `  -> ${status} ${took}`,
    ];
    if (record.stdout) lines.push(indent('stdout', record.stdout));
    if (record.stderr) lines.push(indent('stderr', record.stderr));
    this.append(`${lines.join('\n')}\n`);
  }
}

function indent(label: string, text: string): string {
  const body = text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `  | ${line}`);
  return [`  ${label}:`, ...body].join('\n');
}
