import test from 'ava';
import { parseCurlArgs } from '../../../../sim/guest/commands/curl.ts';

const parse = (line: string) => parseCurlArgs(line.split(' '));

test('bundled short options: -sSo takes the next argument as the output file', (t) => {
  t.like(parse('-sSo /dev/null https://example.com/'), {
    silent: true,
    showError: true,
    output: '/dev/null',
    url: 'https://example.com/',
  });
});

test('a value-taking short option takes the rest of its cluster', (t) => {
  t.like(parse('-o/tmp/x -s https://example.com/'), { output: '/tmp/x', silent: true, showError: false });
});

test("an option's value is not read as flags or as the URL", (t) => {
  // `-H -S` sends a header named "-S": it does not turn on --show-error.
  t.like(parse('-s -H -S -w %{http_code} https://example.com/'), {
    silent: true,
    showError: false,
    writeOut: '%{http_code}',
    url: 'https://example.com/',
  });
});

test('long options take the next argument as their value; -- ends the options', (t) => {
  t.like(parse('--silent --show-error --output /tmp/o --write-out x -- -odd-url'), {
    silent: true,
    showError: true,
    output: '/tmp/o',
    writeOut: 'x',
    url: '-odd-url',
  });
});
