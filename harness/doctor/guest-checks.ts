// The guest half of `sysext-lab doctor`: one throwaway VM of the image, booted as a run boots it,
// and every fact about it a run depends on. The VM is deleted however the checks end.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackendProfile } from '../backends/backend-profile.ts';
import type { WaitOptions } from '../backends/vm-backend.ts';
import { VmLease } from '../backends/vm-lease.ts';
import { NoFullWakeError, NoSleepError } from '../errors.ts';
import { UI_TREE_SCRIPT } from '../macos/approval/ui-script.ts';
import { bootstrapLookupTool, ensureGuestTool } from '../macos/guest-tools.ts';
import { waitForGuiSession } from '../macos/gui-session.ts';
import { sleepAndWake, sleepWakeDefaults } from '../macos/sleep-wake.ts';
import { parseSwVers } from '../parse/sw-vers.ts';
import { parseSubsystemLogMode } from '../parse/unified-log-config.ts';
import { doNotRetry, pollPaces, retryUntil } from '../retry.ts';
import { GuestSession } from '../ssh/guest-session.ts';
import { type TcpProbeResult, tcpProbe, unreachableStreak } from '../ssh/tcp-probe.ts';
import { type CheckId, check, type DoctorCheck } from './doctor-check.ts';
import {
  parseCsrutilStatus,
  parseDeveloperMode,
  parseSpctlStatus,
  parseTccRows,
  parseUserName,
} from './doctor-parsers.ts';
import { advice, LOCAL_NETWORK_GIVE_UP_MS, recogniseHostFailure } from './host-advice.ts';
import type { RawOutput, RawOutputs } from './raw-outputs.ts';

export const guestCheckDefaults = {
  /** How long the guest may take to answer SSH once it has an address. */
  sshTimeoutMs: 180_000,
  /** How long EHOSTUNREACH must persist to settle the Local Network question (as in a run). */
  unreachableGiveUpMs: LOCAL_NETWORK_GIVE_UP_MS,
  /** The subsystem whose `log config` state is read (a provider's own is set per run). */
  logSubsystem: 'com.apple.networkextension',
} as const;

const TCC_DB = '/Library/Application Support/com.apple.TCC/TCC.db';
const TCC_QUERY =
  "select service,client,auth_value from access where client like '%osascript%' or client like '%sshd-keygen%'";
const NEEDED_GRANTS = ['kTCCServiceAccessibility', 'kTCCServiceAppleEvents', 'kTCCServiceScreenCapture'];
const GRANTEES = ['/usr/bin/osascript', '/usr/libexec/sshd-keygen-wrapper'];

export interface GuestCheckContext {
  profile: BackendProfile;
  image: string;
  raw: RawOutputs;
  /** Where tart run's log and the recorded files go. */
  workDir: string;
  /** Save the UI tree and a screenshot (doctor --record). */
  captureUi: boolean;
  /** Run the guest-sleep probe. @default true */
  sleepProbe?: boolean;
  signal?: AbortSignal;
  note?: (text: string) => void;
}

