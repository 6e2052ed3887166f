// CPU time (and memory) of the processes an iteration uses, from /proc (Linux; elsewhere undefined): the sim
// costs CPU in three places, the harness itself, the short-lived processes it waits for (the tart
// clients and their shells), and the sim daemon, which is nobody's child once started.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CpuSeconds {
  self: number;
  /** Children that ended and were waited for (the tart clients and their shells). */
  children: number;
}

const TICKS_PER_SECOND = 100;

function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces; everything after its closing parenthesis splits cleanly.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime+stime and cutime+cstime of a process, in seconds. */
export function processCpu(pid: number | 'self' = 'self'): CpuSeconds | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // After comm: state is field 3, so utime (14) is index 11, stime 12, cutime 13, cstime 14.
  const at = (index: number) => Number(fields[index]) / TICKS_PER_SECOND;
  return { self: at(11) + at(12), children: at(13) + at(14) };
}

/** Resident memory of a process in MB, from /proc/<pid>/status (Linux; elsewhere undefined). */
export function residentMb(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The pids of the sim daemons serving a TART_HOME (their port files hold `<port> <pid>`). */
export function simDaemonPids(tartHome: string): number[] {
  const dir = join(tartHome, 'sim-host', 'tartd');
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.port'))
      .map((name) => Number(readFileSync(join(dir, name), 'utf8').trim().split(' ')[1]))
      .filter((pid) => Number.isInteger(pid));
  } catch {
    return [];
  }
}

/** CPU seconds the sim daemons of `tartHome` have used; read before they retire (10 s idle). */
export function simDaemonCpu(tartHome: string): number {
  return simDaemonPids(tartHome)
    .map((pid) => processCpu(pid)?.self ?? 0)
    .reduce((a, b) => a + b, 0);
}
