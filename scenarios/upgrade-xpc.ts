// Forum report 1: after an app + network extension upgrade, the new extension's launchd job has no
// `endpoints` block in about one upgrade in five, so the app's XPC connection to the extension's
// NEMachServiceName is invalidated at once.
//
// Inputs: --from (the installed version) and --to (the upgrade), each a .pkg, .zip of an app, or
// .app, whose app embeds a network system extension with NEMachServiceName; optional
// --input probe-command='...' (the app's own XPC round trip, must exit 0), --input
// bootstrap-lookup=on|auto|off, and --reboot-probe: after a failure, reboot and check again, and
// record whether the reboot recovered the endpoint (report 1's posters disagree on that).
// Signature: check `xpc-endpoint-after-upgrade` fails.
import {
  CheckFailedError,
  checkExtensionState,
  checkXpcEndpointRegistered,
  defineScenario,
} from '../harness/index.ts';
import { networkExtension } from './network-extension.ts';

export default defineScenario({
  id: 'upgrade-xpc',
  title: 'XPC endpoint of a network extension is still registered after an app + extension upgrade',
  report: 'forum report 1: XPC endpoint missing after an app + extension upgrade',
  inputs: {
    from: {
      description: 'the build installed first',
      kind: 'build',
      required: true,
      simSample: 'SXL Sample 1.0.pkg',
    },
    to: {
      description: 'the upgrade, with different versions',
      kind: 'build',
      required: true,
      simSample: 'SXL Sample 1.1.pkg',
    },
    'probe-command': {
      description:
        "the app's XPC round trip as a guest command line; must exit 0 (a command the guest's shell cannot find or run is an error, ProbeNotRunError)",
      kind: 'text',
      required: false,
    },
    'bootstrap-lookup': {
      description:
        'bootstrap look-up of NEMachServiceName with our guest tool: on, auto (when cc works), off',
      kind: 'enum',
      values: ['on', 'auto', 'off'],
      default: 'on',
    },
    'reboot-probe': {
      description: 'after a failure, reboot and check again',
      kind: 'boolean',
      default: false,
    },
  },
  checks: [
    'extension-activated',
    'xpc-endpoint-before-upgrade',
    'old-extension-terminated',
    'xpc-endpoint-after-upgrade',
    'xpc-endpoint-after-reboot',
  ],
  signature: {
    check: 'xpc-endpoint-after-upgrade',
    description: 'lost the XPC endpoint',
    evidence:
      "The new extension's launchd job still has no endpoint for its NEMachServiceName, or a bootstrap look-up of it still fails, at the registration deadline (or, with a probe command, the app's own XPC round trip ran and exited non-zero or crashed once the endpoint was there), read and kept after the new app was proven relaunched (new pid, its activation request seen by sysextd) and the replacement completed (old extension terminated).",
  },
  unit: 'upgrades',
  async run(t, input) {
    const xpcOptions = {
      signal: t.signal,
      bootstrapLookup: input['bootstrap-lookup'],
      ...(input['probe-command'] ? { probeCommand: input['probe-command'] } : {}),
      note: (text: string) => t.note(text),
      // launchd registers jobs in the background: only what is still missing then counts.
      deadlineMs: t.registrationDeadlineMs,
    } as const;
    const old = await t.step('install old build', () => t.installBuild('from'));
    const oldExtension = networkExtension(old);
    await t.step('activate old extension', () => t.activate(old, oldExtension));
    await t.step('check XPC endpoint before upgrade', () =>
      checkXpcEndpointRegistered(t.guest, oldExtension, {
        ...xpcOptions,
        check: 'xpc-endpoint-before-upgrade',
      }),
    );

    const next = await t.step('install new build', () => t.installBuild('to'));
    const newExtension = networkExtension(next);
    if (newExtension.bundleId !== oldExtension.bundleId) {
      throw new Error(
        `--to embeds ${newExtension.bundleId} but --from embeds ${oldExtension.bundleId}: an upgrade replaces the same extension`,
      );
    }
    if (
      newExtension.shortVersion === oldExtension.shortVersion &&
      newExtension.bundleVersion === oldExtension.bundleVersion
    ) {
      throw new Error(
        `--from and --to carry the same versions (${newExtension.shortVersion}/${newExtension.bundleVersion}): macOS replaces only when they differ; use same-version-no-replace for that case`,
      );
    }
    await t.step('activate new extension (replacement)', () => t.activate(next, newExtension));
    const replacedAt = performance.now();
    await t.step('check old extension is terminated', () =>
      checkExtensionState(t.guest, oldExtension, 'terminated waiting to uninstall on reboot', {
        check: 'old-extension-terminated',
        signal: t.signal,
        deadlineMs: t.registrationDeadlineMs,
        // The old version is terminating for a moment (macos-outputs §2.2): a way station, not a fault.
        transitional: ['terminating for upgrade via delegate'],
        note: (text) => t.note(text),
      }),
    );
    try {
      const registration = await t.step('check XPC endpoint after upgrade', () =>
        checkXpcEndpointRegistered(t.guest, newExtension, {
          ...xpcOptions,
          check: 'xpc-endpoint-after-upgrade',
          since: replacedAt,
        }),
      );
      t.recordFinding('time-to-register-ms', String(registration.registeredAfterMs));
    } catch (error) {
      if (!(error instanceof CheckFailedError) || !input['reboot-probe']) throw error;
      // The iteration stays a failure of the target check; the probe only adds whether a reboot heals it.
      await t.step('reboot (reboot probe)', () => t.reboot());
      let recovered = true;
      let after = '';
      try {
        await t.step('check XPC endpoint after reboot', () =>
          checkXpcEndpointRegistered(t.guest, newExtension, {
            ...xpcOptions,
            check: 'xpc-endpoint-after-reboot',
          }),
        );
      } catch (probeError) {
        if (!(probeError instanceof CheckFailedError)) throw probeError;
        recovered = false;
        after = probeError.message;
      }
      t.recordFinding('reboot-probe', recovered ? 'recovered' : 'not-recovered');
      throw new CheckFailedError(
        error.check,
        `${error.message}; reboot probe: ${recovered ? 'a reboot recovered the endpoint' : `still missing after a reboot (${after})`}`,
        error.evidence,
      );
    }
  },
});
