// When and how an iteration's evidence is collected: after its outcome is known, before its VM is
// torn down. It never changes the outcome and never throws.

import type { Redactor } from '../report/redact.ts';
import type { EmitEvent, Outcome } from '../scenario/events.ts';
import type { GuestSession } from '../ssh/guest-session.ts';
import { collectEvidence } from './collect-evidence.ts';
import type { EvidenceReport } from './collector.ts';
import { defaultCollectors } from './default-collectors.ts';

export type EvidenceMode = 'on-failure' | 'always' | 'never';

export const evidenceModes: readonly EvidenceMode[] = ['on-failure', 'always', 'never'];

export interface IterationEvidenceOptions {
  mode: EvidenceMode;
  /** Why no evidence can be written now (a full artifacts disk): said once the evidence is wanted. */
  unavailable?: string;
  outcome: Outcome;
  guest: GuestSession | undefined;
  runDir: string;
  iterationDir: string;
  iteration: number;
  /** When the iteration began (host clock; the log slice starts a minute earlier for skew). */
  since: Date;
  /** The run's signal: after Ctrl-C only the quick collectors run, on a short leash of their own. */
  signal: AbortSignal;
  /** True after a second Ctrl-C: collect nothing. */
  hurry?: () => boolean;
  extensions: readonly string[];
  predicates: readonly string[];
  redactor?: Redactor;
  /** @default 900000 (15 minutes, as AWS's ec2-macos-utils waits) */
  sysdiagnoseTimeoutMs?: number;
  emit: EmitEvent;
}

/** Bound for each quick collector (logs, pmset, snapshots). */
const QUICK_COLLECTOR_MS = 120_000;
/** After Ctrl-C the quick collectors still run, but only this long in all. */
const AFTER_INTERRUPT_MS = 20_000;

export async function collectIterationEvidence(
  options: IterationEvidenceOptions,
): Promise<EvidenceReport | undefined> {
  const wanted = options.mode === 'always' || (options.mode === 'on-failure' && options.outcome !== 'pass');
  if (!wanted || !options.guest?.isConnected || options.hurry?.()) return undefined;
  // On a full disk it would only fail, after up to 15 minutes of sysdiagnose.
  if (options.unavailable) {
    options.emit({
      type: 'notice',
      message: `iteration ${options.iteration}: no evidence collected: ${options.unavailable}`,
    });
    return undefined;
  }
  const interrupted = options.signal.aborted;
  const collectors = defaultCollectors({
    sysdiagnose: interrupted ? false : { timeoutMs: options.sysdiagnoseTimeoutMs },
  });
  const signal = interrupted ? AbortSignal.timeout(AFTER_INTERRUPT_MS) : options.signal;
  const report = await collectEvidence(
    collectors,
    {
      guest: options.guest,
      iterationDir: options.iterationDir,
      iteration: options.iteration,
      since: new Date(options.since.getTime() - 60_000),
      signal,
      timeoutMs: QUICK_COLLECTOR_MS,
      predicates: options.predicates,
      extensions: options.extensions,
    },
    {
      runDir: options.runDir,
      redactor: options.redactor,
      onCollector: (name, phase, detail) => {
        if (phase === 'failed') {
          options.emit({
            type: 'notice',
            message: `evidence ${name}: ${phase}${detail ? ` (${detail})` : ''}`,
          });
        }
      },
    },
  );
  for (const file of report.files) {
    options.emit({
      type: 'artifact-saved',
      iteration: options.iteration,
      path: file.path,
      bytes: file.bytes,
    });
  }
  return report;
}
