import { readFileSync } from 'node:fs';
import test from 'ava';
import { exec, q, waitFor } from './guest-harness.ts';
import { APPROVE, SampleBuilds, SERVICE } from './sample-setup.ts';

const builds = new SampleBuilds();
test.before(() => builds.make());
test.after.always(() => builds.cleanup());

const TOOLS = '/Users/admin/sxl-tools';
const TOOL = `${TOOLS}/sxl-bootstrap-lookup`;
// The harness's own source, as it uploads it: its first line is the marker the sim's cc knows.
const SOURCE = readFileSync(
  new URL('../../../harness/guest-tools/sxl-bootstrap-lookup.c', import.meta.url),
  'utf8',
);
const BUILD = `cc -O2 -Wall -o ${TOOL} ${TOOL}.c`;

async function buildTool(client: Parameters<typeof exec>[0]) {
  await exec(client, `mkdir -p ${TOOLS}`);
  await exec(client, `cat > ${TOOL}.c`, SOURCE);
  return exec(client, BUILD);
}

test('cc builds the marked tool, the shell runs it by path, look-ups follow launchd', async (t) => {
  const { client } = await builds.activated({}, 'sxl-tools-1');
  t.is((await exec(client, `test -x ${TOOL}`)).code, 1);
  t.deepEqual(await buildTool(client), { stdout: '', stderr: '', code: 0 });
  t.is((await exec(client, `test -x ${TOOL}`)).code, 0);
  const port = /port = (0x[0-9a-f]+)/.exec(
    (await exec(client, 'sudo launchctl print system/NetworkExtension.com.example.sxl.app.proxy.1.0.100'))
      .stdout,
  )?.[1];
  t.truthy(port);
  t.deepEqual(await exec(client, `sudo -n ${TOOL} ${SERVICE}`), {
    stdout: `ok ${SERVICE} port=${port}\n`,
    stderr: '',
    code: 0,
  });
  t.deepEqual(await exec(client, `sudo -n ${TOOL} com.example.nobody`), {
    stdout: '',
    stderr: 'bootstrap_look_up com.example.nobody: 1102 (Unknown service name)\n',
    code: 1,
  });
  t.deepEqual(await exec(client, `${TOOL}`), {
    stdout: '',
    stderr: 'usage: sxl-bootstrap-lookup SERVICE\n',
    code: 64,
  });
  t.is((await exec(client, `${TOOL} com.apple.sysextd`)).code, 0);
});

test('cc refuses other sources like clang; running a non-tool file by path fails like zsh', async (t) => {
  const { client } = await builds.guest({}, 'sxl-tools-2');
  await exec(client, 'cat > hello.c', 'int main(void) { return 0; }\n');
  const built = await exec(client, 'cc -o hello hello.c');
  t.is(built.code, 1);
  t.regex(built.stderr, /^hello\.c:1:1: error: .*\n1 error generated\.\n$/);
  t.deepEqual(await exec(client, 'cc -o x missing.c'), {
    stdout: '',
    stderr: "clang: error: no such file or directory: 'missing.c'\nclang: error: no input files\n",
    code: 1,
  });
  t.deepEqual(await exec(client, './hello.c'), {
    stdout: '',
    stderr: 'zsh:1: permission denied: ./hello.c\n',
    code: 126,
  });
  t.deepEqual(await exec(client, '/nowhere/tool'), {
    stdout: '',
    stderr: 'zsh:1: no such file or directory: /nowhere/tool\n',
    code: 127,
  });
});

test("cc checks the tool with clang against the SDK stubs: a broken source fails as Apple's clang says", async (t) => {
  const { client } = await builds.guest({}, 'sxl-tools-5');
  await exec(client, `mkdir -p ${TOOLS}`);
  await exec(client, `cat > ${TOOL}.c`, SOURCE.replace('MACH_PORT_NULL;', 'MACH_PORT_NULL'));
  const built = await exec(client, BUILD);
  t.is(built.code, 1);
  t.regex(built.stderr, new RegExp(`^${TOOL}\\.c:\\d+:\\d+: error: expected ';' at end of declaration\n`));
  t.regex(built.stderr, /\n1 error generated\.\n$/);
  t.is((await exec(client, `test -x ${TOOL}`)).code, 1);
  // The port passed by value: a type error the stubs' bootstrap_look_up signature catches.
  await exec(client, `cat > ${TOOL}.c`, SOURCE.replace('&port)', 'port)'));
  t.regex((await exec(client, BUILD)).stderr, /incompatible integer to pointer conversion/);
});

