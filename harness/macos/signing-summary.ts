// One line on how a build is signed, for run.json and Feedback reports: Team ID, signing authority,
// hardened runtime, notarization ticket, and Gatekeeper's verdict. Read from `codesign -dv
// --verbose=4` and `spctl -a -vv` on the guest; a tool that fails leaves its part out.
import { type CodesignDisplay, parseCodesignDisplay } from '../parse/codesign-display.ts';
import { parseSpctlAssess, type SpctlAssessment } from '../parse/spctl-assess.ts';
import type { GuestSession } from '../ssh/guest-session.ts';

export async function readSigningSummary(
  guest: GuestSession,
  bundlePath: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  // Both in one SSH exec; each keeps its own stderr, which is where both tools print.
  const [codesign, spctl] = await guest.execEach(
    [
      ['codesign', '-dv', '--verbose=4', bundlePath],
      ['spctl', '-a', '-vv', bundlePath],
    ],
    { signal: options.signal, allowFailure: true },
  );
  return describeSigning(
    tryParse(() => parseCodesignDisplay(codesign!.stderr)),
    tryParse(() => parseSpctlAssess(spctl!.stderr)),
  );
}

export function describeSigning(
  codesign: CodesignDisplay | undefined,
  spctl: SpctlAssessment | undefined,
): string {
  const parts: string[] = [];
  if (codesign && !codesign.signed) parts.push('not signed');
  else if (codesign) {
    parts.push(`Team ID ${codesign.teamIdentifier ?? 'none'}`);
    if (codesign.authorities[0]) parts.push(codesign.authorities[0]);
    parts.push(codesign.hardenedRuntime ? 'hardened runtime' : 'no hardened runtime');
    parts.push(
      codesign.notarizationTicket
        ? `notarization ticket ${codesign.notarizationTicket}`
        : 'no stapled ticket',
    );
  }
  if (spctl) parts.push(`spctl: ${spctl.verdict}${spctl.source ? ` (${spctl.source})` : ''}`);
  return parts.join('; ') || 'unknown (codesign and spctl gave nothing readable)';
}

function tryParse<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    // Unreadable tool output: that part of the summary is left out rather than guessed.
    return undefined;
  }
}
