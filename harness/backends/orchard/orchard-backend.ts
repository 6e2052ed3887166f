// VmBackend over an Orchard controller (orchard-api.ts): a VM is one resource that the controller
// schedules on a worker, which clones, configures and runs it with tart. Clone and start are one
// `POST /v1/vms` here; SSH goes through the controller's port-forward unless the workers' VMs are
// reachable from this machine (the harness runs on the worker).
import { BackendUnsupportedError, OrchardApiError, VmLostError, WaitTimeoutError } from '../../errors.ts';
import { doNotRetry, retryUntil } from '../../retry.ts';
import type { SshCredentials, SshEndpoint } from '../../ssh/guest-session.ts';
import type { HostCommandRecord } from '../host-command.ts';
import type {
  BackendDescription,
  StartOptions,
  VmBackend,
  VmInfo,
  VmStopped,
  WaitOptions,
} from '../vm-backend.ts';
import {
  OrchardApi,
  type OrchardCredentials,
  type OrchardVm,
  type OrchardWorker,
  TART_VMS_RESOURCE,
} from './orchard-api.ts';
import { openPortForward } from './port-forward.ts';

export interface OrchardBackendOptions extends OrchardCredentials {
  /** Reach SSH through the controller's port-forward, or TCP to the VM's address. @default 'port-forward' */
  ssh?: 'port-forward' | 'direct';
  /** The guest's SSH port. @default 22 */
  sshPort?: number;
  /** Guest account (sent as the VM's username/password, Orchard's defaults admin/admin). */
  credentials?: SshCredentials;
  /** CPUs per VM. @default 4 (Orchard's default) */
  cpu?: number;
  /** Memory per VM in MB. @default 8192 (Orchard's default) */
  memory?: number;
  /** How long a VM may stay `pending` (no free slot, pulling the image). @default 3600000 */
  startTimeoutMs?: number;
  /** How long to wait for the VM's address once it runs. @default 180000 */
  ipTimeoutMs?: number;
  /** Pause between status polls. @default 1000 */
  pollIntervalMs?: number;
  /**
   * How long to wait, after a guest's connection dropped, for the controller to fail its VM (it
   * takes a worker unseen for 3 minutes as offline) or for its worker to report in. @default 210000
   */
  lostTimeoutMs?: number;
}

export const orchardBackendDefaults = {
  ssh: 'port-forward',
  sshPort: 22,
  credentials: { username: 'admin', password: 'admin' },
  cpu: 4,
  memory: 8192,
  startTimeoutMs: 3_600_000,
  ipTimeoutMs: 180_000,
  pollIntervalMs: 1000,
  lostTimeoutMs: 210_000,
} as const;

/** Why a run cannot suspend and resume an Orchard VM (the profile refuses the option with it). */
export const SUSPEND_PROBLEM =
  "an Orchard VM can be suspended only once and resumed only as a new VM (openapi.yaml powerState), so the run's suspend and resume of one VM cannot be done";

export class OrchardBackend implements VmBackend {
  readonly name = 'orchard';
  readonly api: OrchardApi;
  /** The image each VM was cloned from: Orchard creates and starts in one request (start). */
  private readonly images = new Map<string, string>();
  /** Images `pull` asked to fetch again: their VMs are created with imagePullPolicy Always. */
  private readonly pullAlways = new Set<string>();

  constructor(private readonly options: OrchardBackendOptions) {
    this.api = new OrchardApi(options);
  }

  onCommand(listener: (record: HostCommandRecord) => void): () => void {
    return this.api.onRequest(listener);
  }

  async describe(options: WaitOptions = {}): Promise<BackendDescription> {
    const info = await this.api.controllerInfo(options);
    return {
      backend: this.name,
      tool: this.api.base,
      toolVersion: `orchard ${info.version ?? 'unknown'}${info.commit ? ` (${info.commit})` : ''}`,
    };
  }

  async pull(image: string): Promise<void> {
    // Workers pull when they clone; `Always` makes them fetch a cached tag again (tart pull).
    this.pullAlways.add(image);
  }

  async clone(image: string, name: string): Promise<void> {
    this.images.set(name, image);
  }

