// `pmset -g log`: sleep, wake and assertion history (macos-outputs.md §3.1), for sleep/wake bugs.
import type { EvidenceCollector } from './collector.ts';
import { commandToFile } from './guest-files.ts';

export function pmsetLogCollector(): EvidenceCollector {
  return {
    name: 'pmset-log',
    collect: async (ctx) => [await commandToFile(ctx, ['pmset', '-g', 'log'], 'pmset-log.txt')],
  };
}
