// tart run <name>: blocks in the foreground while the VM runs. "Running" is this process holding
// the VM's run lock; the guest (sim/guest) boots in-process on the VM's loopback address.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningGuest } from '../../guest/boot.ts';
import { readSimSettings, type SimSettings } from '../../quirks.ts';
import { flag, optionValues, type ParsedArgs } from '../args.ts';
import { type TartCommand, VM_NAME_HELP } from '../command.ts';
import { ControlSocket } from '../control-socket.ts';
import { TartGenericError, TartRuntimeError, TartValidationError, vmAlreadyRunning } from '../errors.ts';
import { hostHasFault, KEYCHAIN_LOCKED_RUN_ERROR } from '../host-faults.ts';
import { leakedSlots, recordLeakedSlot, rollHostQuirk } from '../host-quirks.ts';
import type { TartIo } from '../io.ts';
import { findLease, recordLease } from '../leases.ts';
import {
  ADMITTED_FILE,
  acquireWithin,
  livePid,
  NO_IP_FILE,
  PidFileLock,
  runLockPath,
  runningPid,
  unlinkQuietly,
} from '../run-lock.ts';
import {
  isSuspended,
  localVmExists,
  localVmNames,
  markAccessed,
  SUSPEND_STATE_FILE,
  simHostDir,
  vmDir,
} from '../storage.ts';
import type { TartProcess } from '../tart-process.ts';
import { randomMac, readVmConfig, writeVmConfig } from '../vm-config.ts';
import { candidateAddresses } from '../vmnet.ts';

/** Apple's limit on concurrently running macOS VMs per host (macOS SLA, enforced by VZ). */
export const MACOS_VM_LIMIT = 2;
const HOST_MUTEX_TIMEOUT_MS = 10_000;

/**
 * VZ's generic start failure as Virtualization.framework words it (quirk boot-fail). Reconstructed:
 * tart-cli.md elides the UserInfo; this one is the form public VZ start-failure reports show.
 */
export const VZ_START_FAILED =
  'Error Domain=VZErrorDomain Code=1 "The virtual machine failed to start." UserInfo={NSLocalizedFailure=Internal Virtualization error., NSLocalizedFailureReason=The virtual machine failed to start.}';

const flagOption = (long: string, help: string) => ({ long, help });

function validateFlags(args: ParsedArgs): void {
  const softnet =
    flag(args, 'net-softnet') ||
    ['net-softnet-allow', 'net-softnet-block', 'net-softnet-expose'].some(
      (o) => optionValues(args, o).length > 0,
    );
  const networks = [optionValues(args, 'net-bridged').length > 0, softnet, flag(args, 'net-host')];
  if (networks.filter(Boolean).length > 1) {
    throw new TartValidationError('--net-bridged, --net-softnet and --net-host are mutually exclusive');
  }
  if (flag(args, 'vnc') && flag(args, 'vnc-experimental')) {
    throw new TartValidationError('--vnc and --vnc-experimental are mutually exclusive');
  }
}

/** Admits this VM past Virtualization.framework's limit, or throws tart's limit error. */
async function admit(name: string, dir: string, pid: number): Promise<void> {
  mkdirSync(simHostDir(), { recursive: true });
  // One host-wide mutex, so two runs starting at once cannot both take the last slot.
  const mutex = await acquireWithin(join(simHostDir(), 'vz-start.lock'), HOST_MUTEX_TIMEOUT_MS);
  try {
    const others = localVmNames().filter((other) => other !== name);
    const admitted = others.filter((other) => livePid(join(vmDir(other), ADMITTED_FILE)) !== undefined);
    // Slots leaked by earlier power-offs (quirk vm-limit-leak, tart #1217) count until the host reboots.
    // A harness VM counts the leaks of its own run only (the quirk belongs to the run that rolled it).
    if (admitted.length + leakedSlots(process.env, name) >= MACOS_VM_LIMIT) {
      const locked = others.filter((other) => runningPid(vmDir(other)) !== undefined);
      const suffix = locked.length > 0 ? ` (other running VMs: ${locked.join(', ')})` : '';
      throw new TartRuntimeError(`The number of VMs exceeds the system limit${suffix}`);
    }
    writeFileSync(join(dir, ADMITTED_FILE), `${pid}\n`);
  } finally {
    mutex.release();
  }
}

