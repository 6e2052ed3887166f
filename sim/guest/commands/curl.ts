// curl: the sim's network answers every URL with 200; a connected transparent proxy sees the flow
// first (one handleNewFlow line per connection), unless its flow path is stuck after a wake.
import { createHash } from 'node:crypto';
import { filterTraffic } from '../model/filter-providers.ts';
import { interceptFlow } from '../model/transparent-proxy.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

/** A stable public-looking address per host name: the sim's DNS. */
export function resolveHost(host: string): string {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host;
  const d = createHash('sha256').update(host).digest();
  return `93.184.${d[0]! % 256}.${1 + (d[1]! % 254)}`;
}

const BODY = '<!doctype html>\n<html><head><title>sysext-lab</title></head><body>ok</body></html>\n';

/** curl's options that take a value, short and long (curl --help all); the sim uses a few of them. */
const VALUE_SHORT = new Set([
  'o',
  'w',
  'm',
  'H',
  'A',
  'X',
  'd',
  'u',
  'e',
  'x',
  'b',
  'c',
  'T',
  'F',
  'r',
  'Y',
  'y',
]);
const VALUE_LONG = new Set([
  '--output',
  '--write-out',
  '--max-time',
  '--connect-timeout',
  '--header',
  '--user-agent',
  '--request',
  '--data',
  '--user',
  '--proxy',
  '--retry',
  '--resolve',
]);

export interface CurlArgs {
  url?: string;
  output?: string;
  writeOut?: string;
  silent: boolean;
  showError: boolean;
}

/**
 * One pass over the arguments as curl reads them: short options may be bundled (`-sSo FILE`), a
 * value-taking one takes the rest of its cluster or the next argument, a long one the next argument,
 * `--` ends the options. Options the sim has no use for are skipped, with their values.
 */
export function parseCurlArgs(args: readonly string[]): CurlArgs {
  const parsed: CurlArgs = { silent: false, showError: false };
  const take = (name: string, value: string | undefined) => {
    if (name === 'o' || name === '--output') parsed.output = value;
    else if (name === 'w' || name === '--write-out') parsed.writeOut = value;
  };
  let optionsEnded = false;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (optionsEnded || !arg.startsWith('-') || arg === '-') parsed.url = arg;
    else if (arg === '--') optionsEnded = true;
    else if (arg.startsWith('--')) {
      // curl has no `--option=value`: a long option's value is always the next argument.
      if (arg === '--silent') parsed.silent = true;
      else if (arg === '--show-error') parsed.showError = true;
      else if (VALUE_LONG.has(arg)) take(arg, args[++k]);
    } else {
      for (let i = 1; i < arg.length; i++) {
        const flag = arg[i]!;
        if (VALUE_SHORT.has(flag)) {
          take(flag, i + 1 < arg.length ? arg.slice(i + 1) : args[++k]);
          break;
        }
        if (flag === 's') parsed.silent = true;
        else if (flag === 'S') parsed.showError = true;
      }
    }
  }
  return parsed;
}

async function curl(ctx: CommandContext) {
  const { url, output, writeOut, silent, showError } = parseCurlArgs(ctx.argv.slice(1));
  if (!url)
    return fail(
      "curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
      2,
    );
  const m = /^(?:(https?):\/\/)?([^/:?#]+)(?::(\d+))?/.exec(url);
  if (!m) return fail(`curl: (3) URL rejected: Malformed input to a URL function\n`, 3);
  // RFC 6761: names under .invalid never resolve. curl exits 6; -s hides the message unless -S.
  if (/\.invalid\.?$/i.test(m[2]!)) {
    return fail(silent && !showError ? '' : `curl: (6) Could not resolve host: ${m[2]}\n`, 6);
  }
  const port = m[3] ?? (m[1] === 'http' ? '80' : '443');
  const remote = `${resolveHost(m[2]!)}:${port}`;
  await interceptFlow(ctx.machine, remote);
  await filterTraffic(ctx.machine, m[2]!, remote);
  let stdout = '';
  if (output === undefined) stdout += BODY;
  else if (output !== '/dev/null') await ctx.fs.writeFile(output, BODY);
  if (writeOut !== undefined)
    stdout += writeOut
      .replace(/%\{http_code\}/g, '200')
      .replace(/%\{exitcode\}/g, '0')
      .replace(/\\n/g, '\n');
  return ok(stdout);
}

export const curlCommands: CommandTable = { curl };
