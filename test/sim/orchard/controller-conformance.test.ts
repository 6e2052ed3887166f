// The simulated Orchard controller against Orchard's own API definition (a verbatim excerpt of its
// openapi.yaml and the behaviour read from its Go source, both under test/fixtures/orchard/):
// paths and methods answer with documented statuses, JSON fields and enum values are Orchard's,
// error bodies are Orchard's `{"message"}` with its texts, auth is a service account over HTTP basic
// auth, port-forward carries the guest's SSH bytes, and a lost worker's VM fails as Orchard says.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { openPortForward } from '../../../harness/backends/orchard/port-forward.ts';
import { SimOrchardController } from '../../../sim/orchard/controller.ts';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'orchard');
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked generically
const spec: any = parse(readFileSync(join(fixtures, 'openapi.yaml'), 'utf8'));
const behaviour = JSON.parse(readFileSync(join(fixtures, 'controller-behaviour.json'), 'utf8'));
const image = 'ghcr.io/cirruslabs/macos-sequoia-base:latest';

interface Schema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  allOf?: { $ref: string }[];
}

/** The properties of a schema, its allOf parts' included. */
function properties(name: string): Record<string, Schema> {
  const schema: Schema = spec.components.schemas[name];
  const own = schema.properties ?? {};
  const parts = (schema.allOf ?? []).map((part) => properties(part.$ref.split('/').at(-1) ?? ''));
  return Object.assign({}, ...parts, own);
}

function checkAgainst(
  t: import('ava').ExecutionContext,
  schemaName: string,
  object: Record<string, unknown>,
  allowed: string[],
) {
  const props = properties(schemaName);
  for (const [key, value] of Object.entries(object)) {
    t.true(
      key in props || allowed.includes(key),
      `${schemaName}: field "${key}" is neither in openapi.yaml nor in Orchard's Go JSON names`,
    );
    const prop = props[key];
    if (!prop) continue;
    if (prop.enum)
      t.true(
        prop.enum.includes(value),
        `${schemaName}.${key} = ${JSON.stringify(value)}, openapi.yaml allows ${JSON.stringify(prop.enum)}`,
      );
    const type = prop.type === 'integer' ? 'number' : prop.type;
    if (type === 'array') t.true(Array.isArray(value), `${schemaName}.${key} is an array`);
    else if (type) t.is(typeof value as string, type, `${schemaName}.${key} is a ${type}`);
  }
}

/** The statuses openapi.yaml documents for an operation. */
function documented(path: string, method: string): number[] {
  return Object.keys(spec.paths[path][method].responses).map(Number);
}