/** Every simulated guest listens for SSH on this port of its own loopback address. */
function guestSshPort(): number {
  return Number(process.env.SXL_SIM_SSH_PORT ?? 2222);
}

/** The exec socket; a VM whose socket cannot be made (path too long) still runs, without exec. */
async function openControlSocket(dir: string, host: string): Promise<ControlSocket | undefined> {
  try {
    return await ControlSocket.open(dir, host, guestSshPort());
  } catch {
    return undefined;
  }
}

/** A second running VM with our MAC makes tart pick a new one before it starts. */
function ensureUniqueMac(name: string, dir: string, io: TartIo): string {
  const config = readVmConfig(dir);
  const clash = localVmNames().some(
    (other) =>
      other !== name &&
      runningPid(vmDir(other)) !== undefined &&
      readVmConfig(vmDir(other)).macAddress === config.macAddress,
  );
  if (clash) {
    io.out('There is already a running VM with the same MAC address!');
    io.out('Resetting VM to assign a new MAC address...');
    config.macAddress = randomMac();
    writeVmConfig(dir, config);
  }
  return config.macAddress;
}

class RunSession {
  private guest: RunningGuest | undefined;
  private finished = false;
  private resolveExit!: (code: number) => void;
  readonly exit = new Promise<number>((resolve) => {
    this.resolveExit = resolve;
  });
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly name: string,
    private readonly dir: string,
    private readonly io: TartIo,
    private readonly suspendable: boolean,
    private readonly settings: SimSettings,
    proc: TartProcess,
  ) {
    this.unsubscribe = [
      proc.onSignal('SIGINT', () => void this.onInterrupt()),
      proc.onSignal('SIGUSR1', () => void this.onSuspend()),
      proc.onSignal('SIGUSR2', () => this.io.out('Requesting guest OS to stop...')),
      // The process was killed: its VM dies with it, as a VZ machine dies with real tart.
      proc.onGone(() => void this.onKilled()),
    ];
  }

  private finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.resolveExit(code);
  }

  private async powerOff(): Promise<void> {
    await this.guest?.powerOff();
  }

  private async onInterrupt(): Promise<void> {
    if (this.finished) return;
    this.io.out('Stopping VM...');
    await this.powerOff();
    this.finish(0);
  }

  private async onKilled(): Promise<void> {
    if (this.finished) return;
    await this.powerOff();
    this.finish(137);
  }

  private async onSuspend(): Promise<void> {
    if (this.finished) return;
    // VZ refuses to save a configuration it cannot snapshot (tart #803): Run.swift prints the
    // failure on stdout and exits 1, before pausing; the VM dies with the process, no state file is
    // left, and the next `tart run` boots afresh. Quirk suspend-save-fails is that failure on a
    // --suspendable VM (since tart 1cbc1e2 such VMs keep console devices whose save may fail).
    if (!this.suspendable || (await rollHostQuirk(this.settings, this.name, 'suspend-save-fails'))) {
      this.io.out(
        'Failed to suspend the VM: Invalid virtual machine configuration. Unsupported console device in configuration.',
      );
      await this.powerOff();
      this.finish(1);
      return;
    }
    this.io.out('pausing VM to take a snapshot...');
    this.io.out('creating a snapshot...');
    // The guest keeps its state on disk all the time; the snapshot file marks "suspended".
    const snapshot = {
      format: 1,
      vm: this.name,
      macAddress: readVmConfig(this.dir).macAddress,
      savedAt: new Date(),
    };
    writeFileSync(join(this.dir, SUSPEND_STATE_FILE), `${JSON.stringify(snapshot)}\n`);
    this.io.out('snapshot created successfully! shutting down the VM...');
    await this.guest?.suspend();
    this.finish(0);
  }

  onGuestPowerOff(): void {
    if (this.finished) return;
    this.io.out('guest has stopped the virtual machine');
    this.finish(0);
  }

  /**
   * Boots the guest at the address its MAC holds a lease for, as bootpd hands a known client its
   * address again (a resumed or restarted VM keeps its IP), else at the first free one of its
   * candidates. bootpd binds a lease to the MAC for 86,400 s (tart's docs/faq.md, "Changing the
   * default DHCP lease time"; real-mac-review.md item 15); that it gives the same address back to
   * a MAC whose lease still runs is Reconstructed from that binding. Another simulated host on this machine may hold the leased address: then the guest
   * comes up elsewhere and records that lease, as a renumbered guest would.
   */
  async boot(mac: string, settings: SimSettings, resume: boolean): Promise<string> {
    const { bootGuest } = await import('../../guest/boot.ts');
    const port = guestSshPort();
    const leased = findLease(mac)?.ipAddress;
    const addresses = [...new Set([...(leased ? [leased] : []), ...candidateAddresses(mac)])];
    let lastError: unknown;
    for (const host of addresses) {
      try {
        const guest = await bootGuest({
          vmDir: this.dir,
          vmName: this.name,
          host,
          port,
          settings,
          // A restored snapshot comes back as it was: no boot sequence, the clock behind.
          resume,
          // As Run.swift: once restored, the state file goes and "resuming VM..." is printed, all
          // before the VM runs again (so before its SSH answers).
          onRestored: () => {
            this.io.out('resuming VM...');
            unlinkQuietly(join(this.dir, SUSPEND_STATE_FILE));
          },
          onPowerOff: () => this.onGuestPowerOff(),
          // Into this run's stderr (the harness keeps it as tart-run.log), wherever the guest runs.
          report: (line) => this.io.err(line),
        });
        this.guest = guest;
        // Stopped while it was booting: the guest came up after all, power it off again.
        if (this.finished) await guest.powerOff();
        return host;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
        lastError = error;
      }
    }
    // Reconstructed: VZ's generic start failure, with the sim's cause appended as evidence.
    throw new TartRuntimeError(
      `Error Domain=VZErrorDomain Code=1 "The virtual machine failed to start." (sim: no free address for ${mac}: ${String(lastError)})`,
    );
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }
}

