// Forum report 3: activating a system extension from an app that IS in /Applications fails with
// OSSystemExtensionErrorDomain code 4 ("Extension not found in App bundle"), while sysextd logs
// "no policy, cannot allow apps outside /Applications"; the extension list stays empty.
//
// Steps: install the app into /Applications, launch it, and wait for the extension to become
// [activated enabled] (approving it when asked), watching sysextd's log for a refusal so that a
// refusal fails at once. A failure carries what a Feedback report needs: sysextd's lines, both
// paths (app and embedded extension) with their `realpath`, `codesign -dv` and `spctl -a -vv` of
// both, and `systemextensionsctl list` - as evidence files and in the message.
//
// Inputs: --from (the app, installed under /Applications; sim: sample 1.0), --input
// activation-timeout-ms=... Signature: check `activation-from-applications` fails.
import { setTimeout as delay } from 'node:timers/promises';
import {
  approveExtension,
  CheckFailedError,
  defineScenario,
  describeVersion,
  findExtension,
  launchApp,
  readGuestTime,
  readSystemExtensions,
  showUnifiedLog,
  signingReport,
} from '../harness/index.ts';
import { networkExtension } from './network-extension.ts';

const SYSEXTD = 'process == "sysextd"';
// What sysextd says when it refuses (report 3), and the app's error.
const REFUSAL = /no policy|cannot allow apps outside|Extension not found in App bundle/;

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
      await launchApp(t.guest, build.appPath, { signal: t.signal });
      const deadline = performance.now() + timeoutMs;
      let approved = false;
      let last = '';
      // Quick at first (activation takes well under a second when nothing is wrong), then 0.5 s.
      let pauseMs = 10;
      for (;;) {
        const { extensions } = await readSystemExtensions(t.guest, { signal: t.signal });
        const row = findExtension(extensions, extension);
        if (row?.state === 'activated enabled') return;
        if (row?.state === 'activated waiting for user' && !approved) {
          await approveExtension(t.guest, extension.name, { signal: t.signal });
          approved = true;
        }
        last = row ? `[${row.state}]` : `not listed (${extensions.length} extension(s))`;
        const sysextd = await showUnifiedLog(t.guest, {
          predicate: SYSEXTD,
          start: since.logStart,
          signal: t.signal,
        });
        const refused = sysextd.entries.some((e) => REFUSAL.test(e.message));
        if (refused || performance.now() > deadline) {
          throw await activationFailure(
            refused ? 'sysextd refused it' : `it is ${last} after ${timeoutMs} ms`,
          );
        }
        await delay(pauseMs, undefined, { signal: t.signal });
        pauseMs = Math.min(pauseMs * 2, 500);
      }
    });

    async function activationFailure(why: string): Promise<CheckFailedError> {
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
      const message = [
        `Activation of ${describeVersion(extension)} from ${build.appPath} did not complete: ${why}.`,
        `sysextd: ${lines.join(' | ') || '(no lines)'}.`,
        `app ${build.appPath} -> realpath ${app.realPath ?? '(failed)'}; extension ${extension.path} -> realpath ${ext.realPath ?? '(failed)'}.`,
        `systemextensionsctl list: ${list.extensions.map((e) => `${describeVersion(e)} [${e.state}]`).join(', ') || list.raw.trim().split('\n')[0]}`,
      ].join(' ');
      return new CheckFailedError('activation-from-applications', message, {
        'sysextd-log.txt': `$ ${sysextd.command}\n${sysextd.raw}`,
        'systemextensionsctl-list.txt': list.raw,
        'app-signing.txt': app.text,
        'extension-signing.txt': ext.text,
      });
    }
  },
});
