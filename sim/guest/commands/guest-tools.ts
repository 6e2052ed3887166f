// The harness's own guest tools (harness/guest-tools/*.c) as the sim runs them: `cc` checks the
// source with the host's clang against the SDK stubs (host-clang.ts), then turns a source whose
// first line is `// sxl-guest-tool: <name>` into an executable stand-in, and the shell runs that
// stand-in by path through TOOL_MODELS.
import { posix } from 'node:path';
import { bootstrapLookUp } from '../model/bootstrap.ts';
import { type CommandContext, type CommandHandler, type CommandTable, fail, ok } from '../shell/types.ts';
import { checkWithHostClang } from './host-clang.ts';

/** First line of every stand-in executable `cc` writes; the shell recognises it. */
export const STAND_IN_MAGIC = '#!sxl-sim-tool ';
const SOURCE_MARKER = /^\/\/ sxl-guest-tool: ([a-z0-9-]+)\s*$/;

async function bootstrapLookupTool(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  const name = args[0];
  if (args.length !== 1 || name === undefined || name === '')
    return fail('usage: sxl-bootstrap-lookup SERVICE\n', 64);
  const result = bootstrapLookUp(ctx.machine, name);
  if (result.ok) return ok(`ok ${name} port=0x${result.port.toString(16)}\n`);
  return fail(`bootstrap_look_up ${name}: ${result.kr} (${result.text})\n`);
}

/** Models of the tools the sim can build, by the name in the source marker. */
export const TOOL_MODELS: Record<string, CommandHandler> = {
  'bootstrap-lookup': bootstrapLookupTool,
};

/** What the /usr/bin shims print when no developer tools are installed. */
const NO_DEVELOPER_TOOLS =
  'xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools), missing xcrun at: /Library/Developer/CommandLineTools/usr/bin/xcrun\n';

// cc [-O2] [-Wall] [-o OUT] SOURCE.c: Command Line Tools' clang driver, as far as the harness uses it.
async function cc(ctx: CommandContext) {
  // Without the Command Line Tools /usr/bin/cc is only the xcrun shim, and it says so.
  if (ctx.machine.state.commandLineTools === false) return fail(NO_DEVELOPER_TOOLS);
  const args = ctx.argv.slice(1);
  let output = 'a.out';
  const sources: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '-o') output = args[++k] ?? '';
    else if (arg.startsWith('-o')) output = arg.slice(2);
    else if (!arg.startsWith('-')) sources.push(arg);
  }
  if (sources.length === 0) return fail('clang: error: no input files\n');
  const source = sources[0]!;
  const info = await ctx.fs.stat(source);
  if (!info?.isFile()) {
    return fail(`clang: error: no such file or directory: '${source}'\nclang: error: no input files\n`);
  }
  const text = (await ctx.fs.readFile(source)).toString('utf8');
  // What Apple's clang would refuse fails here too; its warnings are printed as it prints them.
  const checked = await checkWithHostClang(text, source, args);
  if (checked.kind === 'checked' && checked.exitCode !== 0) return fail(checked.stderr, 1);
  const warnings = checked.kind === 'checked' ? checked.stderr : '';
  const marker = SOURCE_MARKER.exec(text.split('\n', 1)[0] ?? '');
  if (!marker || !Object.hasOwn(TOOL_MODELS, marker[1]!)) {
    // [RECONSTRUCTED] the sim cannot compile C: any other source fails like a clang error.
    return fail(`${source}:1:1: error: unknown type name 'sxl_sim_cannot_compile'\n1 error generated.\n`);
  }
  const standIn = `${STAND_IN_MAGIC}${marker[1]}\n# sysext-lab: stand-in for the Mach-O built from ${posix.basename(source)}\n`;
  await ctx.fs.writeFile(output, standIn, { mode: 0o755 });
  return warnings ? { stdout: '', stderr: warnings, exitCode: 0 } : ok();
}

export const guestToolCommands: CommandTable = { cc, clang: cc };
