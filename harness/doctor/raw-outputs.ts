// Every raw output doctor gathered, keyed by what it is, so that `doctor --record DIR` can write
// them as a hardware report and the replay test can read them back with the same parsers.
import { parseTartList } from '../backends/tart/tart-backend.ts';
import { parsePmsetLog } from '../parse/pmset-log.ts';
import { parseSwVers } from '../parse/sw-vers.ts';
import { parseSubsystemLogMode } from '../parse/unified-log-config.ts';
import {
  parseBootpdLeaseTime,
  parseCsrutilStatus,
  parseDeveloperMode,
  parseDfAvailableKb,
  parseDhcpdLeases,
  parseKeychainInfo,
  parseProductVersion,
  parseSpctlStatus,
  parseTccRows,
  parseToolVersion,
  parseUid,
  parseUserName,
} from './doctor-parsers.ts';

export interface RawOutput {
  side: 'host' | 'guest';
  /** What the output is, e.g. `keychain`; names its parser in `rawOutputParsers`. */
  key: string;
  /** The command as a user would type it. */
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** The parser of each key, over what the command printed (stdout, or both streams where it reports on stderr). */
export const rawOutputParsers: Readonly<Record<string, (output: RawOutput) => unknown>> = {
  'host-macos-version': (o) => parseProductVersion(o.stdout),
  'tart-version': (o) => parseToolVersion(o.stdout),
  'host-uid': (o) => parseUid(o.stdout),
  'host-console-user': (o) => parseUserName(o.stdout),
  keychain: (o) => parseKeychainInfo(`${o.stdout}${o.stderr}`),
  'host-df': (o) => parseDfAvailableKb(o.stdout),
  bootpd: (o) => parseBootpdLeaseTime(`${o.stdout}${o.stderr}`),
  'dhcpd-leases': (o) => (o.exitCode === 0 ? parseDhcpdLeases(o.stdout) : []),
  'tart-list': (o) => parseTartList(o.stdout),
  'guest-sw-vers': (o) => parseSwVers(o.stdout),
  csrutil: (o) => parseCsrutilStatus(o.stdout),
  spctl: (o) => parseSpctlStatus(`${o.stdout}${o.stderr}`),
  developer: (o) => parseDeveloperMode(`${o.stdout}${o.stderr}`),
  tcc: (o) => parseTccRows(o.stdout),
  'agent-whoami': (o) => parseUserName(o.stdout),
  'pmset-log': (o) => parsePmsetLog(o.stdout),
  'log-config': (o) => parseSubsystemLogMode(o.stdout) ?? null,
};

export class RawOutputs {
  readonly entries: RawOutput[] = [];

  add(output: RawOutput): RawOutput {
    this.entries.push(output);
    return output;
  }
}
