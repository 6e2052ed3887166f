// Parses the zsh command strings the harness sends: POSIX words (single quotes, double quotes with
// backslash escapes, backslash), $VAR expansion outside single quotes, the operators ; && || | and
// newline, and the redirections > >> < N>&M. Command substitution and backticks are refused at
// parse time, so nothing of a hostile string is ever executed.
import { ShellSyntaxError } from '../errors.ts';

/** A word is literal text and variable references, expanded when the command runs. */
export type WordPart = { text: string } | { variable: string };
export type Word = WordPart[];

export type Redirection =
  | { kind: 'file'; fd: number; append: boolean; target: Word }
  | { kind: 'input'; fd: number; source: Word }
  | { kind: 'dup'; fd: number; to: number };

export interface SimpleCommand {
  words: Word[];
  redirections: Redirection[];
}

export interface AndOrList {
  first: SimpleCommand[];
  rest: { op: '&&' | '||'; pipeline: SimpleCommand[] }[];
}

export type Script = AndOrList[];

type Token =
  | { type: 'word'; word: Word; raw: string }
  | { type: 'op'; op: ';' | '&&' | '||' | '|' }
  | { type: 'redir'; redir: '>' | '>>' | '<' | '>&' | '<&'; fd: number | undefined };

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
  const isMeta = (c: string | undefined) =>
    c === undefined ||
    isBlank(c) ||
    c === '\n' ||
    c === ';' ||
    c === '&' ||
    c === '|' ||
    c === '<' ||
    c === '>';

  // Reads `$NAME`, `${NAME}`, `$?`; at i the `$`. Returns the part and the next index.
  const readDollar = (start: number): [WordPart, number] => {
    const next = line[start + 1];
    if (next === '(') throw new ShellSyntaxError('command substitution is not supported by the sim', line);
    if (next === '?' || next === '$' || next === '#') return [{ variable: next }, start + 2];
    if (next === '{') {
      const end = line.indexOf('}', start);
      if (end < 0) throw new ShellSyntaxError('closing brace expected', line);
      const name = line.slice(start + 2, end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ShellSyntaxError('bad substitution', line);
      return [{ variable: name }, end + 1];
    }
    if (next !== undefined && NAME_START.test(next)) {
      let j = start + 1;
      while (j < n && NAME_CHAR.test(line[j]!)) j++;
      return [{ variable: line.slice(start + 1, j) }, j];
    }
    return [{ text: '$' }, start + 1];
  };

  while (i < n) {
    const c = line[i]!;
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && line[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === ';') {
      tokens.push({ type: 'op', op: ';' });
      i++;
      continue;
    }
    if (c === '&') {
      if (line[i + 1] === '&') {
        tokens.push({ type: 'op', op: '&&' });
        i += 2;
        continue;
      }
      throw new ShellSyntaxError('background jobs (&) are not supported by the sim', line);
    }
    if (c === '|') {
      if (line[i + 1] === '|') {
        tokens.push({ type: 'op', op: '||' });
        i += 2;
      } else {
        tokens.push({ type: 'op', op: '|' });
        i++;
      }
      continue;
    }
    if (c === '>' || c === '<') {
      let redir: '>' | '>>' | '<' | '>&' | '<&' = c;
      i++;
      if (c === '>' && line[i] === '>') {
        redir = '>>';
        i++;
      } else if (line[i] === '&') {
        redir = c === '>' ? '>&' : '<&';
        i++;
      } else if (c === '>' && line[i] === '|') {
        i++;
      }
      tokens.push({ type: 'redir', redir, fd: undefined });
      continue;
    }
    // A word, up to the next unquoted metacharacter.
    const word: Word = [];
    const start = i;
    let text = '';
    const flush = () => {
      if (text) word.push({ text });
      text = '';
    };
    // `$NAME`, `${NAME}`, `$?` expand alike inside double quotes and outside any quotes.
    const takeDollar = (at: number): number => {
      const [part, next] = readDollar(at);
      if ('text' in part) text += part.text;
      else {
        flush();
        word.push(part);
      }
      return next;
    };
    let quotedSomewhere = false;
    while (i < n && !isMeta(line[i])) {
      const ch = line[i]!;
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end < 0) throw new ShellSyntaxError("unmatched '", line);
        text += line.slice(i + 1, end);
        quotedSomewhere = true;
        i = end + 1;
      } else if (ch === '"') {
        quotedSomewhere = true;
        i++;
        for (;;) {
          if (i >= n) throw new ShellSyntaxError('unmatched "', line);
          const d = line[i]!;
          if (d === '"') {
            i++;
            break;
          }
          if (d === '\\') {
            const e = line[i + 1];
            if (e === '"' || e === '\\' || e === '$' || e === '`') {
              text += e;
              i += 2;
            } else if (e === '\n') {
              i += 2;
            } else {
              text += d;
              i++;
            }
          } else if (d === '$') {
            i = takeDollar(i);
          } else if (d === '`') {
            throw new ShellSyntaxError('command substitution is not supported by the sim', line);
          } else {
            text += d;
            i++;
          }
        }
      } else if (ch === '\\') {
        const e = line[i + 1];
        if (e === undefined) {
          i++;
        } else if (e === '\n') {
          i += 2;
        } else {
          text += e;
          i += 2;
        }
        quotedSomewhere = true;
      } else if (ch === '$') {
        i = takeDollar(i);
      } else if (ch === '`') {
        throw new ShellSyntaxError('command substitution is not supported by the sim', line);
      } else if (ch === '~' && i === start && (isMeta(line[i + 1]) || line[i + 1] === '/')) {
        flush();
        word.push({ variable: 'HOME' });
        i++;
      } else {
        text += ch;
        i++;
      }
    }
    flush();
    const raw = line.slice(start, i);
    // `2>` and `2>&1`: a bare unquoted number directly before a redirection is its fd.
    if (!quotedSomewhere && /^\d$/.test(raw) && (line[i] === '>' || line[i] === '<')) {
      const fd = Number(raw);
      const c2 = line[i]!;
      i++;
      let redir: '>' | '>>' | '<' | '>&' | '<&' = c2 === '>' ? '>' : '<';
      if (c2 === '>' && line[i] === '>') {
        redir = '>>';
        i++;
      } else if (line[i] === '&') {
        redir = c2 === '>' ? '>&' : '<&';
        i++;
      }
      tokens.push({ type: 'redir', redir, fd });
      continue;
    }
    tokens.push({ type: 'word', word: word.length ? word : [{ text: '' }], raw });
  }
  return tokens;
}

