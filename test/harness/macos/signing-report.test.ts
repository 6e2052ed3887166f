// Signing evidence over real SSH to a simulated guest: realpath, codesign and spctl of an installed
// app, each with its exit code; a path that does not exist is a report of failures, never a throw.
// guestSha256 gives the digest the host computes for the same bytes, and null for a missing file.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import test from 'ava';
import { installBuild } from '../../../harness/macos/install-build.ts';
import { guestSha256, signingReport } from '../../../harness/macos/signing-report.ts';
import { quoteArg } from '../../../harness/ssh/shell-quote.ts';
import { connectedGuest, sampleBuilds } from '../../helpers/activated-guest.ts';

test('an installed app: its real path, its signature and its assessment, each with the exit code', async (t) => {
  const builds = await sampleBuilds();
  t.teardown(builds.remove);
  await using s = await connectedGuest();
  const build = await installBuild(s.guest, join(builds.dir, 'SXL Sample 1.1.pkg'), {
    stagingDir: '/Users/admin/sxl-stage',
  });
  const report = await signingReport(s.guest, build.appPath);
  t.is(report.realPath, '/Applications/SXL Sample.app');
  t.regex(
    report.text,
    /^\$ realpath '\/Applications\/SXL Sample\.app'\n\(exit 0\)\n\/Applications\/SXL Sample\.app\n/,
  );
  t.regex(
    report.text,
    /\$ codesign -dv --verbose=4 '\/Applications\/SXL Sample\.app'\n\(exit 0\)\n[\s\S]*Identifier=com\.example\.sxl\.app\n/,
  );
  t.regex(report.text, /\$ spctl -a -vv '\/Applications\/SXL Sample\.app'\n\(exit 0\)\n[\s\S]*accepted/);
});

test('a missing path: realPath null, every tool failed in the text, nothing thrown', async (t) => {
  await using s = await connectedGuest();
  const report = await signingReport(s.guest, '/Applications/Nope.app');
  t.is(report.realPath, null);
  t.regex(report.text, /\$ realpath \/Applications\/Nope\.app\n\(exit 1\)\n/);
  t.regex(report.text, /\$ codesign -dv --verbose=4 \/Applications\/Nope\.app\n\(exit 1\)\n/);
  t.regex(report.text, /\$ spctl -a -vv \/Applications\/Nope\.app\n\(exit [1-9]\d*\)\n/);
});

test('guestSha256 is the digest of the bytes on the guest; a missing file is null', async (t) => {
  await using s = await connectedGuest();
  const content = 'sxl sha256 probe\nsecond line\n';
  await s.guest.exec(`printf %s ${quoteArg(content)} > /tmp/sha-probe.txt`);
  t.is(await guestSha256(s.guest, '/tmp/sha-probe.txt'), createHash('sha256').update(content).digest('hex'));
  t.is(await guestSha256(s.guest, '/tmp/no-such-file'), null);
});
