// The artifacts folder is checked and made one level at a time before a run touches a VM: Node's
// recursive mkdir spins forever on some paths (/proc/nope), and a regular file or a dangling
// symlink in the way would otherwise surface as a stack trace in the middle of the run.
import { lstatSync, mkdirSync, readlinkSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';

/** Makes `path` (and its missing parents) a folder, or throws a ConfigError that says why it cannot. */
export function makeArtifactsDir(path: string, flag = '--artifacts'): string {
  const absolute = resolve(path);
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    const entry = entryAt(existing, path, flag);
    if (entry) {
      if (entry.isSymbolicLink() && !statSync(existing, { throwIfNoEntry: false })) {
        throw new ConfigError(
          flag,
          `${flag} ${path}: ${existing} is a symlink to ${readlinkSync(existing)}, which does not exist`,
        );
      }
      if (!statSync(existing).isDirectory()) {
        throw new ConfigError(flag, `${flag} ${path}: ${existing} is not a folder`);
      }
      break;
    }
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(existing);
    existing = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // EEXIST: another run made it meanwhile.
      if (code === 'EEXIST' && statSync(folder).isDirectory()) continue;
      throw new ConfigError(flag, `${flag} ${path}: cannot create ${folder}: ${(error as Error).message}`);
    }
  }
  return absolute;
}

/** The entry at `path`, or undefined when there is none (a file in the way is found one level up). */
function entryAt(at: string, given: string, flag: string): ReturnType<typeof lstatSync> {
  try {
    return lstatSync(at, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new ConfigError(flag, `${flag} ${given}: cannot read ${at}: ${(error as Error).message}`);
  }
}
