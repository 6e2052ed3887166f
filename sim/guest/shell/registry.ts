// Every command the simulated guest knows, by name. One table per tool family.
import { basicCommands } from '../commands/basic.ts';
import { dittoCommands } from '../commands/ditto.ts';
import { fileCommands } from '../commands/files.ts';
import { launchctlCommands } from '../commands/launchctl.ts';
import { openCommands } from '../commands/open.ts';
import { osascriptCommands } from '../commands/osascript.ts';
import { packageCommands } from '../commands/packages.ts';
import { plutilCommands } from '../commands/plutil.ts';
import { powerCommands } from '../commands/power.ts';
import { systemInfoCommands } from '../commands/system-info.ts';
import { systemextensionsctlCommands } from '../commands/systemextensionsctl.ts';
import { textCommands } from '../commands/text.ts';
import type { CommandTable } from './types.ts';

export const COMMANDS: CommandTable = Object.assign(
  Object.create(null) as CommandTable,
  basicCommands,
  systemInfoCommands,
  fileCommands,
  textCommands,
  dittoCommands,
  packageCommands,
  plutilCommands,
  openCommands,
  osascriptCommands,
  systemextensionsctlCommands,
  launchctlCommands,
  powerCommands,
);
