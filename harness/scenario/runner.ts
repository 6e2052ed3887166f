// Runs a scenario's iterations, each on a fresh clone of the image, and classifies each outcome:
// pass, fail (a check failed: the product misbehaved), error (the harness or the infrastructure
// failed, or the run was interrupted). Everything it learns goes out as RunEvents.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { VmBackend } from '../backends/vm-backend.ts';
import { VmLease } from '../backends/vm-lease.ts';
import { CheckFailedError, InterruptedError } from '../errors.ts';
import type { ActivationOptions } from '../macos/activation.ts';
import type { InstalledBuild } from '../macos/install-build.ts';
import { parseSwVers } from '../parse/sw-vers.ts';
import { Transcript } from '../report/transcript.ts';
import { vmName } from '../run-registry.ts';
import { GuestSession } from '../ssh/guest-session.ts';
import { matchesSignature, type Scenario } from './define-scenario.ts';
import type { EmitEvent, IterationResult, Outcome } from './events.ts';
import { IterationContext } from './scenario-context.ts';

export interface RunPlan {
  scenario: Scenario;
  backend: VmBackend;
  image: string;
  /** Iterations to run. */
  repeat: number;
  runId: string;
  runDir: string;
  inputs: Readonly<Record<string, string>>;
  emit: EmitEvent;
  /** Aborted on the first Ctrl-C: the iteration in flight ends as an error, the rest do not start. */
  signal: AbortSignal;
  /** True after a second Ctrl-C: teardown skips the clean guest shutdown. */
  hurry?: () => boolean;
  keepVm?: boolean;
  activation?: ActivationOptions;
  /** How long the guest may take to answer SSH after it has an IP. @default 180000 */
  sshTimeoutMs?: number;
  /** Called once per installed build, for the manifest. */
  onBuildInstalled?: (role: string, build: InstalledBuild) => void;
}

export interface RunResult {
  results: IterationResult[];
  interrupted: boolean;
  /** The guest's sw_vers as first seen, for the manifest. */
  guestOs?: { productName: string; productVersion: string; buildVersion: string };
}

export async function runScenario(plan: RunPlan): Promise<RunResult> {
  const results: IterationResult[] = [];
  const run: RunResult = { results, interrupted: false };
  for (let iteration = 1; iteration <= plan.repeat; iteration += 1) {
    if (plan.signal.aborted) break;
    results.push(await runIteration(plan, iteration, run));
  }
  run.interrupted = plan.signal.aborted;
  return run;
}

async function runIteration(plan: RunPlan, iteration: number, run: RunResult): Promise<IterationResult> {
  const { emit, scenario, signal } = plan;
  const vm = vmName(plan.runId, iteration);
  const iterationDir = join(plan.runDir, 'iterations', String(iteration));
  await mkdir(iterationDir, { recursive: true });
  const transcript = new Transcript(join(iterationDir, 'transcript.log'));
  const stopHostTranscript = plan.backend.onCommand((record) => transcript.host(record));
  const startedAt = new Date();
  const started = performance.now();
  emit({
    type: 'iteration-started',
    scenario: scenario.id,
    image: plan.image,
    iteration,
    of: plan.repeat,
    vm,
    at: startedAt.toISOString(),
  });
  let context: IterationContext | undefined;
  let outcome: Outcome = 'pass';
  let failure: Pick<IterationResult, 'failedCheck' | 'matchesSignature' | 'message' | 'errorType'> = {};
  try {
    await using lease = new VmLease(plan.backend, vm, {
      keep: plan.keepVm,
      hurry: plan.hurry,
      onTeardownProblem: (message) => {
        transcript.note(message);
        emit({ type: 'notice', message });
      },
    });
    try {
      await lease.clone(plan.image, signal);
      await lease.start({ logFile: join(iterationDir, 'tart-run.log') });
      const endpoint = await plan.backend.endpoint(vm, { signal });
      const guest = await GuestSession.connect(endpoint, {
        label: vm,
        signal,
        timeoutMs: plan.sshTimeoutMs ?? 180_000,
      });
      lease.attachGuest(guest);
      guest.onExec((record) => transcript.guest(guest.target, record));
      emit({ type: 'vm-started', iteration, vm, host: endpoint.host, port: endpoint.port });
      const swVers = parseSwVers((await guest.exec(['sw_vers'], { signal })).stdout);
      run.guestOs ??= swVers;
      transcript.note(`guest ${swVers.productName} ${swVers.productVersion} (${swVers.buildVersion})`);
      context = new IterationContext({
        iteration,
        vm,
        guest,
        signal,
        inputs: plan.inputs,
        runDir: plan.runDir,
        iterationDir,
        emit,
        note: (text) => transcript.note(text),
        activation: plan.activation ?? {},
        stagingDir: `/Users/${endpoint.credentials.username}/sxl-stage`,
        onBuildInstalled: (role, build) => plan.onBuildInstalled?.(role, build),
      });
      await scenario.run(context);
    } catch (error) {
      ({ outcome, failure } = classify(error, scenario, signal));
      transcript.note(`${outcome}: ${failure.message}`);
    }
  } finally {
    stopHostTranscript();
  }
  const result: IterationResult = {
    scenario: scenario.id,
    image: plan.image,
    iteration,
    vm,
    outcome,
    ...failure,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    steps: context?.steps ?? [],
    artifacts: ['transcript.log', 'tart-run.log']
      .map((file) => join('iterations', String(iteration), file))
      .concat(context?.artifacts ?? []),
  };
  emit({ type: 'iteration-finished', result });
  return result;
}

function classify(
  error: unknown,
  scenario: Scenario,
  signal: AbortSignal,
): {
  outcome: Outcome;
  failure: Pick<IterationResult, 'failedCheck' | 'matchesSignature' | 'message' | 'errorType'>;
} {
  if (signal.aborted) {
    const reason = signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('abort');
    return {
      outcome: 'error',
      failure: { message: `${reason.message} during the iteration`, errorType: reason.name },
    };
  }
  if (error instanceof CheckFailedError) {
    return {
      outcome: 'fail',
      failure: {
        failedCheck: error.check,
        matchesSignature: matchesSignature(scenario.signature, error.check, error.message),
        message: error.message,
      },
    };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return { outcome: 'error', failure: { message: err.message, errorType: err.name } };
}