export async function guestChecks(ctx: GuestCheckContext): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const { profile, signal } = ctx;
  // Not `sxl-<run-id>-<n>`: the VM belongs to no run, so it meets every slot the host leaked.
  const vm = `sxl-doctor-p${randomBytes(3).toString('hex')}`;
  await using lease = new VmLease(profile.vms, vm, {
    onTeardownProblem: (message) => ctx.note?.(message),
  });
  const startOptions = { logFile: join(ctx.workDir, 'tart-run.log') };
  let endpoint: Awaited<ReturnType<typeof profile.vms.endpoint>>;
  let cloned = false;
  try {
    ctx.note?.(`cloning ${ctx.image} as ${vm} and booting it`);
    await lease.clone(ctx.image, signal);
    cloned = true;
    await lease.start(startOptions);
    endpoint = await profile.vms.endpoint(vm, { signal });
  } catch (error) {
    const known = recogniseHostFailure(error);
    if (known?.precondition === 'host-vm-limit')
      checks.push(
        check(
          'host-vm-limit',
          'fail',
          `tart run: ${(error as Error).message}`,
          advice.vmLimit.reference,
          advice.vmLimit.fix,
        ),
      );
    else if (known?.precondition === 'host-keychain')
      checks.push(
        check(
          'host-keychain',
          'fail',
          `tart run: ${(error as Error).message}`,
          advice.keychain.reference,
          advice.keychain.fix,
        ),
      );
    else
      checks.push(
        check('host-vm-limit', 'ok', 'tart run was not refused for the VM limit', advice.vmLimit.reference),
      );
    checks.push(
      check(
        'guest-boot',
        'fail',
        `${vm} of ${ctx.image} did not boot: ${(error as Error).message}`,
        'tart-cli.md §8 (pain points)',
        known?.fix ??
          (cloned
            ? 'Read tart-run.log (doctor --record) and run `tart run` by hand on this image.'
            : `Check the image: pull it (\`tart pull ${ctx.image}\`), or build a golden image with \`make image\` first; \`tart list\` shows what this host has.`),
      ),
    );
    return checks;
  }
  checks.push(
    check('host-vm-limit', 'ok', 'tart run was admitted under the two-VM limit', advice.vmLimit.reference),
  );
  checks.push(check('guest-boot', 'ok', `${vm} booted at ${endpoint.host}`, 'tart-cli.md §1 run'));

  // Local Network: a connect from this very process; EHOSTUNREACH that persists is the privacy refusal.
  // An endpoint reached through the backend's own stream (Orchard's port-forward) has no such hop.
  const probe: TcpProbeResult = endpoint.connect
    ? { connected: true }
    : await probeLocalNetwork(endpoint.host, endpoint.port, vm, signal);
  if (!probe.connected) {
    const denied = probe.code === 'EHOSTUNREACH';
    checks.push(
      check(
        'guest-local-network',
        'fail',
        `this process cannot reach ${endpoint.host}:${endpoint.port}: ${probe.message}`,
        advice.localNetwork.reference,
        denied
          ? advice.localNetwork.fix
          : 'Check that the guest runs sshd (Remote Login) and that no host firewall blocks 192.168.64.0/24.',
      ),
    );
    return checks;
  }
  checks.push(
    check(
      'guest-local-network',
      'ok',
      endpoint.connect
        ? `this process reaches ${endpoint.host}:${endpoint.port} through the backend's stream (port-forward)`
        : `this process reaches ${endpoint.host}:${endpoint.port}`,
      advice.localNetwork.reference,
    ),
  );

  const guest = await GuestSession.connect(endpoint, {
    label: vm,
    signal,
    timeoutMs: guestCheckDefaults.sshTimeoutMs,
  });
  lease.attachGuest(guest);
  const run = async (key: string, argv: string[], options: WaitOptions = {}): Promise<RawOutput> => {
    const result = await guest.exec(argv, {
      signal,
      allowFailure: true,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
    return ctx.raw.add({
      side: 'guest',
      key,
      command: result.command,
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
    });
  };
  const read = <T>(id: CheckId, reference: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      checks.push(
        check(
          id,
          'fail',
          (error as Error).message,
          reference,
          'Send the `doctor --record` report: this output has a shape the harness does not know.',
        ),
      );
      return undefined;
    }
  };

  const guiRef = 'real-mac-review.md item 14; Cirrus images log admin in automatically (kcpassword)';
  try {
    await recorded(ctx, guest, 'gui-session', () => waitForGuiSession(guest, { signal, timeoutMs: 120_000 }));
    checks.push(
      check(
        'guest-gui-session',
        'ok',
        `${endpoint.credentials.username} owns the console and gui/<uid> exists`,
        guiRef,
      ),
    );
  } catch (error) {
    checks.push(
      check(
        'guest-gui-session',
        'fail',
        (error as Error).message,
        guiRef,
        'Use an image with auto-login for the SSH user (the Cirrus images have it).',
      ),
    );
  }

  const swVers = await run('guest-sw-vers', ['sw_vers']);
  const os = read('guest-sw-vers', 'macos-outputs.md sw_vers', () => parseSwVers(swVers.stdout));
  if (os)
    checks.push(
      check(
        'guest-sw-vers',
        'ok',
        `${os.productName} ${os.productVersion} (${os.buildVersion})`,
        'macos-outputs.md sw_vers',
      ),
    );

  const sipRef = 'Cirrus -base images: SIP off since 2025-08 (macos-image-templates #269)';
  const csrutil = await run('csrutil', ['csrutil', 'status']);
  const sip = read('guest-sip', sipRef, () => parseCsrutilStatus(csrutil.stdout));
  if (sip)
    checks.push(
      sip.sip === 'disabled'
        ? check('guest-sip', 'ok', 'SIP is disabled (the database approval and developer mode work)', sipRef)
        : check(
            'guest-sip',
            'fail',
            `SIP is ${sip.sip}: the database approval, systemextensionsctl developer/reset and db.plist edits are refused`,
            sipRef,
            'Use a Cirrus -base image (SIP off), or build the golden image from one (make image).',
          ),
    );

  const gkRef = 'real-mac-review.md item 12 (test fidelity)';
  const spctl = await run('spctl', ['spctl', '--status']);
  const gk = read('guest-gatekeeper', gkRef, () => parseSpctlStatus(`${spctl.stdout}${spctl.stderr}`));
  if (gk)
    checks.push(
      gk.gatekeeper === 'disabled'
        ? check(
            'guest-gatekeeper',
            'warn',
            'Gatekeeper assessments are disabled: notarization is not checked as on customer Macs',
            gkRef,
            'For a fidelity run use an image with `spctl --global-enable`.',
          )
        : check('guest-gatekeeper', 'ok', 'Gatekeeper assessments are enabled', gkRef),
    );

  const devRef = 'systemextensionsctl(8): developer mode changes activation and replacement rules';
  const developer = await run('developer', ['systemextensionsctl', 'developer']);
  if (developer.exitCode !== 0)
    checks.push(
      check(
        'guest-developer-mode',
        'ok',
        `not readable with SIP on: ${(developer.stderr.trim() || developer.stdout.trim()).split('\n')[0]}`,
        devRef,
      ),
    );
  else {
    const mode = read('guest-developer-mode', devRef, () => parseDeveloperMode(developer.stdout));
    if (mode)
      checks.push(
        mode.developerMode === 'off'
          ? check('guest-developer-mode', 'ok', 'developer mode is off', devRef)
          : check(
              'guest-developer-mode',
              'warn',
              'developer mode is on: same-version builds replace and apps outside /Applications activate',
              devRef,
              'Turn it off in the image (`systemextensionsctl developer off`).',
            ),
      );
  }

  const tccRef = 'macos-image-templates #329 (2026-03-12): TCC grants for osascript and sshd-keygen-wrapper';
  const tcc = await run('tcc', ['sudo', '-n', 'sqlite3', TCC_DB, TCC_QUERY]);
  if (tcc.exitCode !== 0)
    checks.push(
      check(
        'guest-tcc-grants',
        'fail',
        `cannot read TCC.db: ${tcc.stderr.trim() || tcc.stdout.trim()}`,
        tccRef,
        'Use a Cirrus -base image built since 2026-03 (`tart pull` it again: a cached :latest is never refreshed).',
      ),
    );
  else {
    const rows = read('guest-tcc-grants', tccRef, () => parseTccRows(tcc.stdout));
    if (rows) {
      const missing = GRANTEES.flatMap((client) =>
        NEEDED_GRANTS.filter(
          (service) => !rows.some((r) => r.client === client && r.service === service && r.authValue === 2),
        ).map((service) => `${service} for ${client}`),
      );
      checks.push(
        missing.length === 0
          ? check(
              'guest-tcc-grants',
              'ok',
              'osascript and sshd-keygen-wrapper hold Accessibility, AppleEvents and ScreenCapture',
              tccRef,
            )
          : check(
              'guest-tcc-grants',
              'fail',
              `missing: ${missing.join(', ')}; the ui approval cannot work`,
              tccRef,
              `Pull the image again (\`tart pull ${ctx.image}\`): a -base cached before 2026-03 lacks the grants.`,
            ),
      );
    }
  }

  const ccRef = 'harness/guest-tools: built with the Command Line Tools on first use';
  try {
    await recorded(ctx, guest, 'guest-tools', () =>
      ensureGuestTool(guest, bootstrapLookupTool, { signal, dir: '/tmp/sxl-doctor-tools' }),
    );
    checks.push(check('guest-cc', 'ok', 'cc builds the guest tools', ccRef));
  } catch (error) {
    checks.push(
      check(
        'guest-cc',
        'fail',
        (error as Error).message,
        ccRef,
        'Install the Command Line Tools in the image, or use the golden image with the tools prebuilt (make image).',
      ),
    );
  }

  const sudoRef = 'Cirrus images: /etc/sudoers.d/admin-nopasswd';
  const sudo = await run('sudo', ['sudo', '-n', 'true']);
  checks.push(
    sudo.exitCode === 0
      ? check('guest-sudo', 'ok', 'passwordless sudo works', sudoRef)
      : check(
          'guest-sudo',
          'fail',
          `sudo -n true: exit ${sudo.exitCode} ${sudo.stderr.trim()}`,
          sudoRef,
          'Give the SSH user passwordless sudo in the image.',
        ),
  );

  const agentExec = profile.doctor.agentExec;
  if (agentExec) checks.push(await agentCheck(agentExec.bind(profile.doctor), vm, ctx, signal));

  const logRef = 'approval-and-power-facts.md §7: log config persists Info/Debug';
  const logConfig = await run('log-config', [
    'sudo',
    '-n',
    'log',
    'config',
    '--status',
    '--subsystem',
    guestCheckDefaults.logSubsystem,
  ]);
  const mode = logConfig.exitCode === 0 ? parseSubsystemLogMode(logConfig.stdout) : undefined;
  checks.push(
    logConfig.exitCode === 0
      ? check(
          'guest-log-config',
          'ok',
          `log config answers${mode ? `: ${mode.words.join(' ')}` : ''} (a run sets its provider's subsystem to persist debug)`,
          logRef,
        )
      : check(
          'guest-log-config',
          'fail',
          `sudo log config --status: exit ${logConfig.exitCode} ${logConfig.stderr.trim()}`,
          logRef,
          'Give the SSH user passwordless sudo; a run must set log persistence.',
        ),
  );

  if (ctx.captureUi) await captureUi(ctx, guest, run);
  if (ctx.sleepProbe !== false)
    checks.push(await recorded(ctx, guest, 'sleep-probe', () => sleepProbe(ctx, guest, vm, startOptions)));
  await run('pmset-log', ['pmset', '-g', 'log']);
  return checks;
}

