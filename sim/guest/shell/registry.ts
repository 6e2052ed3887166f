// Every command the simulated guest knows, by name. One table per tool family.
import { basicCommands } from '../commands/basic.ts';
import { caffeinateCommands } from '../commands/caffeinate.ts';
import { curlCommands } from '../commands/curl.ts';
import { dittoCommands } from '../commands/ditto.ts';
import { dnsCacheCommands } from '../commands/dns-cache.ts';
import { fileCommands } from '../commands/files.ts';
import { guestToolCommands } from '../commands/guest-tools.ts';
import { launchctlCommands } from '../commands/launchctl.ts';
import { logCommands } from '../commands/log.ts';
import { openCommands } from '../commands/open.ts';
import { osascriptCommands } from '../commands/osascript.ts';
import { packageCommands } from '../commands/packages.ts';
import { plutilCommands } from '../commands/plutil.ts';
import { pmsetCommands } from '../commands/pmset.ts';
import { powerCommands } from '../commands/power.ts';
import { processCommands } from '../commands/processes.ts';
import { screencaptureCommands } from '../commands/screencapture.ts';
import { scutilCommands } from '../commands/scutil.ts';
import { signingCommands } from '../commands/signing.ts';
import { sqlite3Commands } from '../commands/sqlite3.ts';
import { sysctlCommands } from '../commands/sysctl.ts';
import { sysdiagnoseCommands } from '../commands/sysdiagnose.ts';
import { systemInfoCommands } from '../commands/system-info.ts';
import { systemextensionsctlCommands } from '../commands/systemextensionsctl.ts';
import { textCommands } from '../commands/text.ts';
import { unzipCommands } from '../commands/unzip.ts';
import type { CommandTable } from './types.ts';

export const COMMANDS: CommandTable = Object.assign(
  Object.create(null) as CommandTable,
  basicCommands,
  systemInfoCommands,
  fileCommands,
  textCommands,
  dittoCommands,
  unzipCommands,
  packageCommands,
  plutilCommands,
  openCommands,
  osascriptCommands,
  processCommands,
  screencaptureCommands,
  systemextensionsctlCommands,
  launchctlCommands,
  powerCommands,
  pmsetCommands,
  caffeinateCommands,
  sysctlCommands,
  logCommands,
  scutilCommands,
  curlCommands,
  dnsCacheCommands,
  guestToolCommands,
  signingCommands,
  sysdiagnoseCommands,
  sqlite3Commands,
);
