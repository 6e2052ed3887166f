// System Settings as System Events sees it on macOS 15 and later, for approving a system extension
// (approval-and-power-facts.md §1). What the facts give:
// - [FIRST-HAND] approval lives in General > Login Items & Extensions > Extensions: a row per
//   category ("Network Extensions", ...) with an (i) button that opens a sheet with one switch per
//   extension and a Done button (§1.1, §1.3). On 26 the section has a By App | By Category control,
//   and the category rows with their (i) are under By Category (§1.1).
// - [FIRST-HAND] the window is titled "Login Items & Extensions"; the content area is `group 2` of
//   the splitter group on 15 and `group 3` on 26 (§1.3).
// - [FIRST-HAND, 27.0] the extension-point URL opens the pane with the Network Extensions sheet
//   presented; an already-open System Settings does not move to a new URL (§1.2).
// - [FIRST-HAND] turning a switch on asks for Touch ID or an administrator password (§1.4).
// Reconstructed (no source; the harder choice for the harness each time): the URL presents the
// sheet only from macOS 27 on (on 15/26 it opens the pane); 26 opens on "By App"; the switch has no
// title (its row's static text names the extension); the prompt is SecurityAgent's window
// ("System Settings wants to make changes.", User Name, Password, Cancel / Modify Settings), a
// wrong password keeps it up with the field cleared; the change takes effect at Done; a cold launch
// takes seconds. Everything not modelled (the sidebar's rows, other panes) is left out.
import { posix } from 'node:path';
import type { Machine } from '../machine.ts';
import type { SysextEntry } from '../state.ts';
import { commitApproval } from './sysextd.ts';
import { alertProcesses } from './system-settings-alert.ts';
import {
  element,
  guiState,
  type SettingsApp,
  type UiElement,
  type UiProcess,
} from './system-settings-elements.ts';

export const SETTINGS_BUNDLE_ID = 'com.apple.systempreferences';
export const SETTINGS_PROCESS = 'System Settings';
export const WINDOW_TITLE = 'Login Items & Extensions';
/** Reconstructed: a cold System Settings in a VM shows its window seconds after `open`. */
export const SETTINGS_LAUNCH_MS = 3_000;
/** Reconstructed: the sheet's presentation animation. */
export const SHEET_PRESENT_MS = 400;
/** Reconstructed: from the switch to SecurityAgent's prompt. */
export const AUTH_PROMPT_MS = 700;
/** Reconstructed: from a quit Apple event to the process being gone. */
export const SETTINGS_QUIT_MS = 300;

const CATEGORIES: Record<string, string> = {
  'com.apple.system_extension.network_extension': 'Network Extensions',
  'com.apple.system_extension.endpoint_security': 'Endpoint Security Extensions',
};
const EXTENSION_POINTS: Record<string, string> = {
  'com.apple.system_extension.network_extension.extension-point':
    'com.apple.system_extension.network_extension',
  'com.apple.system_extension.endpoint_security.extension-point':
    'com.apple.system_extension.endpoint_security',
};
/** Apple's own categories in the list (names from §1.3; their members are not modelled). */
const APPLE_CATEGORIES = ['Actions', 'File System Extensions', 'Quick Look'];

function majorVersion(machine: Machine): number {
  return Number.parseInt(machine.state.macos.productVersion, 10);
}

export function settingsRunning(machine: Machine): boolean {
  return guiState(machine).settings !== undefined;
}

/** `open x-apple.systempreferences:...`: launches System Settings on a pane, unless it runs already. */
export function openSettingsUrl(machine: Machine, url: string): void {
  const gui = guiState(machine);
  // [FIRST-HAND] a running System Settings does not move to the new URL.
  if (gui.settings) return;
  // [FIRST-HAND] both ids open Login Items & Extensions; open(1) accepts any other id too (§1.2).
  const pane =
    /^x-apple\.systempreferences:(com\.apple\.LoginItems-Settings\.extension|com\.apple\.ExtensionsPreferences)\b/.test(
      url,
    )
      ? 'login-items'
      : 'other';
  const app: SettingsApp = {
    windowShown: false,
    pane,
    segment: majorVersion(machine) >= 26 ? 'By App' : 'By Category',
  };
  gui.settings = app;
  const point = /[?&]extensionPointIdentifier=([^&]+)/.exec(url)?.[1];
  const category = point ? EXTENSION_POINTS[decodeURIComponent(point)] : undefined;
  machine.later(SETTINGS_LAUNCH_MS, async () => {
    if (gui.settings !== app) return;
    app.windowShown = true;
    if (pane === 'login-items' && category && majorVersion(machine) >= 27) app.sheet = newSheet(category);
  });
}

