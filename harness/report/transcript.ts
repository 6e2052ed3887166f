// transcript.log: every command sent to the guest and the host, with exit code, duration and output,
// appended as it happens so that a crash leaves what ran before it.
import { appendFileSync } from 'node:fs';
import type { HostCommandRecord } from '../backends/host-command.ts';
import type { ExecRecord } from '../ssh/guest-session.ts';

export class Transcript {
  constructor(readonly path: string) {
    appendFileSync(path, '');
  }

  guest(target: string, record: ExecRecord): void {
    this.write(`guest ${target}`, record);
  }

  host(record: HostCommandRecord): void {
    this.write('host', record);
  }

  note(text: string): void {
    appendFileSync(this.path, `# ${new Date().toISOString()} ${text}\n`);
  }

  private write(where: string, record: ExecRecord | HostCommandRecord): void {
    const status = record.timedOut ? 'timed out' : `exit ${record.exitCode ?? 'none (connection lost)'}`;
    const lines = [
      `$ [${record.startedAt.toISOString()}] (${where}) ${record.command}`,
      `  -> ${status} in ${record.durationMs} ms`,
    ];
    if (record.stdout) lines.push(indent('stdout', record.stdout));
    if (record.stderr) lines.push(indent('stderr', record.stderr));
    appendFileSync(this.path, `${lines.join('\n')}\n`);
  }
}

function indent(label: string, text: string): string {
  const body = text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `  | ${line}`);
  return [`  ${label}:`, ...body].join('\n');
}
