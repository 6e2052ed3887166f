// Text filters the harness pipes into: grep, head, tail, wc.
import { GuestFsError } from '../errors.ts';
import { parseFlags } from '../shell/flags.ts';
import { type CommandContext, type CommandTable, fail, ok } from '../shell/types.ts';

async function inputs(
  ctx: CommandContext,
  files: string[],
  tool: string,
): Promise<{ name: string; text: string }[] | string> {
  if (files.length === 0) return [{ name: '(standard input)', text: (await ctx.stdin()).toString('utf8') }];
  const out: { name: string; text: string }[] = [];
  for (const file of files) {
    try {
      out.push({ name: file, text: (await ctx.fs.readFile(file)).toString('utf8') });
    } catch (error) {
      if (!(error instanceof GuestFsError)) throw error;
      return `${tool}: ${file}: ${error.reason}\n`;
    }
  }
  return out;
}

const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

export const textCommands: CommandTable = {
  async grep(ctx) {
    const { flags, operands, values, illegal: bad } = parseFlags(ctx.argv.slice(1), 'iqvFEcnhlw', 'e');
    const pattern = values.get('e') ?? operands.shift();
    if (bad || pattern === undefined) {
      return fail(
        'usage: grep [-abcdDEFGHhIiJLlMmnOopqRSsUVvwXxZz] [-A num] [-B num] [-C[num]]\n\t[-e pattern] [-f file] [--binary-files=value] [--color=when]\n\t[--context[=num]] [--directories=action] [--label] [--line-buffered]\n\t[--null] [pattern] [file ...]\n',
        2,
      );
    }
    let regex: RegExp;
    try {
      const source = flags.has('F')
        ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        : flags.has('E')
          ? pattern
          : pattern.replace(/\\([|+?(){}])/g, '$1');
      regex = new RegExp(flags.has('w') ? `\\b(?:${source})\\b` : source, flags.has('i') ? 'i' : '');
    } catch {
      return fail(`grep: invalid regular expression\n`, 2);
    }
    const sources = await inputs(ctx, operands, 'grep');
    if (typeof sources === 'string') return fail(sources, 2);
    let stdout = '';
    let matched = 0;
    for (const { name, text } of sources) {
      let count = 0;
      lines(text).forEach((line, index) => {
        if (regex.test(line) === flags.has('v')) return;
        count++;
        const prefix =
          (sources.length > 1 && !flags.has('h') ? `${name}:` : '') + (flags.has('n') ? `${index + 1}:` : '');
        if (!flags.has('c') && !flags.has('l')) stdout += `${prefix}${line}\n`;
      });
      if (flags.has('c')) stdout += `${sources.length > 1 ? `${name}:` : ''}${count}\n`;
      if (flags.has('l') && count > 0) stdout += `${name}\n`;
      matched += count;
    }
    if (flags.has('q')) return { exitCode: matched ? 0 : 1 };
    return { stdout, exitCode: matched ? 0 : 1 };
  },
  async head(ctx) {
    const { operands, values } = parseFlags(
      ctx.argv.slice(1).map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a)),
      '',
      'n',
    );
    const count = Number(values.get('n') ?? 10);
    const sources = await inputs(ctx, operands, 'head');
    if (typeof sources === 'string') return fail(sources);
    return ok(
      sources
        .map(({ text }) =>
          lines(text)
            .slice(0, count)
            .map((l) => `${l}\n`)
            .join(''),
        )
        .join(''),
    );
  },
  async tail(ctx) {
    const { operands, values } = parseFlags(
      ctx.argv.slice(1).map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a)),
      '',
      'n',
    );
    const count = Number(values.get('n') ?? 10);
    const sources = await inputs(ctx, operands, 'tail');
    if (typeof sources === 'string') return fail(sources);
    return ok(
      sources
        .map(({ text }) =>
          lines(text)
            .slice(-count)
            .map((l) => `${l}\n`)
            .join(''),
        )
        .join(''),
    );
  },
  async wc(ctx) {
    const { flags, operands } = parseFlags(ctx.argv.slice(1), 'lcw');
    const sources = await inputs(ctx, operands, 'wc');
    if (typeof sources === 'string') return fail(sources);
    let stdout = '';
    for (const { name, text } of sources) {
      const counts: number[] = [];
      const all = flags.size === 0;
      if (all || flags.has('l')) counts.push((text.match(/\n/g) ?? []).length);
      if (all || flags.has('w')) counts.push(text.split(/\s+/).filter(Boolean).length);
      if (all || flags.has('c')) counts.push(Buffer.byteLength(text));
      stdout += `${counts.map((c) => String(c).padStart(8)).join('')}${operands.length ? ` ${name}` : ''}\n`;
    }
    return ok(stdout);
  },
};
