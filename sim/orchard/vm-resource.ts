// Orchard's VM and Worker resources as the controller stores and serializes them, and the checks
// of `POST /v1/vms`. From cirruslabs/orchard b30bb5b: pkg/resource/v1/v1.go and worker.go (JSON
// names; Go's omitempty drops empty fields but never a time.Time, which reads
// 0001-01-01T00:00:00Z when unset; generation and observedGeneration are always present),
// internal/controller/api_vms.go createVM (defaults, validation order, messages),
// internal/simplename, internal/worker/ondiskname.
import { randomUUID } from 'node:crypto';

export const TART_VMS = 'org.cirruslabs.tart-vms';
/** Go's zero time.Time in JSON. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export type VmStatus = 'pending' | 'running' | 'failed';

export interface Condition {
  type: 'scheduled' | 'running' | 'cloning' | 'suspending' | 'stopping';
  state: 'true' | 'false';
}

export interface VmResource {
  image: string;
  imagePullPolicy: 'IfNotPresent' | 'Always';
  cpu: number;
  memory: number;
  diskSize: number;
  'net-bridged': string;
  headless: boolean;
  nested: boolean;
  os: 'darwin' | 'linux';
  arch: 'arm64' | 'amd64';
  runtime: 'tart' | 'vetu';
  suspendable: boolean;
  powerState: 'running' | 'stopped' | 'suspended';
  localName: string;
  tartName: string;
  observedGeneration: number;
  conditions: Condition[];
  status: VmStatus;
  status_message: string;
  worker: string;
  assignedCPU: number;
  assignedMemory: number;
  username: string;
  password: string;
  restart_policy: 'Never' | 'OnFailure';
  restarted_at: string;
  restart_count: number;
  uid: string;
  resources: Record<string, number>;
  labels: Record<string, string>;
  image_fqn: string;
  scheduled_at: string;
  started_at: string;
  generation: number;
  name: string;
  createdAt: string;
}

export interface WorkerResource {
  name: string;
  last_seen: string;
  machine_id: string;
  scheduling_paused: boolean;
  resources: Record<string, number>;
  arch: 'arm64';
  runtime: 'tart';
  createdAt: string;
}

/** The error body of Orchard's controller (errorresponse.go). */
export interface ErrorBody {
  message: string;
}

export type CreateResult = { vm: VmResource } | { status: number; body?: ErrorBody };

