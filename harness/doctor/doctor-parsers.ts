// Pure readers of what doctor's host and guest commands print. Each throws ParseError when the
// text is not that command's output, so a recorded hardware report that changed shape fails the
// replay test (test/harness/doctor/replay.test.ts) instead of being read wrongly.
import { ParseError } from '../parse/parse-error.ts';

function parseError(kind: string, command: string, text: string, expected: string): ParseError {
  const lines = text.split('\n');
  const bad = lines.findIndex((line) => line.trim() !== '');
  return new ParseError({
    kind,
    command,
    line: bad === -1 ? lines.length : bad + 1,
    expected,
    got: bad === -1 ? null : (lines[bad] ?? null),
  });
}

/** `1.2.3` -> [1,2,3]; compares numerically, missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let k = 0; k < Math.max(pa.length, pb.length); k += 1) {
    const d = (pa[k] ?? 0) - (pb[k] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `tart --version`: `2.32.1`. */
export function parseToolVersion(text: string): { version: string } {
  const match = /^\s*(\d+\.\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) throw parseError('tart-version', 'tart --version', text, 'a version such as 2.32.1');
  return { version: match[1] as string };
}

/** `sw_vers -productVersion`: `15.5`. */
export function parseProductVersion(text: string): { version: string } {
  const match = /^\s*(\d+(?:\.\d+){0,2})\s*$/.exec(text);
  if (!match) throw parseError('product-version', 'sw_vers -productVersion', text, 'a version such as 15.5');
  return { version: match[1] as string };
}

/**
 * `security show-keychain-info login.keychain` (exit 0: `Keychain "<path>" [lock-on-sleep]
 * [no-timeout|timeout=Ns]`), or its refusal: `security: SecKeychainCopySettings <path>: <reason>`.
 */
export function parseKeychainInfo(
  output: string,
): { unlocked: true; keychain: string } | { unlocked: false; reason: string } {
  const info = /^Keychain "([^"]+)"/m.exec(output);
  if (info) return { unlocked: true, keychain: info[1] as string };
  const refusal = /^security: SecKeychainCopySettings (.*?): (.+?)\.?\s*$/m.exec(output);
  if (refusal) return { unlocked: false, reason: refusal[2] as string };
  throw parseError(
    'keychain-info',
    'security show-keychain-info',
    output,
    'Keychain "<path>" ... or security: SecKeychainCopySettings <path>: <reason>',
  );
}

/**
 * `defaults read .../com.apple.InternetSharing.default.plist bootpd`: a dictionary that may hold
 * `DHCPLeaseTimeSecs = N;`, or `The domain/default pair of (...) does not exist` (bootpd's default,
 * 86,400 s).
 */
export function parseBootpdLeaseTime(output: string): { leaseSeconds: number; configured: boolean } {
  if (/The domain\/default pair of \(.*\) does not exist/.test(output)) {
    return { leaseSeconds: 86_400, configured: false };
  }
  if (!/^\s*\{/.test(output)) {
    throw parseError('bootpd-settings', 'defaults read ... bootpd', output, 'a { ... } dictionary');
  }
  const lease = /DHCPLeaseTimeSecs\s*=\s*(\d+);/.exec(output);
  return lease
    ? { leaseSeconds: Number(lease[1]), configured: true }
    : { leaseSeconds: 86_400, configured: false };
}

/** `/var/db/dhcpd_leases`: bootpd's `{ name= ip_address= hw_address= identifier= lease=0x... }` blocks. */
export function parseDhcpdLeases(text: string): { ipAddress: string; expires: number }[] {
  const leases: { ipAddress: string; expires: number }[] = [];
  if (text.trim() === '') return leases;
  for (const block of text.split('}')) {
    if (block.trim() === '') continue;
    const ip = /\bip_address=(\S+)/.exec(block);
    const lease = /\blease=0x([0-9a-f]+)/i.exec(block);
    if (!/^\s*\{/.test(block) || !ip || !lease) {
      throw parseError(
        'dhcpd-leases',
        '/var/db/dhcpd_leases',
        block,
        'a { ... ip_address= ... lease=0x... } block',
      );
    }
    leases.push({ ipAddress: ip[1] as string, expires: Number.parseInt(lease[1] as string, 16) });
  }
  return leases;
}

/** `df -k PATH`: the header and one row; the available space in KiB (the fourth column). */
export function parseDfAvailableKb(text: string): { availableKb: number; mountedOn: string } {
  const [header, row] = text.split('\n');
  const columns = row?.trim().split(/\s+/) ?? [];
  if (!header?.startsWith('Filesystem') || columns.length < 6 || !/^\d+$/.test(columns[3] ?? '')) {
    throw parseError('df', 'df -k', text, 'the header "Filesystem 1024-blocks Used Available ..." and a row');
  }
  return { availableKb: Number(columns[3]), mountedOn: columns.at(-1) as string };
}

/** `csrutil status`: `System Integrity Protection status: enabled.` (or disabled). */
export function parseCsrutilStatus(text: string): { sip: 'enabled' | 'disabled' | 'unknown' } {
  const match = /^System Integrity Protection status: (\w+)/m.exec(text);
  if (!match)
    throw parseError('csrutil-status', 'csrutil status', text, 'System Integrity Protection status: ...');
  const word = match[1];
  return { sip: word === 'enabled' || word === 'disabled' ? word : 'unknown' };
}

/** `spctl --status`: `assessments enabled` or `assessments disabled`. */
export function parseSpctlStatus(text: string): { gatekeeper: 'enabled' | 'disabled' } {
  const match = /^assessments (enabled|disabled)\s*$/m.exec(text);
  if (!match) throw parseError('spctl-status', 'spctl --status', text, 'assessments enabled|disabled');
  return { gatekeeper: match[1] as 'enabled' | 'disabled' };
}

/** `systemextensionsctl developer` without an argument. Reconstructed wording (sim/guest). */
export function parseDeveloperMode(text: string): { developerMode: 'on' | 'off' } {
  const match = /Developer mode is (?:now )?(on|off)/.exec(text);
  if (!match)
    throw parseError('sysext-developer', 'systemextensionsctl developer', text, 'Developer mode is on|off');
  return { developerMode: match[1] as 'on' | 'off' };
}

/** sqlite3's list mode over TCC.db's access table: `service|client|auth_value` per row. */
export function parseTccRows(text: string): { service: string; client: string; authValue: number }[] {
  const rows: { service: string; client: string; authValue: number }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^(kTCCService\w+)\|([^|]+)\|(\d+)$/.exec(line.trim());
    if (!match) throw parseError('tcc-rows', 'sqlite3 TCC.db', line, 'service|client|auth_value');
    rows.push({ service: match[1] as string, client: match[2] as string, authValue: Number(match[3]) });
  }
  return rows;
}

/** A user name on one line (`stat -f%Su /dev/console`, `whoami`). */
export function parseUserName(text: string): { user: string } {
  const match = /^\s*([a-z_][a-z0-9_.-]*)\s*$/i.exec(text);
  if (!match) throw parseError('user-name', 'a user name', text, 'one user name');
  return { user: match[1] as string };
}

/** A number on one line (`id -u`). */
export function parseUid(text: string): { uid: number } {
  const match = /^\s*(\d+)\s*$/.exec(text);
  if (!match) throw parseError('uid', 'id -u', text, 'one number');
  return { uid: Number(match[1]) };
}
