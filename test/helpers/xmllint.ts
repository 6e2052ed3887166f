import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The JUnit schema Jenkins' xUnit uses (test/fixtures/junit/SOURCES.md). */
export const junitSchema = fileURLToPath(new URL('../fixtures/junit/junit-10.xsd', import.meta.url));

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