/** `tart exec VM whoami` through the guest agent: the harness does not need it, so a failure only warns. */
async function agentCheck(
  agentExec: NonNullable<BackendProfile['doctor']['agentExec']>,
  vm: string,
  ctx: GuestCheckContext,
  signal: AbortSignal | undefined,
): Promise<DoctorCheck> {
  const agentRef = 'tart exec needs tart 2.27 and the Tart Guest Agent (Cirrus -base)';
  const agent = await agentExec(vm, ['whoami'], { signal, timeoutMs: 60_000 });
  ctx.raw.add({
    side: 'guest',
    key: 'agent-whoami',
    command: `tart exec ${vm} whoami`,
    exitCode: agent.exitCode,
    stdout: agent.stdout,
    stderr: agent.stderr,
  });
  return agent.exitCode === 0 && parseUserNameOr(agent.stdout)
    ? check('guest-agent', 'ok', `tart exec answers as ${agent.stdout.trim()}`, agentRef)
    : check(
        'guest-agent',
        'warn',
        `tart exec failed: exit ${agent.exitCode} ${agent.stderr.trim()}`,
        agentRef,
        'Use an image with the Tart Guest Agent (Cirrus -base); the harness itself does not need it.',
      );
}

/**
 * TCP connects from this process to the guest's sshd until one succeeds, EHOSTUNREACH has persisted
 * for `unreachableGiveUpMs` (the Local Network refusal), or the SSH wait is over; the last answer.
 */