test('quirk xpc-invalidated-until-reapproval at 1: endpoints listed, look-up 1102, survives reboot; uninstall + activation + approval recovers', async (t) => {
  const { guest, client, install, launch } = await builds.activated(
    { 'xpc-invalidated-until-reapproval': 1 },
    'sxl-tools-3',
  );
  await buildTool(client);
  t.is((await exec(client, `sudo -n ${TOOL} ${SERVICE}`)).code, 0);
  await install('1.1');
  await launch();
  await waitFor(client, 'systemextensionsctl list', (r) =>
    r.stdout.includes('(1.1/110)\tSXL Transparent Proxy\t[activated enabled]'),
  );
  const label = 'system/NetworkExtension.com.example.sxl.app.proxy.1.1.110';
  t.true((await exec(client, `sudo launchctl print ${label}`)).stdout.includes(`"${SERVICE}" = {`));
  const failed = {
    stdout: '',
    stderr: `bootstrap_look_up ${SERVICE}: 1102 (Unknown service name)\n`,
    code: 1,
  };
  t.deepEqual(await exec(client, `sudo -n ${TOOL} ${SERVICE}`), failed);
  await exec(client, 'sudo -n reboot');
  const again = await guest.connectRetry();
  t.deepEqual(await exec(again, `sudo -n ${TOOL} ${SERVICE}`), failed);
  t.deepEqual(
    await exec(again, 'sudo -n systemextensionsctl uninstall SXLAB12345 com.example.sxl.app.proxy'),
    {
      stdout: '',
      stderr: '',
      code: 0,
    },
  );
  t.is((await exec(again, 'systemextensionsctl list')).stdout.split('\n')[0], '0 extension(s)');
  t.is((await exec(again, `sudo launchctl print ${label}`)).code, 113);
  await exec(again, `open -a ${q('/Applications/SXL Sample.app')}`);
  await waitFor(again, 'systemextensionsctl list', (r) => r.stdout.includes('[activated waiting for user]'));
  await exec(again, APPROVE);
  t.is((await exec(again, `sudo -n ${TOOL} ${SERVICE}`)).code, 0);
});

test('codesign -dv, spctl -a -vv and realpath on the installed app', async (t) => {
  const { client, install } = await builds.guest({}, 'sxl-tools-4');
  await install('1.0');
  const app = '/Applications/SXL Sample.app';
  const codesign = await exec(client, `codesign -dv --verbose=4 ${q(app)}`);
  t.is(codesign.code, 0);
  t.is(codesign.stdout, '');
  t.true(
    codesign.stderr.startsWith(
      `Executable=${app}/Contents/MacOS/SXL Sample\nIdentifier=com.example.sxl.app\nFormat=app bundle with Mach-O thin (arm64)\nCodeDirectory v=20500 `,
    ),
  );
  t.regex(
    codesign.stderr,
    /\nAuthority=Developer ID Application: Example Corp \(SXLAB12345\)\nAuthority=Developer ID Certification Authority\nAuthority=Apple Root CA\n/,
  );
  t.regex(codesign.stderr, /\nTeamIdentifier=SXLAB12345\n/);
  t.deepEqual(await exec(client, `spctl -a -vv ${q(app)}`), {
    stdout: '',
    stderr: `${app}: accepted\nsource=Notarized Developer ID\norigin=Developer ID Application: Example Corp (SXLAB12345)\n`,
    code: 0,
  });
  t.deepEqual(await exec(client, 'codesign -dv --verbose=4 /Users/admin'), {
    stdout: '',
    stderr: '/Users/admin: code object is not signed at all\n',
    code: 1,
  });
  t.deepEqual(await exec(client, 'realpath /tmp/../Users/./admin'), {
    stdout: '/Users/admin\n',
    stderr: '',
    code: 0,
  });
  t.is((await exec(client, 'realpath /nope')).stderr, 'realpath: /nope: No such file or directory\n');
});