/** A quit Apple event: the window, its sheet and a pending prompt go; nothing changed is kept. */
export function quitSettings(machine: Machine): void {
  const gui = guiState(machine);
  const app = gui.settings;
  if (!app) return;
  machine.later(SETTINGS_QUIT_MS, async () => {
    if (gui.settings === app) gui.settings = undefined;
  });
}

function newSheet(category: string): NonNullable<SettingsApp['sheet']> {
  return { category, turnedOn: new Set(), authorised: new Set() };
}

/** The extensions a category sheet lists: the newest entry per extension that is not on its way out. */
function listed(machine: Machine, category: string): SysextEntry[] {
  const byId = new Map<string, SysextEntry>();
  for (const e of machine.state.extensions) {
    if (e.category !== category) continue;
    if (e.state !== 'activated_enabled' && e.state !== 'activated_waiting_for_user') continue;
    byId.set(e.bundleId, e);
  }
  return [...byId.values()];
}

function appName(entry: SysextEntry): string {
  return posix.basename(entry.appPath).replace(/\.app$/, '');
}

/** Every GUI process System Events can see now. */
export function guiProcesses(machine: Machine): UiProcess[] {
  const gui = guiState(machine);
  const out: UiProcess[] = [];
  const app = gui.settings;
  if (app) {
    out.push({
      name: SETTINGS_PROCESS,
      bundleId: SETTINGS_BUNDLE_ID,
      windows: app.windowShown ? [settingsWindow(machine, app)] : [],
    });
    if (app.auth)
      out.push({
        name: 'SecurityAgent',
        bundleId: 'com.apple.SecurityAgent',
        windows: [authWindow(machine, app)],
      });
  }
  out.push(...alertProcesses(machine));
  return out;
}

function settingsWindow(machine: Machine, app: SettingsApp): UiElement {
  const major = majorVersion(machine);
  // Reconstructed: another pane's title and content are not modelled.
  if (app.pane === 'other') return element('window', { name: SETTINGS_PROCESS }, [element('group', {}, [])]);
  const rows: UiElement[] = [];
  const section: UiElement[] = [
    element('static text', { value: 'Extensions' }),
    element('static text', {
      value: 'Extensions add extra functionality to apps and the system. You can turn extensions on or off.',
    }),
  ];
  if (major >= 26) {
    section.push(
      element('radio group', {}, [segmentButton(app, 'By App'), segmentButton(app, 'By Category')]),
    );
  }
  if (app.segment === 'By Category') {
    const categories = Object.entries(CATEGORIES)
      .map(([id, title]) => ({ id, title, members: listed(machine, id) }))
      .filter((c) => c.members.length > 0);
    for (const title of APPLE_CATEGORIES) rows.push(categoryRow(title, 'Apple', undefined));
    for (const c of categories)
      rows.push(
        categoryRow(c.title, c.members.map((e) => e.name).join(', '), async () => {
          openSheetLater(machine, app, c.id);
        }),
      );
  } else {
    // By App: one row per app; Reconstructed: its (i) opens nothing that approves (§1.1, ExtendFS).
    const apps = [...new Set(machine.state.extensions.map(appName))];
    for (const name of apps) rows.push(categoryRow(name, 'Extensions', undefined));
  }
  section.push(...rows);
  const content = element('group', {}, [
    element('scroll area', {}, [
      element('group', {}, [
        element('static text', { value: 'Open at Login' }),
        element('table', {}, []),
        element('button', { description: 'Add' }),
        element('button', { description: 'Remove' }),
      ]),
      element('group', {}, section),
    ]),
  ]);
  const sidebar = element('group', {}, [
    element('scroll area', {}, [
      element('outline', {}, [element('row', {}, [element('static text', { value: 'General' })])]),
    ]),
  ]);
  // The content area is group 2 on 15 and group 3 on 26 (§1.3).
  const splitter = element(
    'splitter group',
    {},
    major >= 26
      ? [sidebar, element('group', {}, []), element('group', {}, [content])]
      : [sidebar, element('group', {}, [content])],
  );
  const children = [element('group', {}, [splitter])];
  if (app.sheet) children.push(sheetElement(machine, app));
  return element('window', { name: WINDOW_TITLE }, children);
}

