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
  defineScenario,
  launchApp,
  listNetworkServices,
  retryUntil,
  startNetworkService,
} from '../harness/index.ts';
import {
  checkFlowsAcrossSleep,
  configureProviderLogging,
  flowChecks,
  flowInputs,
  flowSignature,
} from './flows-across-sleep.ts';
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
    ...flowInputs({
      url: 'what curl fetches to make flows',
      flowPredicate:
        "log show predicate of the provider's flow lines (default: its process and handleNewFlow)",
    }),
  },
  checks: flowChecks,
  signature: flowSignature(
    "The provider's flow lines seen before the sleep, and none for the traffic sent after the wake by the deadline, kept as log slices; counted only under --sleep-strategy guest and after a full wake was proven (a DarkWake or a resumed snapshot is not report 2).",
  ),
  unit: 'sleep/wake cycles',
  async run(t, input) {
    const proxyName = input['proxy-name'];
    const flowOptions = {
      deadlineMs: input['deadline-ms'],
      url: input.url,
      ...(input['flow-predicate'] ? { predicate: input['flow-predicate'] } : {}),
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
    const logging = await configureProviderLogging(t, extension, input['log-subsystem']);
    await t.step('start the proxy', () => startNetworkService(t.guest, proxyName, { signal: t.signal }));
    await checkFlowsAcrossSleep(t, extension, { flows: flowOptions, logging });
  },
});
