// Copies a VM folder for clone. Real tart relies on APFS copy-on-write; here disk.img is a sparse
// placeholder whose bytes carry nothing (the guest's state lives in guest/), so the copy recreates it
// at the same apparent size instead of writing gigabytes of zeros.
import { cpSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GB, sizeDisk } from './image-builder.ts';
import { RUNTIME_FILES } from './run-lock.ts';

export function copyVmFolder(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (RUNTIME_FILES.includes(entry) || entry.endsWith('.tmp')) continue;
    const source = join(from, entry);
    if (entry === 'disk.img') {
      sizeDisk(join(to, entry), statSync(source).size / GB);
      continue;
    }
    // verbatimSymlinks: links inside the guest's rootfs must not be rewritten to point at the source.
    cpSync(source, join(to, entry), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  }
}
