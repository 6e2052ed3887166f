// The sim's content filter and DNS proxy (issue 14): the sample "SXL Filter" app enables both after
// its alert is allowed, they are no `scutil --nc` services, the providers log their start and the
// flows of curl's traffic, and a name in mDNSResponder's cache makes no DNS-proxy flow until the
// cache is flushed as Apple documents it.
import test from 'ava';
import { allowConfigurationScript, approvalScript } from '../../../harness/macos/approval/ui-script.ts';
import { exec, q, waitFor } from './guest-harness.ts';
import { SampleBuilds } from './sample-setup.ts';

const builds = new SampleBuilds();
test.before(() => builds.make());
test.after.always(() => builds.cleanup());

const APP = '/Applications/SXL Filter.app';
const SUBSYSTEM = 'com.example.sxl.filter.provider';
const osascript = (lines: string[]) => `osascript ${lines.map((line) => `-e ${q(line)}`).join(' ')}`;
const lines = (stdout: string, text: string) => stdout.split('\n').filter((l) => l.includes(text)).length;

test('SXL Filter: the alert asks to filter network content; once allowed, both providers start and see curl as UDP look-up and TCP flow', async (t) => {
  const { client } = await builds.guest({}, 'sxl-filter-1');
  t.like(await exec(client, `sudo -n installer -pkg ${q('/Users/admin/sxl/SXL Filter 1.0.pkg')} -target /`), {
    code: 0,
  });
  await exec(client, `open -a ${q(APP)}`);
  await waitFor(client, 'systemextensionsctl list', (r) => r.stdout.includes('[activated waiting for user]'));
  t.like(await exec(client, osascript(approvalScript('SXL Content Filter', 'admin'))), { code: 0 });
  const alert = await waitFor(
    client,
    `osascript -e ${q('tell application "System Events" to get value of static text 1 of window 1 of process "UserNotificationCenter"')}`,
    (r) => r.code === 0,
  );
  t.is(alert.stdout, '"SXL Filter" Would Like to Filter Network Content\n');
  t.is((await exec(client, osascript(allowConfigurationScript()))).stdout, 'allowed\n');
  const starts = await waitFor(client, `log show --predicate ${q(`subsystem == "${SUBSYSTEM}"`)}`, (r) =>
    r.stdout.includes('startProxy(options:completionHandler:)'),
  );
  t.regex(
    starts.stdout,
    /com\.example\.sxl\.filter\.provider: \[com\.example\.sxl\.filter\.provider:filter\] startFilter\(completionHandler:\)/,
  );
  t.regex(
    starts.stdout,
    /\[com\.example\.sxl\.filter\.provider:dns-proxy\] startProxy\(options:completionHandler:\)/,
  );
  // Neither is an SCNetworkConnection service.
  t.is(
    (await exec(client, 'scutil --nc list')).stdout,
    'Available network connection services in the current set (*=enabled):\n',
  );

  t.like(await exec(client, `sudo -n log config --subsystem ${SUBSYSTEM} --mode level:debug,persist:debug`), {
    code: 0,
  });
  const flows = `log show --info --debug --predicate ${q(`subsystem == "${SUBSYSTEM}" AND eventMessage CONTAINS "handleNewFlow"`)}`;
  await exec(client, 'curl -sS -o /dev/null https://example.com/');
  await exec(client, 'curl -sS -o /dev/null https://example.com/');
  let shown = (await exec(client, flows)).stdout;
  t.regex(
    shown,
    /\[com\.example\.sxl\.filter\.provider:dns-proxy\] handleNewFlow UDP com\.apple\.curl query example\.com/,
  );
  t.regex(
    shown,
    /\[com\.example\.sxl\.filter\.provider:filter\] handleNewFlow TCP com\.apple\.curl remote 93\.184\.\d+\.\d+:443/,
  );
  // The second curl's name came from the cache: no look-up, no DNS-proxy flow.
  t.is(lines(shown, 'handleNewFlow UDP'), 1);
  t.is(lines(shown, 'handleNewFlow TCP'), 2);
  // dscacheutil alone leaves mDNSResponder's cache; a non-root HUP is refused; root's HUP empties it.
  t.like(await exec(client, 'sudo -n dscacheutil -flushcache'), { code: 0, stdout: '' });
  t.like(await exec(client, 'killall -HUP mDNSResponder'), {
    code: 1,
    stderr: 'No matching processes belonging to you were found\n',
  });
  await exec(client, 'curl -sS -o /dev/null https://example.com/');
  t.is(lines((await exec(client, flows)).stdout, 'handleNewFlow UDP'), 1);
  t.like(await exec(client, 'sudo -n killall -HUP mDNSResponder'), { code: 0, stdout: '', stderr: '' });
  await exec(client, 'curl -sS -o /dev/null https://example.com/');
  shown = (await exec(client, flows)).stdout;
  t.is(lines(shown, 'handleNewFlow UDP'), 2);
  t.is(lines(shown, 'handleNewFlow TCP'), 4);
  // An address needs no look-up.
  await exec(client, 'curl -sS -o /dev/null https://93.184.1.1/');
  t.is(lines((await exec(client, flows)).stdout, 'handleNewFlow UDP'), 2);
});
