// The example scenario `sysext-lab init` writes: upgrade-xpc, adapted to live in a user's project and
// import only the public scenario API ('sysext-lab'). Kept as text so the package needs no template files.

/** The source of scenarios/<id>.ts. */
export function exampleScenarioSource(id: string): string {
  return `// An example scenario, adapted from sysext-lab's built-in upgrade-xpc (forum report 1): after an app +
// network extension upgrade, is the new extension's XPC endpoint (its NEMachServiceName) registered?
// Copy it for your own bug: declare the inputs, run steps, and fail a check only on positive evidence.
//
// Run it:  npx sysext-lab run ./scenarios/${id}.ts            (on the simulated Mac)
//          npx sysext-lab run ./scenarios/${id}.ts --backend tart \\
//            --from builds/MyApp-1.0.pkg --to builds/MyApp-1.1.pkg          (on a Mac with tart)
import {
  checkExtensionState,
  checkXpcEndpointRegistered,
  defineScenario,
} from 'sysext-lab';

export default defineScenario({
  id: '${id}',
  title: 'XPC endpoint of our network extension is still registered after an upgrade',
  report: 'forum report 1: XPC endpoint missing after an app + extension upgrade',
  inputs: {
    from: {
      description: 'the build installed first',
      kind: 'build',
      required: true,
      // On the sim, the sample builds that ship with sysext-lab stand in for yours.
      simSample: 'SXL Sample 1.0.pkg',
    },
    to: {
      description: 'the upgrade, with different versions',
      kind: 'build',
      required: true,
      simSample: 'SXL Sample 1.1.pkg',
    },
    'probe-command': {
      description: "the app's XPC round trip as a guest command line; must exit 0",
      kind: 'text',
      required: false,
    },
    'bootstrap-lookup': {
      description: 'bootstrap look-up of NEMachServiceName with a guest tool: on, auto (when cc works), off',
      kind: 'enum',
      values: ['on', 'auto', 'off'],
      default: 'on',
    },
  },
  // Every check run() can fail (\`t.activate\` fails extension-activated); the signature names one of them.
  checks: [
    'extension-activated',
    'xpc-endpoint-before-upgrade',
    'old-extension-terminated',
    'xpc-endpoint-after-upgrade',
  ],
  // The rate counts only iterations whose failed check is this one, and only on positive evidence.
  signature: {
    check: 'xpc-endpoint-after-upgrade',
    description: 'lost the XPC endpoint',
    evidence:
      "The new extension's launchd job has no endpoint for its NEMachServiceName at the registration deadline, read after the new app was relaunched and the old extension terminated.",
  },
  unit: 'upgrades',
  async run(t, input) {
    const xpc = {
      signal: t.signal,
      bootstrapLookup: input['bootstrap-lookup'],
      ...(input['probe-command'] ? { probeCommand: input['probe-command'] } : {}),
      note: (text: string) => t.note(text),
      // launchd registers jobs in the background: only what is still missing at the deadline counts.
      deadlineMs: t.registrationDeadlineMs,
    } as const;

    const old = await t.step('install old build', () => t.installBuild('from'));
    const oldExtension = old.extensions.find((e) => e.machServiceName);
    if (!oldExtension) throw new Error(\`\${old.appPath} embeds no extension with NEMachServiceName\`);
    await t.step('activate old extension', () => t.activate(old, oldExtension));
    await t.step('check XPC endpoint before upgrade', () =>
      checkXpcEndpointRegistered(t.guest, oldExtension, { ...xpc, check: 'xpc-endpoint-before-upgrade' }),
    );

    const next = await t.step('install new build', () => t.installBuild('to'));
    const newExtension = next.extensions.find((e) => e.bundleId === oldExtension.bundleId);
    if (!newExtension) throw new Error(\`\${next.appPath} does not embed \${oldExtension.bundleId}\`);
    await t.step('activate new extension (replacement)', () => t.activate(next, newExtension));
    const replacedAt = performance.now();
    await t.step('check old extension is terminated', () =>
      checkExtensionState(t.guest, oldExtension, 'terminated waiting to uninstall on reboot', {
        check: 'old-extension-terminated',
        signal: t.signal,
        deadlineMs: t.registrationDeadlineMs,
        transitional: ['terminating for upgrade via delegate'],
        note: (text) => t.note(text),
      }),
    );
    const registration = await t.step('check XPC endpoint after upgrade', () =>
      checkXpcEndpointRegistered(t.guest, newExtension, {
        ...xpc,
        check: 'xpc-endpoint-after-upgrade',
        since: replacedAt,
      }),
    );
    t.recordFinding('time-to-register-ms', String(registration.registeredAfterMs));
  },
});
`;
}
