// Forum report 2: a transparent proxy (NETransparentProxyProvider) stops getting flows after the Mac
// sleeps and wakes; the proxy stays "connected", but handleNewFlow is no longer called until the
// proxy is restarted.
//
// Steps: install, activate, launch the app so it saves its proxy configuration, start it, traffic
// gives flows, sleep/wake (--sleep-strategy), traffic gives flows again within the deadline.
// Only `--sleep-strategy guest` makes macOS call the provider's sleep()/wake(); `suspend` freezes
// the VM from the host and the provider never notices, so under `suspend` the check after the
// resume is named `flows-after-resume`: even a real failure there counts as "other failure", never
// as report 2. The harness proves its own steps first, each an infrastructure error when missing:
// a guest that did not sleep (NoSleepError), a wake that was only a DarkWake or a sleep during the
// check (NoFullWakeError), a snapshot that was not saved or not restored (SuspendFailedError).
//
// Inputs: --from (the app with its transparent-proxy extension; sim: sample 1.0), --input
// proxy-name=..., url=..., flow-predicate=... (vendors log differently), log-subsystem=... (whose
// Info/Debug lines `log config` persists before any traffic), deadline-ms=...
// Signature: check `flows-after-wake` fails.
import {
  checkFlowsSeen,
  defineScenario,
  launchApp,
  listNetworkServices,
  persistSubsystemLogging,
  readGuestTime,
  retryUntil,
  startNetworkService,
} from '../harness/index.ts';
import { networkExtension } from './network-extension.ts';

export default defineScenario({
  id: 'sleep-wake-flows',
  title: 'A transparent proxy still gets flows (handleNewFlow) after the guest sleeps and wakes',
  report: 'forum report 2: transparent proxy stops receiving flows after sleep/wake',
  inputs: {
    from: {
      description: 'the app with its transparent-proxy system extension',
      kind: 'build',
      required: true,
      simSample: 'SXL Sample 1.0.pkg',
    },
    'proxy-name': {
      description: 'name of the proxy configuration the app saves (scutil --nc list)',
      kind: 'text',
      required: false,
      default: 'SXL Transparent Proxy',
    },
    url: {
      description: 'what curl fetches to make flows',
      kind: 'text',
      required: false,
      default: 'https://example.com/',
    },
    'flow-predicate': {
      description: "log show predicate of the provider's flow lines (default: its process and handleNewFlow)",
      kind: 'text',
      required: false,
    },
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
  },
  checks: ['extension-activated', 'flows-before-sleep', 'flows-after-wake', 'flows-after-resume'],
  signature: {
    check: 'flows-after-wake',
    description: 'lost their flows after a wake',
    evidence:
      "The provider's flow lines seen before the sleep, and none for the traffic sent after the wake by the deadline, kept as log slices; counted only under --sleep-strategy guest and after a full wake was proven (a DarkWake or a resumed snapshot is not report 2).",
    sleepStrategies: ['guest'],
  },
  unit: 'sleep/wake cycles',
  async run(t, input) {
    const proxyName = input['proxy-name'];
    const flowOptions = {
      deadlineMs: input['deadline-ms'],
      url: input.url,
      ...(input['flow-predicate'] ? { predicate: input['flow-predicate'] } : {}),
      signal: t.signal,
    };
    const build = await t.step('install build', () => t.installBuild('from'));
    const extension = networkExtension(build);
    await t.step('activate extension', () => t.activate(build, extension));
    await t.step('launch app to save the proxy configuration', async () => {
      await launchApp(t.guest, build.appPath, { signal: t.signal });
      await retryUntil(
        async () => {
          const { raw, services } = await listNetworkServices(t.guest, { signal: t.signal });
          if (!services.some((s) => s.name === proxyName)) throw new Error(`scutil --nc list:\n${raw}`);
        },
        {
          what: `the app to save network configuration "${proxyName}"`,
          vm: t.vm,
          timeoutMs: 30_000,
          intervalMs: 10,
          backoffFactor: 2,
          maxIntervalMs: 500,
          signal: t.signal,
        },
      );
    });
    // Vendors log flows at Info/Debug, which log show sees only once persisted (real-mac-review §8).
    const logging = await t.step('configure provider logging', () =>
      persistSubsystemLogging(t.guest, input['log-subsystem'] || extension.bundleId, { signal: t.signal }),
    );
    await t.step('start the proxy', () => startNetworkService(t.guest, proxyName, { signal: t.signal }));
    const before = await readGuestTime(t.guest, { signal: t.signal });
    const seen = await t.step('check flows before sleep', () =>
      checkFlowsSeen(t.guest, extension, {
        ...flowOptions,
        since: before.logStart,
        logging,
        check: 'flows-before-sleep',
      }),
    );
    // Proven by the harness: a sleep and a full wake (guest), or a restored snapshot (suspend).
    const slept = await t.step(`sleep and wake (${t.sleepStrategy})`, () => t.sleepAndWake());
    // After a resume the provider never slept: a failure there is "other", never report 2.
    const resumed = t.sleepStrategy === 'suspend';
    await t.step(resumed ? 'check flows after resume' : 'check flows after wake', () =>
      // Held awake while it runs; a sleep or DarkWake meanwhile is NoFullWakeError, not the bug.
      slept.whileAwake(async () => {
        const after = await readGuestTime(t.guest, { signal: t.signal });
        return checkFlowsSeen(t.guest, extension, {
          ...flowOptions,
          since: after.logStart,
          seen,
          logging,
          check: resumed ? 'flows-after-resume' : 'flows-after-wake',
        });
      }),
    );
  },
});
