import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Transcript } from '../../../harness/report/transcript.ts';

const record = {
  stdout: '',
  stderr: '',
  exitCode: null,
  durationMs: 0,
  startedAt: new Date(0),
  timedOut: false,
};

test('a host command without an exit code is running in the background; a guest one lost its connection', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sxl-transcript-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const transcript = new Transcript(join(dir, 'transcript.log'));
  transcript.host({ ...record, command: 'tart run vm --no-graphics' });
  transcript.guest('vm (10.0.0.2:22)', { ...record, command: 'sleep 100' });
  transcript.host({ ...record, command: 'tart stop vm', exitCode: 0, durationMs: 12 });
  const lines = readFileSync(join(dir, 'transcript.log'), 'utf8').split('\n');
  t.deepEqual(
    lines.filter((line) => line.startsWith('  -> ')),
    [
      '  -> exit none yet (running in the background) in 0 ms',
      '  -> exit none (connection lost) in 0 ms',
      '  -> exit 0 in 12 ms',
    ],
  );
});
