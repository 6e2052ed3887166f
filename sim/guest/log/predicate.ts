// The NSPredicate subset `log show --predicate` takes for log filtering: comparisons on the entry's
// fields, [c]/[d] modifiers, AND/OR/NOT (also &&, ||, !), parentheses. Parses into an AST that
// prints itself normalized (as `Filtering the log data using "..."` echoes it) and evaluates.
import type { StoredLogLine } from '../unified-log.ts';

export type Operator = '==' | '!=' | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH' | 'LIKE';

export type Predicate =
  | {
      kind: 'cmp';
      field: string;
      op: Operator;
      caseless: boolean;
      diacriticless: boolean;
      value: string | number;
    }
  | { kind: 'and' | 'or'; left: Predicate; right: Predicate }
  | { kind: 'not'; operand: Predicate };

export class PredicateError extends Error {
  constructor(
    readonly reason: string,
    readonly predicate: string,
  ) {
    super(`${reason} in predicate ${JSON.stringify(predicate)}`);
    this.name = 'PredicateError';
  }
}

export const PREDICATE_FIELDS = [
  'process',
  'subsystem',
  'category',
  'eventMessage',
  'composedMessage',
  'processImagePath',
  'senderImagePath',
  'messageType',
  'eventType',
  'processIdentifier',
] as const;

// `log` prints enum values by their numbers (eventType == logEvent becomes eventType == 1024).
const ENUM_VALUES: Record<string, number> = {
  logEvent: 1024,
  default: 0,
  info: 1,
  debug: 2,
  error: 16,
  fault: 17,
};
const MESSAGE_TYPE_CODES: Record<string, number> = { Default: 0, Info: 1, Debug: 2, Error: 16, Fault: 17 };

type Token =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'op'; v: string }
  | { t: 'mod'; v: string }
  | { t: '(' | ')' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ t: c });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      let k = i + 1;
      for (; k < text.length && text[k] !== c; k++) {
        if (text[k] === '\\' && k + 1 < text.length) k++;
        value += text[k];
      }
      if (k >= text.length) throw new PredicateError('Unterminated string', text);
      tokens.push({ t: 'string', v: value });
      i = k + 1;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['==', '!=', '&&', '||'].includes(two)) {
      tokens.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if (c === '=' || c === '!') {
      tokens.push({ t: 'op', v: c === '=' ? '==' : '!' });
      i++;
      continue;
    }
    if (c === '[') {
      const end = text.indexOf(']', i);
      const mod = end < 0 ? '' : text.slice(i + 1, end);
      if (!/^[cd]{1,2}$/.test(mod)) throw new PredicateError('Bad comparison modifier', text);
      tokens.push({ t: 'mod', v: mod });
      i = end + 1;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*|^-?\d+/.exec(text.slice(i))?.[0];
    if (!word) throw new PredicateError(`Unexpected "${c}"`, text);
    if (/^-?\d/.test(word)) tokens.push({ t: 'number', v: Number(word) });
    else tokens.push({ t: 'ident', v: word });
    i += word.length;
  }
  return tokens;
}

const KEYWORD_OPS = ['CONTAINS', 'BEGINSWITH', 'ENDSWITH', 'LIKE'];

