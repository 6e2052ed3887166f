import { readFileSync } from 'node:fs';
import test from 'ava';
import { dateSetArgument } from '../../../harness/macos/guest-clock.ts';
import { parseBootstrapLookup } from '../../../harness/macos/guest-tools.ts';
import { logShowArgv, predicateString } from '../../../harness/macos/unified-log.ts';

test('the bootstrap look-up tool source starts with the marker and prints the contract forms', (t) => {
  const source = readFileSync(
    new URL('../../../harness/guest-tools/sxl-bootstrap-lookup.c', import.meta.url),
    'utf8',
  );
  t.is(source.split('\n')[0], '// sxl-guest-tool: bootstrap-lookup');
  t.regex(source, /#include <servers\/bootstrap\.h>/);
  t.regex(source, /bootstrap_look_up\(bootstrap_port, name, &port\)/);
  t.regex(source, /"ok %s port=0x%x\\n"/);
  t.regex(source, /"bootstrap_look_up %s: %d \(%s\)\\n"/);
  t.regex(source, /"usage: sxl-bootstrap-lookup SERVICE\\n"/);
});

test('parses the tool output: ok, a kern_return with its text, or anything else', (t) => {
  t.like(parseBootstrapLookup('a.b', 'ok a.b port=0x1a03\n', '', 0), { ok: true, port: '0x1a03' });
  t.like(parseBootstrapLookup('a.b', '', 'bootstrap_look_up a.b: 1102 (Unknown service name)\n', 1), {
    ok: false,
    code: 1102,
    reason: 'Unknown service name',
  });
  t.like(parseBootstrapLookup('a.b', '', 'sudo: a password is required\n', 1), {
    ok: false,
    code: null,
    reason: 'unexpected output, exit 1: sudo: a password is required',
  });
});

test('date -u argument, log show argv and predicate strings', (t) => {
  t.is(dateSetArgument(new Date('2026-03-04T05:06:07Z')), '030405062026.07');
  t.deepEqual(logShowArgv({ predicate: 'process == "sysextd"', start: '2026-01-01 00:00:00' }), [
    'log',
    'show',
    '--style',
    'ndjson',
    '--info',
    '--debug',
    '--start',
    '2026-01-01 00:00:00',
    '--predicate',
    'process == "sysextd"',
  ]);
  t.deepEqual(logShowArgv({ predicate: 'x', last: '5m' }).slice(6, 8), ['--last', '5m']);
  t.is(predicateString('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
});
