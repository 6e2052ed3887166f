// sysdiagnose: `sudo -n sysdiagnose -u -b -f DIR -A NAME` (macos-outputs.md §5: -u no prompt or UI,
// -b no Finder window), then the archive DIR/NAME.tar.gz streamed down with progress and a cap.
import { join } from 'node:path';
import type { EvidenceCollector, EvidenceContext, EvidenceFile } from './collector.ts';
import { defaultMaxBytes, downloadCapped, GUEST_EVIDENCE_DIR } from './guest-files.ts';

export interface SysdiagnoseOptions {
  /** sysdiagnose takes minutes on a real Mac; AWS ec2-macos-utils waits 15. @default 900000 */
  timeoutMs?: number;
  /** @default defaultMaxBytes */
  maxBytes?: number;
  /** Guest folder for the archive. @default GUEST_EVIDENCE_DIR */
  remoteDir?: string;
  onProgress?: (bytes: number, total: number) => void;
}

export const sysdiagnoseDefaults = { timeoutMs: 15 * 60_000, maxBytes: defaultMaxBytes } as const;

export function sysdiagnoseCollector(options: SysdiagnoseOptions = {}): EvidenceCollector {
  const remoteDir = options.remoteDir ?? GUEST_EVIDENCE_DIR;
  return {
    name: 'sysdiagnose',
    timeoutMs: options.timeoutMs ?? sysdiagnoseDefaults.timeoutMs,
    async collect(ctx: EvidenceContext): Promise<EvidenceFile[]> {
      const name = `sxl-${ctx.iteration}`;
      const archive = `${remoteDir}/${name}.tar.gz`;
      const argv = ['sudo', '-n', 'sysdiagnose', '-u', '-b', '-f', remoteDir, '-A', name];
      await ctx.guest.exec(['mkdir', '-p', remoteDir], { signal: ctx.signal });
      // The collector's signal bounds it; exec's own default (2 min) would cut a real sysdiagnose short.
      await ctx.guest.exec(argv, { signal: ctx.signal, timeoutMs: 24 * 3_600_000 });
      // sysdiagnose runs as root; the admin user's SFTP session must be able to read its archive.
      await ctx.guest.exec(['sudo', '-n', 'chmod', '644', archive], {
        signal: ctx.signal,
        allowFailure: true,
      });
      const local = join(ctx.iterationDir, 'evidence', `${name}.tar.gz`);
      await downloadCapped(ctx.guest, archive, local, {
        signal: ctx.signal,
        maxBytes: options.maxBytes ?? sysdiagnoseDefaults.maxBytes,
        onProgress: options.onProgress,
      });
      await ctx.guest.exec(['sudo', '-n', 'rm', '-f', archive], { signal: ctx.signal, allowFailure: true });
      return [{ path: local, source: argv.join(' ') }];
    },
  };
}