async function startController() {
  const controller = new SimOrchardController({
    workers: 1,
    dir: join(mkdtempSync(join(tmpdir(), 'sxl-orchard-conf-')), 'workers'),
    timeScale: 0,
  });
  const url = await controller.listen();
  const account = controller.serviceAccount;
  if (!account) throw new Error('auth expected');
  const auth = `Basic ${Buffer.from(`${account.name}:${account.token}`).toString('base64')}`;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { Authorization: auth },
  ) => {
    const response = await fetch(`${url}/v1${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: response.status, text, json };
  };
  return { controller, url, account, auth, call };
}

async function waitForStatus(
  call: Awaited<ReturnType<typeof startController>>['call'],
  name: string,
  wanted: string,
  seen: Set<string>,
) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const vm = (await call('GET', `/vms/${name}`)).json as Record<string, unknown>;
    seen.add(String(vm.status));
    if (vm.status === wanted) return vm;
    if (Date.now() > deadline) throw new Error(`${name} never became ${wanted}: ${JSON.stringify(vm)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('auth: HTTP basic auth with the service account; none or a wrong one is 401 without a body', async (t) => {
  const { controller, account, call } = await startController();
  t.teardown(() => controller.close());
  const none = await call('GET', '/vms', undefined, {});
  t.is(none.status, behaviour.errors.unauthorized.status);
  t.is(none.text, behaviour.errors.unauthorized.body);
  const wrong = await call('GET', '/vms', undefined, {
    Authorization: `Basic ${Buffer.from(`${account.name}:nope`).toString('base64')}`,
  });
  t.is(wrong.status, 401);
  t.is(wrong.text, '');
  const info = await call('GET', '/controller/info');
  t.true(documented('/controller/info', 'get').includes(info.status));
  checkAgainst(t, 'ControllerInfo', info.json as Record<string, unknown>, []);
});

test('workers: the Worker schema, two tart VM slots each, 404 for a missing one', async (t) => {
  const { controller, call } = await startController();
  t.teardown(() => controller.close());
  const list = await call('GET', '/workers');
  t.true(documented('/workers', 'get').includes(list.status));
  const workers = list.json as Record<string, unknown>[];
  t.is(workers.length, 1);
  for (const worker of workers) {
    checkAgainst(t, 'Worker', worker, behaviour.workerJsonFields);
    t.is((worker.resources as Record<string, number>)[behaviour.tartVmsResource], behaviour.tartVmsPerWorker);
  }
  const one = await call('GET', `/workers/${String(workers[0]?.name)}`);
  t.is(one.status, 200);
  const missing = await call('GET', '/workers/nobody');
  t.is(missing.status, 404);
  t.true(documented('/workers/{name}', 'get').includes(missing.status));
});

test('VMs: create, fields and status values, errors with their bodies, ip, events, port-forward, delete', async (t) => {
  t.timeout(120_000);
  const { controller, url, auth, call } = await startController();
  t.teardown(() => controller.close());
  const created = await call('POST', '/vms', { name: 'conf-1', image, headless: true, cpu: 4, memory: 8192 });
  t.true(documented('/vms', 'post').includes(created.status));
  const vm = created.json as Record<string, unknown>;
  checkAgainst(t, 'VM', vm, behaviour.vmJsonFields);
  for (const key of behaviour.vmAlwaysPresent) t.true(key in vm, `"${key}" is always written`);
  t.is(vm.status, 'pending');
  t.is((vm.resources as Record<string, number>)[behaviour.tartVmsResource], 1);
  t.regex(String(vm.localName), /^orchard-conf-1-[0-9a-f-]{36}-0$/);
  // Error bodies, in the order createVM checks.
  const errors = behaviour.errors;
  const expectError = async (body: unknown, expected: { status: number; message: string }) => {
    const answer = await call('POST', '/vms', body);
    t.is(answer.status, expected.status, JSON.stringify(body));
    t.deepEqual(answer.json, { message: expected.message });
    t.true(
      expected.status === 400 ||
        documented('/vms', 'post').includes(expected.status) ||
        expected.status === 412,
    );
  };
  await expectError('{not json', errors.invalidJson);
  await expectError({ image }, errors.emptyName);
  await expectError({ name: 'a b', image }, errors.badName);
  await expectError({ name: 'conf-2' }, errors.emptyImage);
  await expectError({ name: 'conf-2', image, imagePullPolicy: 'Sometimes' }, errors.badPullPolicy);
  await expectError({ name: 'conf-1', image }, errors.duplicate);
  // Status values seen while it starts are openapi's enum.
  const seen = new Set<string>();
  const running = await waitForStatus(call, 'conf-1', 'running', seen);
  const statusEnum = properties('VM').status?.enum ?? [];
  for (const status of seen) t.true(statusEnum.includes(status), status);
  checkAgainst(t, 'VM', running, behaviour.vmJsonFields);
  t.is(running.worker, 'worker-1');
  for (const condition of running.conditions as { type: string; state: string }[]) {
    t.true(behaviour.conditionTypes.includes(condition.type));
    t.true(['true', 'false'].includes(condition.state));
  }
  const listed = await call('GET', '/vms?filter=worker=worker-1');
  t.deepEqual(
    (listed.json as { name: string }[]).map((v) => v.name),
    ['conf-1'],
  );
  t.deepEqual((await call('GET', '/vms?filter=worker=worker-9')).json, []);
  // ip: the IP schema; 404 for a missing VM.
  const ip = await call('GET', '/vms/conf-1/ip?wait=30');
  t.true(documented('/vms/{name}/ip', 'get').includes(ip.status));
  checkAgainst(t, 'IP', ip.json as Record<string, unknown>, []);
  t.regex(String((ip.json as { ip: string }).ip), /^\d+\.\d+\.\d+\.\d+$/);
  const noIp = await call('GET', '/vms/none/ip');
  t.is(noIp.status, 404);
  t.is((await call('GET', '/vms/conf-1/events')).status, 200);
  t.is((await call('GET', '/vms/none/events')).status, 404);
  // port-forward: 400 for a bad port, 404 for a missing VM, else the guest's bytes.
  const badPort = await call('GET', '/vms/conf-1/port-forward?port=0');
  t.is(badPort.status, 400);
  t.true(documented('/vms/{name}/port-forward', 'get').includes(400));
  const forwardUrl = (name: string) =>
    `${url.replace('http:', 'ws:')}/v1/vms/${name}/port-forward?port=22&wait=10`;
  const missing = await t.throwsAsync(openPortForward(forwardUrl('none'), { authorization: auth }));
  t.is((missing as { status?: number }).status, 404);
  const stream = await openPortForward(forwardUrl('conf-1'), { authorization: auth });
  const banner = await new Promise<string>((resolve) =>
    stream.once('data', (chunk: Buffer) => resolve(chunk.toString())),
  );
  stream.destroy();
  t.regex(banner, /^SSH-2\.0-/);
  // Delete: 200, then 404 for the VM and for a second delete.
  t.is((await call('DELETE', '/vms/conf-1')).status, 200);
  t.is((await call('GET', '/vms/conf-1')).status, 404);
  const again = await call('DELETE', '/vms/conf-1');
  t.is(again.status, 404);
  t.true(documented('/vms/{name}', 'delete').includes(404));
  t.is(again.text, errors.notFound.body);
});

test("a lost worker's VM fails with Orchard's message; ip and port-forward then answer 417", async (t) => {
  t.timeout(120_000);
  const { controller, call } = await startController();
  t.teardown(() => controller.close());
  t.is((await call('POST', '/vms', { name: 'lost-1', image, headless: true })).status, 200);
  await waitForStatus(call, 'lost-1', 'running', new Set());
  controller.loseWorker('worker-1');
  const failed = await waitForStatus(call, 'lost-1', 'failed', new Set());
  t.is(failed.status_message, behaviour.workerLostMessage);
  const ip = await call('GET', '/vms/lost-1/ip?wait=1');
  t.is(ip.status, behaviour.errors.terminal.status);
  t.deepEqual(ip.json, { message: behaviour.errors.terminal.message });
  const forward = await call('GET', '/vms/lost-1/port-forward?port=22&wait=1');
  t.is(forward.status, 417);
  t.is((await call('DELETE', '/vms/lost-1')).status, 200);
  t.deepEqual((await call('GET', '/vms')).json, []);
});