async function probeLocalNetwork(
  host: string,
  port: number,
  vm: string,
  signal: AbortSignal | undefined,
): Promise<TcpProbeResult> {
  let last: TcpProbeResult = {
    connected: false,
    code: 'ETIMEDOUT',
    message: `no answer from ${host}:${port}`,
  };
  const unreachableFor = unreachableStreak();
  try {
    return await retryUntil(
      async (_, attemptSignal) => {
        last = await tcpProbe(host, port, { signal: attemptSignal, timeoutMs: 5_000 });
        if (last.connected) return last;
        const unreachableMs = unreachableFor(last);
        const error = new Error(last.message);
        const refused =
          last.code === 'EHOSTUNREACH' && unreachableMs >= guestCheckDefaults.unreachableGiveUpMs;
        throw refused ? doNotRetry(error) : error;
      },
      {
        what: `a TCP connect to ${host}:${port}`,
        vm,
        timeoutMs: guestCheckDefaults.sshTimeoutMs,
        ...pollPaces.quickLook,
        signal,
      },
    );
  } catch (error) {
    if (signal?.aborted) throw error;
    return last;
  }
}

/**
 * Records, under `key`, every command `guest` runs while `work` does: the GUI-session wait, the cc
 * build and the sleep probe run their own commands, and a hardware report must hold them all.
 */
