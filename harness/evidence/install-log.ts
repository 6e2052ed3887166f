// /var/log/install.log: installer and package history; read as a file over SFTP (world-readable on
// macOS), with `sudo cat` into a staged copy when SFTP may not read it.
import { join } from 'node:path';
import type { EvidenceCollector } from './collector.ts';
import { commandToFile, downloadCapped } from './guest-files.ts';

export const INSTALL_LOG = '/var/log/install.log';

export function installLogCollector(): EvidenceCollector {
  return {
    name: 'install-log',
    async collect(ctx) {
      const local = join(ctx.iterationDir, 'evidence', 'install.log');
      try {
        await downloadCapped(ctx.guest, INSTALL_LOG, local, { signal: ctx.signal });
        return [{ path: local, source: INSTALL_LOG }];
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        return [await commandToFile(ctx, ['sudo', '-n', 'cat', INSTALL_LOG], 'install.log')];
      }
    },
  };
}
