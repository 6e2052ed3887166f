// Expected OS behaviour (macos-outputs.md, replacement rules): installing a build whose extension
// has the SAME CFBundleShortVersionString and CFBundleVersion does not replace the running
// extension, even when its binary differs (a "reship"). Vendors read that as "my fix did not
// deploy". This scenario pins the behaviour and states which binary runs: it compares the running
// job's program (shasum) with the extension binary of each installed build.
//
// Inputs: --from (first ship; sim: sample 1.1), --to (same versions, other binary; sim: sample
// 1.1-reship). Signature: check `same-version-kept` fails (the old extension was replaced or stopped).

import type { BundleInfo } from '../harness/index.ts';
import {
  CheckFailedError,
  checkExtensionState,
  defineScenario,
  guestSha256,
  networkExtensionJobLabel,
  printSystemJob,
  relaunchApp,
  UnreadableStateError,
} from '../harness/index.ts';
import { networkExtension } from './network-extension.ts';

function binaryPath(extension: BundleInfo): string {
  return `${extension.path}/Contents/MacOS/${extension.executable ?? extension.bundleId}`;
}

/**
 * The program the running job executes, or null when launchd has no such job ("Could not find
 * service": the first build stopped, positive evidence). A job whose program the harness cannot
 * read says nothing about which build runs: UnreadableStateError.
 */
export function runningProgram(
  job: { program?: string | null; state?: string | null; pid?: number | null } | null,
  context: { label: string; target: string; evidence: Record<string, string> },
): string | null {
  if (!job) return null;
  if (job.program) return job.program;
  throw new UnreadableStateError(
    `the program of system/${context.label}`,
    context.target,
    `launchctl print has no readable "program =" line (state ${job.state ?? 'unknown'}, pid ${job.pid ?? 'none'})`,
    context.evidence,
  );
}

/** Which build the running job executes, from the sha256 of its program (null: no job) and of both builds. */
export type RunningBuild =
  | 'no job'
  | 'the first build'
  | 'the reinstalled build'
  | 'a binary identical in both builds'
  | 'neither build';

export function runningBuild(runningSha: string | null, firstSha: string, reshipSha: string): RunningBuild {
  if (runningSha === null) return 'no job';
  if (runningSha === firstSha)
    return runningSha === reshipSha ? 'a binary identical in both builds' : 'the first build';
  return runningSha === reshipSha ? 'the reinstalled build' : 'neither build';
}

/**
 * The check `same-version-kept`: the first build (or a binary both builds share) must still run;
 * no job, the reinstalled build or neither build fails it with `statement` and launchctl's evidence.
 */
export function checkFirstBuildKept(
  which: RunningBuild,
  statement: string,
  evidence: Record<string, string>,
): void {
  if (which === 'the first build' || which === 'a binary identical in both builds') return;
  throw new CheckFailedError(
    'same-version-kept',
    `Running extension is not the first build: ${statement}`,
    evidence,
  );
}

export default defineScenario({
  id: 'same-version-no-replace',
  title: 'Installing a build with the same versions keeps the running extension (expected behaviour)',
  report:
    'replacement rules: an extension with unchanged versions is not replaced (the "my fix did not deploy" reports)',
  inputs: {
    from: {
      description: 'the first build',
      kind: 'build',
      required: true,
      simSample: 'SXL Sample 1.1.pkg',
    },
    to: {
      description: 'a build with the same versions and another binary',
      kind: 'build',
      required: true,
      simSample: 'SXL Sample 1.1-reship.pkg',
    },
  },
  checks: ['extension-activated', 'same-version-kept'],
  signature: {
    check: 'same-version-kept',
    description: 'replaced the running extension despite equal versions',
    evidence:
      "The running job's program is the reinstalled build's binary (sha256 of both builds and of the running program, kept with launchctl print), read after the reinstalled app was proven relaunched and its activation request reached sysextd.",
  },
  unit: 'reinstalls',
  async run(t) {
    const first = await t.step('install first build', () => t.installBuild('from'));
    const extension = networkExtension(first);
    await t.step('activate extension', () => t.activate(first, extension));
    const label = networkExtensionJobLabel(
      extension.bundleId,
      extension.shortVersion,
      extension.bundleVersion,
    );
    const firstSha = await readSha(binaryPath(extension), 'the first build');
    const runningBefore = await printSystemJob(t.guest, label, { signal: t.signal });
    const next = await t.step('install build with the same versions', () => t.installBuild('to'));
    const reship = networkExtension(next);
    if (reship.shortVersion !== extension.shortVersion || reship.bundleVersion !== extension.bundleVersion) {
      throw new Error(
        `--to carries ${reship.shortVersion}/${reship.bundleVersion}, --from ${extension.shortVersion}/${extension.bundleVersion}: this scenario needs equal versions (upgrade-xpc covers upgrades)`,
      );
    }
    const reshipSha = await readSha(binaryPath(reship), 'the reinstalled build');
    // The old app still runs: quit it, and require a new process whose request reached sysextd,
    // or the check below would test nothing (AppNotRelaunchedError otherwise).
    await t.step('relaunch the reinstalled app (activation request)', () =>
      relaunchApp(t.guest, next.appPath, { extensionIds: [reship.bundleId], signal: t.signal }),
    );
    await t.step('check the running extension is still the first build', async () => {
      await checkExtensionState(t.guest, extension, 'activated enabled', {
        check: 'same-version-kept',
        signal: t.signal,
      });
      const { raw, job } = await printSystemJob(t.guest, label, { signal: t.signal });
      const evidence = { [`launchctl-print-${label}.txt`]: raw };
      const program = runningProgram(job, { label, target: t.guest.target, evidence });
      const runningSha = program ? await readSha(program, `the running program of system/${label}`) : null;
      const which = runningBuild(runningSha, firstSha, reshipSha);
      const statement = `system/${label} runs ${program ?? '(no program)'} (sha256 ${runningSha ?? 'n/a'}): ${which}; first build ${firstSha}, reinstalled build ${reshipSha}`;
      t.note(statement);
      t.recordFinding('running-binary', which);
      const pidChanged =
        runningBefore.job?.pid != null && job?.pid != null && runningBefore.job.pid !== job.pid
          ? `; pid changed ${runningBefore.job.pid} -> ${job.pid}`
          : '';
      checkFirstBuildKept(which, `${statement}${pidChanged}`, evidence);
    });

    /** sha256 of a guest file; a file the harness cannot hash is an error, not a verdict. */
    async function readSha(path: string, what: string): Promise<string> {
      const sha = await guestSha256(t.guest, path, { signal: t.signal });
      if (sha !== null) return sha;
      throw new UnreadableStateError(`the sha256 of ${what}`, t.guest.target, `shasum -a 256 ${path} failed`);
    }
  },
});
