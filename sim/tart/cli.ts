// The fake tart's entry: picks the subcommand, parses its arguments and turns tart's error kinds
// into its outputs and exit codes (tart's Root.main).
import { helpText, parseArgs, usageBlock } from './args.ts';
import type { TartCommand } from './command.ts';
import { TartGenericError, TartRuntimeError, TartValidationError } from './errors.ts';
import { processIo, type TartIo } from './io.ts';
import { checkSimSettings } from './sim-settings.ts';
import { currentProcess, ProcessKilledError, type TartProcess } from './tart-process.ts';

export const TART_VERSION = '2.32.1';

interface CommandEntry {
  abstract: string;
  hidden?: boolean;
  /** Loaded on demand: each tart call loads one subcommand, which keeps a call well under a second. */
  load: () => Promise<TartCommand>;
}

async function loadCommand(file: string, exportName: string): Promise<TartCommand> {
  const module = (await import(`./commands/${file}.ts`)) as Record<string, unknown>;
  return module[exportName] as TartCommand;
}

const notSimulated = (name: string) => async () =>
  (await import('./commands/not-simulated.ts')).notSimulated(name);

const entry = (abstract: string, file: string, exportName = file, hidden = false): CommandEntry => ({
  abstract,
  hidden,
  load: () => loadCommand(file, exportName),
});

/** The subcommands in the order of tart's Root.swift; `fqn` is hidden from the help. */
export const COMMANDS: ReadonlyMap<string, CommandEntry> = new Map<string, CommandEntry>([
  ['create', { abstract: 'Create a VM', load: notSimulated('create') }],
  ['clone', entry('Clone a VM', 'clone')],
  ['run', entry('Run a VM', 'run')],
  ['set', entry("Modify VM's configuration", 'set')],
  ['get', entry("Get a VM's configuration", 'get')],
  ['list', entry('List created VMs', 'list')],
  ['login', { abstract: 'Login to a registry', load: notSimulated('login') }],
  ['logout', { abstract: 'Logout from a registry', load: notSimulated('logout') }],
  ['ip', entry("Get VM's IP address", 'ip')],
  ['exec', entry('Execute a command in a running VM', 'exec')],
  ['pull', entry('Pull a VM from a registry', 'pull')],
  ['push', { abstract: 'Push a VM to a registry', load: notSimulated('push') }],
  ['import', { abstract: 'Import VM from a compressed .tvm file', load: notSimulated('import') }],
  ['export', { abstract: 'Export VM to a compressed .tvm file', load: notSimulated('export') }],
  ['prune', { abstract: 'Prune OCI and IPSW caches or local VMs', load: notSimulated('prune') }],
  ['rename', entry('Rename a local VM', 'rename')],
  ['stop', entry('Stop a VM', 'stop')],
  ['delete', entry('Delete a VM', 'delete', 'deleteCommand')],
  ['fqn', entry('Get a fully-qualified VM name', 'fqn', 'fqn', true)],
  ['suspend', entry('Suspend a VM', 'suspend')],
]);

function rootHelp(): string {
  const names = [...COMMANDS].filter(([, entry]) => !entry.hidden).map(([name]) => name);
  const width = Math.max(...names.map((n) => n.length)) + 4;
  return [
    'USAGE: tart <subcommand>',
    '',
    'OPTIONS:',
    `  ${'--version'.padEnd(width)}Show the version.`,
    `  ${'-h, --help'.padEnd(width)}Show help information.`,
    '',
    'SUBCOMMANDS:',
    ...names.map((name) => `  ${name.padEnd(width)}${COMMANDS.get(name)!.abstract}`),
    '',
    "  See 'tart help <subcommand>' for detailed help.",
    '',
  ].join('\n');
}

function rootUsageError(message: string, io: TartIo): number {
  io.err(`Error: ${message}`);
  io.err("Usage: tart <subcommand>\n  See 'tart --help' for more information.");
  return 64;
}

/** Runs one tart invocation; resolves with the exit code. Never exits the process itself. */
export async function main(
  argv: readonly string[],
  io: TartIo = processIo,
  proc: TartProcess = currentProcess,
): Promise<number> {
  // Before anything else, `--version` included: the harness probes bad --quirk values this way.
  const invalid = checkSimSettings();
  if (invalid !== undefined) {
    io.err(`Invalid sim settings: ${invalid}`);
    return 1;
  }
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.out(rootHelp().trimEnd());
    return 0;
  }
  if (first === '--version') {
    io.out(TART_VERSION);
    return 0;
  }
  if (first === 'help') {
    const wanted = rest[0] === undefined ? undefined : COMMANDS.get(rest[0]);
    io.out((wanted ? helpText((await wanted.load()).spec) : rootHelp()).trimEnd());
    return 0;
  }
  const found = COMMANDS.get(first);
  if (!found) {
    return rootUsageError(
      first.startsWith('-') ? `Unknown option '${first}'` : `Unexpected argument '${first}'`,
      io,
    );
  }
  const command = await found.load();
  try {
    const args = command.ignoresArguments
      ? { positionals: [], rest: [...rest], flags: new Map(), values: new Map(), help: false }
      : parseArgs(command.spec, rest);
    if (args.help) {
      io.out(helpText(command.spec).trimEnd());
      return 0;
    }
    return await command.run(args, io, proc);
  } catch (error) {
    // 128 + SIGKILL, as a shell reports a killed process; the client that would read it is gone.
    if (error instanceof ProcessKilledError) return 137;
    if (error instanceof TartValidationError) {
      io.err(`Error: ${error.message}`);
      if (error.helpLine) io.err(error.helpLine);
      io.err(usageBlock(command.spec).trimEnd());
      return 64;
    }
    if (error instanceof TartRuntimeError) {
      io.err(error.message);
      return error.exitCode;
    }
    if (error instanceof TartGenericError) {
      io.err(`Error: ${error.message}`);
      return 1;
    }
    // Anything unexpected is reported the way swift-argument-parser reports a non-tart error.
    io.err(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
