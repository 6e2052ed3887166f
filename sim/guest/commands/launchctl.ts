// launchctl list (§1.8), print system/<label> (§1.5, §1.1 for Apple daemons), print system (§1.7,
// services and endpoints only), kickstart (sysextd's restart).
import { hasGuiSession } from '../model/gui-session.ts';
import { APPLE_DAEMONS, type AppleDaemon } from '../model/launchd.ts';
import { restartSysextd } from '../model/sysextd-db.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import type { LaunchdJob } from '../state.ts';

function endpointBlock(endpoints: { name: string; port: number }[]): string {
  let out = '\tendpoints = {\n';
  for (const e of endpoints) {
    out += `\t\t"${e.name}" = {\n\t\t\tport = 0x${e.port.toString(16)}\n\t\t\tactive = 1\n\t\t\tmanaged = 1\n\t\t\treset = 0\n\t\t\thide = 0\n\t\t\twatching = 1\n\t\t}\n`;
  }
  return `${out}\t}\n\n`;
}

/** §1.5 [RECONSTRUCTED there]: an NE system extension's job; no endpoints block when it has none. */
export function formatExtensionJob(job: LaunchdJob): string {
  return (
    `system/${job.label} = {\n` +
    '\tactive count = 1\n' +
    // [RECONSTRUCTED] the submitter is a guess in the reference too.
    `\tpath = (submitted by sysextd.312)\n` +
    '\ttype = Submitted\n' +
    '\tstate = running\n\n' +
    `\tprogram = ${job.program}\n` +
    '\tdomain = system\n' +
    '\tminimum runtime = 10\n' +
    '\texit timeout = 5\n' +
    `\truns = ${job.runs}\n` +
    `\tpid = ${job.pid}\n` +
    '\timmediate reason = speculative\n' +
    '\tlast exit code = (never exited)\n\n' +
    (job.endpoints === null ? '' : endpointBlock(job.endpoints)) +
    '\tspawn type = daemon (3)\n' +
    '\tjetsam priority = 40\n' +
    '\tjetsam memory limit (active) = (unlimited)\n' +
    '\tjetsam memory limit (inactive) = (unlimited)\n' +
    '\tjetsamproperties category = daemon\n' +
    '\tsubmitted job. ignore execute allowed\n' +
    '\tjob state = running\n\n' +
    '\tproperties = supports transactions\n' +
    '}\n'
  );
}

/** An Apple daemon, in the shape of §1.1 (trimmed). */
function formatDaemon(daemon: AppleDaemon): string {
  const running = daemon.pid !== undefined;
  return (
    `system/${daemon.label} = {\n` +
    `\tactive count = ${running ? 1 : 0}\n` +
    `\tpath = /System/Library/LaunchDaemons/${daemon.label}.plist\n` +
    '\ttype = LaunchDaemon\n' +
    `\tstate = ${running ? 'running' : 'not running'}\n\n` +
    `\tprogram = ${daemon.program}\n` +
    `\targuments = {\n\t\t${daemon.program}\n\t}\n\n` +
    '\tdefault environment = {\n\t\tPATH => /usr/bin:/bin:/usr/sbin:/sbin\n\t}\n\n' +
    '\tdomain = system\n' +
    '\tminimum runtime = 10\n' +
    '\texit timeout = 5\n' +
    `\truns = ${running ? 1 : 0}\n` +
    (running ? `\tpid = ${daemon.pid}\n\timmediate reason = ipc (mach)\n` : '') +
    `\tlast exit code = ${running ? '(never exited)' : daemon.lastExit}\n\n` +
    (daemon.machServices.length
      ? `\tendpoints = {\n${daemon.machServices
          .map(
            (name, k) =>
              `\t\t"${name}" = {\n\t\t\tport = 0x${(0x1a03 + k * 0x100 + (daemon.pid ?? 0) * 0x10).toString(16)}\n\t\t\tactive = ${running ? 1 : 0}\n\t\t\tmanaged = 1\n\t\t\treset = 0\n\t\t\thide = 0\n\t\t\twatching = ${running ? 0 : 1}\n\t\t}\n`,
          )
          .join('')}\t}\n\n`
      : '') +
    '\tspawn type = daemon (3)\n' +
    `\tjob state = ${running ? 'running' : 'exited'}\n\n` +
    '\tproperties = supports transactions | system service\n' +
    '}\n'
  );
}

