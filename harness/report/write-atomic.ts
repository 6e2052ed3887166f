import { renameSync, writeFileSync } from 'node:fs';

/** Writes a report so that a reader (or a crash) never sees half a file. */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
