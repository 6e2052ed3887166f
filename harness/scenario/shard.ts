// CI shards (--shard K/N): N jobs that together make exactly one run. Shard K owns the iterations
// n with (n - 1) mod N = K - 1, numbered as in the unsharded run, so names and the sim's seeded
// dice (keyed by the iteration number) match it.
import { ConfigError } from '../errors.ts';

export interface Shard {
  /** 1-based: K of --shard K/N. */
  index: number;
  /** N of --shard K/N. */
  count: number;
}

/** Whether shard `shard` runs iteration `n` (1-based); every iteration when there is no shard. */
export function ownsIteration(shard: Shard | undefined, n: number): boolean {
  return shard === undefined || (n - 1) % shard.count === shard.index - 1;
}

/** `K/N` as --shard takes it; throws ConfigError naming the flag, the expected and the got value. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1 && index >= 1 && index <= count)) {
    throw new ConfigError('--shard', `--shard must be K/N with 1 <= K <= N, e.g. 1/2, got "${text}"`);
  }
  return { index, count };
}

export function describeShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
