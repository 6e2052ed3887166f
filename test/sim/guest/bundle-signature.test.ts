// Bundles with an embedded framework in the simulated guest: installer, ditto and cp keep the
// framework's symlinks, codesign --verify --deep checks the structure a signature seals, and
// sysextd refuses an extension whose signature no longer verifies (code 8).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { sampleFrameworkDir } from '../../../sim/builds/sample-app.ts';
import { exec, q, waitFor } from './guest-harness.ts';
import { APP, SampleBuilds } from './sample-setup.ts';

const builds = new SampleBuilds();
test.before(() => builds.make());
test.after.always(() => builds.cleanup());

const FW = `/Applications/${sampleFrameworkDir}`;
const EXT =
  '/Applications/SXL Sample.app/Contents/Library/SystemExtensions/com.example.sxl.app.proxy.systemextension';

test('installer keeps the framework symlinks and the bundle verifies deeply', async (t) => {
  const { client, install } = await builds.guest();
  t.is((await install('1.0')).code, 0);
  t.is((await exec(client, `readlink ${q(`${FW}/Versions/Current`)}`)).stdout, 'A\n');
  t.is((await exec(client, `readlink ${q(`${FW}/SXLShared`)}`)).stdout, 'Versions/Current/SXLShared\n');
  t.is((await exec(client, `test -L ${q(`${FW}/Resources`)}`)).code, 0);
  t.is((await exec(client, `test -L ${q(`${FW}/Versions/A`)}`)).code, 1);
  // Reading through the links reaches the version's files.
  t.regex((await exec(client, `cat ${q(`${FW}/SXLShared`)}`)).stdout, /bundle-id: com\.example\.sxl\.shared/);
  t.is((await exec(client, `realpath ${q(`${FW}/Resources`)}`)).stdout, `${FW}/Versions/A/Resources\n`);
  t.deepEqual(await exec(client, `codesign --verify --deep --strict -v ${q(APP)}`), {
    stdout: '',
    stderr: `${APP}: valid on disk\n${APP}: satisfies its Designated Requirement\n`,
    code: 0,
  });
  t.deepEqual(await exec(client, `codesign --verify --deep ${q(APP)}`), { stdout: '', stderr: '', code: 0 });
  // codesign -dv reads a framework's signature in its current version, and counts sealed files.
  const shown = await exec(client, `codesign -dv --verbose=4 ${q(FW)}`);
  t.is(shown.code, 0);
  t.regex(shown.stderr, new RegExp(`^Executable=${FW.replace(/[.]/g, '\\.')}/Versions/A/SXLShared\n`));
  t.regex(shown.stderr, /^Identifier=com\.example\.sxl\.shared$/m);
  t.regex(shown.stderr, /^Sealed Resources version=2 rules=13 files=1$/m);
  // The upgrade keeps them too, and lists them among the receipt's files.
  t.is((await install('1.1')).code, 0);
  t.is((await exec(client, `codesign -v --deep ${q(APP)}`)).code, 0);
  const files = (await exec(client, 'pkgutil --files com.example.sxl.app.pkg')).stdout.split('\n');
  t.true(files.includes(`${sampleFrameworkDir}/Versions/Current`));
  t.true(files.includes('SXL Sample.app'));
});

test('Versions/Current copied as a folder fails verification and sysextd refuses the extension (code 8)', async (t) => {
  const { guest, client, install, launch } = await builds.guest();
  await install('1.0');
  const current = q(`${FW}/Versions/Current`);
  t.is((await exec(client, `sudo rm ${current} && sudo cp -R ${q(`${FW}/Versions/A`)} ${current}`)).code, 0);
  t.is((await exec(client, `test -L ${current}`)).code, 1);
  t.deepEqual(await exec(client, `codesign --verify --deep --strict -vv ${q(APP)}`), {
    stdout: '',
    stderr: `${APP}: unsealed contents present in the root directory of an embedded framework\nIn subcomponent: ${FW}\n`,
    code: 1,
  });
  // Without --deep only the app's own seal is read: the extension's CDHash still matches.
  t.is((await exec(client, `codesign --verify ${q(APP)}`)).code, 0);
  t.is((await exec(client, `codesign --verify --deep ${q(EXT)}`)).code, 1);
  await launch();
  const logFile = join(guest.vmDir, 'guest/unified-log.ndjson');
  await waitFor(client, 'true', () => true);
  const deadline = Date.now() + 5000;
  while (!(await readFile(logFile, 'utf8')).includes('Code=8') && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 20));
  }
  const log = await readFile(logFile, 'utf8');
  t.true(log.includes('OSSystemExtensionErrorDomain Code=8 \\"Code signature invalid\\"'), log.slice(-2000));
  t.is((await exec(client, 'systemextensionsctl list')).stdout, '0 extension(s)\n');
});

