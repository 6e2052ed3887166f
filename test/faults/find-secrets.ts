// Looks for a planted secret, in every form an encoding gives it, in every file a run left behind
// (inside .gz/.tgz and .zip archives too) and in captured output.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The secret raw and as JSON, XML/HTML and URL encodings write it. */
export function encodedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const xmlText = secret.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const xmlAttribute = xmlText.replaceAll('"', '&quot;');
  return [
    ...new Set([
      secret,
      json,
      json.replaceAll('/', '\\/'),
      encodeURIComponent(secret),
      xmlText,
      xmlAttribute,
      xmlAttribute.replaceAll("'", '&#39;'),
      xmlAttribute.replaceAll("'", '&#x27;'),
      xmlAttribute.replaceAll("'", '&apos;'),
    ]),
  ];
}

/** `where: form` for each place a form of the secret occurs in `text`. */
export function secretsInText(text: string, secret: string, where: string): string[] {
  return encodedForms(secret)
    .filter((form) => text.includes(form))
    .map((form) => `${where}: ${form}`);
}

/** Every occurrence in the files under `dir`, archives opened. */
export function secretsInTree(dir: string, secret: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) found.push(...secretsInFile(full, secret, relative(dir, full)));
    }
  };
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) walk(dir);
  return found;
}

function secretsInFile(path: string, secret: string, where: string): string[] {
  const bytes = readFileSync(path);
  const found = secretsInText(bytes.toString('latin1'), secret, where);
  found.push(...secretsInText(bytes.toString('utf8'), secret, where));
  if (/\.(gz|tgz)$/.test(path)) {
    try {
      found.push(...secretsInText(gunzipSync(bytes).toString('utf8'), secret, `${where} (gunzipped)`));
    } catch {
      // A truncated archive: its raw bytes were searched.
    }
  }
  if (path.endsWith('.zip')) {
    const inside = execFileSync('unzip', ['-p', path], { maxBuffer: 512 * 1024 * 1024 });
    found.push(...secretsInText(inside.toString('utf8'), secret, `${where} (unzipped)`));
    if (inside.includes(Buffer.from([0x1f, 0x8b]))) {
      // A gzip inside the zip (a sysdiagnose): searched through its members one by one.
      for (const name of execFileSync('unzip', ['-Z1', path]).toString().split('\n').filter(Boolean)) {
        if (!/\.(gz|tgz)$/.test(name)) continue;
        const member = execFileSync('unzip', ['-p', path, name], { maxBuffer: 512 * 1024 * 1024 });
        try {
          found.push(...secretsInText(gunzipSync(member).toString('utf8'), secret, `${where}:${name}`));
        } catch {
          // Not a whole gzip.
        }
      }
    }
  }
  return [...new Set(found)];
}
