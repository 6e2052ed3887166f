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

async function curl(ctx: CommandContext) {
  const args = ctx.argv.slice(1);
  let url: string | undefined;
  let output: string | undefined;
  let writeOut: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (arg === '-o' || arg === '--output') output = args[++k];
    else if (arg === '-w' || arg === '--write-out') writeOut = args[++k];
    else if (['-m', '--max-time', '--connect-timeout', '-H', '-A', '-X', '-d', '-u'].includes(arg)) k++;
    else if (!arg.startsWith('-')) url = arg;
  }
  if (!url)
    return fail(
      "curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
      2,
    );
  const m = /^(?:(https?):\/\/)?([^/:?#]+)(?::(\d+))?/.exec(url);
  if (!m) return fail(`curl: (3) URL rejected: Malformed input to a URL function\n`, 3);
  // RFC 6761: names under .invalid never resolve. curl exits 6; -s hides the message unless -S.
  if (/\.invalid\.?$/i.test(m[2]!)) {
    const flags = args.filter((a) => /^-[a-zA-Z]+$/.test(a)).join('');
    const quiet = flags.includes('s') && !flags.includes('S');
    return fail(quiet ? '' : `curl: (6) Could not resolve host: ${m[2]}\n`, 6);
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