async function recorded<T>(
  ctx: GuestCheckContext,
  guest: GuestSession,
  key: string,
  work: () => Promise<T>,
): Promise<T> {
  const stop = guest.onExec((r) =>
    ctx.raw.add({
      side: 'guest',
      key,
      command: r.command,
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
    }),
  );
  try {
    return await work();
  } finally {
    stop();
  }
}

function parseUserNameOr(text: string): string | undefined {
  try {
    return parseUserName(text).user;
  } catch {
    return undefined;
  }
}

/** `entire contents` of System Settings and a `screencapture -x` PNG, for the hardware report. */
async function captureUi(
  ctx: GuestCheckContext,
  guest: GuestSession,
  run: (key: string, argv: string[]) => Promise<RawOutput>,
): Promise<void> {
  await run('open-settings', ['open', 'x-apple.systempreferences:com.apple.LoginItems-Settings.extension']);
  const tree = await run('ui-tree', ['osascript', '-e', UI_TREE_SCRIPT]);
  await writeFile(join(ctx.workDir, 'ui-tree.txt'), `${tree.stdout}${tree.stderr}`);
  const shot = await run('screencapture', ['screencapture', '-x', '/tmp/sxl-doctor.png']);
  if (shot.exitCode === 0)
    await guest
      .download('/tmp/sxl-doctor.png', join(ctx.workDir, 'screenshot.png'), { signal: ctx.signal })
      .catch((error: Error) => ctx.note?.(`screenshot download failed: ${error.message}`));
}

/** `pmset relative wake` + `sleepnow`: did SSH drop and come back, and what `pmset -g log` says. */
async function sleepProbe(
  ctx: GuestCheckContext,
  guest: GuestSession,
  vm: string,
  startOptions: { logFile: string },
): Promise<DoctorCheck> {
  const ref = 'real-mac-review.md item 4 (guest sleep on VZ is unverified)';
  const defaults = ctx.profile.runDefaults({
    image: ctx.image,
    registrationDeadlineMs: 60_000,
    sleepTimeoutMs: sleepWakeDefaults.sleepTimeoutMs,
    suspendedMs: sleepWakeDefaults.suspendedMs,
  });
  try {
    const result = await sleepAndWake(
      { guest, backend: ctx.profile.vms, vm, startOptions, signal: ctx.signal, note: ctx.note },
      {
        strategy: 'guest',
        ...(defaults.sleepWake?.sleepTimeoutMs ? { sleepTimeoutMs: defaults.sleepWake.sleepTimeoutMs } : {}),
      },
    );
    const sleep = result.evidence?.sleep;
    return check(
      'guest-sleep',
      'ok',
      `the guest slept and woke${sleep ? ` (${sleep.timestamp} ${sleep.message})` : ''}`,
      ref,
    );
  } catch (error) {
    if (error instanceof NoSleepError)
      return check(
        'guest-sleep',
        'fail',
        error.message,
        ref,
        'Guest sleep does not work on this host: run sleep scenarios with --sleep-strategy suspend (which cannot show report 2).',
      );
    if (error instanceof NoFullWakeError)
      return check(
        'guest-sleep',
        'warn',
        error.message,
        ref,
        'The guest wakes only to a DarkWake here: sleep-wake runs will end in NoFullWakeError; try --sleep-strategy suspend.',
      );
    return check(
      'guest-sleep',
      'fail',
      `the sleep probe failed: ${(error as Error).message}`,
      ref,
      'Send the `doctor --record` report.',
    );
  }
}
