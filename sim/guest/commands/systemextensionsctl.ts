// systemextensionsctl list / developer / uninstall / reset (macos-outputs §2).
import { printedState, uninstall } from '../model/sysextd.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';
import type { GuestState, SysextCategory } from '../state.ts';

const SIP_REFUSAL =
  'At this time, this tool cannot be used if System Integrity Protection is enabled.\nThis limitation will be removed in the near future.\nPlease remember to re-enable System Integrity Protection!\n';

// [RECONSTRUCTED] usage text (not found verbatim).
const USAGE =
  "systemextensionsctl: usage:\n\tsystemextensionsctl developer [on|off]\n\tsystemextensionsctl list [category]\n\tsystemextensionsctl reset  - reset all System Extensions state\n\tsystemextensionsctl uninstall <teamId> <bundleId>; can also accept '-' for teamID\n";

const SETTINGS_PANE: Record<SysextCategory, string> = {
  'com.apple.system_extension.network_extension': 'Network Extensions',
  'com.apple.system_extension.endpoint_security': 'Endpoint Security Extensions',
  'com.apple.system_extension.driver_extension': 'Driver Extensions',
};

/** The exact `list` text; macOS 15+ adds the System Settings hint and drops the blank line. */
export function formatExtensionList(state: GuestState, category?: string): string {
  const entries = state.extensions.filter((e) => category === undefined || e.category === category);
  const major = Number(state.macos.productVersion.split('.')[0]);
  const modern = major >= 15;
  let out = `${entries.length} extension(s)\n`;
  if (entries.length === 0) return out;
  if (!modern) out += '\n';
  const categories = [...new Set(entries.map((e) => e.category))];
  for (const cat of categories) {
    out += modern
      ? `--- ${cat} (Go to 'System Settings > General > Login Items & Extensions > ${SETTINGS_PANE[cat]}' to modify these system extension(s))\n`
      : `--- ${cat}\n`;
    out += 'enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n';
    for (const e of entries.filter((x) => x.category === cat)) {
      // Reconstructed for [terminating for upgrade via delegate]: no sample shows its columns; the
      // model stops the old job at once, so neither enabled nor active is starred.
      const on = e.state === 'activated_enabled' ? '*' : '';
      out += `${on}\t${on}\t${e.teamId}\t${e.bundleId} (${e.shortVersion}/${e.bundleVersion})\t${e.name}\t[${printedState(e.state)}]\n`;
    }
  }
  return out;
}

async function systemextensionsctl(ctx: CommandContext) {
  const [, command, ...rest] = ctx.argv;
  const machine = ctx.machine;
  const sipEnabled = machine.state.sip === 'enabled';
  switch (command) {
    case 'list':
      return ok(formatExtensionList(machine.state, rest[0]));
    case 'developer': {
      if (sipEnabled) return fail(SIP_REFUSAL);
      const mode = rest[0];
      if (mode === undefined) {
        // [RECONSTRUCTED] reported by a third-party README, unverified.
        return ok(`Developer mode is ${machine.state.developerMode ? 'on' : 'off'}\n`);
      }
      if (mode !== 'on' && mode !== 'off') return fail(USAGE);
      await machine.mutate((state) => {
        state.developerMode = mode === 'on';
      });
      // [RECONSTRUCTED] output of a successful `developer on|off` (not found verbatim).
      return ok(`Developer mode is now ${mode}\n`);
    }
    case 'uninstall': {
      if (sipEnabled) return fail(SIP_REFUSAL);
      const [teamId, bundleId] = rest;
      if (!teamId || !bundleId) return fail(USAGE);
      const count = await uninstall(machine, teamId, bundleId);
      // [RECONSTRUCTED] failure text when nothing matches.
      if (count === 0) return fail(`Failed to uninstall ${bundleId}: the extension was not found\n`);
      return ok();
    }
    case 'reset': {
      if (sipEnabled) return fail(SIP_REFUSAL);
      for (const e of machine.state.extensions) await uninstall(machine, e.teamId, e.bundleId);
      return ok();
    }
    default:
      return fail(USAGE, 64);
  }
}

export const systemextensionsctlCommands: CommandTable = { systemextensionsctl };