export const run: TartCommand = {
  spec: {
    name: 'run',
    abstract: 'Run a VM',
    positionals: [{ name: 'name', help: VM_NAME_HELP }],
    options: [
      flagOption('no-graphics', "Don't open a UI window."),
      flagOption('serial', 'Open serial console in /dev/ttySXX'),
      { long: 'serial-path', value: 'serial-path', help: 'Attach an externally created serial console' },
      flagOption('no-audio', 'Disable audio pass-through to host.'),
      flagOption('no-clipboard', 'Disable clipboard sharing between host and guest.'),
      flagOption('recovery', 'Boot into recovery mode'),
      flagOption('vnc', 'Use screen sharing instead of the built-in UI.'),
      flagOption('vnc-experimental', "Use Virtualization.Framework's VNC server instead of the built-in UI."),
      { long: 'disk', value: 'disk', repeatable: true, help: 'Additional disk attachments' },
      { long: 'rosetta', value: 'tag', help: 'Attaches a Rosetta share to the guest Linux VM' },
      { long: 'dir', value: 'dir', repeatable: true, help: 'Additional directory shares' },
      flagOption('nested', 'Enable nested virtualization if possible'),
      { long: 'net-bridged', value: 'interface', repeatable: true, help: 'Use bridged networking' },
      flagOption('net-softnet', 'Use software networking'),
      { long: 'net-softnet-allow', value: 'comma-separated CIDRs', help: 'Allow these CIDRs with softnet' },
      { long: 'net-softnet-block', value: 'comma-separated CIDRs', help: 'Block these CIDRs with softnet' },
      { long: 'net-softnet-expose', value: 'comma-separated port specifications', help: 'Expose ports' },
      flagOption('net-host', 'Restrict network access to the host-only network'),
      { long: 'root-disk-opts', value: 'root-disk-opts', help: 'Set the root disk options' },
      flagOption(
        'suspendable',
        'Disables audio and entropy devices and switches to only Mac-specific input devices.',
      ),
      flagOption('capture-system-keys', 'Whether system hot keys should be sent to the guest'),
      flagOption('no-trackpad', "Don't add a trackpad as a pointing device"),
      flagOption('no-pointer', 'Disable the pointer'),
      flagOption('no-keyboard', 'Disable the keyboard'),
    ],
  },
  async run(args: ParsedArgs, io: TartIo, proc: TartProcess): Promise<number> {
    const name = args.positionals[0]!;
    validateFlags(args);
    // tart opens the VM in validate(), so this RuntimeError is wrapped: `Error: ...`, exit 1.
    if (!localVmExists(name)) throw new TartGenericError(`the specified VM "${name}" does not exist`);
    const dir = vmDir(name);
    const lock = PidFileLock.tryAcquire(runLockPath(dir), proc.pid);
    if (!(lock instanceof PidFileLock)) throw vmAlreadyRunning(name);
    const resuming = isSuspended(dir);
    const settings = readSimSettings();
    // Restoring a snapshot implies --suspendable, as in tart.
    const session = new RunSession(name, dir, io, flag(args, 'suspendable') || resuming, settings, proc);
    let control: ControlSocket | undefined;
    let started = false;
    try {
      const mac = ensureUniqueMac(name, dir, io);
      // Rolled once per `tart run` that reaches the start, before the limit: VZ refuses either way.
      if (await rollHostQuirk(settings, name, 'boot-fail')) throw new TartRuntimeError(VZ_START_FAILED);
      // A locked login keychain stops VZ before it counts the VM (tart FAQ "Headless machines").
      if (hostHasFault('keychain-locked')) throw new TartRuntimeError(KEYCHAIN_LOCKED_RUN_ERROR);
      await admit(name, dir, proc.pid);
      // An exhausted vmnet range: the guest runs, bootpd has no address to give it (as no-ip).
      const noIp = (await rollHostQuirk(settings, name, 'no-ip')) || hostHasFault('dhcp-exhausted');
      if (noIp) writeFileSync(join(dir, NO_IP_FILE), `${proc.pid}\n`);
      if (resuming) io.out('restoring VM state from a snapshot...');
      const booting = session.boot(mac, settings, resuming);
      // If a signal ends the run first, a later boot failure has nobody left to report to.
      booting.catch(() => {});
      // A signal during boot ends the run at once; the boot is abandoned with the process.
      const early = await Promise.race([booting.then(() => undefined), session.exit]);
      if (early !== undefined) return early;
      const host = await booting;
      started = true;
      // Quirk no-ip: the guest runs but bootpd never hands it a lease, so `tart ip` finds nothing.
      if (!noIp) await recordLease(name, readVmConfig(dir).macAddress, host);
      // Made last, so that a fresh control.sock tells tests the guest is up and has its lease.
      control = await openControlSocket(dir, host);
      markAccessed(dir);
      return await session.exit;
    } finally {
      session.dispose();
      await control?.close();
      // Rolled per power-off of a started VM (guest shutdown, stop, suspend), before the slot is given back.
      if (started && (await rollHostQuirk(settings, name, 'vm-limit-leak').catch(() => false))) {
        recordLeakedSlot(name);
      }
      unlinkQuietly(join(dir, NO_IP_FILE));
      unlinkQuietly(join(dir, ADMITTED_FILE));
      lock.release();
    }
  },
};
