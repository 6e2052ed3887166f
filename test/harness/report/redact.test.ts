import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { Redactor } from '../../../harness/report/redact.ts';

const secret = 'Pl4nted-S3cret/xyz';

test('strings: raw, JSON-escaped and URL-encoded forms are masked with a label', (t) => {
  const redactor = Redactor.fromEnvironment({
    env: { TART_REGISTRY_PASSWORD: secret },
    sshPassword: 'admin',
  });
  t.is(redactor.redact(`a ${secret} b`), 'a [REDACTED:TART_REGISTRY_PASSWORD] b');
  t.is(redactor.redact('{"m":"Pl4nted-S3cret\\/xyz"}'), '{"m":"[REDACTED:TART_REGISTRY_PASSWORD]"}');
  t.is(redactor.redact(encodeURIComponent(secret)), '[REDACTED:TART_REGISTRY_PASSWORD]');
  // The images' default password is too short to mask without mangling /Users/admin.
  t.deepEqual(redactor.ignored, [{ name: 'SSH_PASSWORD', reason: 'shorter than 6 characters' }]);
  t.is(redactor.redact('/Users/admin'), '/Users/admin');
});

test('streams find a secret split across any chunk boundary', (t) => {
  const redactor = new Redactor([{ name: 'TOKEN', value: secret }]);
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.array(fc.nat(60), { maxLength: 6 }), (before, after, cuts) => {
      const input = Buffer.from(`${before}${secret}${after}`);
      const stream = redactor.stream('same-length');
      const out: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => out.push(chunk));
      let position = 0;
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        const end = Math.min(input.length, cut);
        if (end > position) stream.write(input.subarray(position, end));
        position = Math.max(position, end);
      }
      stream.end(input.subarray(position));
      const text = Buffer.concat(out).toString();
      return !text.includes(secret) && Buffer.concat(out).length === input.length && stream.count() >= 1;
    }),
  );
  t.pass();
});

test('a planted secret in a text file and inside a tar.gz is masked on disk; the tar stays valid', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-redact-'));
  const redactor = Redactor.fromEnvironment({
    env: { GITHUB_TOKEN: secret },
    tokenEnvNames: ['GITHUB_TOKEN'],
  });
  const log = join(dir, 'transcript.log');
  writeFileSync(log, `${'x'.repeat(100_000)}\nexport GITHUB_TOKEN=${secret}\n`);
  t.is(await redactor.redactFile(log), 1);
  t.true(readFileSync(log, 'utf8').endsWith('export GITHUB_TOKEN=[REDACTED:GITHUB_TOKEN]\n'));
  const tree = join(dir, 'tree');
  execFileSync('mkdir', ['-p', join(tree, 'logs')]);
  writeFileSync(join(tree, 'logs', 'system.log'), `token ${secret} end\n`);
  execFileSync('tar', ['czf', join(dir, 'sxl-1.tar.gz'), '-C', tree, 'logs']);
  t.is(await redactor.redactFile(join(dir, 'sxl-1.tar.gz')), 1);
  t.deepEqual(
    execFileSync('tar', ['tzf', join(dir, 'sxl-1.tar.gz')])
      .toString()
      .trim()
      .split('\n'),
    ['logs/', 'logs/system.log'],
  );
  const member = execFileSync('tar', ['xzOf', join(dir, 'sxl-1.tar.gz'), 'logs/system.log']).toString();
  t.is(member, `token ${'*'.repeat(secret.length)} end\n`);
  // A file without secrets keeps its bytes.
  writeFileSync(join(dir, 'clean.txt'), 'nothing here');
  t.is(await redactor.redactFile(join(dir, 'clean.txt')), 0);
  t.is(readFileSync(join(dir, 'clean.txt'), 'utf8'), 'nothing here');
});
