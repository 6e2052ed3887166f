// The simulated Orchard controller: Orchard's REST API on loopback over simulated workers, each a
// simulated Mac with the fake tart (sim-worker.ts). Behaviour from cirruslabs/orchard b30bb5b:
// routes and auth from internal/controller/api.go (HTTP basic auth with a service account; a
// missing or unknown account is 401 with no body; a missing role is 401 with
// `{"message": "all of the following roles must be present: ..."}`), answers from api_vms.go,
// api_workers.go, api_vms_ip.go, api_vms_portforward.go (waitForVM: 417 for a failed VM, 408 when
// it is not running in time), the scheduler and health check from internal/controller/scheduler
// (optimize-utilization; a worker unseen for 3 minutes is offline and its VMs fail with "VM is
// assigned to a worker that lost connection with the controller"). Not simulated: PUT of a VM's
// spec (501), exec, cluster settings, service-account management, RPC.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptPortForward } from './port-forward-server.ts';
import { SimWorker } from './sim-worker.ts';
import {
  type ErrorBody,
  isScheduled,
  newVmResource,
  setCondition,
  TART_VMS,
  type VmResource,
  vmJson,
  type WorkerResource,
  workerJson,
} from './vm-resource.ts';

export interface SimOrchardOptions {
  /** Simulated workers, named worker-1, worker-2, ... @default 1 */
  workers?: number;
  /** Where the workers keep their simulated Macs. */
  dir: string;
  /** Loopback port; 0 picks a free one. @default 0 */
  port?: number;
  /** The service account; `false` runs without auth (as `orchard dev`). @default sxl-sim + a random token */
  serviceAccount?: { name: string; token: string } | false;
  /** The simulated Macs' settings (their fake tart's SXL_SIM_*). */
  seed?: number;
  quirks?: Record<string, number>;
  /** @default 0.1 */
  timeScale?: number;
  /** The guests' SSH port in the sim. @default 2222 */
  simSshPort?: number;
}

type Role = 'compute:read' | 'compute:write' | 'compute:connect';
type Answer = { status: number; body?: unknown; text?: string };

const ALL_ROLES: readonly string[] = [
  'compute:read',
  'compute:write',
  'compute:connect',
  'admin:read',
  'admin:write',
];

export class SimOrchardController {
  readonly vms = new Map<string, VmResource>();
  readonly workerResources = new Map<string, WorkerResource>();
  readonly workers = new Map<string, SimWorker>();
  readonly serviceAccount: { name: string; token: string } | undefined;
  /** VMs created through `POST /v1/vms` so far, deleted ones included (tests count them). */
  created = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket | Duplex>();
  private timer: NodeJS.Timeout | undefined;
  private readonly timeScale: number;
  private closed = false;

