import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The JUnit schema Jenkins' xUnit uses, from the project's shared references (a sibling of the repo). */
export const junitSchema = join(repo, '..', 'shared', 'reference', 'junit-10.xsd');

/** Validates with xmllint; returns null when valid, else xmllint's complaint. */
export function validateJUnit(path: string): string | null {
  try {
    execFileSync('xmllint', ['--noout', '--schema', junitSchema, path], { stdio: 'pipe' });
    return null;
  } catch (error) {
    const e = error as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new Error('xmllint is missing: run `make tools` (Debian package libxml2-utils)');
    return e.stderr?.toString() ?? String(error);
  }
}
