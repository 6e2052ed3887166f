// Running a file of the guest by path (`/Users/admin/sxl-tools/x args`): zsh's checks (exists, not
// a folder, executable bit), then the model of a stand-in that `cc` wrote.

import { STAND_IN_MAGIC, TOOL_MODELS } from '../commands/guest-tools.ts';
import type { GuestFs } from '../guest-fs.ts';
import type { CommandHandler, CommandResult } from './types.ts';

export async function executableAt(
  fs: GuestFs,
  path: string,
): Promise<{ handler: CommandHandler } | { error: CommandResult }> {
  const info = await fs.stat(path).catch(() => undefined);
  if (!info) return { error: { stderr: `zsh:1: no such file or directory: ${path}\n`, exitCode: 127 } };
  if (info.isDirectory() || (info.mode & 0o111) === 0) {
    return { error: { stderr: `zsh:1: permission denied: ${path}\n`, exitCode: 126 } };
  }
  const head = (await fs.readFile(path)).subarray(0, 200).toString('utf8').split('\n', 1)[0] ?? '';
  const tool = head.startsWith(STAND_IN_MAGIC) ? head.slice(STAND_IN_MAGIC.length).trim() : '';
  const handler = Object.hasOwn(TOOL_MODELS, tool) ? TOOL_MODELS[tool] : undefined;
  // [RECONSTRUCTED] anything else is no Mach-O the sim can run: zsh's exec failure.
  if (!handler) return { error: { stderr: `zsh:1: exec format error: ${path}\n`, exitCode: 126 } };
  return { handler };
}
