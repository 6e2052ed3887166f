// Test helper: a booted guest with the sample builds uploaded, and the steps the harness takes
// (install, launch, approve) as one-liners; `activated` brings version 1.0 to [activated enabled].
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type ssh2 from 'ssh2';
import { allowConfigurationScript, approvalScript } from '../../../harness/macos/approval/ui-script.ts';
import { makeSampleBuilds, type SampleBuildFile } from '../../../sim/builds/make-sample-builds.ts';
import type { QuirkSettings } from '../../../sim/quirks.ts';
import { exec, q, TestGuest, waitFor } from './guest-harness.ts';

/** The harness's own approval script for the sample extension, then its configuration alert's Allow. */
export const APPROVE_ONLY = `osascript ${approvalScript('SXL Transparent Proxy', 'admin')
  .map((line) => `-e ${q(line)}`)
  .join(' ')}`;
export const ALLOW_CONFIGURATION = `osascript ${allowConfigurationScript()
  .map((line) => `-e ${q(line)}`)
  .join(' ')}`;
export const APPROVE = `${APPROVE_ONLY} && ${ALLOW_CONFIGURATION}`;
export const APP = '/Applications/SXL Sample.app';
export const SERVICE = 'SXLAB12345.group.com.example.sxl.app.proxy.xpc';

export class SampleBuilds {
  dir = '';
  files: SampleBuildFile[] = [];
  readonly guests: TestGuest[] = [];

  async make(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'sxl-builds-'));
    this.files = await makeSampleBuilds(this.dir);
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.guests.map((g) => g.close()));
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  async guest(quirks: QuirkSettings = {}, vmName = 'sxl-test-1') {
    const guest = await TestGuest.create({ quirks, vmName });
    this.guests.push(guest);
    const client = await guest.connect();
    const sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) =>
      client.sftp((e, s) => (e ? reject(e) : resolve(s))),
    );
    await exec(client, 'mkdir -p sxl');
    // The unpacked .app folders are not single files; the packages and zips are uploaded.
    for (const b of this.files.filter((f) => f.format !== 'app')) {
      await new Promise<void>((resolve, reject) =>
        sftp.fastPut(b.path, `sxl/${b.name}`, (e) => (e ? reject(e) : resolve())),
      );
    }
    sftp.end();
    const install = (label: string) =>
      exec(client, `sudo -n installer -pkg ${q(`/Users/admin/sxl/SXL Sample ${label}.pkg`)} -target /`);
    // A running app is only brought forward by open -a: end it first, as the harness does.
    const launch = () => exec(client, `pkill -x 'SXL Sample'; open -a ${q(APP)}`);
    return { guest, client, install, launch };
  }

  /** A guest whose extension 1.0 is [activated enabled] and whose app saved its proxy configuration. */
  async activated(quirks: QuirkSettings = {}, vmName = 'sxl-test-1') {
    const setup = await this.guest(quirks, vmName);
    await setup.install('1.0');
    await setup.launch();
    await waitFor(setup.client, 'systemextensionsctl list', (r) =>
      r.stdout.includes('[activated waiting for user]'),
    );
    await exec(setup.client, APPROVE);
    await waitFor(setup.client, 'systemextensionsctl list', (r) => r.stdout.includes('[activated enabled]'));
    await setup.launch();
    await waitFor(setup.client, 'scutil --nc list', (r) => r.stdout.includes('SXL Transparent Proxy'));
    return setup;
  }
}
