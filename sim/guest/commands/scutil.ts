// scutil --nc list / start / stop / status for the NetworkExtension configurations (§6).
import { findProxy, startProxy, stopProxy } from '../model/transparent-proxy.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import type { ProxyConfig } from '../state.ts';

// [RECONSTRUCTED] abbreviated usage of scutil's --nc commands.
const USAGE =
  'usage: scutil --nc list\n       scutil --nc status <service>\n       scutil --nc start <service>\n       scutil --nc stop <service>\n';

/** One `--nc list` row; `[TransparentProxy:<app id>]` is our reconstructed type tag. */
export function formatNcRow(p: ProxyConfig): string {
  return `* ${`(${p.status})`.padEnd(17)}${p.uuid} VPN (${p.appBundleId}) ${`"${p.name}"`.padEnd(32)} [TransparentProxy:${p.appBundleId}]\n`;
}

// [RECONSTRUCTED] the Extended Status dictionary, reduced to the keys seen in the reference.
function formatStatus(p: ProxyConfig): string {
  const code = p.status === 'Connected' ? 1 : 0;
  return `${p.status}\nExtended Status <dictionary> {\n  Status : ${code}\n}\n`;
}

async function scutil(ctx: CommandContext) {
  const [, flag, command, name] = ctx.argv;
  if (flag !== '--nc') return fail(USAGE);
  const machine = ctx.machine;
  if (command === 'list') {
    let out = 'Available network connection services in the current set (*=enabled):\n';
    for (const p of machine.state.proxies ?? []) out += formatNcRow(p);
    return ok(out);
  }
  if (command !== 'start' && command !== 'stop' && command !== 'status') return fail(USAGE);
  if (name === undefined) return fail(USAGE);
  const config = findProxy(machine.state, name);
  if (!config) return command === 'status' ? ok('No service\n') : fail('No service\n');
  if (command === 'status') return ok(formatStatus(config));
  if (command === 'start') await startProxy(machine, config);
  else await stopProxy(machine, config);
  return ok();
}

export const scutilCommands: CommandTable = { scutil };
