// The fake tart against the reference (shared/reference/tart-cli.md): one row per behaviour the
// harness relies on. Rows marked viaBinary run sim/bin/tart as a child process, as the harness
// does; the others call the same entry (main) in this process, one at a time with the row's
// environment, because a process start costs about 0.3 s of CPU and a row needs nothing else.
import { existsSync, mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { findImageByRef } from '../../../sim/images.ts';
import { VZ_START_FAILED } from '../../../sim/tart/commands/run.ts';
import { LEAKED_SLOTS_FILE } from '../../../sim/tart/host-quirks.ts';
import { manifestDigest } from '../../../sim/tart/oci-cache.ts';
import { copyVmFolder } from '../../../sim/tart/vm-copy.ts';
import { createTartHome, IMAGE, type TartHome, type TartResult } from './tart-process.ts';

const DIGEST = manifestDigest(findImageByRef(IMAGE)!);
const REPOSITORY = IMAGE.slice(0, IMAGE.lastIndexOf(':'));

const PULL_LINES = [
  `pulling ${IMAGE}...`,
  'pulling manifest...',
  'pulling disk (16.0 GB compressed)...',
  ...Array.from({ length: 11 }, (_, i) => `${i * 10}%`),
  'pulling NVRAM...',
  '',
].join('\n');

const usage = (synopsis: string, command: string) =>
  `Usage: tart ${synopsis}\n  See 'tart ${command} --help' for more information.\n`;
const IP_USAGE = usage('ip <name> [--wait <wait>] [--resolver <resolver>]', 'ip');
const RUN_USAGE = usage('run [<options>] <name>', 'run');
const LIST_USAGE = usage('list [--source <source>] [--format <format>] [--quiet]', 'list');

const LIST_KEYS = ['Accessed', 'Disk', 'Name', 'Running', 'Size', 'Source', 'State'];
const GET_KEYS = ['CPU', 'Disk', 'DiskFormat', 'Display', 'Memory', 'OS', 'Running', 'Size', 'State'];

type Expect = string | RegExp;

interface Row {
  title: string;
  /**
   * shared: one read-only home with the image cached and a stopped VM `vm`; seeded: a home of the
   * row's own with the same content; empty: a home with nothing in it.
   */
  home: 'shared' | 'seeded' | 'empty';
  setup?: (home: TartHome) => Promise<void>;
  /** Extra environment for the call (quirks, sim settings). */
  env?: NodeJS.ProcessEnv;
  /** Run through sim/bin/tart in a child process instead of calling main() in this process. */
  viaBinary?: boolean;
  args: string[];
  stdout?: Expect;
  stderr?: Expect;
  exitCode: number;
  check?: (t: ExecutionContext, home: TartHome, result: TartResult) => Promise<unknown> | unknown;
}

const localVms = (home: TartHome) =>
  existsSync(join(home.dir, 'vms')) ? readdirSync(join(home.dir, 'vms')).sort() : [];
const copyVm = (home: TartHome, name: string) =>
  copyVmFolder(join(home.dir, 'vms', 'vm'), join(home.dir, 'vms', name));
const suspendVm = async (home: TartHome) => {
  writeFileSync(join(home.dir, 'vms', 'vm', 'state.vzvmsave'), 'snapshot');
};
// Two slots of the two-VM limit lost by earlier power-offs (tart #1217), as the quirk records them.
const leakTwoSlots = async (home: TartHome) => {
  mkdirSync(join(home.dir, 'sim-host'), { recursive: true });
  writeFileSync(
    join(home.dir, 'sim-host', LEAKED_SLOTS_FILE),
    '2026-01-01T00:00:00.000Z\tsxl-old-1\n2026-01-01T00:10:00.000Z\tsxl-old-2\n',
  );
};
const QUIRK_NAMES =
  'xpc-endpoint-lost-on-upgrade, xpc-invalidated-until-reapproval, flows-stop-after-wake, filter-flows-stop-after-wake, activation-no-policy, approval-ui-ignored, darkwake-only, sip-enabled, no-tcc-grants, no-cc, no-sleep, ssh-drop, sysdiagnose-hang, sshd-dies-mid-transfer, boot-fail, no-ip, suspend-save-fails, vm-limit-leak';
const EXEC_USAGE = usage('exec <name> [<command> ...] [--interactive] [--tty]', 'exec');

const rows: Row[] = [
  {
    title: '--version prints the tag',
    home: 'empty',
    viaBinary: true,
    args: ['--version'],
    stdout: '2.32.1\n',
    exitCode: 0,
  },
  {
    title: 'sim: an unknown quirk fails every call, --version included',
    home: 'empty',
    viaBinary: true,
    env: { SXL_SIM_QUIRKS: 'boot-fail=1,bogus=0.5' },
    args: ['--version'],
    stdout: '',
    stderr: `Invalid sim settings: Unknown quirk "bogus": expected one of ${QUIRK_NAMES}\n`,
    exitCode: 1,
  },
  {
    title: 'sim: an unknown host fault fails every call, --version included',
    home: 'empty',
    viaBinary: true,
    env: { SXL_SIM_HOST_FAULTS: 'keychain-locked,bogus' },
    args: ['--version'],
    stdout: '',
    stderr:
      'Invalid sim settings: Unknown host fault "bogus" in SXL_SIM_HOST_FAULTS: expected one of keychain-locked, local-network-denied, dhcp-exhausted, no-console-user\n',
    exitCode: 1,
  },
  {
    title: 'sim: a quirk probability out of range fails the call',
    home: 'shared',
    env: { SXL_SIM_QUIRKS: 'no-ip=1.5' },
    args: ['list'],
    stdout: '',
    stderr: 'Invalid sim settings: Invalid probability for quirk "no-ip": 1.5, expected 0..1\n',
    exitCode: 1,
  },
  {
    title: 'sim: a bad seed or time scale fails the call',
    home: 'shared',
    env: { SXL_SIM_SEED: '1.5', SXL_SIM_TIME_SCALE: 'fast' },
    args: ['ip', 'vm'],
    stderr: 'Invalid sim settings: Invalid SXL_SIM_SEED "1.5": expected an integer\n',
    exitCode: 1,
  },
  {
    title: 'pull of a remote name prints the pull lines with the compressed size',
    home: 'empty',
    viaBinary: true,
    args: ['pull', IMAGE],
    stdout: PULL_LINES,
    stderr: '',
    exitCode: 0,
    check: (t, home) => {
      const repository = join(home.dir, 'cache', 'OCIs', ...REPOSITORY.split('/'));
      t.is(readlinkSync(join(repository, 'latest')), DIGEST);
      t.true(existsSync(join(repository, DIGEST, 'config.json')));
    },
  },
  {
    title: 'pull of a cached image says so',
    home: 'shared',
    args: ['pull', IMAGE],
    stdout: `pulling ${IMAGE}...\n${DIGEST} image is already cached and linked!\n`,
    exitCode: 0,
  },
  {
    title: 'pull of a local name has nothing to do',
    home: 'shared',
    args: ['pull', 'vm'],
    stdout: '"vm" is a local image, nothing to pull here!\n',
    exitCode: 0,
  },
  {
    title: 'pull of an unknown remote name fails like a registry 404',
    home: 'empty',
    args: ['pull', 'ghcr.io/cirruslabs/macos-nope-base:latest'],
    stderr: /^received unexpected HTTP status code 404 /,
    exitCode: 1,
  },
  {
    title: 'clone of a remote image that is not cached pulls it first',
    home: 'empty',
    args: ['clone', IMAGE, 'fresh'],
    stdout: PULL_LINES,
    exitCode: 0,
    check: (t, home) => t.deepEqual(localVms(home), ['fresh']),
  },
  {
    title: 'clone of a local VM prints nothing and picks a new MAC',
    home: 'seeded',
    args: ['clone', 'vm', 'copy'],
    stdout: '',
    stderr: '',
    exitCode: 0,
    check: async (t, home) => {
      const { readVmConfig } = await import('../../../sim/tart/vm-config.ts');
      const source = readVmConfig(join(home.dir, 'vms', 'vm'));
      const copy = readVmConfig(join(home.dir, 'vms', 'copy'));
      t.not(copy.macAddress, source.macAddress);
      t.true(existsSync(join(home.dir, 'vms', 'copy', 'guest')), 'the guest folder travels with the clone');
    },
  },
  {
    title: 'clone overwrites an existing target without a word',
    home: 'seeded',
    setup: async (home) => copyVm(home, 'copy'),
    args: ['clone', 'vm', 'copy'],
    stdout: '',
    stderr: '',
    exitCode: 0,
  },
  {
    title: 'clone of a suspended VM keeps the snapshot and the MAC',
    home: 'seeded',
    setup: suspendVm,
    args: ['clone', 'vm', 'copy'],
    exitCode: 0,
    check: async (t, home) => {
      const { readVmConfig } = await import('../../../sim/tart/vm-config.ts');
      t.is(
        readVmConfig(join(home.dir, 'vms', 'copy')).macAddress,
        readVmConfig(join(home.dir, 'vms', 'vm')).macAddress,
      );
      t.true(existsSync(join(home.dir, 'vms', 'copy', 'state.vzvmsave')));
    },
  },
  {
    title: 'clone of a missing local VM',
    home: 'shared',
    args: ['clone', 'nope', 'copy'],
    stdout: '',
    stderr: 'the specified VM "nope" does not exist\n',
    exitCode: 2,
  },
  {
    title: 'clone to a remote name is a usage error',
    home: 'shared',
    args: ['clone', 'vm', 'ghcr.io/acme/vm:1'],
    stderr: `Error: <new-name> should be a local name\n${usage('clone <source-name> <new-name> [--insecure] [--concurrency <concurrency>] [--prune-limit <n>] [--deduplicate]', 'clone').replace(/^Usage: tart clone .*$/m, 'Usage: tart clone [<options>] <source-name> <new-name>')}`,
    exitCode: 64,
  },
  {
    title: 'run of a missing VM fails in validate(): Error: prefix, exit 1',
    home: 'shared',
    args: ['run', 'nope', '--no-graphics'],
    stdout: '',
    stderr: 'Error: the specified VM "nope" does not exist\n',
    exitCode: 1,
  },
  {
    title: 'run without a name',
    home: 'shared',
    args: ['run'],
    stderr: `Error: Missing expected argument '<name>'\nHelp:  <name>  VM name\n${RUN_USAGE}`,
    exitCode: 64,
  },
  {
    title: 'run with two network modes',
    home: 'shared',
    args: ['run', 'vm', '--net-host', '--net-softnet-allow', '10.0.0.0/8'],
    stderr: `Error: --net-bridged, --net-softnet and --net-host are mutually exclusive\n${RUN_USAGE}`,
    exitCode: 64,
  },
  {
    title: 'run with an unknown option',
    home: 'shared',
    args: ['run', '--detach', 'vm'],
    stderr: `Error: Unknown option '--detach'\n${RUN_USAGE}`,
    exitCode: 64,
  },
  {
    title: 'run that VZ fails to start (quirk boot-fail): the raw VZError, exit 1, lock released',
    home: 'seeded',
    viaBinary: true,
    env: { SXL_SIM_QUIRKS: 'boot-fail=1' },
    args: ['run', 'vm', '--no-graphics'],
    stdout: '',
    stderr: `${VZ_START_FAILED}\n`,
    exitCode: 1,
    check: async (t, home) => {
      t.regex(
        VZ_START_FAILED,
        /^Error Domain=VZErrorDomain Code=1 "The virtual machine failed to start\." UserInfo=\{.+\}$/,
      );
      t.false(existsSync(join(home.dir, 'vms', 'vm', '.sim-run.pid')));
      const list = JSON.parse((await home.tart('list', '--source', 'local', '--format', 'json')).stdout);
      t.like(list[0], { Name: 'vm', State: 'stopped', Running: false });
    },
  },
  {
    title: 'run with both slots of the limit leaked and no VM running (tart #1217): no list of others',
    home: 'seeded',
    setup: leakTwoSlots,
    args: ['run', 'vm', '--no-graphics'],
    stdout: '',
    stderr: 'The number of VMs exceeds the system limit\n',
    exitCode: 1,
    check: (t, home) => t.false(existsSync(join(home.dir, 'vms', 'vm', '.sim-run.pid'))),
  },
  {
    title: 'ip of a stopped VM without a lease',
    home: 'shared',
    args: ['ip', 'vm'],
    stdout: '',
    stderr: 'no IP address found, is your VM running?\n',
    exitCode: 1,
  },
  {
    title: 'ip --wait polls and then fails the same way',
    home: 'shared',
    args: ['ip', '--wait', '1', 'vm'],
    stderr: 'no IP address found, is your VM running?\n',
    exitCode: 1,
  },
  {
    title: 'ip with the agent resolver adds the agent hint',
    home: 'shared',
    args: ['ip', 'vm', '--resolver', 'agent'],
    stderr:
      'no IP address found, is your VM running? (also make sure that Guest agent for Tart is running inside of a VM)\n',
    exitCode: 1,
  },
  {
    title: 'ip of a missing VM',
    home: 'shared',
    args: ['ip', 'nope'],
    stderr: 'the specified VM "nope" does not exist\n',
    exitCode: 2,
  },
  {
    title: 'ip without a name',
    home: 'shared',
    args: ['ip'],
    stderr: `Error: Missing expected argument '<name>'\nHelp:  <name>  VM name\n${IP_USAGE}`,
    exitCode: 64,
  },
  {
    title: 'ip with an unknown resolver',
    home: 'shared',
    args: ['ip', 'vm', '--resolver', 'mdns'],
    stderr: `Error: The value 'mdns' is invalid for '--resolver <resolver>'\n${IP_USAGE}`,
    exitCode: 64,
  },
  {
    title: 'stop of a stopped VM',
    home: 'shared',
    args: ['stop', 'vm'],
    stderr: 'VM "vm" is not running\n',
    exitCode: 2,
  },
  {
    title: 'stop of a missing VM',
    home: 'shared',
    args: ['stop', '--timeout', '5', 'nope'],
    stderr: 'the specified VM "nope" does not exist\n',
    exitCode: 2,
  },
  {
    title: 'stop of a suspended VM discards the snapshot',
    home: 'seeded',
    setup: suspendVm,
    args: ['stop', '-t', '5', 'vm'],
    stdout: '',
    stderr: '',
    exitCode: 0,
    check: (t, home) => t.false(existsSync(join(home.dir, 'vms', 'vm', 'state.vzvmsave'))),
  },
  {
    title: 'suspend of a stopped VM: the doubled message',
    home: 'shared',
    args: ['suspend', 'vm'],
    stderr: 'VM "VM "vm" is not running" is not running\n',
    exitCode: 2,
  },
  {
    title: 'delete of a missing VM',
    home: 'shared',
    args: ['delete', 'nope'],
    stderr: 'the specified VM "nope" does not exist\n',
    exitCode: 2,
  },
  {
    title: 'delete of several stopped VMs',
    home: 'seeded',
    setup: async (home) => copyVm(home, 'copy'),
    args: ['delete', 'vm', 'copy'],
    stdout: '',
    stderr: '',
    exitCode: 0,
    check: (t, home) => t.deepEqual(localVms(home), []),
  },
  {
    title: 'list -q with no VMs prints nothing',
    home: 'empty',
    args: ['list', '-q'],
    stdout: '',
    exitCode: 0,
  },
  {
    title: 'list with no VMs prints one empty line',
    home: 'empty',
    args: ['list'],
    stdout: '\n',
    exitCode: 0,
  },
  {
    title: 'list -q prints names, local first, OCI by tag and by digest',
    home: 'shared',
    args: ['list', '--quiet'],
    stdout: `vm\n${IMAGE}\n${REPOSITORY}@${DIGEST}\n`,
    exitCode: 0,
  },
  {
    title: 'list text columns',
    home: 'shared',
    args: ['list', '--source', 'local'],
    stdout: /^Source Name Disk Size Accessed\s+State\nlocal {2}vm {3}50 {3}0 {4}\S.* stopped\n$/,
    exitCode: 0,
  },
  {
    title: 'list --source with an unknown value',
    home: 'shared',
    args: ['list', '--source', 'foo'],
    stderr: `Error: 'foo' is not a valid <source>\n${LIST_USAGE}`,
    exitCode: 64,
  },
  {
    title: 'list with an unknown option',
    home: 'shared',
    args: ['list', '--all'],
    stderr: `Error: Unknown option '--all'\n${LIST_USAGE}`,
    exitCode: 64,
  },
  {
    title: 'list --format json: exactly the keys, Source "OCI", pretty-printed like JSONEncoder',
    home: 'shared',
    args: ['list', '--format', 'json'],
    stdout: /^\[\n {2}\{\n( {4}"\w+" : [^\n]+\n)+/,
    exitCode: 0,
    check: (t, _home, result) => {
      const entries = JSON.parse(result.stdout) as Record<string, unknown>[];
      t.deepEqual(
        entries.map((e) => [e.Source, e.Name, e.Disk, e.Running, e.State]),
        [
          ['local', 'vm', 50, false, 'stopped'],
          ['OCI', IMAGE, 50, false, 'stopped'],
          ['OCI', `${REPOSITORY}@${DIGEST}`, 50, false, 'stopped'],
        ],
      );
      for (const entry of entries) {
        t.deepEqual(Object.keys(entry).sort(), LIST_KEYS);
        t.regex(String(entry.Accessed), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        t.is(typeof entry.Size, 'number');
      }
    },
  },
  {
    title: 'get --format json: exactly the keys, Memory in MB, Size a "%.3f" string',
    home: 'shared',
    args: ['get', 'vm', '--format', 'json'],
    stdout: /^\{\n( {2}"\w+" : [^\n]+\n)+\}\n$/,
    exitCode: 0,
    check: (t, _home, result) => {
      const info = JSON.parse(result.stdout) as Record<string, unknown>;
      t.deepEqual(Object.keys(info).sort(), GET_KEYS);
      t.like(info, {
        OS: 'darwin',
        CPU: 4,
        Memory: 8192,
        Disk: 50,
        DiskFormat: 'raw',
        Display: '1024x768',
        Running: false,
        State: 'stopped',
      });
      t.regex(String(info.Size), /^\d+\.\d{3}$/);
    },
  },
  {
    title: 'get text columns',
    home: 'shared',
    args: ['get', 'vm'],
    stdout:
      /^OS {5}CPU Memory Disk DiskFormat Size {2}Display {2}State\ndarwin 4 {3}8192 {3}50 {3}raw {8}\d+\.\d{3} 1024x768 stopped\n$/,
    exitCode: 0,
  },
  {
    title: 'get of a missing VM',
    home: 'shared',
    args: ['get', 'nope'],
    stderr: 'the specified VM "nope" does not exist\n',
    exitCode: 2,
  },
  {
    title: 'set with options before the name (Orchard) and after it (Cirrus CLI)',
    home: 'seeded',
    setup: async (home) => void (await home.tart('set', '--memory', '16384', 'vm')),
    args: ['set', 'vm', '--cpu', '6', '--display', '1920x1080pt', '--disk-size', '60'],
    stdout: '',
    stderr: '',
    exitCode: 0,
    check: async (t, home) => {
      const info = JSON.parse((await home.tart('get', 'vm', '--format', 'json')).stdout) as Record<
        string,
        unknown
      >;
      t.like(info, { CPU: 6, Memory: 16384, Display: '1920x1080pt', Disk: 60 });
    },
  },
  {
    title: 'set --random-mac changes only the MAC',
    home: 'seeded',
    args: ['set', 'vm', '--random-mac'],
    exitCode: 0,
    check: async (t, home) => {
      const { readVmConfig } = await import('../../../sim/tart/vm-config.ts');
      const config = readVmConfig(join(home.dir, 'vms', 'vm'));
      const source = readVmConfig(
        join(home.dir, 'cache', 'OCIs', 'ghcr.io', 'cirruslabs', 'macos-sequoia-base', 'latest'),
      );
      t.not(config.macAddress, source.macAddress);
      t.regex(config.macAddress, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      t.deepEqual({ ...config, macAddress: '' }, { ...source, macAddress: '', platform: config.platform });
    },
  },
  {
    title: 'set below the minimum CPU count',
    home: 'shared',
    args: ['set', 'vm', '--cpu', '2'],
    stderr: 'Error: LessThanMinimalResourcesError: VM should have 4 CPU cores at minimum (requested 2)\n',
    exitCode: 1,
  },
  {
    title: 'set --disk-size cannot shrink',
    home: 'shared',
    args: ['set', 'vm', '--disk-size', '10'],
    stderr: /^new disk size of 10GB should be larger than the current disk size of 50GB\n$/,
    exitCode: 1,
  },
  {
    title: 'fqn of a cached tag gives its digest',
    home: 'shared',
    args: ['fqn', IMAGE],
    stdout: `${REPOSITORY}@${DIGEST}\n`,
    exitCode: 0,
  },
  {
    title: 'fqn of a local name echoes it',
    home: 'shared',
    args: ['fqn', 'vm'],
    stdout: 'vm\n',
    exitCode: 0,
  },
  {
    title: 'fqn of a tag that is not cached',
    home: 'shared',
    args: ['fqn', 'ghcr.io/cirruslabs/macos-tahoe-base:latest'],
    stderr:
      "OCI storage error: ghcr.io/cirruslabs/macos-tahoe-base:latest is not a digest and doesn't point to a digest\n",
    exitCode: 1,
  },
  {
    title: 'rename of a missing VM is a usage error',
    home: 'shared',
    args: ['rename', 'nope', 'other'],
    stderr: `Error: failed to rename a non-existent local VM: nope\n${usage('rename <name> <new-name>', 'rename')}`,
    exitCode: 64,
  },
  {
    title: 'rename onto an existing VM is a usage error',
    home: 'seeded',
    setup: async (home) => copyVm(home, 'other'),
    args: ['rename', 'vm', 'other'],
    stderr: `Error: failed to rename VM vm, target VM other already exists, delete it first!\n${usage('rename <name> <new-name>', 'rename')}`,
    exitCode: 64,
  },
  {
    title: 'rename moves the VM',
    home: 'seeded',
    args: ['rename', 'vm', 'renamed'],
    stdout: '',
    exitCode: 0,
    check: (t, home) => t.deepEqual(localVms(home), ['renamed']),
  },
  {
    title: 'exec of a stopped VM',
    home: 'shared',
    viaBinary: true,
    args: ['exec', 'vm', 'true'],
    stdout: '',
    stderr: 'VM "vm" is not running\n',
    exitCode: 2,
  },
  {
    title: 'exec of a missing VM',
    home: 'shared',
    args: ['exec', '-i', 'nope', 'cat'],
    stderr: 'the specified VM "nope" does not exist\n',
    exitCode: 2,
  },
  {
    title: 'exec without a command',
    home: 'shared',
    args: ['exec', 'vm'],
    stderr: `Error: Missing expected argument '<command> ...'\nHelp:  <command>  Command to execute\n${EXEC_USAGE}`,
    exitCode: 64,
  },
  {
    title: 'a subcommand the sim does not model names itself',
    home: 'shared',
    args: ['push', 'vm', 'ghcr.io/acme/vm:1'],
    stderr: '"tart push" is not simulated by the sysext-lab sim (see sim/README.md, "The fake tart")\n',
    exitCode: 1,
  },
  {
    title: 'an unknown subcommand',
    home: 'empty',
    args: ['start', 'vm'],
    stderr:
      "Error: Unexpected argument 'start'\nUsage: tart <subcommand>\n  See 'tart --help' for more information.\n",
    exitCode: 64,
  },
];

let shared: TartHome;
let cacheHome: TartHome;

test.before(async () => {
  cacheHome = createTartHome();
  await cacheHome.tart('pull', IMAGE);
  shared = createTartHome({ sharedCache: join(cacheHome.dir, 'cache', 'OCIs') });
  const cloned = await shared.tart('clone', IMAGE, 'vm');
  if (cloned.exitCode !== 0) throw new Error(`seeding failed: ${cloned.stderr}`);
});

test.after.always(async () => {
  await shared?.cleanup();
  await cacheHome?.cleanup();
});

// In-process calls swap process.env, so they run one at a time.
let inProcessQueue: Promise<unknown> = Promise.resolve();

function tartInProcess(home: TartHome, extraEnv: NodeJS.ProcessEnv, args: string[]): Promise<TartResult> {
  const call = inProcessQueue.then(async () => {
    const saved = process.env;
    process.env = { ...home.env, ...extraEnv };
    let stdout = '';
    let stderr = '';
    try {
      const { main } = await import('../../../sim/tart/cli.ts');
      const exitCode = await main(args, {
        out: (line) => {
          stdout += `${line}\n`;
        },
        err: (line) => {
          stderr += `${line}\n`;
        },
      });
      return { stdout, stderr, exitCode };
    } finally {
      process.env = saved;
    }
  });
  inProcessQueue = call.catch(() => {});
  return call;
}

function match(t: ExecutionContext, actual: string, expected: Expect | undefined, stream: string): void {
  if (expected === undefined) return;
  if (typeof expected === 'string') t.is(actual, expected, stream);
  else t.regex(actual, expected, stream);
}

for (const row of rows) {
  test(row.title, async (t) => {
    let home = shared;
    if (row.home !== 'shared') {
      home =
        row.home === 'empty'
          ? createTartHome()
          : createTartHome({ sharedCache: join(cacheHome.dir, 'cache', 'OCIs') });
      t.teardown(() => home.cleanup());
      // Seeding copies the shared VM in-process: setup is not what the row tests, and calls are dear.
      if (row.home === 'seeded') copyVmFolder(join(shared.dir, 'vms', 'vm'), join(home.dir, 'vms', 'vm'));
    }
    await row.setup?.(home);
    const result = row.viaBinary
      ? await home.tartWith(row.env ?? {}, ...row.args)
      : await tartInProcess(home, row.env ?? {}, row.args);
    match(t, result.stdout, row.stdout, 'stdout');
    match(t, result.stderr, row.stderr, 'stderr');
    t.is(result.exitCode, row.exitCode, `exit code; stderr: ${result.stderr}`);
    await row.check?.(t, home, result);
  });
}
