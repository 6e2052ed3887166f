// One line on how a build is signed, for run.json and Feedback reports: Team ID, signing authority,
// hardened runtime, notarization ticket, and Gatekeeper's verdict. Read from `codesign -dv
// --verbose=4` and `spctl -a -vv` on the guest; a tool that fails leaves its part out.
import { type CodesignDisplay, parseCodesignDisplay } from '../parse/codesign-display.ts';
import { parseSpctlAssess, type SpctlAssessment } from '../parse/spctl-assess.ts';
import type { ExecResult } from '../ssh/guest-session.ts';

/** `codesign -dv --verbose=4` and `spctl -a -vv` of the bundle; both print to stderr. */
export function signingCommands(bundlePath: string): string[][] {
  return [
    ['codesign', '-dv', '--verbose=4', bundlePath],
    ['spctl', '-a', '-vv', bundlePath],
  ];
}

/** The summary from what signingCommands printed (a tool that failed leaves its part out). */
export function signingSummaryFrom(codesign: ExecResult, spctl: ExecResult): string {
  return describeSigning(
    tryParse(() => parseCodesignDisplay(codesign.stderr)),
    tryParse(() => parseSpctlAssess(spctl.stderr)),
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
