import test from 'ava';
import { parseLaunchctlList } from '../../../harness/parse/launchctl-list.ts';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { expandTabs, fixture, windowsPaste } from './helpers.ts';

test('santa #460 sample: "-" pid is null, numbers are numbers', (t) => {
  const { jobs } = parseLaunchctlList(fixture('launchctl-list.txt'));
  t.is(jobs.length, 6);
  t.deepEqual(jobs[0], { pid: null, status: 0, label: 'com.apple.mobile.obliteration' });
  t.deepEqual(jobs[1], { pid: 395, status: 0, label: 'com.apple.CoreAuthentication.daemon' });
  t.deepEqual(jobs[5], { pid: 158, status: 0, label: 'uk.co.canimaansoftware.ClamXAV.HelperTool' });
});

test('grep output without header, negative status (signal), NE label, trimmed final newline', (t) => {
  const text = '612\t0\tNetworkExtension.com.example.app.filter.1.2.3.456\n-\t-9\tcom.example.crashy';
  t.deepEqual(parseLaunchctlList(text).jobs, [
    { pid: 612, status: 0, label: 'NetworkExtension.com.example.app.filter.1.2.3.456' },
    { pid: null, status: -9, label: 'com.example.crashy' },
  ]);
});

test('a status that is not a number stays a string', (t) => {
  t.deepEqual(parseLaunchctlList('-\t-\tcom.example.x\n').jobs, [
    { pid: null, status: '-', label: 'com.example.x' },
  ]);
});

test('expanded TABs and CRLF parse the same; empty input has no jobs', (t) => {
  const text = fixture('launchctl-list.txt');
  const expected = parseLaunchctlList(text);
  t.deepEqual(parseLaunchctlList(expandTabs(text)), expected);
  t.deepEqual(parseLaunchctlList(windowsPaste(text)), expected);
  t.deepEqual(parseLaunchctlList(''), { jobs: [] });
});

test('a cut last line that no longer looks like a row is dropped', (t) => {
  t.deepEqual(parseLaunchctlList('PID\tStatus\tLabel\n-\t0\tcom.a\n395\t').jobs, [
    { pid: null, status: 0, label: 'com.a' },
  ]);
});

test('garbage is a ParseError naming the line', (t) => {
  const error = t.throws(() => parseLaunchctlList('PID\tStatus\tLabel\nnot a row\n-\t0\tcom.a\n'), {
    instanceOf: ParseError,
  });
  t.like(error, { kind: 'launchctl-list', line: 2, got: 'not a row' });
  t.regex(error.message, /^Cannot parse launchctl list: line 2: expected .* but got "not a row"$/);
});
