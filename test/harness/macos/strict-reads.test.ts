// The harness reads `systemextensionsctl list` strictly (its verdicts rest on those rows): over real
// SSH to a simulated macOS 14 guest that lists a camera extension (the category obs-studio's
// virtual camera adds, test/fixtures/macos/SOURCES.md), the read stops with a ParseWarningError
// naming the unknown category, which the runner records as an error, never as the bug; a tolerant
// parse of the same output reads the row.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { readSystemExtensions } from '../../../harness/macos/system-extensions.ts';
import { ParseWarningError } from '../../../harness/parse/line-parser.ts';
import { parseSystemExtensionsList } from '../../../harness/parse/systemextensions-list.ts';
import { defineScenario } from '../../../harness/scenario/define-scenario.ts';
import { classify } from '../../../harness/scenario/runner.ts';
import { GuestSession } from '../../../harness/ssh/guest-session.ts';
import { createGuestDisk } from '../../../sim/guest/disk.ts';
import { STATE_FILE } from '../../../sim/guest/state.ts';
import { findImageByRef } from '../../../sim/images.ts';
import { bootTestGuest } from '../../helpers/sim-guest.ts';

const CAMERA = {
  uuid: 'A1B2C3D4-0000-4000-8000-000000000001',
  teamId: '2MMRE5MTB8',
  bundleId: 'com.obsproject.obs-studio.mac-camera-extension',
  shortVersion: '30.0.0',
  bundleVersion: '6132306234',
  name: 'com.obsproject.obs-studio.mac-camera-extension',
  category: 'com.apple.system_extension.cmio',
  state: 'activated_enabled',
  stagedPath:
    '/Library/SystemExtensions/A1B2C3D4-0000-4000-8000-000000000001/com.obsproject.obs-studio.mac-camera-extension.systemextension',
  executable:
    '/Library/SystemExtensions/A1B2C3D4-0000-4000-8000-000000000001/com.obsproject.obs-studio.mac-camera-extension.systemextension/Contents/MacOS/com.obsproject.obs-studio.mac-camera-extension',
  appPath: '/Applications/OBS.app',
};

test('a list with a category the parser does not know stops the harness read as an error, not a verdict', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'sxl-strict-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const vmDir = join(root, 'vm');
  mkdirSync(vmDir);
  // macOS 14 prints the list without the System Settings hint, as in the obs-studio paste.
  const manifest = structuredClone(findImageByRef('ghcr.io/cirruslabs/macos-sequoia-base:latest')!);
  manifest.macos.productVersion = '14.6.1';
  await createGuestDisk(join(vmDir, 'guest'), manifest);
  const stateFile = join(vmDir, 'guest', STATE_FILE);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { extensions: unknown[] };
  state.extensions.push(CAMERA);
  writeFileSync(stateFile, JSON.stringify(state, null, 2));

  const vm = await bootTestGuest({ vmDir });
  t.teardown(() => vm.guest.powerOff());
  const guest = await GuestSession.connect(vm.endpoint, { label: 'sxl-test-1' });
  t.teardown(() => guest.close());

  const error = await t.throwsAsync(readSystemExtensions(guest), { instanceOf: ParseWarningError });
  t.deepEqual(
    error.warnings.map((w) => w.code),
    ['unknown-category'],
  );
  t.regex(error.message, /com\.apple\.system_extension\.cmio/);
  const scenario = defineScenario({
    id: 'strict-read',
    title: 'strict read',
    report: 'none',
    inputs: {},
    checks: ['extension-activated'],
    signature: { check: 'extension-activated', description: 'x', evidence: 'y' },
    unit: 'iterations',
    async run() {},
  });
  t.like(classify(error, scenario, new AbortController().signal), {
    outcome: 'error',
    failure: { errorType: 'ParseWarningError' },
  });

  // The same output read tolerantly (as `sysext-lab parse` does): the camera row as printed.
  const raw = await guest.exec(['systemextensionsctl', 'list']);
  t.like(parseSystemExtensionsList(raw.stdout).extensions[0], {
    category: 'com.apple.system_extension.cmio',
    bundleId: CAMERA.bundleId,
    state: 'activated enabled',
  });
});
