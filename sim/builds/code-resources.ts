// The resource seal of a bundle's code signature, `_CodeSignature/CodeResources`, in the shape
// codesign writes it: an XML plist whose `files2` maps each sealed path (relative to the bundle's
// content folder) to `hash2` (SHA-256 of a file), `symlink` (a link's target) or `cdhash` +
// `requirement` (nested code). Reconstructed: the legacy `files` (SHA-1) dictionary and the
// `rules`/`rules2` dictionaries are left out; the sim applies codesign's default rules in code.
import { createHash } from 'node:crypto';
import { escapeXml } from './xml-lite.ts';

export type SealedResource =
  | { path: string; kind: 'file'; sha256: Buffer }
  | { path: string; kind: 'symlink'; target: string }
  | { path: string; kind: 'nested'; cdhash: Buffer; requirement: string };

export const CODE_RESOURCES = '_CodeSignature/CodeResources';
/** The sim's stand-in for the signature codesign embeds in the Mach-O (identity, hashes, CDHash). */
export const STAND_IN_SIGNATURE = '_CodeSignature/sxl-sim-signature.plist';

/** Bundle folders that are nested code, sealed by their CDHash rather than file by file. */
export const NESTED_CODE = /\.(app|appex|framework|systemextension|xpc|bundle)$/;

export function sha256(data: Buffer | string): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The CDHash codesign prints: 20 bytes, here derived from the hashes the code directory binds. */
export function cdHashOf(...parts: (Buffer | string)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 40);
}

/** The designated requirement of a Developer ID signed bundle. */
export function developerIdRequirement(identifier: string, teamId: string): string {
  return `identifier "${identifier}" and anchor apple generic and certificate 1[field.1.2.840.113635.100.6.2.6] /* exists */ and certificate leaf[field.1.2.840.113635.100.6.1.13] /* exists */ and certificate leaf[subject.OU] = ${teamId}`;
}

export function renderCodeResources(resources: readonly SealedResource[]): string {
  const sorted = [...resources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let files2 = '';
  for (const r of sorted) {
    files2 += `\t\t<key>${escapeXml(r.path)}</key>\n\t\t<dict>\n`;
    if (r.kind === 'file')
      files2 += `\t\t\t<key>hash2</key>\n\t\t\t<data>\n\t\t\t${r.sha256.toString('base64')}\n\t\t\t</data>\n`;
    else if (r.kind === 'symlink')
      files2 += `\t\t\t<key>symlink</key>\n\t\t\t<string>${escapeXml(r.target)}</string>\n`;
    else
      files2 += `\t\t\t<key>cdhash</key>\n\t\t\t<data>\n\t\t\t${r.cdhash.toString('base64')}\n\t\t\t</data>\n\t\t\t<key>requirement</key>\n\t\t\t<string>${escapeXml(r.requirement)}</string>\n`;
    files2 += '\t\t</dict>\n';
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
    '<plist version="1.0">\n<dict>\n\t<key>files2</key>\n\t<dict>\n' +
    files2 +
    '\t</dict>\n</dict>\n</plist>\n'
  );
}
