// A simulated Orchard worker: a simulated Mac of its own (its own TART_HOME and sim host folder, so
// Apple's two-VM limit and the leases are per worker) that runs each VM assigned to it with the
// fake tart, making the calls a real worker makes (cirruslabs/orchard b30bb5b
// internal/worker/vmmanager/tart/tart.go): clone, fqn, set --memory, set --cpu, set --random-mac,
// then run; `tart ip --wait 60` for the address; stop --timeout 5 and delete when the VM goes.
// It reports status as internal/worker/worker.go syncVMs does: `running` with "VM started" once
// clone and configure are done (before `tart run` boots), `failed` with the command's first line.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setCondition, type VmResource } from './vm-resource.ts';

const tartBin = fileURLToPath(new URL('../bin/tart', import.meta.url));

export interface SimWorkerOptions {
  name: string;
  /** This worker's own folder: its TART_HOME and simulated host live under it. */
  dir: string;
  /** SXL_SIM_SEED, SXL_SIM_QUIRKS, SXL_SIM_TIME_SCALE for its fake tart. */
  simEnv: Record<string, string>;
  /** The guests' SSH port in the sim (port 22 of a VM is this port on its loopback address). */
  simSshPort: number;
  /** Called when the worker changed a VM's status, so the controller stores it. */
  onUpdate: (vm: VmResource) => void;
}

interface LocalVm {
  resource: VmResource;
  run?: ChildProcess;
  /** Settles when `tart run` has exited. */
  exited?: Promise<unknown>;
  /** The worker is stopping it on purpose (deleted): its exit is no failure. */
  stopping: boolean;
}

