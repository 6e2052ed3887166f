// launchd reads over real SSH to a simulated guest: a job that does not exist is a result (null,
// with launchctl's "Could not find service" kept as raw), an activated network extension's job is
// found by its label prefix and printed with its program and endpoints; the label is built as
// macOS names it.
import test from 'ava';
import {
  findNetworkExtensionJobs,
  networkExtensionJobLabel,
  printSystemJob,
} from '../../../harness/macos/launchd.ts';
import { activateSample, connectedGuest, sampleBuilds } from '../../helpers/activated-guest.ts';

const LABEL = 'NetworkExtension.com.example.sxl.app.proxy.1.1.110';

test('the label is NetworkExtension.<bundle id>.<short version>.<build>', (t) => {
  t.is(networkExtensionJobLabel('com.example.sxl.app.proxy', '1.1', '110'), LABEL);
});

test('no job before the activation, then the job with its program and endpoint', async (t) => {
  const builds = await sampleBuilds();
  t.teardown(builds.remove);
  await using s = await connectedGuest();
  const missing = await printSystemJob(s.guest, LABEL);
  t.is(missing.job, null);
  t.regex(missing.raw, /Could not find service "NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110"/);
  t.deepEqual(await findNetworkExtensionJobs(s.guest, 'com.example.sxl.app.proxy'), []);

  const { proxy } = await activateSample(s.guest, builds.dir);
  t.deepEqual(await findNetworkExtensionJobs(s.guest, proxy.bundleId), [LABEL]);
  // Another bundle ID that shares the prefix's start is not the extension's job.
  t.deepEqual(await findNetworkExtensionJobs(s.guest, 'com.example.sxl.app.prox'), []);
  const { raw, job } = await printSystemJob(s.guest, LABEL);
  t.regex(raw, /^system\/NetworkExtension\.com\.example\.sxl\.app\.proxy\.1\.1\.110 = \{/);
  t.is(job?.label, LABEL);
  t.regex(
    job?.program ?? '',
    /^\/Library\/SystemExtensions\/[0-9A-F-]+\/com\.example\.sxl\.app\.proxy\.systemextension\/Contents\/MacOS\//,
  );
  t.deepEqual(
    job?.endpoints.map((e) => e.name),
    ['SXLAB12345.group.com.example.sxl.app.proxy.xpc'],
  );
});
