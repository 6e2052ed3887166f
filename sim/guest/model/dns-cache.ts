// mDNSResponder's cache of name look-ups: a name asked again while its answer lives makes no query,
// so a DNS proxy sees no flow for it. Reconstructed: one TTL for every name (the sim's DNS answers
// with an hour, longer than any sleep a scenario makes, the harder case), kept across sleep and
// suspend, emptied at boot and by `killall -HUP mDNSResponder` (Apple's documented flush,
// with `dscacheutil -flushcache`, which alone leaves mDNSResponder's cache as it was).
import type { GuestState } from '../state.ts';

export const DNS_TTL_MS = 3_600_000;

/** Whether a look-up of `host` at guest time `nowMs` goes out as a query (and caches the answer). */
export function lookUp(state: GuestState, host: string, nowMs: number): boolean {
  state.dnsCache ??= {};
  const expires = state.dnsCache[host];
  if (expires !== undefined && expires > nowMs) return false;
  state.dnsCache[host] = nowMs + DNS_TTL_MS;
  return true;
}

export function flushDnsCache(state: GuestState): void {
  state.dnsCache = {};
}
