// What the flow-provider sleep/wake scenarios share (forum report 2 and its filter/DNS-proxy kin):
// the inputs that tune the flow check, the signature, and the steps from the provider running to
// the verdict: flows before the sleep, a sleep and wake the harness proves, flows after it.
import {
  type BundleInfo,
  checkFlowsSeen,
  type FailureSignature,
  persistSubsystemLogging,
  readGuestTime,
  type ScenarioContext,
} from '../harness/index.ts';

/** `url` and `flow-predicate` (worded per provider), `log-subsystem` and `deadline-ms`. */
export function flowInputs(describe: { url: string; flowPredicate: string }) {
  return {
    url: { description: describe.url, kind: 'text', required: false, default: 'https://example.com/' },
    'flow-predicate': { description: describe.flowPredicate, kind: 'text', required: false },
    'log-subsystem': {
      description:
        "the provider's log subsystem whose Info/Debug lines log config persists (default: the extension's bundle id)",
      kind: 'text',
      required: false,
    },
    'deadline-ms': {
      description: 'how long traffic may take to show flows after the wake, in ms',
      kind: 'number',
      integer: true,
      min: 1,
      default: 30000,
    },
  } as const;
}

/** The checks, in order: after a resume (suspend) the last one is `flows-after-resume`. */
export const flowChecks = [
  'extension-activated',
  'flows-before-sleep',
  'flows-after-wake',
  'flows-after-resume',
];

/** `flows-after-wake` fails, under --sleep-strategy guest only; `evidence` says what is kept. */
export function flowSignature(evidence: string): FailureSignature {
  return {
    check: 'flows-after-wake',
    description: 'lost their flows after a wake',
    evidence,
    sleepStrategies: ['guest'],
  };
}

/** Vendors log flows at Info/Debug, which log show sees only once persisted (real-mac-review §8). */
export function configureProviderLogging(t: ScenarioContext, extension: BundleInfo, subsystem?: string) {
  return t.step('configure provider logging', () =>
    persistSubsystemLogging(t.guest, subsystem || extension.bundleId, { signal: t.signal }),
  );
}

export interface FlowsAcrossSleepOptions {
  /** What the flow checks take besides the times: deadline, url, predicate. */
  flows: { deadlineMs: number; url: string; predicate?: string };
  logging: Awaited<ReturnType<typeof persistSubsystemLogging>>;
  /** Run before each flow check (a DNS proxy's resolver cache is flushed). */
  beforeCheck?: () => Promise<void>;
}

/** Flows before the sleep, a proven sleep and wake (or suspend and resume), flows after it. */
export async function checkFlowsAcrossSleep(
  t: ScenarioContext,
  extension: BundleInfo,
  options: FlowsAcrossSleepOptions,
): Promise<void> {
  const { logging } = options;
  const flows = { ...options.flows, signal: t.signal };
  const before = await readGuestTime(t.guest, { signal: t.signal });
  const seen = await t.step('check flows before sleep', async () => {
    await options.beforeCheck?.();
    return checkFlowsSeen(t.guest, extension, {
      ...flows,
      since: before.logStart,
      logging,
      check: 'flows-before-sleep',
    });
  });
  // Proven by the harness: a sleep and a full wake (guest), or a restored snapshot (suspend).
  const slept = await t.step(`sleep and wake (${t.sleepStrategy})`, () => t.sleepAndWake());
  // After a resume the provider never slept: a failure there is "other", never the bug.
  const resumed = t.sleepStrategy === 'suspend';
  await t.step(resumed ? 'check flows after resume' : 'check flows after wake', () =>
    // Held awake while it runs; a sleep or DarkWake meanwhile is NoFullWakeError, not the bug.
    slept.whileAwake(async () => {
      const after = await readGuestTime(t.guest, { signal: t.signal });
      await options.beforeCheck?.();
      return checkFlowsSeen(t.guest, extension, {
        ...flows,
        since: after.logStart,
        seen,
        logging,
        check: resumed ? 'flows-after-resume' : 'flows-after-wake',
      });
    }),
  );
}
