// sysdiagnose -u -b -f DIR -A NAME (macos-outputs §5): after a modelled collection time it writes
// DIR/NAME.tar.gz, a real gzip'd ustar archive of state files gathered with the guest's own
// commands, and prints where it is. The sysdiagnose-hang quirk keeps it running until cancelled.
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { ROOT_USER } from '../guest-fs.ts';
import type { Machine } from '../machine.ts';
import { APPLE_DAEMONS } from '../model/launchd.ts';
import { rollQuirk } from '../model/quirk-dice.ts';
import { runCommandLine } from '../shell/interpreter.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import { type TarEntry, writeTar } from '../tar-writer.ts';
import { strftime } from './basic.ts';

/** How long a collection takes (scaled by timeScale); real ones take minutes. */
export const SYSDIAGNOSE_DELAY_MS = 60_000;

// [RECONSTRUCTED] the refusal for a non-root caller (the man page says it needs root).
const NOT_ROOT = 'sysdiagnose must be run as root\n';

/** Runs a command line in the guest as root and returns its stdout and stderr together. */
async function capture(machine: Machine, line: string, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await runCommandLine(
    {
      machine,
      user: ROOT_USER,
      signal,
      io: {
        stdin: async () => Buffer.alloc(0),
        stdout: (d) => chunks.push(d),
        stderr: (d) => chunks.push(d),
      },
      afterReply: () => {},
    },
    line,
  );
  return Buffer.concat(chunks);
}

function psText(machine: Machine): string {
  const state = machine.state;
  let out = '  PID  PPID USER             COMMAND\n';
  out += '    1     0 root             /sbin/launchd\n';
  for (const d of APPLE_DAEMONS)
    if (d.pid !== undefined) out += `${String(d.pid).padStart(5)}     1 root             ${d.program}\n`;
  for (const job of state.jobs)
    out += `${String(job.pid).padStart(5)}     1 root             ${job.program}\n`;
  return out;
}

async function collect(machine: Machine, top: string, signal: AbortSignal): Promise<TarEntry[]> {
  const mtime = machine.now().getTime() / 1000;
  const file = (name: string, data: string | Buffer): TarEntry => ({
    name: `${top}/${name}`,
    data: Buffer.isBuffer(data) ? data : Buffer.from(data),
    mtime,
  });
  const dir = (name: string): TarEntry => ({ name: `${top}/${name}/`, mtime });
  const run = (line: string) => capture(machine, line, signal);
  await machine.log.flush().catch(() => {});
  const fs = machine.fs(ROOT_USER, '/');
  const logStore = await fs.readFile('/private/var/log/install.log').catch(() => Buffer.alloc(0));
  const unified = await readFile(machine.log.file).catch(() => Buffer.alloc(0));
  return [
    { name: `${top}/`, mtime },
    dir('logs'),
    file('logs/install.log', logStore),
    dir('system_logs.logarchive'),
    // A stand-in for the logarchive: the log store itself, one JSON object per line.
    file('system_logs.logarchive/unified-log.ndjson', unified),
    file('ps.txt', psText(machine)),
    file('sw_vers.txt', await run('sw_vers')),
    file('systemextensionsctl_list.txt', await run('systemextensionsctl list')),
    file('launchctl_print_system.txt', await run('launchctl print system')),
    file('launchctl_list.txt', await run('launchctl list')),
    file('pmset_-g_log.txt', await run('pmset -g log')),
    file('scutil_--nc_list.txt', await run('scutil --nc list')),
  ];
}

async function sysdiagnose(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  let dir = '/private/var/tmp';
  let archive: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '-f' || arg === '-A') {
      const value = args[++k];
      // BSD getopt's complaint for an option without its argument; [RECONSTRUCTED] the exit code.
      if (value === undefined) return fail(`sysdiagnose: option requires an argument -- ${arg[1]}\n`, 64);
      if (arg === '-f') dir = value;
      else archive = value;
    } else if (!/^-[ubQqPpgGdDRrkFSn]+$/.test(arg))
      return fail(`sysdiagnose: unrecognized option '${arg}'\n`, 64);
  }
  if (ctx.user.uid !== 0) return fail(NOT_ROOT);
  const machine = ctx.machine;
  const now = machine.now();
  const name =
    archive ??
    `sysdiagnose_${strftime('%Y.%m.%d_%H-%M-%S', now)}+0000_macOS_${machine.state.hardwareModel}_${machine.state.macos.buildVersion}`;
  // The path is printed as the caller spelled the folder (absolute paths stay as given).
  const target = posix.isAbsolute(dir)
    ? posix.join(dir, `${name}.tar.gz`)
    : posix.join(ctx.fs.resolve(dir).guest, `${name}.tar.gz`);
  if (!(await ctx.fs.stat(dir))?.isDirectory())
    return fail(`sysdiagnose: ${dir}: No such file or directory\n`);
  const hang = await machine.mutate((state) => rollQuirk(machine, state, 'sysdiagnose-hang'));
  try {
    if (hang) {
      // sysdiagnose-hang: it never finishes; only the caller closing the channel ends it.
      await new Promise<never>((_resolve, reject) => {
        if (ctx.signal.aborted) reject(ctx.signal.reason);
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      });
    }
    await delay(machine.scaledMs(SYSDIAGNOSE_DELAY_MS), undefined, { signal: ctx.signal });
  } catch {
    return {
      stdout: 'Cleaning up can take up to a minute...\nSysdiagnose cancelled successfully.\n',
      exitCode: 130,
    };
  }
  const entries = await collect(machine, name, ctx.signal);
  await ctx.fs.writeFile(target, gzipSync(writeTar(entries)), { mode: 0o600 });
  // [RECONSTRUCTED] the progress block of a -u run; the last line is verbatim from the reference.
  return ok(`Progress:\n[${'|'.repeat(40)}100%${'|'.repeat(40)}]\n\nOutput available at '${target}'.\n`);
}

export const sysdiagnoseCommands: CommandTable = { sysdiagnose };
