// systemextensionsctl reads over real SSH to a simulated guest: an empty list, a wait for a state
// that never comes (WaitTimeoutError naming the last state seen), and the row of an activated
// extension found by bundle ID and both versions.
import test from 'ava';
import { WaitTimeoutError } from '../../../harness/errors.ts';
import {
  describeVersion,
  findExtension,
  readSystemExtensions,
  waitForExtensionState,
} from '../../../harness/macos/system-extensions.ts';
import { activateSample, connectedGuest, sampleBuilds } from '../../helpers/activated-guest.ts';

const PROXY = { bundleId: 'com.example.sxl.app.proxy', shortVersion: '1.1', bundleVersion: '110' };

test('a fresh guest lists no extension; waiting for one ends at its deadline saying so', async (t) => {
  await using s = await connectedGuest();
  const list = await readSystemExtensions(s.guest);
  t.deepEqual(list.extensions, []);
  t.regex(list.raw, /^0 extension\(s\)\n/);
  const error = await t.throwsAsync(
    waitForExtensionState(s.guest, PROXY, ['activated enabled'], { timeoutMs: 300 }),
    { instanceOf: WaitTimeoutError },
  );
  t.regex(
    error?.message ?? '',
    /^Timed out after 300 ms waiting for com\.example\.sxl\.app\.proxy \(1\.1\/110\) to be \[activated enabled\] on sxl-test-1; last seen: com\.example\.sxl\.app\.proxy \(1\.1\/110\) is not listed \(0 extension\(s\)\)$/,
  );
});

test('an activated extension is found by bundle ID and both versions, and a wait for its state returns its row', async (t) => {
  const builds = await sampleBuilds();
  t.teardown(builds.remove);
  await using s = await connectedGuest();
  await activateSample(s.guest, builds.dir);
  const { extensions } = await readSystemExtensions(s.guest);
  t.like(findExtension(extensions, PROXY), { state: 'activated enabled', teamId: 'SXLAB12345' });
  t.is(findExtension(extensions, { ...PROXY, bundleVersion: '100' }), undefined);
  const row = await waitForExtensionState(s.guest, PROXY, ['activated enabled'], { timeoutMs: 2_000 });
  t.is(describeVersion(row), 'com.example.sxl.app.proxy (1.1/110)');
  // Waiting for a state it is not in names the state it is in.
  const error = await t.throwsAsync(
    waitForExtensionState(s.guest, PROXY, ['activated waiting for user'], { timeoutMs: 300 }),
    { instanceOf: WaitTimeoutError },
  );
  t.regex(
    error?.message ?? '',
    /last seen: com\.example\.sxl\.app\.proxy \(1\.1\/110\) is \[activated enabled\]$/,
  );
});
