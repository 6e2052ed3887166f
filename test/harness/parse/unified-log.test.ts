import test from 'ava';
import fc from 'fast-check';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { parseUnifiedLog } from '../../../harness/parse/unified-log.ts';
import { fixture, windowsPaste } from './helpers.ts';

test('default style from log stream (LuLu #293): filter line, header, message prefix', (t) => {
  t.deepEqual(parseUnifiedLog(fixture('log-stream-default.txt')), {
    style: 'default',
    entries: [
      {
        timestamp: '2021-01-18T18:53:37.342822+00:00',
        process: 'LuLu',
        pid: 6521,
        subsystem: 'com.objective-see.lulu',
        category: 'application',
        type: 'Debug',
        message: 'started: /Applications/LuLu.app/Contents/MacOS/LuLu (pid: 6521 / uid: 501)',
      },
    ],
  });
});

test('default style with the footer cut mid-word', (t) => {
  const { entries } = parseUnifiedLog(fixture('log-show-default-footer.txt'));
  t.is(entries.length, 1);
  t.like(entries[0], {
    process: 'ImagePreview',
    pid: 4004,
    type: 'Error',
    subsystem: 'com.simon',
    category: 'launch',
  });
  t.is(entries[0]!.message, 'An error occurred!');
  t.is(entries[0]!.timestamp, '2023-10-14T17:53:54.688700+08:00');
});

test('NE provider lines: library, empty category, multi-line message, cut last line', (t) => {
  const { entries } = parseUnifiedLog(fixture('log-show-ne-provider-excerpt.txt'));
  t.is(entries.length, 3);
  t.like(entries[0], {
    process: 'com.test.networkextension',
    subsystem: 'com.apple.networkextension',
    category: '',
    type: 'Default',
    pid: 569,
  });
  t.true(entries[0]!.message.startsWith('[Extension com.test.network]: provider rejected new flow TCP'));
  t.is(
    entries[1]!.message,
    'New flow verdict for D89B5B5D-793C-4940-D955-37BE33F18005:\n    drop = NO\n    remediate = NO\n    ...',
  );
  t.is(entries[2]!.message, '(410011084): Closing reads (sending SHUT_WR), closed by plugin (flow er');
});

test('compact style: process with spaces, type codes, no offset', (t) => {
  t.deepEqual(parseUnifiedLog(fixture('log-show-compact.txt')).entries, [
    {
      timestamp: '2022-11-14T13:21:14.972',
      process: 'My App',
      pid: 59972,
      subsystem: '',
      category: '',
      type: 'Default',
      message: 'Configure argc/argv...',
    },
  ]);
  const text = [
    'Timestamp               Ty Process[PID:TID]',
    '2025-01-02 03:04:05.678 E  sysextd[123:4f5] [com.apple.sx:XPC] client activation request for com.example.filter',
    '2025-01-02 03:04:05.679 Fa [T] TEXT[77:1] (libfoo.dylib) [com.example:ui] boom',
    '2025-01-02 03:04:05.680 Df io.tailscale.ipn.macsys.network-extension[3443:48f6] magicsock: new contact',
  ].join('\n');
  const { entries } = parseUnifiedLog(text);
  t.deepEqual(
    entries.map((e) => [e.type, e.process, e.pid, e.subsystem, e.category, e.message]),
    [
      ['Error', 'sysextd', 123, 'com.apple.sx', 'XPC', 'client activation request for com.example.filter'],
      ['Fault', '[T] TEXT', 77, 'com.example', 'ui', 'boom'],
      ['Default', 'io.tailscale.ipn.macsys.network-extension', 3443, '', '', 'magicsock: new contact'],
    ],
  );
});

const JSON_OBJECT = fixture('log-show-json-object.txt');

test('ndjson after a filter line: process from processImagePath with \\/ escapes', (t) => {
  const line = JSON.stringify(JSON.parse(JSON_OBJECT)).replace(/\//g, '\\/');
  t.true(line.includes('\\/System\\/Library'));
  const text = `Filtering the log data using "process == \\"SSMenuAgent\\""\n${line}\n${line}\n`;
  const result = parseUnifiedLog(text);
  t.is(result.style, 'ndjson');
  t.is(result.entries.length, 2);
  t.deepEqual(result.entries[0], {
    timestamp: '2025-07-27T15:41:33.057177-04:00',
    process: 'SSMenuAgent',
    pid: 29005,
    subsystem: '',
    category: '',
    type: 'Default',
    message: 'remoteManagementEnabled',
  });
});

test('json array with preamble lines, pretty-printed objects and an activity event', (t) => {
  const activity = JSON_OBJECT.replace('"messageType" : "Default",\n', '').replace(
    '"logEvent"',
    '"activityCreateEvent"',
  );
  const text = [
    'Filtering the log data using "subsystem == "com.example""',
    'Skipping info and debug messages, pass --info and/or --debug to include.',
    `[${JSON_OBJECT.trimEnd()},${activity.trimEnd()}]`,
    '',
  ].join('\n');
  const result = parseUnifiedLog(text);
  t.is(result.style, 'json');
  t.deepEqual(
    result.entries.map((e) => e.type),
    ['Default', 'Activity'],
  );
  t.deepEqual(parseUnifiedLog(windowsPaste(text)), result);
});

test('a JSON array cut inside the second object keeps the first', (t) => {
  const text = `[${JSON_OBJECT.trimEnd()},${JSON_OBJECT}`;
  const cut = text.slice(0, text.length - 200);
  const result = parseUnifiedLog(cut);
  t.is(result.style, 'json');
  t.is(result.entries.length, 1);
});

test('garbage, a JSON object without timestamp and text after JSON are ParseErrors', (t) => {
  t.like(
    t.throws(() => parseUnifiedLog('hello\n'), { instanceOf: ParseError }),
    { line: 1, kind: 'unified-log' },
  );
  t.like(
    t.throws(() => parseUnifiedLog('{"eventMessage": "x"}\n'), { instanceOf: ParseError }),
    { line: 1 },
  );
  t.like(
    t.throws(() => parseUnifiedLog(`${JSON.stringify(JSON.parse(JSON_OBJECT))}\nnot json\n`), {
      instanceOf: ParseError,
    }),
    {
      line: 2,
    },
  );
  t.deepEqual(parseUnifiedLog(''), { style: null, entries: [] });
});

test('a long multi-line message is capped at maxMessageChars', (t) => {
  const text =
    `${fixture('log-stream-default.txt')}${'x'.repeat(100)}\n`.repeat(1) + `${'y'.repeat(100)}\n`.repeat(50);
  const { entries } = parseUnifiedLog(text, { maxMessageChars: 1000, maxObjectChars: 1000 });
  t.is(entries.length, 1);
  t.true(entries[0]!.message.length <= 1000);
});

test('property: random and mutated input either parses or throws ParseError', (t) => {
  const bases = [
    fixture('log-show-ne-provider-excerpt.txt'),
    `[${JSON_OBJECT}]`,
    fixture('log-show-compact.txt'),
  ];
  const mutated = fc
    .tuple(fc.constantFrom(...bases), fc.nat(4000), fc.nat(4000), fc.string({ maxLength: 6, unit: 'binary' }))
    .map(([base, a, b, insert]) => {
      const [from, to] = [Math.min(a, b) % (base.length + 1), Math.max(a, b) % (base.length + 1)];
      return base.slice(0, Math.min(from, to)) + insert + base.slice(Math.max(from, to));
    });
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme-ascii' }), mutated), (input) => {
        try {
          parseUnifiedLog(input);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
      }),
      { numRuns: 500 },
    ),
  );
});
