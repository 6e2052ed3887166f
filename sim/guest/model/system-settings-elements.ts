// What System Events sees of the GUI: processes with windows, each an accessibility element tree
// (class, name, value, children). The trees are built afresh from the model at every look-up, so a
// script observes the UI as it changes; actions (AXPress, setting a value) call back into the model.
// Per guest, the GUI's transient state (System Settings, its sheet, prompts, alerts) lives in memory
// for the current boot only: a reboot or power-off closes every window.
import type { Machine } from '../machine.ts';

export interface UiElement {
  /** The AppleScript class as System Events names it: `window`, `static text`, `checkbox`, ... */
  cls: string;
  /** AXTitle; undefined reads as `missing value`. */
  name?: string;
  /** AXValue: a switch's 0/1, a text's string. */
  value?: string | number;
  description?: string;
  children: UiElement[];
  /** AXPress; absent: a click does nothing visible. */
  press?: () => Promise<void>;
  /** Setting AXValue (text fields). */
  setValue?: (value: string) => Promise<void>;
}

export function element(
  cls: string,
  props: Omit<UiElement, 'cls' | 'children'> = {},
  children: UiElement[] = [],
): UiElement {
  return { cls, ...props, children };
}

/** A GUI process as System Events lists it (`application process "Name"`). */
export interface UiProcess {
  name: string;
  bundleId: string;
  windows: UiElement[];
}

/** System Settings while it runs (model/system-settings.ts). */
export interface SettingsApp {
  /** The window is up (a cold launch takes a few seconds). */
  windowShown: boolean;
  /** Login Items & Extensions, or a pane the sim does not model (its window has no content). */
  pane: 'login-items' | 'other';
  /** 26 and later: the Extensions section's segmented control. */
  segment: 'By App' | 'By Category';
  /** The category sheet on screen, with the switches the user changed in it. */
  sheet?: { category: string; turnedOn: Set<string>; authorised: Set<string> };
  /** The authentication prompt for a switch (SecurityAgent), with what was typed. */
  auth?: { uuid: string; typed: string };
}

/** A "would like to add ... configurations" alert waiting for an answer (model/system-settings-alert.ts). */
export interface ConsentAlert {
  appBundleId: string;
  appPath: string;
  appName: string;
  /** What the app saves: a proxy (or VPN) configuration, or a content filter. @default 'proxy' */
  kind?: 'proxy' | 'filter';
  shown: boolean;
}

export interface GuiState {
  settings?: SettingsApp;
  alerts: ConsentAlert[];
}

const guis = new WeakMap<Machine, { boot: AbortSignal; gui: GuiState }>();

/** The GUI state of the current boot (a new boot starts with nothing on screen). */
export function guiState(machine: Machine): GuiState {
  const held = guis.get(machine);
  if (held && held.boot === machine.bootSignal && !held.boot.aborted) return held.gui;
  const gui: GuiState = { alerts: [] };
  guis.set(machine, { boot: machine.bootSignal, gui });
  return gui;
}