/** `POST /v1/vms` without the store: the VM it would store, or the answer that refuses it. */
export function newVmResource(body: unknown, now: Date): CreateResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 400, body: { message: 'invalid JSON was provided' } };
  }
  const input = body as Record<string, unknown>;
  const str = (key: string): string | undefined =>
    typeof input[key] === 'string' ? (input[key] as string) : undefined;
  // Go's json decoding refuses a wrong type for a field, which gin reports as a bind error.
  for (const key of ['name', 'image', 'username', 'password', 'imagePullPolicy', 'restart_policy']) {
    if (input[key] !== undefined && typeof input[key] !== 'string') {
      return { status: 400, body: { message: 'invalid JSON was provided' } };
    }
  }
  for (const key of ['cpu', 'memory', 'diskSize']) {
    const value = input[key];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0)) {
      return { status: 400, body: { message: 'invalid JSON was provided' } };
    }
  }
  const os = str('os') ?? '';
  const arch = str('arch') ?? '';
  const runtime = str('runtime') ?? '';
  if (!['', 'darwin', 'linux'].includes(os) || !['', 'arm64', 'amd64'].includes(arch)) {
    return { status: 400, body: { message: 'invalid JSON was provided' } };
  }
  if (!['', 'tart', 'vetu'].includes(runtime)) {
    return { status: 400, body: { message: 'invalid JSON was provided' } };
  }
  const name = str('name') ?? '';
  if (name === '') return { status: 412, body: { message: 'VM name is empty' } };
  if (!/^[A-Za-z0-9:_.-]+$/.test(name)) {
    return {
      status: 412,
      body: { message: 'VM name name contains restricted characters, please only use [A-Za-z0-9:-_.]' },
    };
  }
  const image = str('image') ?? '';
  if (image === '') return { status: 412, body: { message: 'VM image is empty' } };
  const pullPolicy = str('imagePullPolicy') ?? '';
  if (pullPolicy !== '' && pullPolicy !== 'IfNotPresent' && pullPolicy !== 'Always') {
    return { status: 412, body: { message: `unsupported image pull policy: "${pullPolicy}"` } };
  }
  const restartPolicy = str('restart_policy') ?? '';
  if (restartPolicy !== '' && restartPolicy !== 'Never' && restartPolicy !== 'OnFailure') {
    return { status: 412, body: { message: `unsupported restart policy: "${restartPolicy}"` } };
  }
  const uid = randomUUID();
  const resources = { ...((input.resources as Record<string, number> | undefined) ?? {}) };
  const vmOs = (os || 'darwin') as VmResource['os'];
  const vmRuntime = (runtime || 'tart') as VmResource['runtime'];
  // "Apple limits the number of macOS VMs to 2" (api_vms.go): one slot unless the caller says.
  if (vmOs === 'darwin' && vmRuntime === 'tart' && resources[TART_VMS] === undefined) resources[TART_VMS] = 1;
  const localName = `orchard-${name}-${uid}-0`;
  return {
    vm: {
      image,
      imagePullPolicy: (pullPolicy || 'IfNotPresent') as VmResource['imagePullPolicy'],
      cpu: (input.cpu as number | undefined) ?? 0,
      memory: (input.memory as number | undefined) ?? 0,
      diskSize: (input.diskSize as number | undefined) ?? 0,
      'net-bridged': str('net-bridged') ?? '',
      headless: input.headless === true,
      nested: input.nested === true,
      os: vmOs,
      arch: (arch || 'arm64') as VmResource['arch'],
      runtime: vmRuntime,
      suspendable: input.suspendable === true,
      powerState: 'running',
      localName,
      tartName: localName,
      observedGeneration: 0,
      conditions: [{ type: 'scheduled', state: 'false' }],
      status: 'pending',
      status_message: '',
      worker: '',
      assignedCPU: 0,
      assignedMemory: 0,
      username: str('username') ?? '',
      password: str('password') ?? '',
      restart_policy: (restartPolicy || 'Never') as VmResource['restart_policy'],
      restarted_at: ZERO_TIME,
      restart_count: 0,
      uid,
      resources,
      labels: { ...((input.labels as Record<string, string> | undefined) ?? {}) },
      image_fqn: '',
      scheduled_at: ZERO_TIME,
      started_at: ZERO_TIME,
      generation: 0,
      name,
      createdAt: now.toISOString(),
    },
  };
}

/** The JSON Go's encoder writes for v1.VM: empty fields dropped (omitempty), times and generations kept. */
export function vmJson(vm: VmResource): Record<string, unknown> {
  const keep = new Set([
    'generation',
    'observedGeneration',
    'restarted_at',
    'scheduled_at',
    'started_at',
    'createdAt',
  ]);
  return Object.fromEntries(Object.entries(vm).filter(([key, value]) => keep.has(key) || !isEmpty(value)));
}

export function workerJson(worker: WorkerResource): Record<string, unknown> {
  const keep = new Set(['last_seen', 'createdAt']);
  return Object.fromEntries(
    Object.entries(worker).filter(([key, value]) => keep.has(key) || !isEmpty(value)),
  );
}

function isEmpty(value: unknown): boolean {
  if (value === '' || value === 0 || value === false || value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value as object).length === 0;
  return false;
}

/** v1.VM.IsScheduled: the `scheduled` condition when present, else a worker is set. */
export function isScheduled(vm: VmResource): boolean {
  const condition = vm.conditions.find((c) => c.type === 'scheduled');
  return condition ? condition.state === 'true' : vm.worker !== '';
}

/** v1.ConditionsSet. */
export function setCondition(vm: VmResource, type: Condition['type'], state: Condition['state']): void {
  const condition = vm.conditions.find((c) => c.type === type);
  if (condition) condition.state = state;
  else vm.conditions.push({ type, state });
}
