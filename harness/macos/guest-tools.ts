// Our own small tools on the guest (harness/guest-tools/): uploaded as source and built with the
// Command Line Tools' `cc` on first use in a VM (a golden image may ship them prebuilt: then the
// `test -x` finds them and nothing is built).
import { join } from 'node:path';
import { tail, UnreadableStateError } from '../errors.ts';
import { packageRoot } from '../package-root.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export const guestToolsDir = '/Users/admin/sxl-tools';

export interface GuestTool {
  /** File name of the source under harness/guest-tools/ and of the executable on the guest. */
  name: string;
}

export const bootstrapLookupTool: GuestTool = { name: 'sxl-bootstrap-lookup' };

function sourcePath(tool: GuestTool): string {
  return join(packageRoot(), 'harness', 'guest-tools', `${tool.name}.c`);
}

/**
 * The executables each session has found or built: asked once per VM. Should one vanish, the tool's
 * run fails with output no parser takes for a result (parseBootstrapLookup), an error, not a verdict.
 */
const present = new WeakMap<GuestSession, Set<string>>();

/** Uploads and builds `tool` unless its executable is already there; returns the executable's path. */
export async function ensureGuestTool(
  guest: GuestSession,
  tool: GuestTool,
  options: { signal?: AbortSignal; dir?: string } = {},
): Promise<string> {
  const dir = options.dir ?? guestToolsDir;
  const executable = `${dir}/${tool.name}`;
  const known = present.get(guest) ?? new Set<string>();
  present.set(guest, known);
  if (known.has(executable)) return executable;
  const found = await guest.exec(['test', '-x', executable], {
    signal: options.signal,
    allowFailure: true,
  });
  if (found.exitCode === 0) {
    known.add(executable);
    return executable;
  }
  await guest.exec(['mkdir', '-p', dir], { signal: options.signal });
  const source = `${executable}.c`;
  await guest.upload(sourcePath(tool), source, { signal: options.signal });
  await guest.exec(['cc', '-O2', '-Wall', '-o', executable, source], {
    signal: options.signal,
    timeoutMs: 120_000,
  });
  known.add(executable);
  return executable;
}

export type BootstrapLookup =
  | { ok: true; service: string; port: string; raw: string }
  | { ok: false; service: string; code: number; reason: string; raw: string };

const OK = /^ok (\S+) port=(0x[0-9a-fA-F]+)$/m;
const FAILED = /^bootstrap_look_up (.+): (-?\d+) \((.*)\)$/m;

/**
 * Parses the tool's output (stdout, stderr, exit code). Only the tool's own two forms are a result:
 * anything else (sudo refusing, a crash, a tool that was not built) says nothing about the service
 * and throws UnreadableStateError, so that it can never count as a failed look-up.
 */
export function parseBootstrapLookup(
  service: string,
  stdout: string,
  stderr: string,
  exitCode: number | null,
  target = 'the guest',
): BootstrapLookup {
  const raw = `$ exit ${exitCode}\n--- stdout\n${stdout}--- stderr\n${stderr}`;
  const ok = OK.exec(stdout);
  if (exitCode === 0 && ok && ok[1] === service) return { ok: true, service, port: ok[2]!, raw };
  const failed = FAILED.exec(stderr);
  if (exitCode === 1 && failed && failed[1] === service)
    return { ok: false, service, code: Number(failed[2]), reason: failed[3]!, raw };
  throw new UnreadableStateError(
    `the bootstrap look-up of "${service}"`,
    target,
    `${bootstrapLookupTool.name} printed neither "ok ${service} port=0x..." (exit 0) nor "bootstrap_look_up ${service}: <kr> (<text>)" (exit 1); exit ${exitCode}: ${tail((stderr || stdout).trim(), 300) || '(no output)'}`,
    { 'bootstrap-lookup.txt': raw },
  );
}

/** `sudo -n <tool> <service>`: does the bootstrap namespace resolve the Mach service? */
export async function bootstrapLookup(
  guest: GuestSession,
  service: string,
  options: { signal?: AbortSignal } = {},
): Promise<BootstrapLookup> {
  const executable = await ensureGuestTool(guest, bootstrapLookupTool, options);
  const result = await guest.exec(['sudo', '-n', executable, service], {
    signal: options.signal,
    allowFailure: true,
  });
  return parseBootstrapLookup(service, result.stdout, result.stderr, result.exitCode, guest.target);
}
