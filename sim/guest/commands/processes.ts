// pgrep / pkill over the processes the model knows: the GUI session's apps and the extension jobs.
// Exit codes per pgrep(1): 0 something matched, 1 nothing did, 2 a usage error. pkill ends apps
// only (the model has no way to signal a launchd job).
import { posix } from 'node:path';
import { endApps, processName, runningApps } from '../model/app-launch.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

const PGREP_USAGE =
  'usage: pgrep [-Lfilnoqvx] [-d delim] [-F pidfile] [-G gid]\n             [-P ppid] [-U uid] [-g pgrp] [-t tty] [-u euid] pattern ...\n';
const PKILL_USAGE =
  'usage: pkill [-signal] [-ILfilnovx] [-F pidfile] [-G gid]\n             [-P ppid] [-U uid] [-g pgrp] [-t tty] [-u euid] pattern ...\n';

interface Query {
  exact: boolean;
  pattern: RegExp;
}

function parse(argv: string[], allowSignal: boolean): Query | undefined {
  let exact = false;
  let pattern: string | undefined;
  for (const arg of argv) {
    if (pattern === undefined && /^-[a-zA-Z]+$/.test(arg) && /^-[filnqvx]+$/.test(arg)) {
      exact ||= arg.includes('x');
      continue;
    }
    // pkill -9 / -TERM / -KILL: the model ends the process whatever the signal.
    if (allowSignal && pattern === undefined && /^-([0-9]+|[A-Z]+)$/.test(arg)) continue;
    if (arg.startsWith('-') || pattern !== undefined) return undefined;
    pattern = arg;
  }
  if (pattern === undefined) return undefined;
  try {
    return { exact, pattern: new RegExp(exact ? `^(?:${pattern})$` : pattern) };
  } catch {
    return undefined;
  }
}

function processes(ctx: CommandContext): { pid: number; name: string; app: boolean }[] {
  const { state } = ctx.machine;
  return [
    ...runningApps(state).map((a) => ({ pid: a.pid, name: processName(a), app: true })),
    ...state.jobs
      .filter((j) => j.pid > 0)
      .map((j) => ({ pid: j.pid, name: posix.basename(j.program), app: false })),
  ];
}

async function pgrep(ctx: CommandContext) {
  const query = parse(ctx.argv.slice(1), false);
  if (!query) return fail(PGREP_USAGE, 2);
  const pids = processes(ctx)
    .filter((p) => query.pattern.test(p.name))
    .map((p) => p.pid)
    .sort((a, b) => a - b);
  return pids.length > 0 ? ok(`${pids.join('\n')}\n`) : { exitCode: 1 };
}

async function pkill(ctx: CommandContext) {
  const query = parse(ctx.argv.slice(1), true);
  if (!query) return fail(PKILL_USAGE, 2);
  const pids = new Set(
    processes(ctx)
      .filter((p) => p.app && query.pattern.test(p.name))
      .map((p) => p.pid),
  );
  if (pids.size === 0) return { exitCode: 1 };
  await endApps(ctx.machine, (a) => pids.has(a.pid));
  return ok();
}

export const processCommands: CommandTable = { pgrep, pkill };
