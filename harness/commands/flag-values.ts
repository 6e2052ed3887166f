// Flag values that several commands take (`run` and `doctor`: --seed, --quirk, counts), each
// refused with a usage error that names the flag, the expected and the got value.
import { ConfigError } from '../errors.ts';

/** A count beyond a million iterations (or seconds) is a typo, and beyond 2^53 not even exact. */
const WHOLE_NUMBER_MAX = 1_000_000;

export function wholeNumber(flag: string, text: string, min = 0, max: number = WHOLE_NUMBER_MAX): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min)
    throw new ConfigError(flag, `${flag} must be a whole number >= ${min}, got "${text}"`);
  if (value > max) throw new ConfigError(flag, `${flag} must be at most ${max}, got "${text}"`);
  return value;
}

/** `--quirk NAME=P`: a fault model of the simulated Mac and its probability. */
function parseQuirk(text: string): [string, number] {
  const match = /^([a-z0-9-]+)=(\d+(?:\.\d+)?)$/.exec(text);
  const p = Number(match?.[2]);
  if (!match || !(p >= 0 && p <= 1)) {
    throw new ConfigError(
      '--quirk',
      `--quirk expects NAME=P with P between 0 and 1, e.g. xpc-endpoint-lost-on-upgrade=0.2; got "${text}"`,
    );
  }
  return [match[1] as string, p];
}

/**
 * `--seed N` and `--quirk NAME=P` as the backend's own settings; each absent flag is left out, and the
 * backend's profile refuses those it does not take (quirks on a real Mac).
 */
export function backendSettingFlags(values: { seed?: string; quirk: string[] }): {
  seed?: number;
  quirks?: Record<string, number>;
} {
  return {
    ...(values.seed === undefined
      ? {}
      : { seed: wholeNumber('--seed', values.seed, 0, Number.MAX_SAFE_INTEGER) }),
    ...(values.quirk.length === 0 ? {} : { quirks: Object.fromEntries(values.quirk.map(parseQuirk)) }),
  };
}
