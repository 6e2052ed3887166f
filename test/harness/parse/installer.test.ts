import test from 'ava';
import { parseInstaller } from '../../../harness/parse/installer.ts';
import { ParseError } from '../../../harness/parse/parse-error.ts';
import { fixture, windowsPaste } from './helpers.ts';

test('upgrade and fresh install', (t) => {
  t.deepEqual(parseInstaller(fixture('installer-upgrade.txt')), {
    packageName: 'teleport-4.1.0',
    action: 'upgrade',
    basePath: '/',
    succeeded: true,
    error: null,
    messages: ['Package name is teleport-4.1.0', 'Upgrading at base path /', 'The upgrade was successful.'],
  });
  t.like(parseInstaller(windowsPaste(fixture('installer-install.txt'))), {
    packageName: 'Vagrant',
    action: 'install',
    succeeded: true,
  });
});

test('a bad package path is an error result, not a success', (t) => {
  const result = parseInstaller(
    "installer: Error - the package path specified was invalid: '/Users/admin/Downloads/x.pkg'.\n",
  );
  t.false(result.succeeded);
  t.is(result.error, "the package path specified was invalid: '/Users/admin/Downloads/x.pkg'.");
});

test('a cut excerpt keeps what came before; garbage is a ParseError', (t) => {
  const text = fixture('installer-upgrade.txt');
  t.like(parseInstaller(text.slice(0, text.indexOf('The upgrade') - 5)), {
    packageName: 'teleport-4.1.0',
    succeeded: false,
  });
  t.like(
    t.throws(() => parseInstaller('installer: Package name is x\nhello\n'), { instanceOf: ParseError }),
    { line: 2 },
  );
  t.throws(() => parseInstaller(''), { instanceOf: ParseError });
});
