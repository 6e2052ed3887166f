// Runs a scenario's iterations, each on a fresh clone of the image, and classifies each outcome:
// pass, fail (a check failed: the product misbehaved), error (the harness or the infrastructure
// failed, or the run was interrupted). Everything it learns goes out as RunEvents.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { VmBackend } from '../backends/vm-backend.ts';
import { VmLease } from '../backends/vm-lease.ts';
import { LOCAL_NETWORK_GIVE_UP_MS, recogniseHostFailure } from '../doctor/host-advice.ts';
import { CheckFailedError, HostPreconditionError, InterruptedError } from '../errors.ts';
import type { EvidenceReport } from '../evidence/collector.ts';
import { collectIterationEvidence, type EvidenceMode } from '../evidence/iteration-evidence.ts';
import type { ActivationOptions } from '../macos/activation.ts';
import { waitForGuiSession } from '../macos/gui-session.ts';
import type { InstalledBuild } from '../macos/install-build.ts';
import type { SleepWakeOptions } from '../macos/sleep-wake.ts';
import { parseSwVers } from '../parse/sw-vers.ts';
import { listFilesSorted } from '../report/list-files.ts';
import type { Redactor } from '../report/redact.ts';
import { Transcript } from '../report/transcript.ts';
import { vmName } from '../run-registry.ts';
import { GuestSession } from '../ssh/guest-session.ts';
import { plannedIterations, type Repetition, stopReason } from '../stats/repetition.ts';
import { matchesSignature, type Scenario } from './define-scenario.ts';
import type { EmitEvent, IterationResult, Outcome } from './events.ts';
import { runIterationPool } from './iteration-pool.ts';
import { OrderedEvents } from './ordered-events.ts';
import { IterationContext } from './scenario-context.ts';
import { ownsIteration, type Shard } from './shard.ts';

export interface RunPlan {
  scenario: Scenario;
  backend: VmBackend;
  /** The first image; iterations run on every image of `images` (the matrix) when given. */
  image: string;
  images?: readonly string[];
  /** Iterations to run per image, when `repetition` is not given. */
  repeat: number;
  /** Overrides `repeat`: --until-fail, --until-confident, with their cap. */
  repetition?: Repetition;
  /** How `t.sleepAndWake()` puts the guest to sleep; `suspend` starts VMs with --suspendable. */
  sleepWake?: SleepWakeOptions;
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
  /** How long checks wait for a late registration (launchd job, endpoint, state). @default 60000 */
  registrationDeadlineMs?: number;
  /** Called once per installed build, for the manifest. */
  onBuildInstalled?: (role: string, build: InstalledBuild) => void;
  /** When to collect sysdiagnose, logs and state before teardown. @default 'on-failure' */
  evidence?: EvidenceMode;
  /** @default 900000 */
  sysdiagnoseTimeoutMs?: number;
  /** Masks secrets in everything the iteration writes. */
  redactor?: Redactor;
  /** Why no more iterations (nor evidence) should start, once there is a reason: a full artifacts disk. */
  stopLaunching?: () => string | undefined;
  /** Iterations on this many VMs at once (--parallel); output stays in iteration order. @default 1 */
  parallel?: number;
  /** Run only the iterations this CI shard owns (--shard K/N). @default undefined (all) */
  shard?: Shard;
}

export interface RunResult {
  results: IterationResult[];
  interrupted: boolean;
  /** The guest's sw_vers as first seen, for the manifest. */
  guestOs?: { productName: string; productVersion: string; buildVersion: string; sip?: string };
}

export async function runScenario(plan: RunPlan): Promise<RunResult> {
  const results: IterationResult[] = [];
  const run: RunResult = { results, interrupted: false };
  const repetition: Repetition = plan.repetition ?? { mode: 'repeat', count: plan.repeat };
  const of = plannedIterations(repetition);
  const images = plan.images ?? [plan.image];
  const ordered = new OrderedEvents(plan.emit);
  let hostStopped: string | undefined;
  try {
    for (const [index, image] of images.entries()) {
      // Iteration numbers run on across the images so that VM names and iteration folders stay
      // unique; a shard keeps the unsharded run's numbers, so its dice and names are the same.
      const numbers = Array.from({ length: of }, (_, k) => index * of + k + 1).filter((n) =>
        ownsIteration(plan.shard, n),
      );
      const tally = { n: 0, failures: 0 };
      let launched = 0;
      let completed = 0;
      await runIterationPool({
        parallel: plan.parallel,
        next: () => {
          hostStopped ??= plan.stopLaunching?.();
          if (plan.signal.aborted || hostStopped !== undefined || launched >= numbers.length)
            return undefined;
          // Decided: launch no more; the iterations in flight finish and count.
          if (repetition.mode !== 'repeat' && stopReason(repetition, completed, tally) !== null)
            return undefined;
          const iteration = numbers[launched++]!;
          ordered.expect(iteration);
          return iteration;
        },
        run: async ({ iteration, attempt }) => {
          const emit = ordered.emitterFor(iteration);
          const outcome = await runIteration(
            { ...plan, emit },
            image,
            iteration,
            of * images.length,
            run,
            attempt,
          );
          if ('requeue' in outcome) return { done: false, requeue: outcome.requeue };
          const result = outcome;
          results.push(result);
          completed += 1;
          // A locked keychain, a full VM limit or a denied Local Network fails every later iteration
          // the same way: stop with the advice instead (`sysext-lab doctor` says the same).
          if (result.errorType === 'HostPreconditionError') hostStopped ??= result.message ?? '';
          if (result.outcome === 'pass') tally.n += 1;
          if (result.outcome === 'fail' && result.matchesSignature) {
            tally.n += 1;
            tally.failures += 1;
          }
          return { done: true };
        },
        settled: (iteration) => ordered.finish(iteration),
      });
      if (hostStopped !== undefined) {
        plan.emit({ type: 'notice', message: `Run stopped: ${hostStopped}` });
        break;
      }
      if (plan.signal.aborted) break;
      const reason = repetition.mode === 'repeat' ? null : stopReason(repetition, completed, tally);
      if (reason !== null) {
        plan.emit({
          type: 'repetition-stopped',
          scenario: plan.scenario.id,
          image,
          iterations: completed,
          reason,
        });
      }
    }
  } finally {
    ordered.flushAll();
  }
  // Iterations end in any order on several VMs; everything downstream reads them in order.
  results.sort((a, b) => a.iteration - b.iteration);
  run.interrupted = plan.signal.aborted;
  return run;
}

