// A client of the Orchard controller's REST API, the parts the harness uses. Taken from
// cirruslabs/orchard at b30bb5b (tag 0.55.0): api/openapi.yaml (paths, fields, status values),
// internal/controller/api.go (routes under /v1, HTTP basic auth with a service account's name and
// token), api_vms.go / api_workers.go / api_vms_ip.go (answers and their error bodies,
// `{"message": "..."}` or none), pkg/resource/v1 (JSON field names). The only module that speaks
// HTTP to Orchard; the WebSocket of port-forward is in port-forward.ts.
import { combineSignals } from '../../abort.ts';
import { OrchardApiError, tail } from '../../errors.ts';
import type { HostCommandRecord } from '../host-command.ts';

/** `status` of a VM (openapi VMState.status). */
export type OrchardVmStatus = 'pending' | 'running' | 'failed';

/** A VM resource as the controller returns it (the fields the harness reads or sets). */
export interface OrchardVm {
  name: string;
  image: string;
  imagePullPolicy?: 'IfNotPresent' | 'Always';
  cpu?: number;
  memory?: number;
  headless?: boolean;
  os?: 'darwin' | 'linux';
  username?: string;
  password?: string;
  powerState?: 'running' | 'stopped' | 'suspended';
  resources?: Record<string, number>;
  status?: OrchardVmStatus;
  status_message?: string;
  worker?: string;
  uid?: string;
  localName?: string;
  image_fqn?: string;
  generation?: number;
  conditions?: { type: string; state: string }[];
}

/** A worker resource (openapi Worker, plus v1.Worker's last_seen and scheduling_paused). */
export interface OrchardWorker {
  name: string;
  resources?: Record<string, number>;
  last_seen?: string;
  scheduling_paused?: boolean;
}

/** What a VM asks of `POST /v1/vms`. */
export type OrchardVmSpec = Pick<OrchardVm, 'name' | 'image'> &
  Partial<Pick<OrchardVm, 'imagePullPolicy' | 'cpu' | 'memory' | 'headless' | 'username' | 'password'>>;

/** Resource each macOS tart VM takes and each worker offers 2 of (v1.ResourceTartVMs). */
export const TART_VMS_RESOURCE = 'org.cirruslabs.tart-vms';

export interface OrchardCredentials {
  /** The controller's address, e.g. `http://127.0.0.1:6120` (with or without `/v1`). */
  url: string;
  /** A service account's name; none for `orchard dev`, which has no auth. */
  serviceAccountName?: string;
  serviceAccountToken?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** @default 30000 */
  timeoutMs?: number;
  /** Statuses returned as `undefined` instead of thrown (404 for a VM that is already gone). */
  allow?: readonly number[];
}

export class OrchardApi {
  /** The API root, ending in `/v1`. */
  readonly base: string;
  private readonly listeners = new Set<(record: HostCommandRecord) => void>();

  constructor(private readonly credentials: OrchardCredentials) {
    const url = credentials.url.replace(/\/+$/, '');
    this.base = url.endsWith('/v1') ? url : `${url}/v1`;
  }

  /** `Authorization` for requests and for the WebSocket upgrade; none without an account. */
  get authorization(): string | undefined {
    const { serviceAccountName: name, serviceAccountToken: token } = this.credentials;
    if (!name) return undefined;
    return `Basic ${Buffer.from(`${name}:${token ?? ''}`).toString('base64')}`;
  }

  /** Every request made, as the transcripts record host commands. Returns an unsubscribe function. */
  onRequest(listener: (record: HostCommandRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  controllerInfo(options?: RequestOptions): Promise<{ version?: string; commit?: string }> {
    return this.request('GET', '/controller/info', undefined, options) as Promise<{ version?: string }>;
  }

  createVm(spec: OrchardVmSpec, options?: RequestOptions): Promise<OrchardVm> {
    return this.request('POST', '/vms', spec, options) as Promise<OrchardVm>;
  }

  getVm(name: string, options?: RequestOptions): Promise<OrchardVm | undefined> {
    return this.request('GET', `/vms/${encodeURIComponent(name)}`, undefined, {
      allow: [404],
      ...options,
    }) as Promise<OrchardVm | undefined>;
  }

  async listVms(options?: RequestOptions): Promise<OrchardVm[]> {
    return ((await this.request('GET', '/vms', undefined, options)) as OrchardVm[] | null) ?? [];
  }

  /** Deletes the VM resource (its worker stops and deletes the tart VM); false when it was gone. */
  async deleteVm(name: string, options?: RequestOptions): Promise<boolean> {
    const gone = Symbol('gone');
    const result = await this.request('DELETE', `/vms/${encodeURIComponent(name)}`, undefined, {
      ...options,
      allow: [404],
      missing: gone,
    });
    return result !== gone;
  }

  /** `GET /vms/{name}/ip?wait=N`: the address the VM's worker resolved (503 while it cannot). */
  async vmIp(name: string, waitSeconds: number, options?: RequestOptions): Promise<string> {
    const answer = (await this.request(
      'GET',
      `/vms/${encodeURIComponent(name)}/ip?wait=${Math.max(0, Math.round(waitSeconds))}`,
      undefined,
      { ...options, timeoutMs: (options?.timeoutMs ?? 30_000) + waitSeconds * 1000 },
    )) as { ip?: string };
    return answer.ip ?? '';
  }

  async listWorkers(options?: RequestOptions): Promise<OrchardWorker[]> {
    return ((await this.request('GET', '/workers', undefined, options)) as OrchardWorker[] | null) ?? [];
  }

  /** The WebSocket URL of `GET /vms/{name}/port-forward` (ws: or wss: as the API's scheme). */
  portForwardUrl(name: string, port: number, waitSeconds: number): string {
    const url = new URL(`${this.base}/vms/${encodeURIComponent(name)}/port-forward`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('port', String(port));
    url.searchParams.set('wait', String(Math.max(0, Math.round(waitSeconds))));
    return url.toString();
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions & { missing?: unknown } = {},
  ): Promise<unknown> {
    const signal = combineSignals({ signal: options.signal, timeoutMs: options.timeoutMs ?? 30_000 });
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.authorization) headers.Authorization = this.authorization;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const startedAt = new Date();
    const started = performance.now();
    const command = `${method} ${this.base}${path}`;
    let status: number | null = null;
    let text = '';
    try {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      status = response.status;
      text = await response.text();
    } finally {
      this.emit({
        command,
        stdout: tail(text, 2000),
        stderr: status === null ? 'no answer' : '',
        exitCode: status,
        durationMs: Math.round(performance.now() - started),
        startedAt,
        timedOut: false,
      });
    }
    if (status !== 200) {
      if (options.allow?.includes(status)) return options.missing;
      throw new OrchardApiError(method, path, status, errorMessage(text));
    }
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new OrchardApiError(method, path, status, `not JSON: ${tail(text, 200)}`);
    }
  }

  private emit(record: HostCommandRecord): void {
    for (const listener of this.listeners) listener(record);
  }
}

/** Orchard's error body is `{"message": "..."}` (controller/errorresponse.go); many errors have none. */
function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {}
  return tail(text.trim(), 200);
}
