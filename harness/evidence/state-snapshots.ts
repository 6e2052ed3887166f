// The state at collection time: systemextensionsctl list, launchctl list, and launchctl print of
// every launchd job of the extensions under test. Small outputs, written as they come.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNetworkExtensionJobs, printSystemJob } from '../macos/launchd.ts';
import { shellCommand } from '../ssh/shell-quote.ts';
import type { EvidenceCollector, EvidenceContext, EvidenceFile } from './collector.ts';

export function stateSnapshotsCollector(): EvidenceCollector {
  return {
    name: 'state-snapshots',
    async collect(ctx: EvidenceContext): Promise<EvidenceFile[]> {
      const dir = join(ctx.iterationDir, 'evidence', 'state');
      await mkdir(dir, { recursive: true });
      const files: EvidenceFile[] = [];
      const save = async (name: string, argv: string[], text: string) => {
        const path = join(dir, name);
        await writeFile(path, text);
        files.push({ path, source: shellCommand(argv) });
      };
      const plain = async (name: string, argv: string[]) => {
        const result = await ctx.guest.exec(argv, { signal: ctx.signal, allowFailure: true });
        // A failing command is evidence too: its exit code and stderr go into the file.
        const tail = result.exitCode === 0 ? '' : `\n(exit ${result.exitCode})\n${result.stderr}`;
        await save(name, argv, `${result.stdout}${tail}`);
      };
      await plain('systemextensionsctl-list.txt', ['systemextensionsctl', 'list']);
      await plain('launchctl-list.txt', ['sudo', '-n', 'launchctl', 'list']);
      for (const bundleId of ctx.extensions) {
        for (const label of await findNetworkExtensionJobs(ctx.guest, bundleId, { signal: ctx.signal })) {
          const printed = await printSystemJob(ctx.guest, label, { signal: ctx.signal });
          await save(
            `launchctl-print-${label}.txt`,
            ['sudo', '-n', 'launchctl', 'print', `system/${label}`],
            printed.raw,
          );
        }
      }
      return files;
    },
  };
}