async function runIteration(
  plan: RunPlan,
  image: string,
  iteration: number,
  of: number,
  run: RunResult,
  attempt: number,
): Promise<IterationResult | { requeue: string }> {
  const { emit, scenario, signal } = plan;
  const vm = vmName(plan.runId, iteration);
  const iterationDir = join(plan.runDir, 'iterations', String(iteration));
  await mkdir(iterationDir, { recursive: true });
  const transcript = new Transcript(join(iterationDir, 'transcript.log'));
  // The backend tells every listener of every command: keep this VM's, and those of no VM (tart list).
  const mine = commandOf(plan.runId, vm);
  const stopHostTranscript = plan.backend.onCommand((record) => {
    if (mine(record.command)) transcript.host(record);
  });
  const startedAt = new Date();
  const started = performance.now();
  emit({
    type: 'iteration-started',
    scenario: scenario.id,
    image,
    iteration,
    of,
    vm,
    at: startedAt.toISOString(),
  });
  let context: IterationContext | undefined;
  let guest: GuestSession | undefined;
  let evidence: EvidenceReport | undefined;
  let outcome: Outcome = 'pass';
  let failure: Pick<IterationResult, 'failedCheck' | 'matchesSignature' | 'message' | 'errorType'> = {};
  let vmStarted = false;
  // Its backend has started it: from here the VM can be lost with its host.
  let vmRunning = false;
  let refused: string | undefined;
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
      await lease.clone(image, signal);
      const startOptions = {
        logFile: join(iterationDir, 'tart-run.log'),
        suspendable: plan.sleepWake?.strategy === 'suspend',
      };
      await lease.start(startOptions);
      vmRunning = true;
      const endpoint = await plan.backend.endpoint(vm, { signal });
      guest = await GuestSession.connect(endpoint, {
        label: vm,
        signal,
        timeoutMs: plan.sshTimeoutMs ?? 180_000,
        // Persistent EHOSTUNREACH from a guest with an address is Local Network privacy: stop with the advice.
        unreachableGiveUpMs: LOCAL_NETWORK_GIVE_UP_MS,
      });
      lease.attachGuest(guest);
      const session = guest;
      guest.onExec((record) => transcript.guest(session.target, record));
      // sshd answers before the auto-login GUI session that `open` and osascript need.
      await waitForGuiSession(guest, { signal });
      vmStarted = true;
      emit({
        type: 'vm-started',
        iteration,
        vm,
        host: endpoint.host,
        port: endpoint.port,
        at: new Date().toISOString(),
      });
      const swVers = parseSwVers((await guest.exec(['sw_vers'], { signal })).stdout);
      // SIP decides what developer mode and replacement can do: record it once per run for reports.
      run.guestOs ??= { ...swVers, sip: await readSipStatus(guest, signal) };
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
        backend: plan.backend,
        startOptions,
        sleepWake: plan.sleepWake ?? { strategy: 'guest' },
        sshTimeoutMs: plan.sshTimeoutMs ?? 180_000,
        registrationDeadlineMs: plan.registrationDeadlineMs ?? 60_000,
      });
      await scenario.run(context);
    } catch (error) {
      const recognised =
        recogniseHostFailure(error) ??
        (await lostVm(plan.backend, vm, vmRunning && !guest?.isConnected, error, signal)) ??
        error;
      ({ outcome, failure } = classify(recognised, scenario, signal));
      // The host refused to start the VM (its two-VM limit, ours or another's VM): nothing of the
      // iteration ran, so it goes back in the queue once; the second time it is the error it is.
      if (isVmLimit(recognised) && !vmStarted && attempt === 0 && !signal.aborted) refused = failure.message;
      transcript.note(refused ? `requeued: ${refused}` : `${outcome}: ${failure.message}`);
    }
    // Evidence once the outcome is known and before the VM goes; it never changes the outcome.
    evidence = refused
      ? undefined
      : await collectIterationEvidence({
          mode: plan.evidence ?? 'on-failure',
          unavailable: plan.stopLaunching?.(),
          outcome,
          guest,
          runDir: plan.runDir,
          iterationDir,
          iteration,
          since: startedAt,
          signal,
          hurry: plan.hurry,
          extensions: context?.watchedExtensions ?? [],
          predicates: scenario.logPredicates ?? [],
          redactor: plan.redactor,
          sysdiagnoseTimeoutMs: plan.sysdiagnoseTimeoutMs,
          emit,
        });
    if (evidence)
      transcript.note(`evidence: ${evidence.files.length} file(s), ${evidence.problems.length} problem(s)`);
  } finally {
    stopHostTranscript();
    await redactIterationFiles(plan.redactor, iterationDir, (message) => {
      transcript.note(message);
      emit({ type: 'notice', message });
    });
  }
  if (refused) {
    emit({ type: 'notice', message: `Iteration ${iteration} goes back in the queue once: ${refused}` });
    return { requeue: refused };
  }
  const result: IterationResult = {
    scenario: scenario.id,
    image,
    iteration,
    vm,
    outcome,
    ...failure,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    steps: context?.steps ?? [],
    artifacts: ['transcript.log', 'tart-run.log']
      .map((file) => join('iterations', String(iteration), file))
      .filter((file) => existsSync(join(plan.runDir, file)))
      .concat(context?.artifacts ?? [], evidence?.files.map((file) => file.path) ?? []),
    ...(evidence ? { evidence } : {}),
    ...(context && Object.keys(context.findings).length > 0 ? { findings: { ...context.findings } } : {}),
  };
  emit({ type: 'iteration-finished', result });
  return result;
}