function formatDomain(jobs: LaunchdJob[]): string {
  const services = [
    ...APPLE_DAEMONS.map((d) => ({ pid: d.pid ?? 0, label: d.label })),
    ...jobs.map((j) => ({ pid: j.pid, label: j.label })),
  ];
  const endpoints = [
    ...APPLE_DAEMONS.flatMap((d) =>
      d.machServices.map((name) => ({
        port: d.pid ? `0x${(d.pid * 0x100 + 3).toString(16)}` : '0',
        name,
        active: d.pid !== undefined,
      })),
    ),
    ...jobs.flatMap((j) =>
      (j.endpoints ?? []).map((e) => ({ port: `0x${e.port.toString(16)}`, name: e.name, active: true })),
    ),
  ];
  return (
    'system = {\n' +
    '\ttype = system\n' +
    '\thandle = 0\n' +
    `\tactive count = ${services.filter((s) => s.pid > 0).length}\n` +
    `\tservice count = ${services.length}\n` +
    `\tactive service count = ${services.filter((s) => s.pid > 0).length}\n` +
    '\tmaximum allowed shutdown time = 65 s\n\n' +
    `\tservices = {\n${services.map((s) => `\t\t${String(s.pid).padStart(8)}      - \t${s.label}\n`).join('')}\t}\n\n` +
    `\tendpoints = {\n${endpoints.map((e) => `\t\t${e.port.padStart(8)}    M   ${e.active ? 'A' : 'D'}   ${e.name}\n`).join('')}\t}\n\n` +
    '\tproperties = uncorked | audit check done\n' +
    '}\n'
  );
}

// [RECONSTRUCTED] the head of a GUI login domain; the harness only reads the exit status.
function formatGuiDomain(uid: number): string {
  return `gui/${uid} = {\n\ttype = login\n\thandle = ${uid}\n\tactive count = 1\n\tonline = true\n\tcreator = loginwindow\n}\n`;
}

async function launchctl(ctx: CommandContext) {
  const [, command, target] = ctx.argv;
  const jobs = ctx.machine.state.jobs;
  if (command === 'list') {
    if (target !== undefined) {
      // [RECONSTRUCTED] `launchctl list <label>` for an unknown label.
      const known = jobs.some((j) => j.label === target) || APPLE_DAEMONS.some((d) => d.label === target);
      if (!known) return fail('Could not find service "' + target + '" in domain for port\n', 113);
    }
    let out = 'PID\tStatus\tLabel\n';
    for (const d of APPLE_DAEMONS) out += `${d.pid ?? '-'}\t${d.lastExit}\t${d.label}\n`;
    for (const j of jobs) out += `${j.pid}\t0\t${j.label}\n`;
    return ok(out);
  }
  if (command === 'print' && target !== undefined) {
    if (target === 'system' || target === 'system/') return ok(formatDomain(jobs));
    const gui = /^gui\/(\d+)\/?$/.exec(target);
    if (gui && Number(gui[1]) === ctx.machine.state.user.uid && hasGuiSession(ctx.machine.state)) {
      return ok(formatGuiDomain(Number(gui[1])));
    }
    const match = /^system\/(.+)$/.exec(target);
    if (!match) {
      // A GUI domain before its login session exists, and other domains (user/501), as real
      // launchctl reports a missing domain (macos-outputs.md §1: tuist/tuist#10670).
      return fail(`Could not print domain: 125\n`, 125);
    }
    const label = match[1]!;
    const job = jobs.find((j) => j.label === label);
    if (job) return ok(formatExtensionJob(job));
    const daemon = APPLE_DAEMONS.find((d) => d.label === label);
    if (daemon) return ok(formatDaemon(daemon));
    return fail(`Could not find service "${label}" in domain for system\n`, 113);
  }
  if (command === 'kickstart') return kickstart(ctx);
  // [RECONSTRUCTED] launchctl's usage pointer.
  return fail(
    `Unrecognized subcommand: ${command ?? ''}\nUsage: launchctl <subcommand> ... | help [subcommand]\n`,
  );
}

/**
 * `launchctl kickstart [-k] system/<label>`: -k kills a running service first. Only sysextd's
 * restart has an effect in the sim (it re-reads db.plist, model/sysextd-db.ts). Reconstructed: the
 * refusal for a non-root caller, and for sysextd while SIP protects it (the database bypass works
 * only with SIP off, approval-and-power-facts.md §4.3).
 */
async function kickstart(ctx: CommandContext) {
  const args = ctx.argv.slice(2);
  const kill = args.includes('-k');
  const target = args.find((a) => !a.startsWith('-'));
  const match = target ? /^system\/(.+)$/.exec(target) : null;
  if (!match) return fail('Usage: launchctl kickstart [-k] [-p] <service-target>\n', 64);
  const label = match[1]!;
  const known =
    APPLE_DAEMONS.some((d) => d.label === label) || ctx.machine.state.jobs.some((j) => j.label === label);
  if (!known) return fail(`Could not find service "${label}" in domain for system\n`, 113);
  const refused = fail(`Could not kickstart service "${label}": 1: Operation not permitted\n`, 1);
  if (ctx.user.uid !== 0) return refused;
  if (label === 'com.apple.sysextd') {
    if (ctx.machine.state.sip === 'enabled') return refused;
    if (kill) await restartSysextd(ctx.machine);
  }
  return ok();
}

export const launchctlCommands: CommandTable = { launchctl };
