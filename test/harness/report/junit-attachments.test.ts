import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import junitModule, { type Builder } from 'junit-report-builder';
import {
  attachmentLines,
  attachmentPath,
  attachmentProperties,
} from '../../../harness/report/junit-attachments.ts';
import { validateJUnit } from '../../helpers/xmllint.ts';

const junit = junitModule as unknown as Builder;

test('paths are relative to junit.xml, with forward slashes', (t) => {
  t.is(attachmentPath('/r/iterations/1/evidence/a b.log', '/r'), 'iterations/1/evidence/a b.log');
  t.is(attachmentPath('iterations/2/transcript.log', '/r/out', '/r'), '../iterations/2/transcript.log');
  t.is(
    attachmentLines(['iterations/1/x.txt', 'iterations/1/y.tar.gz'], '/r'),
    '[[ATTACHMENT|iterations/1/x.txt]]\n[[ATTACHMENT|iterations/1/y.tar.gz]]',
  );
});

test('system-out lines and suite-level attachment properties stay valid against junit-10.xsd', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-junit-'));
  mkdirSync(join(dir, 'iterations', '1', 'evidence'), { recursive: true });
  const files = ['iterations/1/transcript.log', 'iterations/1/evidence/sxl-1.tar.gz'];
  for (const f of files) writeFileSync(join(dir, f), 'x');
  const builder = junit.newBuilder();
  const suite = builder.testSuite().name('upgrade-xpc @ image');
  suite.property('scenario', 'upgrade-xpc');
  for (const p of attachmentProperties(files, dir)) suite.property(p.name, p.value);
  suite
    .testCase()
    .className('sysext-lab.upgrade-xpc')
    .name('upgrade-xpc iteration 1')
    .standardOutput(`VM x, outcome fail\n${attachmentLines(files, dir)}`)
    .failure('lost the endpoint', 'xpc-endpoint-registered');
  const xml = builder.build().replace(/^(<testsuites\b[^>]*?) skipped="\d+"/m, '$1');
  writeFileSync(join(dir, 'junit.xml'), xml);
  t.is(validateJUnit(join(dir, 'junit.xml')), null);
  t.regex(xml, /<property name="attachment" value="iterations\/1\/evidence\/sxl-1.tar.gz"\/>/);
  t.regex(xml, /\[\[ATTACHMENT\|iterations\/1\/transcript.log\]\]/);
});
