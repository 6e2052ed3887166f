// The runner asks the backend whether a running VM that the harness never reached was lost with its
// host: then the iteration is a VmLostError (an infrastructure error), not the SSH wait's timeout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { VmBackend } from '../../../harness/backends/vm-backend.ts';
import { VmLostError } from '../../../harness/errors.ts';
import { loadScenario } from '../../../harness/scenario/load-scenario.ts';
import { runScenario } from '../../../harness/scenario/runner.ts';
import { freePort } from '../../helpers/free-port.ts';

/** A port on loopback that nothing listens on: every SSH connect to it is refused. */
const closedPort = () => freePort('127.0.0.1');

/** A backend whose VMs start and get an address where no SSH answers; `lost` says what it knows. */
function unreachableBackend(port: number, lost: boolean): VmBackend & { lostAsked: string[] } {
  const lostAsked: string[] = [];
  return {
    lostAsked,
    name: 'fake',
    describe: async () => ({ backend: 'fake', toolVersion: '0', tool: 'fake' }),
    pull: async () => {},
    clone: async () => {},
    start: async () => {},
    endpoint: async () => ({
      host: '127.0.0.1',
      port,
      credentials: { username: 'admin', password: 'admin' },
    }),
    stop: async () => {},
    suspend: async () => {},
    resume: async () => {},
    confirmResumed: async () => {},
    whenStopped: (_name, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    lost: async (name) => {
      lostAsked.push(name);
      return lost ? new VmLostError(name, 'status failed (its worker went away)') : undefined;
    },
    delete: async () => {},
    list: async () => [],
    imageDigest: async () => undefined,
    onCommand: () => () => {},
  };
}

/** One iteration of upgrade-xpc on `backend`, whose SSH wait gives up after 300 ms. */
async function runOnce(backend: VmBackend) {
  return runScenario({
    scenario: await loadScenario('upgrade-xpc'),
    backend,
    image: 'ghcr.io/cirruslabs/macos-sequoia-base:latest',
    repeat: 1,
    runId: 'lost-test',
    runDir: mkdtempSync(join(tmpdir(), 'sxl-runner-lost-')),
    inputs: {},
    emit: () => {},
    signal: new AbortController().signal,
    sshTimeoutMs: 300,
  });
}

for (const lost of [true, false]) {
  test(`an SSH wait that timed out on a running VM: ${lost ? 'VmLostError when the backend says it was lost' : 'the timeout when it was not'}`, async (t) => {
    const backend = unreachableBackend(await closedPort(), lost);
    const run = await runOnce(backend);
    const [result] = run.results;
    t.is(result?.outcome, 'error');
    t.is(result?.errorType, lost ? 'VmLostError' : 'WaitTimeoutError', result?.message);
    t.deepEqual(backend.lostAsked, ['sxl-lost-test-1']);
  });
}

test('a VM that never started is not asked about: its start error stands', async (t) => {
  const backend = unreachableBackend(await closedPort(), true);
  backend.start = async () => {
    throw new Error('tart run refused: no such image');
  };
  const run = await runOnce(backend);
  t.is(run.results[0]?.outcome, 'error');
  t.regex(run.results[0]?.message ?? '', /tart run refused/);
  t.deepEqual(backend.lostAsked, []);
});