  async start(name: string, options: StartOptions): Promise<void> {
    const image = this.images.get(name);
    if (!image) throw new Error(`Cannot start ${name} on Orchard: it was not cloned by this run`);
    if (options.suspendable) {
      throw new BackendUnsupportedError(
        'orchard',
        'start suspendable',
        name,
        `${SUSPEND_PROBLEM}; use --sleep-strategy guest`,
      );
    }
    const credentials = this.credentials;
    await this.api.createVm({
      name,
      image,
      imagePullPolicy: this.pullAlways.has(image) ? 'Always' : 'IfNotPresent',
      cpu: this.options.cpu ?? orchardBackendDefaults.cpu,
      memory: this.options.memory ?? orchardBackendDefaults.memory,
      headless: true,
      username: credentials.username,
      ...(credentials.password === undefined ? {} : { password: credentials.password }),
    });
    // `running` is set by the worker once the VM is cloned and configured, as `tart run` begins.
    await retryUntil(
      async () => {
        const vm = await this.api.getVm(name);
        const lost = lostIn(name, vm, 'its resource was deleted while it started');
        if (lost || !vm) throw doNotRetry(lost);
        if (vm.status !== 'running') throw new Error(describeVm(vm));
      },
      {
        what: `status "running" of ${name} on Orchard`,
        vm: name,
        timeoutMs: this.options.startTimeoutMs ?? orchardBackendDefaults.startTimeoutMs,
        intervalMs: 50,
        backoffFactor: 2,
        maxIntervalMs: this.options.pollIntervalMs ?? orchardBackendDefaults.pollIntervalMs,
      },
    );
  }

  async endpoint(name: string, options: WaitOptions = {}): Promise<SshEndpoint> {
    const timeoutMs = options.timeoutMs ?? this.options.ipTimeoutMs ?? orchardBackendDefaults.ipTimeoutMs;
    const port = this.options.sshPort ?? orchardBackendDefaults.sshPort;
    // 503 until the worker's `tart ip` answers; a failed VM cannot get one.
    const host = await retryUntil(
      async () => {
        try {
          const ip = await this.api.vmIp(name, 5, { signal: options.signal });
          if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`no address: "${ip}"`);
          return ip;
        } catch (error) {
          throw await this.lostOr(name, error, options.signal);
        }
      },
      {
        what: `an IP address (GET /v1/vms/${name}/ip)`,
        vm: name,
        timeoutMs,
        intervalMs: 50,
        backoffFactor: 2,
        maxIntervalMs: 1000,
        signal: options.signal,
      },
    );
    const endpoint: SshEndpoint = { host, port, credentials: this.credentials };
    if ((this.options.ssh ?? orchardBackendDefaults.ssh) === 'direct') return endpoint;
    return {
      ...endpoint,
      connect: async (signal) => {
        try {
          return await openPortForward(this.api.portForwardUrl(name, port, 10), {
            authorization: this.api.authorization,
            signal,
          });
        } catch (error) {
          // The controller refuses a forward to a VM it failed (417) or no longer has (404); without
          // this, a reconnect would try again until its deadline and end as a timeout.
          throw error instanceof OrchardApiError ? await this.lostOr(name, error, signal) : error;
        }
      },
    };
  }

  /** `error` as it is, or a VmLostError that ends the wait if the controller failed or deleted the VM. */
  private async lostOr(name: string, error: unknown, signal?: AbortSignal): Promise<unknown> {
    const lost = lostIn(name, await this.api.getVm(name, { signal }), 'its resource was deleted');
    if (!lost) return error;
    lost.cause ??= error;
    return doNotRetry(lost);
  }

  async stop(): Promise<void> {
    // The worker stops the VM when its resource is deleted (`tart stop`, then `tart delete`); a kept
    // VM stays on its worker, shut down from inside by the lease, until `sysext-lab reap`.
  }

  suspend(name: string): Promise<void> {
    return Promise.reject(
      new BackendUnsupportedError(
        'orchard',
        'suspend',
        name,
        'Orchard suspends a VM only as its last power state (powerState "suspended" is terminal); use --sleep-strategy guest',
      ),
    );
  }

  resume(name: string): Promise<void> {
    return Promise.reject(
      new BackendUnsupportedError(
        'orchard',
        'resume',
        name,
        'a suspended Orchard VM is resumed only as a new VM',
      ),
    );
  }

  confirmResumed(name: string): Promise<void> {
    return this.resume(name);
  }

  async whenStopped(name: string, signal: AbortSignal): Promise<VmStopped> {
    // Only the controller knows: poll until the VM failed (its worker lost, `tart run` exited) or went.
    return retryUntil(
      async () => {
        const vm = await this.api.getVm(name, { signal });
        if (vm && vm.status !== 'failed') throw new Error(`status ${vm.status}`);
        const detail = vm ? describeVm(vm) : 'its resource was deleted';
        return { exitCode: null, output: detail, description: `${name} on Orchard: ${detail}` };
      },
      {
        what: `the end of ${name} on Orchard`,
        vm: name,
        // Until the caller's signal: 20 days stays under setTimeout's 2^31 ms with retryUntil's
        // grace added (a larger bound overflows to a 1 ms deadline and the poll never settles).
        timeoutMs: 20 * 24 * 3_600_000,
        intervalMs: this.options.pollIntervalMs ?? orchardBackendDefaults.pollIntervalMs,
        signal,
      },
    );
  }

  /**
   * The controller fails a VM whose worker went silent only after its offline timeout (3 min), so
   * wait for that verdict; a worker that reports in again meanwhile is alive, and so is the VM.
   */
  async lost(name: string, options: WaitOptions = {}): Promise<VmLostError | undefined> {
    let firstSeen: string | undefined;
    try {
      return await retryUntil(
        async (_attempt, signal) => {
          const vm = await this.api.getVm(name, { signal });
          const lost = lostIn(name, vm, 'its resource was deleted');
          if (lost || !vm) return lost;
          const worker = (await this.api.listWorkers({ signal })).find((w) => w.name === vm.worker);
          // last_seen compared with itself, not with this machine's clock, which may differ.
          firstSeen ??= worker?.last_seen;
          if (worker?.last_seen && worker.last_seen !== firstSeen) return undefined;
          throw new Error(`${describeVm(vm)}, worker last seen ${worker?.last_seen ?? 'never'}`);
        },
        {
          what: `the controller's verdict on ${name} after its connection dropped`,
          vm: name,
          timeoutMs: options.timeoutMs ?? this.options.lostTimeoutMs ?? orchardBackendDefaults.lostTimeoutMs,
          intervalMs: 50,
          backoffFactor: 2,
          maxIntervalMs: this.options.pollIntervalMs ?? orchardBackendDefaults.pollIntervalMs,
          signal: options.signal,
        },
      );
    } catch (error) {
      // No verdict in time (or the controller does not answer): the VM is not known to be lost.
      if (error instanceof WaitTimeoutError) return undefined;
      throw error;
    }
  }

  async delete(name: string, options: WaitOptions = {}): Promise<void> {
    await this.api.deleteVm(name, options);
    this.images.delete(name);
  }

  async list(options: WaitOptions = {}): Promise<VmInfo[]> {
    return (await this.api.listVms(options)).map((vm) => ({
      name: vm.name,
      state:
        vm.powerState === 'suspended'
          ? 'suspended'
          : vm.status === 'failed' || vm.powerState === 'stopped'
            ? 'stopped'
            : 'running',
    }));
  }

  async imageDigest(image: string, options: WaitOptions = {}): Promise<string | undefined> {
    // Workers record `tart fqn <image>` as image_fqn once they cloned it.
    const vms = await this.api.listVms(options);
    return vms.find((vm) => vm.image === image && vm.image_fqn?.includes('@sha256:'))?.image_fqn;
  }

  /** Free macOS VM slots in the fleet now (freeSlotsIn). */
  async freeSlots(options: WaitOptions = {}): Promise<number> {
    const [workers, vms] = await Promise.all([this.api.listWorkers(options), this.api.listVms(options)]);
    return freeSlotsIn(workers, vms);
  }

  private get credentials(): SshCredentials {
    return this.options.credentials ?? orchardBackendDefaults.credentials;
  }
}

