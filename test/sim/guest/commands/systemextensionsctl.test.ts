import test from 'ava';
import { formatExtensionList } from '../../../../sim/guest/commands/systemextensionsctl.ts';
import type { GuestState, SysextEntry } from '../../../../sim/guest/state.ts';

const entry = (overrides: Partial<SysextEntry>): SysextEntry => ({
  uuid: 'U',
  teamId: 'VBG97UB4TA',
  bundleId: 'com.objective-see.lulu.extension',
  shortVersion: '2.3.0',
  bundleVersion: '2.3.0',
  name: 'Extension',
  category: 'com.apple.system_extension.network_extension',
  state: 'activated_enabled',
  stagedPath: '/Library/SystemExtensions/U/x.systemextension',
  executable: '/x',
  appPath: '/Applications/LuLu.app',
  ...overrides,
});

const state = (productVersion: string, extensions: SysextEntry[]) =>
  ({ macos: { productName: 'macOS', productVersion, buildVersion: 'X' }, extensions }) as GuestState;

test('older macOS: blank line after the count and no settings hint (LuLu #331 layout)', (t) => {
  t.is(
    formatExtensionList(state('14.6', [entry({})])),
    '1 extension(s)\n\n--- com.apple.system_extension.network_extension\nenabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n*\t*\tVBG97UB4TA\tcom.objective-see.lulu.extension (2.3.0/2.3.0)\tExtension\t[activated enabled]\n',
  );
});

test('macOS 15+: one block per category with its System Settings hint', (t) => {
  const text = formatExtensionList(
    state('26.2', [
      entry({ state: 'terminated_waiting_to_uninstall_on_reboot' }),
      entry({
        category: 'com.apple.system_extension.endpoint_security',
        teamId: 'GVZRY6KDKR',
        bundleId: 'com.m.sys.ext',
        name: 'Engine',
      }),
    ]),
  );
  t.is(
    text,
    "2 extension(s)\n--- com.apple.system_extension.network_extension (Go to 'System Settings > General > Login Items & Extensions > Network Extensions' to modify these system extension(s))\nenabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n\t\tVBG97UB4TA\tcom.objective-see.lulu.extension (2.3.0/2.3.0)\tExtension\t[terminated waiting to uninstall on reboot]\n--- com.apple.system_extension.endpoint_security (Go to 'System Settings > General > Login Items & Extensions > Endpoint Security Extensions' to modify these system extension(s))\nenabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n*\t*\tGVZRY6KDKR\tcom.m.sys.ext (2.3.0/2.3.0)\tEngine\t[activated enabled]\n",
  );
  t.is(formatExtensionList(state('15.5', [])), '0 extension(s)\n');
});