test('a duplicated file in place of a root symlink, an added file and a changed Info.plist fail', async (t) => {
  const { client } = await builds.guest();
  // A copy in the home folder, which the login user may change without sudo.
  await exec(client, `ditto -x -k ${q('sxl/SXL Sample 1.0.zip')} work`);
  const app = 'work/SXL Sample.app';
  const ext = `${app}/Contents/Library/SystemExtensions/com.example.sxl.app.proxy.systemextension`;
  const fw = `${ext}/Contents/Frameworks/SXLShared.framework`;
  t.is((await exec(client, `codesign --verify --deep ${q(app)}`)).code, 0);
  await exec(
    client,
    `rm ${q(`${fw}/SXLShared`)} && cp ${q(`${fw}/Versions/A/SXLShared`)} ${q(`${fw}/SXLShared`)}`,
  );
  t.deepEqual(await exec(client, `codesign --verify --deep ${q(app)}`), {
    stdout: '',
    stderr: `${app}: unsealed contents present in the root directory of an embedded framework\nIn subcomponent: ${fw}\n`,
    code: 1,
  });
  await exec(
    client,
    `rm ${q(`${fw}/SXLShared`)} && ln -s Versions/Current/SXLShared ${q(`${fw}/SXLShared`)}`,
  );
  t.is((await exec(client, `codesign --verify --deep ${q(app)}`)).code, 0);

  await exec(client, `echo extra > ${q(`${ext}/Contents/notes.txt`)}`);
  t.deepEqual(await exec(client, `codesign --verify --deep ${q(app)}`), {
    stdout: '',
    stderr: `${app}: a sealed resource is missing or invalid\nfile added: ${ext}/Contents/notes.txt\nIn subcomponent: ${ext}\n`,
    code: 1,
  });
  await exec(client, `rm ${q(`${ext}/Contents/notes.txt`)}`);
  await exec(client, `echo '<!-- -->' >> ${q(`${app}/Contents/Info.plist`)}`);
  t.is(
    (await exec(client, `codesign --verify ${q(app)}`)).stderr,
    `${app}: invalid Info.plist (plist or signature have been modified)\n`,
  );
  await exec(client, 'echo plain > plain.txt');
  t.is(
    (await exec(client, 'codesign --verify plain.txt')).stderr,
    'plain.txt: code object is not signed at all\n',
  );
});

test('ditto -c -k --keepParent, ditto -x -k and unzip keep the symlinks; zipinfo -1 lists them', async (t) => {
  const { client, install } = await builds.guest();
  await install('1.0');
  t.is((await exec(client, `ditto -c -k --keepParent ${q(APP)} app.zip`)).code, 0);
  t.is((await exec(client, 'ditto -x -k app.zip copy')).code, 0);
  const copied = `copy/SXL Sample.app`;
  t.is(
    (
      await exec(
        client,
        `readlink ${q(`${copied}/${sampleFrameworkDir.slice('SXL Sample.app/'.length)}/Versions/Current`)}`,
      )
    ).stdout,
    'A\n',
  );
  t.is((await exec(client, `codesign --verify --deep ${q(copied)}`)).code, 0);
  t.is((await exec(client, `ditto -x -k ${q('sxl/SXL Sample 1.1.zip')} fromhost`)).code, 0);
  t.is((await exec(client, `codesign --verify --deep ${q('fromhost/SXL Sample.app')}`)).code, 0);
  // unzip (Info-ZIP, as on macOS) restores them too and says so; zipinfo -1 lists the entries.
  const unzipped = await exec(client, `unzip ${q('sxl/SXL Sample 1.1.zip')} -d unzipped`);
  t.is(unzipped.code, 0, unzipped.stderr);
  t.regex(
    unzipped.stdout,
    /^Archive: {2}sxl\/SXL Sample 1\.1\.zip\n {3}creating: unzipped\/SXL Sample\.app\/\n/,
  );
  t.regex(unzipped.stdout, /^ {4}linking: unzipped\/.*\/SXLShared\.framework\/Versions\/Current {2}-> A \n/m);
  t.is((await exec(client, `codesign --verify --deep ${q('unzipped/SXL Sample.app')}`)).code, 0);
  const again = await exec(client, `unzip ${q('sxl/SXL Sample 1.1.zip')} -d unzipped`);
  t.regex(again.stdout, /\(EOF or read error, treating as "\[N\]one" \.\.\.\)\n$/);
  const names = (await exec(client, `zipinfo -1 ${q('sxl/SXL Sample 1.1.zip')}`)).stdout.split('\n');
  t.is(names[0], 'SXL Sample.app/');
  t.true(names.includes(`${sampleFrameworkDir}/Versions/Current`));
  // A plain ditto copy and cp -R keep them as well.
  t.is((await exec(client, `ditto ${q(copied)} ${q('dittoed/SXL Sample.app')}`)).code, 0);
  t.is((await exec(client, `cp -R ${q(copied)} cpd.app`)).code, 0);
  for (const app of ['dittoed/SXL Sample.app', 'cpd.app'])
    t.is((await exec(client, `codesign --verify --deep ${q(app)}`)).code, 0, app);
});
