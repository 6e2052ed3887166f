// The collectors a failing iteration gets by default, cheapest first, so that a sysdiagnose that
// hangs or is cut by Ctrl-C still leaves the logs and the state behind.
import type { EvidenceCollector } from './collector.ts';
import { installLogCollector } from './install-log.ts';
import { pmsetLogCollector } from './pmset-log.ts';
import { stateSnapshotsCollector } from './state-snapshots.ts';
import { type SysdiagnoseOptions, sysdiagnoseCollector } from './sysdiagnose.ts';
import { unifiedLogCollector } from './unified-log.ts';

export interface DefaultCollectorOptions {
  /** @default true */
  sysdiagnose?: boolean | SysdiagnoseOptions;
}

export function defaultCollectors(options: DefaultCollectorOptions = {}): EvidenceCollector[] {
  const collectors = [
    stateSnapshotsCollector(),
    unifiedLogCollector(),
    pmsetLogCollector(),
    installLogCollector(),
  ];
  const sysdiagnose = options.sysdiagnose ?? true;
  if (sysdiagnose !== false) collectors.push(sysdiagnoseCollector(sysdiagnose === true ? {} : sysdiagnose));
  return collectors;
}