export function parseScript(line: string): Script {
  const tokens = tokenize(line);
  const script: Script = [];
  let k = 0;
  const parseCommand = (): SimpleCommand => {
    const command: SimpleCommand = { words: [], redirections: [] };
    while (k < tokens.length) {
      const token = tokens[k]!;
      if (token.type === 'op') break;
      k++;
      if (token.type === 'word') {
        command.words.push(token.word);
        continue;
      }
      const target = tokens[k];
      if (target?.type !== 'word') throw new ShellSyntaxError("parse error near `\\n'", line);
      k++;
      if (token.redir === '>&' || token.redir === '<&') {
        const to = target.raw;
        if (!/^\d$/.test(to)) {
          if (token.redir === '>&') {
            // `>& file` sends both streams to the file, as zsh does.
            command.redirections.push({ kind: 'file', fd: 1, append: false, target: target.word });
            command.redirections.push({ kind: 'dup', fd: 2, to: 1 });
            continue;
          }
          throw new ShellSyntaxError(`bad file descriptor ${to}`, line);
        }
        command.redirections.push({
          kind: 'dup',
          fd: token.fd ?? (token.redir === '>&' ? 1 : 0),
          to: Number(to),
        });
      } else if (token.redir === '<') {
        command.redirections.push({ kind: 'input', fd: token.fd ?? 0, source: target.word });
      } else {
        command.redirections.push({
          kind: 'file',
          fd: token.fd ?? 1,
          append: token.redir === '>>',
          target: target.word,
        });
      }
    }
    if (command.words.length === 0 && command.redirections.length === 0) {
      const near = tokens[k];
      throw new ShellSyntaxError(`parse error near \`${near?.type === 'op' ? near.op : '\\n'}'`, line);
    }
    return command;
  };
  const parsePipeline = (): SimpleCommand[] => {
    const pipeline = [parseCommand()];
    while (tokens[k]?.type === 'op' && (tokens[k] as { op: string }).op === '|') {
      k++;
      pipeline.push(parseCommand());
    }
    return pipeline;
  };
  while (k < tokens.length) {
    const token = tokens[k]!;
    if (token.type === 'op' && token.op === ';') {
      k++;
      continue;
    }
    const list: AndOrList = { first: parsePipeline(), rest: [] };
    for (;;) {
      const next = tokens[k];
      if (next?.type === 'op' && (next.op === '&&' || next.op === '||')) {
        k++;
        // zsh allows a newline after && and ||.
        while (tokens[k]?.type === 'op' && (tokens[k] as { op: string }).op === ';') k++;
        list.rest.push({ op: next.op, pipeline: parsePipeline() });
      } else break;
    }
    script.push(list);
    const after = tokens[k];
    if (after && !(after.type === 'op' && after.op === ';')) {
      throw new ShellSyntaxError(`parse error near \`${after.type === 'op' ? after.op : ''}'`, line);
    }
  }
  return script;
}

export function expandWord(word: Word, env: Record<string, string>): string {
  return word.map((part) => ('text' in part ? part.text : (env[part.variable] ?? ''))).join('');
}
