// Forum report 3: activating a system extension from an app that IS in /Applications fails with
// OSSystemExtensionErrorDomain code 4 ("Extension not found in App bundle"), while sysextd logs
// "no policy, cannot allow apps outside /Applications"; the extension list stays empty.
//
// Steps: install the app into /Applications, launch it, and wait for the extension to become
// [activated enabled] (approving it when asked), watching sysextd's log for a refusal so that a
// refusal fails at once. Only sysextd's location refusal (REFUSAL) is report 3; a launch, an
// approval or a state that did not happen is a typed error. A failure carries what a Feedback
// report needs: sysextd's lines, both paths (app and embedded extension) with their `realpath`,
// `codesign -dv` and `spctl -a -vv` of both, and `systemextensionsctl list` - as evidence files
// and in the message.
//
// Inputs: --from (the app, installed under /Applications; sim: sample 1.0), --input
// activation-timeout-ms=... Signature: check `activation-from-applications` fails.
import { join } from 'node:path';
import {
  approveExtension,
  awaitActivationOutcome,
  CheckFailedError,
  defineScenario,
  describeVersion,
  readGuestTime,
  readSystemExtensions,
  relaunchApp,
  showUnifiedLog,
  signingReport,
} from '../harness/index.ts';
import { networkExtension } from './network-extension.ts';

const SYSEXTD = 'process == "sysextd"';
// What sysextd says when it refuses (report 3), and the app's error.
const REFUSAL = /no policy|cannot allow apps outside|Extension not found in App bundle/;

/** Whether sysextd's refusal lines are report 3's location refusal (any other refusal is not). */
export function isLocationRefusal(lines: readonly string[]): boolean {
  return lines.some((line) => REFUSAL.test(line));
}

export default defineScenario({
  id: 'activation-location',
  title: 'Activating a system extension from an app in /Applications completes',
  report:
    'forum report 3: activation refused with "no policy, cannot allow apps outside /Applications" (code 4)',
  inputs: {
    from: {
      description: 'the app with its system extension, installed under /Applications',
      kind: 'build',
      required: true,
      simSample: 'SXL Sample 1.0.pkg',
    },
    'activation-timeout-ms': {
      description: 'how long the activation may take, in ms',
      kind: 'number',
      integer: true,
      min: 1,
      default: 60000,
    },
  },
  checks: ['activation-from-applications', 'extension-activated'],
  signature: {
    check: 'activation-from-applications',
    description: 'were refused activation from /Applications',
    evidence:
      'sysextd\'s own refusal text ("no policy, cannot allow apps outside /Applications" or "Extension not found in App bundle") for the app installed under /Applications, kept with both realpaths and signing reports; an activation that only stays waiting for approval is not report 3.',
  },
  unit: 'activations',
  async run(t, input) {
    const timeoutMs = input['activation-timeout-ms'];
    const build = await t.step('install build', () => t.installBuild('from'));
    const extension = networkExtension(build);
    if (!build.appPath.startsWith('/Applications/')) {
      throw new Error(
        `The app was installed at ${build.appPath}, not under /Applications: this scenario needs it there`,
      );
    }
    const since = await readGuestTime(t.guest, { signal: t.signal });
    await t.step('activate from /Applications', async () => {
      // A new app process must ask sysextd (AppNotRelaunchedError otherwise).
      await relaunchApp(t.guest, build.appPath, { extensionIds: [extension.bundleId], signal: t.signal });
      // No state and no refusal by the deadline is WaitTimeoutError: not evidence of report 3.
      const outcome = await awaitActivationOutcome(
        t.guest,
        extension,
        ['activated enabled', 'activated waiting for user'],
        { start: since.logStart, timeoutMs, signal: t.signal },
      );
      if (outcome.kind === 'refused') throw await activationFailure(outcome.lines);
      if (outcome.row.state === 'activated enabled') return;
      // An approval without effect is ApprovalAutomationError: also not report 3.
      const approval = await approveExtension(t.guest, extension, {
        since: since.logStart,
        signal: t.signal,
        settleTimeoutMs: t.registrationDeadlineMs,
        saveFile: (name, guestPath) => t.downloadArtifact(join('evidence', name), guestPath),
        strategy: t.approval,
        appPath: build.appPath,
        recordFinding: (name, value) => t.recordFinding(name, value),
      });
      if (approval.kind === 'refused') throw await activationFailure(approval.lines);
    });

    /** macOS refused it: report 3 only when sysextd's own text is the location refusal. */
    async function activationFailure(refusal: string[]): Promise<CheckFailedError> {
      const options = { signal: t.signal };
      const sysextd = await showUnifiedLog(t.guest, {
        predicate: SYSEXTD,
        start: since.logStart,
        ...options,
      });
      const list = await readSystemExtensions(t.guest, options);
      const app = await signingReport(t.guest, build.appPath, options);
      const ext = await signingReport(t.guest, extension.path, options);
      const lines = sysextd.entries.map((e) => `${e.timestamp} ${e.process}: ${e.message}`);
      const report3 = isLocationRefusal(refusal);
      const message = [
        `Activation of ${describeVersion(extension)} from ${build.appPath} did not complete: sysextd refused it: ${refusal.join(' | ')}.`,
        `sysextd: ${lines.join(' | ') || '(no lines)'}.`,
        `app ${build.appPath} -> realpath ${app.realPath ?? '(failed)'}; extension ${extension.path} -> realpath ${ext.realPath ?? '(failed)'}.`,
        `systemextensionsctl list: ${list.extensions.map((e) => `${describeVersion(e)} [${e.state}]`).join(', ') || list.raw.trim().split('\n')[0]}`,
      ].join(' ');
      // Another refusal (a bad signature, a failed validation) is a product failure, not report 3.
      return new CheckFailedError(report3 ? 'activation-from-applications' : 'extension-activated', message, {
        'sysextd-log.txt': `$ ${sysextd.command}\n${sysextd.raw}`,
        'systemextensionsctl-list.txt': list.raw,
        'app-signing.txt': app.text,
        'extension-signing.txt': ext.text,
      });
    }
  },
});
