import test from 'ava';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parsePmsetAssertions } from '../../../harness/parse/pmset-assertions.ts';
import { fixture, windowsPaste } from './helpers.ts';

test('Nucintosh #9 sample: every section', (t) => {
  const result = parsePmsetAssertions(fixture('pmset-assertions.txt'));
  t.is(result.timestamp, '2020-11-14T18:34:48+01:00');
  t.is(result.systemWide.PreventUserIdleSystemSleep, 1);
  t.is(result.systemWide.PreventSystemSleep, 0);
  t.is(Object.keys(result.systemWide).length, 8);
  t.is(result.byProcess.length, 2);
  t.like(result.byProcess[0], { pid: 125, process: 'WindowServer', age: '00:00:00', type: 'UserIsActive' });
  t.deepEqual(result.byProcess[0]!.details, ['Timeout will fire in 600 secs Action=TimeoutActionRelease']);
  t.deepEqual(result.byProcess[1], {
    pid: 346,
    process: 'sharingd',
    id: '0x00000a65000187b1',
    age: '00:00:51',
    type: 'PreventUserIdleSystemSleep',
    name: 'Handoff',
    details: [],
  });
  t.is(result.kernelSummary, '0xc=USB,BT-HID');
  t.like(result.kernel[0], { id: 500, level: 255 });
  t.is(result.kernel[0]!.fields.owner, 'USB Receiver');
  t.is(result.kernel[0]!.fields.creat, '14/11/2020 17:32');
  t.deepEqual(result.idleSleepPreventers, ['IODisplayWrangler']);
});

test('TAB-indented timeout lines and CRLF parse the same', (t) => {
  const text = fixture('pmset-assertions.txt');
  const expected = parsePmsetAssertions(text);
  t.deepEqual(parsePmsetAssertions(text.replace('        Timeout', '\tTimeout')), expected);
  t.deepEqual(parsePmsetAssertions(windowsPaste(text)), expected);
});

test('garbage and empty input are ParseErrors', (t) => {
  t.like(
    t.throws(() => parsePmsetAssertions('hello\n'), { instanceOf: ParseError }),
    { line: 1 },
  );
  t.like(
    t.throws(() => parsePmsetAssertions('Assertion status system-wide:\n   what is this\n'), {
      instanceOf: ParseError,
    }),
    {
      line: 2,
    },
  );
  t.throws(() => parsePmsetAssertions(''), { instanceOf: ParseError });
});
