// Forum report 2's symptom for the other two flow providers users asked for: a content filter
// (NEFilterDataProvider) or a DNS proxy (NEDNSProxyProvider) stays enabled after the Mac sleeps and
// wakes, gets wake(), but handleNewFlow is no longer called, so traffic goes unfiltered. Filter
// sessions do handle sleep and wake in nesessionmanager (NESMFilterSessionStateRunning's
// handleSleep/handleWakeup, macos-outputs §4.5); no forum thread in the reference names these
// providers, so the symptom is report 2's, and so are the guards. Written with the public scenario
// API only, as a user would write it for their own extension.
//
// Steps: install, activate (approval and the "filter network content" / proxy alert), launch the
// app so it enables its configuration and the provider logs its start, persist the provider's
// logging, traffic gives flows, sleep/wake (--sleep-strategy), traffic gives flows again within
// the deadline. A content filter and a DNS proxy are not `scutil --nc` services: they run whenever
// they are enabled, so the provider's own start line is the proof that the configuration is on.
// For the DNS proxy the resolver cache is flushed before each check, so that a cached name (no
// look-up, hence no flow) is never taken for the bug. Under `--sleep-strategy suspend` the check
// after the resume is `flows-after-resume`: the provider never slept, so it never counts.
//
// Inputs: --from (the app; sim: SXL Filter 1.0), --input provider=content-filter|dns-proxy,
// url=..., flow-predicate=..., start-predicate=..., log-subsystem=..., deadline-ms=...
// Signature: check `flows-after-wake` fails.
import { defineScenario, launchApp, readGuestTime, retryUntil, showUnifiedLog } from '../harness/index.ts';
import {
  checkFlowsAcrossSleep,
  configureProviderLogging,
  flowChecks,
  flowInputs,
  flowSignature,
} from './flows-across-sleep.ts';
import { networkExtension } from './network-extension.ts';

/** A string literal for a `log show` predicate: double quotes, with `\` and `"` escaped. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** What each provider logs when its session starts, and the flows it is handed (TCP or UDP). */
const PROVIDERS = {
  'content-filter': { start: 'startFilter', flow: 'handleNewFlow TCP' },
  'dns-proxy': { start: 'startProxy', flow: 'handleNewFlow UDP' },
} as const;

export default defineScenario({
  id: 'filter-sleep-wake',
  title: 'A content filter or DNS proxy still gets flows (handleNewFlow) after the guest sleeps and wakes',
  report:
    "forum report 2's symptom for NEFilterDataProvider / NEDNSProxyProvider: the provider stops seeing traffic after sleep/wake",
  inputs: {
    from: {
      description: 'the app with its content-filter and/or DNS-proxy system extension',
      kind: 'build',
      required: true,
      simSample: 'SXL Filter 1.0.pkg',
    },
    provider: {
      description: 'which provider to watch: the content filter or the DNS proxy',
      kind: 'enum',
      values: ['content-filter', 'dns-proxy'],
      default: 'content-filter',
    },
    ...flowInputs({
      url: 'what curl fetches to make flows (a host name, so that the DNS proxy sees a look-up)',
      flowPredicate:
        "log show predicate of the provider's flow lines (default: its process and handleNewFlow TCP for the filter, UDP for the DNS proxy)",
    }),
    'start-predicate': {
      description:
        "log show predicate of the provider's start line (default: its process and startFilter, or startProxy for the DNS proxy)",
      kind: 'text',
      required: false,
    },
  },
  checks: flowChecks,
  signature: flowSignature(
    "The provider's start line and its flow lines seen before the sleep, and none for the traffic sent after the wake by the deadline (the resolver cache flushed first for a DNS proxy), kept as log slices; counted only under --sleep-strategy guest and after a full wake was proven (a DarkWake or a resumed snapshot is not the bug).",
  ),
  unit: 'sleep/wake cycles',
  async run(t, input) {
    const provider = PROVIDERS[input.provider];
    const dnsProxy = input.provider === 'dns-proxy';
    const start = await readGuestTime(t.guest, { signal: t.signal });
    const build = await t.step('install build', () => t.installBuild('from'));
    const extension = networkExtension(build);
    const byProcess = `process == ${quoted(extension.executable ?? extension.bundleId)}`;
    const flowOptions = {
      deadlineMs: input['deadline-ms'],
      url: input.url,
      predicate: input['flow-predicate'] || `${byProcess} AND eventMessage CONTAINS ${quoted(provider.flow)}`,
    };
    // A cached name makes no look-up, so the DNS proxy would see nothing and the check would lie.
    const flushResolverCache = async () => {
      if (!dnsProxy) return;
      await t.guest.exec(['sudo', '-n', 'dscacheutil', '-flushcache'], { signal: t.signal });
      await t.guest.exec(['sudo', '-n', 'killall', '-HUP', 'mDNSResponder'], { signal: t.signal });
    };
    await t.step('activate extension', () => t.activate(build, extension));
    await t.step(`launch app to enable the ${input.provider}`, async () => {
      await launchApp(t.guest, build.appPath, { signal: t.signal });
      const predicate =
        input['start-predicate'] || `${byProcess} AND eventMessage CONTAINS ${quoted(provider.start)}`;
      // Not a `scutil --nc` service: the provider's own start line proves that it is enabled and runs.
      await retryUntil(
        async () => {
          const log = await showUnifiedLog(t.guest, { predicate, start: start.logStart, signal: t.signal });
          if (log.entries.length === 0) throw new Error(`$ ${log.command}\n${log.raw}`);
        },
        {
          what: `the ${input.provider} of ${build.appPath} to start (${predicate})`,
          vm: t.vm,
          timeoutMs: 30_000,
          intervalMs: 10,
          backoffFactor: 2,
          maxIntervalMs: 500,
          signal: t.signal,
        },
      );
    });
    const logging = await configureProviderLogging(t, extension, input['log-subsystem']);
    await checkFlowsAcrossSleep(t, extension, {
      flows: flowOptions,
      logging,
      beforeCheck: flushResolverCache,
    });
  },
});
