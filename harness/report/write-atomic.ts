import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes a report so that a reader (or a crash) never sees half a file, and a failed write (a full disk) leaves no temporary behind. */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