export function parsePredicate(text: string): Predicate {
  const tokens = tokenize(text);
  let k = 0;
  const peek = () => tokens[k];
  const isWord = (tok: Token | undefined, ...words: string[]) =>
    (tok?.t === 'ident' && words.includes(tok.v.toUpperCase())) || (tok?.t === 'op' && words.includes(tok.v));
  const or = (): Predicate => {
    let left = and();
    while (isWord(peek(), 'OR', '||')) {
      k++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Predicate => {
    let left = not();
    while (isWord(peek(), 'AND', '&&')) {
      k++;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  };
  const not = (): Predicate => {
    if (isWord(peek(), 'NOT', '!')) {
      k++;
      return { kind: 'not', operand: not() };
    }
    return primary();
  };
  const primary = (): Predicate => {
    const tok = tokens[k++];
    if (tok?.t === '(') {
      const inner = or();
      if (tokens[k++]?.t !== ')') throw new PredicateError('Missing ")"', text);
      return inner;
    }
    if (tok?.t !== 'ident') throw new PredicateError('Expected a key', text);
    const field = tok.v;
    if (!(PREDICATE_FIELDS as readonly string[]).includes(field)) {
      throw new PredicateError(`Unknown key "${field}"`, text);
    }
    const opTok = tokens[k++];
    let op: Operator;
    if (opTok?.t === 'op' && (opTok.v === '==' || opTok.v === '!=')) op = opTok.v;
    else if (opTok?.t === 'ident' && KEYWORD_OPS.includes(opTok.v.toUpperCase()))
      op = opTok.v.toUpperCase() as Operator;
    else throw new PredicateError(`Expected a comparison after "${field}"`, text);
    let caseless = false;
    let diacriticless = false;
    if (peek()?.t === 'mod') {
      const mod = (tokens[k++] as { v: string }).v;
      caseless = mod.includes('c');
      diacriticless = mod.includes('d');
    }
    const valueTok = tokens[k++];
    let value: string | number;
    if (valueTok?.t === 'string' || valueTok?.t === 'number') value = valueTok.v;
    else if (valueTok?.t === 'ident' && Object.hasOwn(ENUM_VALUES, valueTok.v))
      value = ENUM_VALUES[valueTok.v]!;
    else throw new PredicateError(`Expected a value after "${field} ${op}"`, text);
    return { kind: 'cmp', field, op, caseless, diacriticless, value };
  };
  if (tokens.length === 0) throw new PredicateError('Empty predicate', text);
  const result = or();
  if (k !== tokens.length) throw new PredicateError('Unexpected trailing input', text);
  return result;
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The normalized text `log` echoes: AND/OR/NOT spelled out, parentheses only where needed. */
export function formatPredicate(p: Predicate, parent: Predicate['kind'] | 'root' = 'root'): string {
  switch (p.kind) {
    case 'cmp': {
      const mod =
        p.caseless || p.diacriticless ? `[${p.caseless ? 'c' : ''}${p.diacriticless ? 'd' : ''}]` : '';
      const value = typeof p.value === 'number' ? String(p.value) : quote(p.value);
      return `${p.field} ${p.op}${mod} ${value}`;
    }
    case 'not':
      return `NOT ${p.operand.kind === 'cmp' ? formatPredicate(p.operand, 'not') : `(${formatPredicate(p.operand)})`}`;
    default: {
      const text = `${formatPredicate(p.left, p.kind)} ${p.kind.toUpperCase()} ${formatPredicate(p.right, p.kind)}`;
      return p.kind === 'or' && (parent === 'and' || parent === 'not') ? `(${text})` : text;
    }
  }
}

function fieldValue(line: StoredLogLine, field: string): string | number {
  switch (field) {
    case 'process':
      return line.process;
    case 'subsystem':
      return line.subsystem;
    case 'category':
      return line.category;
    case 'eventMessage':
    case 'composedMessage':
      return line.eventMessage;
    case 'processImagePath':
    case 'senderImagePath':
      return line.processImagePath;
    case 'messageType':
      return MESSAGE_TYPE_CODES[line.messageType] ?? 0;
    case 'eventType':
      return 1024;
    case 'processIdentifier':
      return line.pid;
    default:
      return '';
  }
}

const fold = (s: string, caseless: boolean, diacriticless: boolean) => {
  let out = diacriticless ? s.normalize('NFD').replace(/\p{M}/gu, '') : s;
  if (caseless) out = out.toLowerCase();
  return out;
};

function likeToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

export function evaluatePredicate(p: Predicate, line: StoredLogLine): boolean {
  switch (p.kind) {
    case 'and':
      return evaluatePredicate(p.left, line) && evaluatePredicate(p.right, line);
    case 'or':
      return evaluatePredicate(p.left, line) || evaluatePredicate(p.right, line);
    case 'not':
      return !evaluatePredicate(p.operand, line);
    case 'cmp': {
      const raw = fieldValue(line, p.field);
      if (typeof raw === 'number' || typeof p.value === 'number') {
        const equal = String(raw) === String(p.value);
        return p.op === '==' ? equal : p.op === '!=' ? !equal : false;
      }
      const a = fold(raw, p.caseless, p.diacriticless);
      const b = fold(p.value, p.caseless, p.diacriticless);
      switch (p.op) {
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case 'CONTAINS':
          return a.includes(b);
        case 'BEGINSWITH':
          return a.startsWith(b);
        case 'ENDSWITH':
          return a.endsWith(b);
        case 'LIKE':
          return likeToRegExp(b).test(a);
      }
    }
  }
}