  constructor(private readonly options: SimOrchardOptions) {
    this.timeScale = options.timeScale ?? 0.1;
    this.serviceAccount =
      options.serviceAccount === false
        ? undefined
        : (options.serviceAccount ?? { name: 'sxl-sim', token: randomBytes(16).toString('hex') });
    const simEnv = {
      SXL_SIM_SEED: String(options.seed ?? 1),
      SXL_SIM_QUIRKS: Object.entries(options.quirks ?? {})
        .map(([name, p]) => `${name}=${p}`)
        .join(','),
      SXL_SIM_TIME_SCALE: String(this.timeScale),
    };
    for (let i = 1; i <= (options.workers ?? 1); i++) {
      const name = `worker-${i}`;
      const now = new Date().toISOString();
      this.workerResources.set(name, {
        name,
        last_seen: now,
        machine_id: randomBytes(16).toString('hex'),
        scheduling_paused: false,
        // worker.go: 2 tart VMs, the host's logical cores and memory (a 10-core, 32 GB Mac here).
        resources: { [TART_VMS]: 2, 'org.cirruslabs.logical-cores': 10, 'org.cirruslabs.memory-mib': 32_768 },
        arch: 'arm64',
        runtime: 'tart',
        createdAt: now,
      });
      this.workers.set(
        name,
        new SimWorker({
          name,
          dir: `${options.dir}/${name}`,
          simEnv,
          simSshPort: options.simSshPort ?? 2222,
          onUpdate: () => this.requestScheduling(),
        }),
      );
    }
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.handleUpgrade(request, socket, head);
    });
  }

  /** Starts listening on loopback; returns the controller's address (ORCHARD_URL). */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.tick();
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The worker drops off: its VMs die with it, and it answers no more (sim-worker.ts lose). */
  loseWorker(name: string): void {
    const worker = this.workers.get(name);
    if (!worker) throw new Error(`No worker ${name}`);
    worker.lose();
  }

  /** Stops every VM and the server; nothing is left running. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A worker unseen this long is offline (controller.go: 3 minutes, on the sim's time scale). */
  private get offlineTimeoutMs(): number {
    return Math.max(1_000, 180_000 * this.timeScale);
  }

  private requestScheduling(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), 0);
  }

  /** One pass of the scheduler loop: heartbeats, health check, scheduling, worker sync. */
  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    // Live workers report in (worker.go updates last_seen every 15 s; here on every pass).
    for (const [name, worker] of this.workers) {
      const resource = this.workerResources.get(name);
      if (worker.alive && resource) resource.last_seen = new Date(now).toISOString();
    }
    this.healthCheck(now);
    this.schedule(now);
    for (const [name, worker] of this.workers) {
      worker.sync([...this.vms.values()].filter((vm) => vm.worker === name && isScheduled(vm)));
    }
    // scheduler.go runs every 5 s or when asked; scaled, with a floor so time scale 0 does not spin.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), Math.max(100, 5_000 * this.timeScale));
    this.timer.unref();
  }

  private offline(worker: WorkerResource, now: number): boolean {
    return now - Date.parse(worker.last_seen) > this.offlineTimeoutMs;
  }

  private healthCheck(now: number): void {
    for (const vm of this.vms.values()) {
      if (!isScheduled(vm)) continue;
      const worker = this.workerResources.get(vm.worker);
      if (!worker) {
        vm.status = 'failed';
        vm.status_message = "VM is assigned to a worker that doesn't exist anymore";
      } else if (this.offline(worker, now) && vm.status !== 'failed') {
        vm.status = 'failed';
        vm.status_message = 'VM is assigned to a worker that lost connection with the controller';
        continue;
      }
      if (vm.status === 'failed') {
        setCondition(vm, 'scheduled', 'false');
        setCondition(vm, 'running', 'false');
      }
    }
  }

  private schedule(now: number): void {
    const used = new Map<string, number>();
    for (const vm of this.vms.values()) {
      if (isScheduled(vm)) used.set(vm.worker, (used.get(vm.worker) ?? 0) + (vm.resources[TART_VMS] ?? 0));
    }
    const running = (name: string) =>
      [...this.vms.values()].filter((vm) => isScheduled(vm) && vm.worker === name).length;
    const pending = [...this.vms.values()]
      .filter((vm) => !isScheduled(vm) && vm.status !== 'failed' && vm.powerState === 'running')
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const vm of pending) {
      // optimize-utilization: the busiest worker that can fit the VM first.
      const workers = [...this.workerResources.values()].sort((a, b) => running(b.name) - running(a.name));
      for (const worker of workers) {
        const need = vm.resources[TART_VMS] ?? 0;
        const free = (worker.resources[TART_VMS] ?? 0) - (used.get(worker.name) ?? 0);
        if (this.offline(worker, now) || worker.scheduling_paused || need > free) continue;
        vm.worker = worker.name;
        vm.scheduled_at = new Date(now).toISOString();
        setCondition(vm, 'scheduled', 'true');
        vm.assignedCPU = vm.cpu || 4;
        vm.assignedMemory = vm.memory || 8192;
        used.set(worker.name, (used.get(worker.name) ?? 0) + need);
        break;
      }
    }
  }

  private authenticate(request: IncomingMessage): { account?: string[] } | 'unauthorized' {
    if (!this.serviceAccount) return { account: [...ALL_ROLES] };
    const header = request.headers.authorization ?? '';
    const match = /^Basic (.+)$/i.exec(header);
    if (!match) return {};
    const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return {};
    const name = decoded.slice(0, colon);
    const token = Buffer.from(decoded.slice(colon + 1));
    const expected = Buffer.from(this.serviceAccount.token);
    if (name !== this.serviceAccount.name) return 'unauthorized';
    if (token.length !== expected.length || !timingSafeEqual(token, expected)) return 'unauthorized';
    return { account: [...ALL_ROLES] };
  }

  /** authorize / authorizeAny of api.go; undefined when allowed. */
  private authorize(auth: { account?: string[] }, mode: 'all' | 'any', ...roles: Role[]): Answer | undefined {
    if (!this.serviceAccount) return undefined;
    if (!auth.account) return { status: 401 };
    const held = new Set(auth.account);
    const ok = mode === 'all' ? roles.every((r) => held.has(r)) : roles.some((r) => held.has(r));
    if (ok) return undefined;
    const hint =
      mode === 'all'
        ? 'all of the following roles must be present'
        : 'any of the following roles must be present';
    return { status: 401, body: { message: `${hint}: ${roles.join(', ')}` } satisfies ErrorBody };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.route(request);
    } catch (error) {
      answer = { status: 500, text: '' };
      process.stderr.write(`sim orchard: ${(error as Error).stack}\n`);
    }
    if (answer.body !== undefined) {
      const text = JSON.stringify(answer.body);
      response.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8' });
      response.end(text);
    } else if (answer.text !== undefined) {
      response.writeHead(answer.status, { 'Content-Type': 'text/plain' });
      response.end(answer.text);
    } else {
      response.writeHead(answer.status);
      response.end();
    }
  }

  private async route(request: IncomingMessage): Promise<Answer> {
    const url = new URL(request.url ?? '/', 'http://controller');
    const method = request.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // gin's answer for a route it does not have.
    const notFound: Answer = { status: 404, text: '404 page not found' };
    if (parts[0] !== 'v1') return notFound;
    const auth = this.authenticate(request);
    if (auth === 'unauthorized') return { status: 401 };
    const [, resource, name, sub, ...rest] = parts;
    if (rest.length > 0) return notFound;
    if (resource === undefined && method === 'GET') return { status: 200 };
    if (resource === 'controller' && name === 'info' && !sub && method === 'GET') {
      return (
        this.authorize(auth, 'all') ?? {
          status: 200,
          body: { version: 'sim', commit: 'sysext-lab', capabilities: ['rpc-v1', 'vm-state-endpoint'] },
        }
      );
    }
    if (resource === 'workers') {
      if (name === undefined && method === 'GET') {
        return (
          this.authorize(auth, 'all', 'compute:read') ?? {
            status: 200,
            body: [...this.workerResources.values()].map(workerJson),
          }
        );
      }
      if (name !== undefined && !sub && method === 'GET') {
        const worker = this.workerResources.get(name);
        return (
          this.authorize(auth, 'all', 'compute:read') ??
          (worker ? { status: 200, body: workerJson(worker) } : { status: 404 })
        );
      }
      if (name !== undefined && !sub && method === 'DELETE') {
        const denied = this.authorize(auth, 'all', 'compute:write');
        if (denied) return denied;
        if (!this.workerResources.delete(name)) return { status: 404 };
        this.requestScheduling();
        return { status: 200 };
      }
      return notFound;
    }
    if (resource !== 'vms') return notFound;
    if (name === undefined) {
      if (method === 'POST') return this.createVm(request, auth);
      if (method === 'GET') return this.listVms(url, auth);
      return notFound;
    }
    if (sub === undefined) {
      if (method === 'GET') {
        const vm = this.vms.get(name);
        return (
          this.authorize(auth, 'all', 'compute:read') ??
          (vm ? { status: 200, body: vmJson(vm) } : { status: 404 })
        );
      }
      if (method === 'DELETE') {
        const denied = this.authorize(auth, 'all', 'compute:write');
        if (denied) return denied;
        if (!this.vms.delete(name)) return { status: 404 };
        this.requestScheduling();
        return { status: 200 };
      }
      if (method === 'PUT') {
        return (
          this.authorize(auth, 'all', 'compute:write') ?? {
            status: 501,
            body: { message: 'updating a VM is not simulated by the sysext-lab sim' },
          }
        );
      }
      return notFound;
    }
    if (sub === 'ip' && method === 'GET') return this.vmIp(name, url, auth);
    if (sub === 'events' && method === 'GET') {
      return (
        this.authorize(auth, 'all', 'compute:read') ??
        (this.vms.has(name) ? { status: 200, body: [] } : { status: 404 })
      );
    }
    if (sub === 'port-forward' && method === 'GET') {
      // Not an upgrade request: the checks as for one, then the WebSocket library's refusal.
      const checked = await this.portForwardChecks(name, url, auth);
      if ('status' in checked) return checked;
      return {
        status: 426,
        text: 'WebSocket protocol violation: Connection header does not contain Upgrade',
      };
    }
    return notFound;
  }

  private async createVm(request: IncomingMessage, auth: { account?: string[] }): Promise<Answer> {
    const denied = this.authorize(auth, 'all', 'compute:write');
    if (denied) return denied;
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch {
      return { status: 400, body: { message: 'invalid JSON was provided' } };
    }
    const result = newVmResource(body, new Date());
    if (!('vm' in result)) return result;
    if (this.vms.has(result.vm.name)) {
      return { status: 409, body: { message: 'VM with this name already exists' } };
    }
    this.vms.set(result.vm.name, result.vm);
    this.created += 1;
    this.requestScheduling();
    return { status: 200, body: vmJson(result.vm) };
  }

  private listVms(url: URL, auth: { account?: string[] }): Answer {
    const denied = this.authorize(auth, 'all', 'compute:read');
    if (denied) return denied;
    let vms = [...this.vms.values()];
    const filter = url.searchParams.get('filter');
    if (filter) {
      for (const raw of filter.split(',')) {
        const [path, value, extra] = raw.split('=');
        // v1.NewFilter: `path=value`; only `worker` matches anything.
        if (path === undefined || value === undefined || extra !== undefined) {
          return { status: 412, body: { message: `invalid filter: ${raw}` } };
        }
        vms = vms.filter((vm) => path === 'worker' && vm.worker === value);
      }
    }
    return { status: 200, body: vms.map(vmJson) };
  }

  /** waitForVM of api_vms_portforward.go: the running VM, or the answer that refuses. */
  private async waitForVm(name: string, waitSeconds: number): Promise<VmResource | Answer> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const vm = this.vms.get(name);
      if (!vm) return { status: 404 };
      if (vm.status === 'failed') {
        return { status: 417, body: { message: `VM is in a terminal state '${vm.status}'` } };
      }
      if (vm.status === 'running') return vm;
      if (Date.now() >= deadline) {
        return { status: 408, body: { message: `VM is not running on '${vm.worker}' worker` } };
      }
      // Orchard polls once a second; shorter here so that runs at time scale 0 do not wait for it.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async vmIp(name: string, url: URL, auth: { account?: string[] }): Promise<Answer> {
    const denied = this.authorize(auth, 'any', 'compute:write', 'compute:connect');
    if (denied) return denied;
    const wait = parseWait(url.searchParams.get('wait') ?? '0');
    if (wait === undefined) return { status: 400 };
    const deadline = Date.now() + wait * 1000;
    const found = await this.waitForVm(name, wait);
    if (!('uid' in found)) return found;
    const worker = this.workers.get(found.worker);
    // The worker cannot be told (notifier): errIPRequest, 503.
    if (!worker?.alive) return { status: 503 };
    // Each failed resolution is tried again until `wait` is up, then the last error (500).
    for (;;) {
      try {
        const ip = await withDeadline(worker.ip(found.uid), deadline);
        return { status: 200, body: { ip } };
      } catch {
        if (!worker.alive) return { status: 503 };
        if (Date.now() >= deadline) return { status: 500 };
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  private async portForwardChecks(
    name: string,
    url: URL,
    auth: { account?: string[] },
  ): Promise<{ vm: VmResource; port: number; deadline: number } | Answer> {
    const denied = this.authorize(auth, 'any', 'compute:write', 'compute:connect');
    if (denied) return denied;
    const port = Number(url.searchParams.get('port'));
    if (!/^\d+$/.test(url.searchParams.get('port') ?? '') || port < 1 || port > 65535) return { status: 400 };
    const wait = parseWait(url.searchParams.get('wait') ?? '10');
    if (wait === undefined) return { status: 400 };
    const vm = await this.waitForVm(name, wait);
    if (!('uid' in vm)) return vm;
    return { vm, port, deadline: Date.now() + wait * 1000 };
  }

  private async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    const url = new URL(request.url ?? '/', 'http://controller');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const refuse = (answer: Answer) => {
      const body = answer.body !== undefined ? JSON.stringify(answer.body) : (answer.text ?? '');
      socket.end(
        `HTTP/1.1 ${answer.status} ${statusText(answer.status)}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    if (parts.length !== 4 || parts[0] !== 'v1' || parts[1] !== 'vms' || parts[3] !== 'port-forward') {
      return refuse({ status: 404, text: '404 page not found' });
    }
    const auth = this.authenticate(request);
    if (auth === 'unauthorized') return refuse({ status: 401 });
    const checked = await this.portForwardChecks(parts[2] ?? '', url, auth);
    if (!('vm' in checked)) return refuse(checked);
    const worker = this.workers.get(checked.vm.worker);
    if (!worker?.alive) return refuse({ status: 503 });
    let target: Socket | undefined;
    for (;;) {
      try {
        target = await withDeadline(worker.dial(checked.vm.uid, checked.port), checked.deadline);
        break;
      } catch {
        if (!worker.alive) return refuse({ status: 503 });
        if (Date.now() >= checked.deadline) return refuse({ status: 500 });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    acceptPortForward(request, socket, head, target);
  }
}

function parseWait(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const wait = Number(text);
  return wait <= 65535 ? wait : undefined;
}

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  const left = Math.max(0, deadline - Date.now());
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('deadline')), left);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    404: 'Not Found',
    408: 'Request Timeout',
    417: 'Expectation Failed',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return texts[status] ?? 'Error';
}
