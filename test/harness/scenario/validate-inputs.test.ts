// Typed scenario inputs: parsed by their declared kind, defaults applied, bad values named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { ConfigError } from '../../../harness/errors.ts';
import { ZipWriter } from '../../../harness/report/zip-writer.ts';
import { defineScenario } from '../../../harness/scenario/define-scenario.ts';
import { parseInputValues } from '../../../harness/scenario/validate-inputs.ts';
import { zipEntryNames } from '../../../harness/scenario/zip-entry-names.ts';
import { sampleBuilds } from '../../helpers/sim-env.ts';

const inputs = {
  count: { kind: 'number', description: 'n', integer: true, min: 1, default: 3 },
  ratio: { kind: 'number', description: 'r', max: 1 },
  mode: { kind: 'enum', description: 'm', values: ['on', 'off'], default: 'on' },
  flag: { kind: 'boolean', description: 'f', default: false },
  note: { kind: 'text', description: 't' },
} as const;

test('given values are parsed by kind, missing ones take their default', (t) => {
  t.deepEqual(parseInputValues('s', inputs, { count: '7', ratio: '0.25', flag: 'true' }), {
    count: 7,
    ratio: 0.25,
    mode: 'on',
    flag: true,
    note: undefined,
  });
});

for (const [name, text] of [
  ['count', '2.5'],
  ['count', '0'],
  ['count', ''],
  ['count', '0x10'],
  ['ratio', '2'],
  ['ratio', 'NaN'],
  ['mode', 'ON'],
  ['flag', '1'],
] as const) {
  test(`--input ${name}=${JSON.stringify(text)} is a ConfigError naming it`, (t) => {
    const error = t.throws(() => parseInputValues('s', inputs, { [name]: text }), {
      instanceOf: ConfigError,
    });
    t.is(error?.subject, `--input ${name}`);
    t.true(error?.message.startsWith(`Invalid --input ${name} for s: expected `), error?.message);
    t.true(error?.message.endsWith(`got "${text}"`), error?.message);
  });
}

test('defineScenario refuses a declaration whose default breaks its own rule', (t) => {
  t.throws(
    () =>
      defineScenario({
        id: 'bad-default',
        title: '',
        report: '',
        inputs: { mode: { kind: 'enum', description: 'm', values: ['on', 'off'], default: 'auto' } },
        checks: ['c'],
        signature: { check: 'c', description: 'd', evidence: 'e' },
        run: async () => {},
      }),
    { message: /declares input "mode" wrongly: its default "auto" is not one of on, off/ },
  );
});

test('zipEntryNames lists the central directory of the sample zip and of our own writer', async (t) => {
  const sample = await zipEntryNames(join(sampleBuilds, 'SXL Sample 1.0.zip'));
  t.true(sample.includes('SXL Sample.app/Contents/Info.plist'), sample.join('\n'));
  const path = join(mkdtempSync(join(tmpdir(), 'sxl-zip-')), 'x.zip');
  const zip = new ZipWriter(path);
  await zip.addBuffer('a.txt', 'a');
  await zip.addBuffer('Ünïcode.app/Contents/Info.plist', '<plist/>');
  await zip.close();
  t.deepEqual(await zipEntryNames(path), ['a.txt', 'Ünïcode.app/Contents/Info.plist']);
});

test('zipEntryNames refuses a file that only starts like a zip', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sxl-zip-')), 'x.zip');
  writeFileSync(path, 'PK\x03\x04 and then nothing');
  await t.throwsAsync(zipEntryNames(path), { message: /no end of central directory record/ });
});
