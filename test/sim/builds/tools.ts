// Real archive tools for cross-checks. They are optional: a test that needs one is declared as
// skipped, with the reason in its title, when the tool is not installed (Debian: libarchive-tools,
// cpio, unzip).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';

const known = new Map<string, boolean>();

export function hasTool(name: string): boolean {
  let found = known.get(name);
  if (found === undefined) {
    found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { timeout: 5000 }).status === 0;
    known.set(name, found);
  }
  return found;
}

export interface ToolResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a tool with a timeout; `input` goes to its stdin. */
export function runTool(
  command: string,
  args: string[],
  options: { cwd?: string; input?: Buffer } = {},
): ToolResult {
  const result = spawnSync(command, args, { cwd: options.cwd, input: options.input, timeout: 20_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
}

/** A temporary folder removed when the test ends. */
export async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sxl-builds-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `test` when every tool is installed, else `test.skip`: call it with `crossTitle(...)`. */
export function testWithTools(...tools: string[]) {
  return tools.every(hasTool) ? test : test.skip;
}

/** A cross-check's title, saying which tool is missing when it is skipped. */
export function crossTitle(title: string, ...tools: string[]): string {
  const missing = tools.filter((tool) => !hasTool(tool));
  return missing.length === 0 ? title : `${title} (skipped: ${missing.join(', ')} not installed)`;
}
