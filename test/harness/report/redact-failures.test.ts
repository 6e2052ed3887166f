// Redaction where it is easy to get wrong: secrets written as JSON \u escapes, secrets that overlap,
// a .gz that is truncated (nothing unredacted may stay on disk) or not gzip at all.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import test from 'ava';
import { RedactionError, Redactor } from '../../../harness/report/redact.ts';

const dir = mkdtempSync(join(tmpdir(), 'sxl-redact-'));

test('a secret written with JSON \\u escapes is masked in every spelling', (t) => {
  const redactor = new Redactor([
    { name: 'NON_ASCII', value: 'pässwörd-1234' },
    { name: 'MARKUP', value: "tok<en>&'x-99" },
  ]);
  const spellings = [
    // Python's json.dumps (ensure_ascii), lower-case hex; Java and others use upper case.
    'p\\u00e4ssw\\u00f6rd-1234',
    'p\\u00E4ssw\\u00F6rd-1234',
    // Go's encoding/json escapes <, > and & (and HTML-safe writers the quote too).
    "tok\\u003cen\\u003e\\u0026'x-99",
    'tok\\u003cen\\u003e\\u0026\\u0027x-99',
    'tok\\u003Cen\\u003E\\u0026\\u0027x-99',
  ];
  for (const spelling of spellings) {
    const out = redactor.redact(`{"token":"${spelling}"}`);
    t.regex(out, /^\{"token":"\[REDACTED:(NON_ASCII|MARKUP)\]"\}$/, spelling);
  }
  // A JSON reader turns each spelling back into the secret: that is why they all count.
  t.is(JSON.parse(`"${spellings[0]}"`), 'pässwörd-1234');
  t.is(JSON.parse(`"${spellings[4]}"`), "tok<en>&'x-99");
});

test('overlapping secrets are masked together, no tail of either stays readable', (t) => {
  const redactor = new Redactor([
    { name: 'A', value: 'abcdef123' },
    { name: 'B', value: 'def123456' },
  ]);
  t.is(redactor.redact('x abcdef123456 y'), 'x [REDACTED:A] y');
  t.is(redactor.redact('x def123456 y abcdef123 z'), 'x [REDACTED:B] y [REDACTED:A] z');
  const masked = redactor.stream('same-length');
  const chunks: Buffer[] = [];
  masked.on('data', (chunk: Buffer) => chunks.push(chunk));
  masked.end(Buffer.from('x abcdef123456 y'));
  return new Promise<void>((resolve) => {
    masked.on('end', () => {
      t.is(Buffer.concat(chunks).toString(), `x ${'*'.repeat(12)} y`);
      resolve();
    });
  });
});

test('a truncated .gz cannot be searched: it is removed and the failure says which and why', async (t) => {
  const redactor = new Redactor([{ name: 'TOKEN', value: 'ghp_secret_value_1234' }]);
  const path = join(dir, 'sysdiagnose.tar.gz');
  const whole = gzipSync(Buffer.from(`header\nthe token is ghp_secret_value_1234\n${'x'.repeat(10_000)}`));
  writeFileSync(path, whole.subarray(0, whole.length - 20));
  const error = await t.throwsAsync(redactor.redactFile(path), { instanceOf: RedactionError });
  t.regex(
    error?.message ?? '',
    /^Redaction failed for .*sysdiagnose\.tar\.gz, so it was removed: unexpected end of file/,
  );
  t.false(existsSync(path));
});

test('a whole .gz is masked inside; one whose bytes are not gzip is masked as it is', async (t) => {
  const redactor = new Redactor([{ name: 'TOKEN', value: 'ghp_secret_value_1234' }]);
  const gz = join(dir, 'whole.tar.gz');
  writeFileSync(gz, gzipSync(Buffer.from('a ghp_secret_value_1234 b')));
  t.is(await redactor.redactFile(gz), 1);
  t.is(gunzipSync(readFileSync(gz)).toString(), `a ${'*'.repeat(21)} b`);
  const mislabelled = join(dir, 'plain.gz');
  writeFileSync(mislabelled, 'a ghp_secret_value_1234 b');
  t.is(await redactor.redactFile(mislabelled), 1);
  t.is(readFileSync(mislabelled, 'utf8'), `a ${'*'.repeat(21)} b`);
});