export class SimWorker {
  readonly name: string;
  alive = true;
  private readonly vms = new Map<string, LocalVm>();
  private readonly forwards = new Set<Socket>();
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: SimWorkerOptions) {
    this.name = options.name;
    const tartHome = join(options.dir, 'tart-home');
    const hostDir = join(options.dir, 'host');
    mkdirSync(tartHome, { recursive: true });
    mkdirSync(hostDir, { recursive: true });
    this.env = {
      ...process.env,
      ...options.simEnv,
      TART_HOME: tartHome,
      SXL_SIM_HOST_DIR: hostDir,
      SXL_SIM_SSH_PORT: String(options.simSshPort),
    };
  }

  /** Syncs with the controller's view: starts VMs newly assigned here, removes those deleted. */
  sync(assigned: readonly VmResource[]): void {
    if (!this.alive) return;
    const wanted = new Set(assigned.map((vm) => vm.uid));
    for (const vm of assigned) {
      if (!this.vms.has(vm.uid) && vm.status === 'pending') this.create(vm);
    }
    for (const [uid, local] of this.vms) {
      if (!wanted.has(uid)) void this.remove(uid, local);
    }
  }

  /** `tart ip --wait 60 <vm>` on this worker. */
  async ip(uid: string): Promise<string> {
    const local = this.vms.get(uid);
    if (!this.alive || !local) throw new Error('VM not found on the worker');
    const result = await this.tart(['ip', '--wait', '60', local.resource.localName]);
    if (result.code !== 0) throw new Error(tartFailure(result));
    return result.stdout.trim();
  }

  /** Dials the VM's port from the worker (port 22 is the simulated guest's SSH port). */
  dial(uid: string, port: number): Promise<Socket> {
    return this.ip(uid).then(
      (ip) =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host: ip, port: port === 22 ? this.options.simSshPort : port });
          socket.once('connect', () => {
            socket.off('error', reject);
            this.forwards.add(socket);
            socket.once('close', () => this.forwards.delete(socket));
            resolve(socket);
          });
          socket.once('error', reject);
        }),
    );
  }

  /**
   * The Mac drops off the network and powers off: its VMs die with it (SIGKILL of `tart run`), open
   * forwards break, and it answers the controller no more.
   */
  lose(): void {
    this.alive = false;
    for (const local of this.vms.values()) local.run?.kill('SIGKILL');
    for (const socket of this.forwards) socket.destroy();
  }

  /** Stops every VM and waits for the stops (the controller is closing). */
  async close(): Promise<void> {
    for (const socket of this.forwards) socket.destroy();
    await Promise.all([...this.vms.entries()].map(([uid, local]) => this.remove(uid, local)));
  }

  private create(vm: VmResource): void {
    const local: LocalVm = { resource: vm, stopping: false };
    this.vms.set(vm.uid, local);
    void this.start(local).catch(() => {});
  }

  private async start(local: LocalVm): Promise<void> {
    const vm = local.resource;
    const id = vm.localName;
    const report = (change: Partial<VmResource>) => {
      if (!this.alive || local.stopping) return;
      Object.assign(vm, change);
      this.options.onUpdate(vm);
    };
    const fail = (message: string) => report({ status: 'failed', status_message: message });
    if (vm.imagePullPolicy === 'Always') {
      report({ status_message: 'pulling VM image...' });
      const pulled = await this.tart(['pull', vm.image]);
      if (pulled.code !== 0) return fail(`failed to pull the VM: ${tartFailure(pulled)}`);
    }
    report({ status_message: 'cloning VM...' });
    const steps: string[][] = [['clone', vm.image, id]];
    const memory = vm.assignedMemory || vm.memory;
    const cpu = vm.assignedCPU || vm.cpu;
    for (const args of steps) {
      const result = await this.tart(args);
      if (result.code !== 0) return fail(`failed to clone the VM: ${tartFailure(result)}`);
    }
    const fqn = await this.tart(['fqn', vm.image]);
    if (fqn.code === 0) vm.image_fqn = fqn.stdout.trim();
    report({ status_message: 'configuring VM...' });
    const configure = [
      ...(memory ? [['set', '--memory', String(memory), id]] : []),
      ...(cpu ? [['set', '--cpu', String(cpu), id]] : []),
      ...(vm.diskSize ? [['set', '--disk-size', String(vm.diskSize), id]] : []),
      ['set', '--random-mac', id],
    ];
    for (const args of configure) {
      if (local.stopping || !this.alive) break;
      const result = await this.tart(args);
      if (result.code !== 0) return fail(`failed to clone the VM: ${tartFailure(result)}`);
    }
    // Deleted while it was being cloned: remove() found nothing to stop, so the clone goes here.
    if (local.stopping) {
      if (this.alive) await this.tart(['delete', id]);
      return;
    }
    if (!this.alive) return;
    // Reported running as `tart run` begins (worker.go ActionReportRunning after SetStarted).
    setCondition(vm, 'running', 'true');
    report({ status: 'running', status_message: 'VM started', started_at: new Date().toISOString() });
    const runArgs = [
      'run',
      ...(vm.headless ? ['--no-graphics'] : []),
      ...(vm.nested ? ['--nested'] : []),
      ...(vm.suspendable ? ['--suspendable'] : []),
      id,
    ];
    // A process of its own (not the sim daemon): a lost worker's VMs must die with their process.
    const run = spawn(tartBin, runArgs, {
      env: { ...this.env, SXL_SIM_TART_DAEMON: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    local.run = run;
    local.exited = new Promise((resolve) => run.once('close', resolve));
    let output = '';
    run.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    run.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const code = (await local.exited) as number | null;
    setCondition(vm, 'running', 'false');
    if (code !== 0) fail(`VM failed: tart command failed: ${JSON.stringify(firstLine(output))}`);
    else fail('VM failed: VM exited unexpectedly');
  }

  private async remove(uid: string, local: LocalVm): Promise<void> {
    if (local.stopping) return;
    local.stopping = true;
    this.vms.delete(uid);
    if (!this.alive) return;
    await this.tart(['stop', '--timeout', '5', local.resource.localName]);
    // `tart stop` ends `tart run`; SIGINT is tart's own power-off if it did not (already ended: no-op).
    local.run?.kill('SIGINT');
    await local.exited;
    await this.tart(['delete', local.resource.localName]);
  }

  private tart(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(tartBin, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      child.once('error', (error) => resolve({ code: null, stdout, stderr: String(error) }));
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
}

/** base/cmd.go: `tart command failed: "<first non-empty line of stderr, else stdout>"`. */
function tartFailure(result: { stdout: string; stderr: string }): string {
  return `tart command failed: ${JSON.stringify(firstLine(result.stderr) || firstLine(result.stdout))}`;
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line !== '') ?? '';
}
