// The public entries are a contract with scenario authors and integrators: adding to them is a
// decision, and so is removing from them. This test makes both visible in review. "." (harness/index.ts)
// is the scenario API, "./run" (harness/run.ts) the run API; package.json's exports map names both.
import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import * as api from '../../harness/index.ts';
import * as runApi from '../../harness/run.ts';

test('harness/index.ts, the scenario API, exports exactly what scenarios use', (t) => {
  t.deepEqual(Object.keys(api).sort(), [
    'AppNotRelaunchedError',
    'ApprovalAutomationError',
    'CheckFailedError',
    'CommandError',
    'LogPersistenceError',
    'NoFullWakeError',
    'NoSleepError',
    'ProbeNotRunError',
    'SuspendFailedError',
    'TransferChecksumError',
    'UnreadableStateError',
    'WaitTimeoutError',
    'approveExtension',
    'awaitActivationOutcome',
    'checkExtensionState',
    'checkFlowsSeen',
    'checkXpcEndpointRegistered',
    'defineScenario',
    'describeVersion',
    'guestSha256',
    'launchApp',
    'listNetworkServices',
    'networkExtensionJobLabel',
    'persistSubsystemLogging',
    'printSystemJob',
    'readGuestTime',
    'readSystemExtensions',
    'relaunchApp',
    'retryUntil',
    'showUnifiedLog',
    'signingReport',
    'startNetworkService',
  ]);
});

test('harness/run.ts, the run API, exports exactly runCommand, its defaults and the scenario loader', (t) => {
  t.deepEqual(Object.keys(runApi).sort(), ['loadScenario', 'runCommand', 'runDefaults']);
});

test("package.json's exports map points at the two entries' compiled files and declarations", (t) => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  t.deepEqual(manifest.exports, {
    '.': { types: './dist/types/harness/index.d.ts', default: './dist/index.js' },
    './run': { types: './dist/types/harness/run.d.ts', default: './dist/run.js' },
    './package.json': './package.json',
  });
});

test('the built-in scenarios import only from the public scenario entry', (t) => {
  const dir = new URL('../../scenarios/', import.meta.url);
  const files = readdirSync(dir).filter((name) => name.endsWith('.ts'));
  t.true(files.includes('upgrade-xpc.ts'), files.join(', '));
  for (const name of files) {
    const text = readFileSync(new URL(name, dir), 'utf8');
    const harnessImports = [...text.matchAll(/from '(\.\.\/harness\/[^']+)'/g)].map((m) => m[1]);
    t.deepEqual([...new Set(harnessImports)], ['../harness/index.ts'], name);
  }
});
