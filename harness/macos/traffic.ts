// Traffic in the guest, so that a transparent proxy sees flows: curl a URL and return the HTTP code.
import type { GuestSession } from '../ssh/guest-session.ts';

export const trafficDefaults = { url: 'https://example.com/' } as const;

export async function curlStatus(
  guest: GuestSession,
  url: string = trafficDefaults.url,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<string> {
  const result = await guest.exec(['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}', url], {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  return result.stdout.trim();
}