/**
 * Free macOS VM slots in `workers` given the fleet's `vms`: each online, unpaused worker's
 * `org.cirruslabs.tart-vms` (2 each) less those its scheduled VMs take (the controller's scheduler
 * counts the same way).
 */
export function freeSlotsIn(workers: readonly OrchardWorker[], vms: readonly OrchardVm[]): number {
  let free = 0;
  for (const worker of workers) {
    const lastSeen = Date.parse(worker.last_seen ?? '');
    // The controller takes a worker unseen for 3 minutes as offline (controller.go).
    if (worker.scheduling_paused || !(Date.now() - lastSeen <= 180_000)) continue;
    const used = vms
      .filter((vm) => vm.worker === worker.name && isScheduled(vm))
      .reduce((sum, vm) => sum + (vm.resources?.[TART_VMS_RESOURCE] ?? 0), 0);
    free += Math.max(0, (worker.resources?.[TART_VMS_RESOURCE] ?? 0) - used);
  }
  return free;
}

/** As v1.VM.IsScheduled: the `scheduled` condition when present, else a worker is set. */
function isScheduled(vm: OrchardVm): boolean {
  const condition = vm.conditions?.find((c) => c.type === 'scheduled');
  return condition ? condition.state === 'true' : Boolean(vm.worker);
}

/** The VmLostError for `vm` as the controller has it: failed, or gone (`gone` says how). */
function lostIn(name: string, vm: OrchardVm | undefined, gone: string): VmLostError | undefined {
  if (!vm) return new VmLostError(name, gone);
  return vm.status === 'failed' ? new VmLostError(name, describeVm(vm)) : undefined;
}

function describeVm(vm: OrchardVm): string {
  return `status ${vm.status ?? 'unknown'}${vm.status_message ? ` (${vm.status_message})` : ''}${vm.worker ? ` on worker ${vm.worker}` : ''}`;
}