function segmentButton(app: SettingsApp, name: SettingsApp['segment']): UiElement {
  return element('radio button', {
    name,
    value: app.segment === name ? 1 : 0,
    press: async () => {
      if (!app.sheet) app.segment = name;
    },
  });
}

function categoryRow(title: string, subtitle: string, open: (() => Promise<void>) | undefined): UiElement {
  return element('group', {}, [
    element('static text', { value: title }),
    element('static text', { value: subtitle }),
    element('button', { description: 'info', ...(open ? { press: open } : {}) }),
  ]);
}

function openSheetLater(machine: Machine, app: SettingsApp, category: string): void {
  if (app.sheet || app.auth) return;
  machine.later(SHEET_PRESENT_MS, async () => {
    if (guiState(machine).settings === app && !app.sheet) app.sheet = newSheet(category);
  });
}

function sheetElement(machine: Machine, app: SettingsApp): UiElement {
  const sheet = app.sheet!;
  const title = CATEGORIES[sheet.category] ?? 'Extensions';
  const rows = listed(machine, sheet.category).map((entry) =>
    element('group', {}, [
      element('static text', { value: entry.name }),
      element('static text', { value: appName(entry) }),
      element('checkbox', {
        description: 'switch',
        value: entry.state === 'activated_enabled' || sheet.turnedOn.has(entry.uuid) ? 1 : 0,
        press: async () => toggle(machine, app, entry),
      }),
      element('menu button', { description: 'more' }),
    ]),
  );
  return element('sheet', {}, [
    element('group', {}, [
      element('static text', { value: title }),
      element('static text', { value: `${title} can be turned on or off here.` }),
    ]),
    element('scroll area', {}, [element('group', {}, rows)]),
    element('button', {
      name: 'Done',
      press: async () => {
        // The prompt is modal: Done does nothing while it is up.
        if (app.auth || app.sheet !== sheet) return;
        app.sheet = undefined;
        const approved = [...sheet.authorised];
        if (approved.length > 0) await commitApproval(machine, approved);
      },
    }),
  ]);
}

async function toggle(machine: Machine, app: SettingsApp, entry: SysextEntry): Promise<void> {
  const sheet = app.sheet;
  if (!sheet || app.auth) return;
  // Reconstructed: turning an enabled extension off (deactivation) is not modelled.
  if (entry.state === 'activated_enabled') return;
  if (sheet.turnedOn.has(entry.uuid)) {
    sheet.turnedOn.delete(entry.uuid);
    sheet.authorised.delete(entry.uuid);
    return;
  }
  sheet.turnedOn.add(entry.uuid);
  machine.later(AUTH_PROMPT_MS, async () => {
    if (
      guiState(machine).settings === app &&
      app.sheet === sheet &&
      !app.auth &&
      sheet.turnedOn.has(entry.uuid)
    )
      app.auth = { uuid: entry.uuid, typed: '' };
  });
}

function authWindow(machine: Machine, app: SettingsApp): UiElement {
  const auth = app.auth!;
  const close = (accepted: boolean) => {
    const sheet = app.sheet;
    app.auth = undefined;
    if (!sheet) return;
    if (accepted) sheet.authorised.add(auth.uuid);
    else sheet.turnedOn.delete(auth.uuid);
  };
  return element('window', {}, [
    element('static text', { value: 'System Settings wants to make changes.' }),
    element('static text', { value: 'Enter your password to allow this.' }),
    element('text field', { name: 'User Name', value: machine.state.user.name }),
    element('text field', {
      name: 'Password',
      value: auth.typed === '' ? '' : '•'.repeat(auth.typed.length),
      setValue: async (value) => {
        auth.typed = value;
      },
    }),
    element('button', { name: 'Cancel', press: async () => close(false) }),
    element('button', {
      name: 'Modify Settings',
      press: async () => {
        if (auth.typed === machine.state.user.password) close(true);
        // A wrong password: the prompt shakes and stays, the field emptied.
        else auth.typed = '';
      },
    }),
  ]);
}