/**
 * A running VM whose guest is not connected (its connection dropped, or it never came) may have
 * gone with its host (an Orchard worker lost): then the iteration ends as the backend's
 * VmLostError, whatever the step that noticed made of it.
 */
async function lostVm(
  backend: VmBackend,
  vm: string,
  runningUnreached: boolean,
  error: unknown,
  signal: AbortSignal,
): Promise<Error | undefined> {
  if (!runningUnreached || signal.aborted || !backend.lost) return undefined;
  const lost = await backend.lost(vm, { signal }).catch(() => undefined);
  if (lost) lost.cause ??= error;
  return lost;
}

/** tart's VM-limit refusal, recognised as a host precondition. */
function isVmLimit(error: unknown): boolean {
  return error instanceof HostPreconditionError && error.precondition === 'host-vm-limit';
}

/** Whether a host command belongs in `vm`'s transcript: it names that VM, or no VM of the run. */
function commandOf(runId: string, vm: string): (command: string) => boolean {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const named = new RegExp(`(^|[\\s"'/])${literal(vm)}($|[\\s"'/])`);
  const anyOfRun = new RegExp(`sxl-${literal(runId)}-\\d+`);
  return (command) => named.test(command) || !anyOfRun.test(command);
}

/** The transcript, the tart log and the snapshots carry guest output: mask secrets in them too. */
async function redactIterationFiles(
  redactor: Redactor | undefined,
  iterationDir: string,
  report: (message: string) => void,
): Promise<void> {
  if (!redactor?.active) return;
  for (const file of listFilesSorted(iterationDir)) {
    // Evidence files were redacted as they were collected.
    if (file.includes(`${sep}evidence${sep}`)) continue;
    // A file that cannot be redacted is removed by redactFile: say which and why.
    await redactor.redactFile(file).catch((error: unknown) => {
      report(error instanceof Error ? error.message : `Redaction failed for ${file}: ${String(error)}`);
    });
  }
}

/** `enabled` or `disabled` from `csrutil status`, or undefined when the guest does not say. */
async function readSipStatus(guest: GuestSession, signal: AbortSignal): Promise<string | undefined> {
  const result = await guest.exec(['csrutil', 'status'], { signal, allowFailure: true });
  return /System Integrity Protection status: (\w+)\./.exec(result.stdout)?.[1];
}

/**
 * The outcome of an iteration that threw `error`: `fail` only for a CheckFailedError (the product
 * misbehaved, on evidence the check kept) while the run was not aborted; every other error, and
 * anything thrown after an abort, is `error` with its class name as `errorType`.
 */
export function classify(
  error: unknown,
  scenario: Scenario,
  signal: AbortSignal,
): {
  outcome: Outcome;
  failure: Pick<IterationResult, 'failedCheck' | 'matchesSignature' | 'message' | 'errorType'>;
} {
  if (signal.aborted) {
    // Ctrl-C, or the CLI aborting the run after an unexpected crash elsewhere in the process.
    const reason = signal.reason instanceof Error ? signal.reason : new InterruptedError('abort');
    const message =
      reason instanceof InterruptedError
        ? `${reason.message} during the iteration`
        : `Run aborted: ${reason.message}`;
    return { outcome: 'error', failure: { message, errorType: reason.name } };
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
