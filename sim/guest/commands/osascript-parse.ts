// The subset of AppleScript the harness sends, parsed into statements and expressions: tell
// blocks (and `tell X to ...`), set, if / else if / else, repeat (N times, with X in, while, until,
// forever), exit repeat, try / on error, delay, click, error, return, quit, activate, do shell
// script, get, display notification; element specifiers (`checkbox 1 of group 2 of ...`, `first`,
// `last`, `every`, by index, by name), properties (class, name, value, description, contents,
// entire contents, windows, quoted form), `value of attribute "AXParent" of X`, exists, `is
// running`, comparisons, and/or/not, `&`, lists. Keywords are case-insensitive, as AppleScript's.

export type Expr =
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'var'; name: string }
  | { k: 'list'; items: Expr[] }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'not'; a: Expr }
  | { k: 'exists'; a: Expr }
  | { k: 'running'; a: Expr; negate: boolean }
  | { k: 'prop'; name: string; of: Expr }
  | { k: 'attr'; name: Expr; of: Expr | undefined }
  | { k: 'app'; by: 'name' | 'id'; key: Expr }
  | { k: 'item'; index: Expr; of: Expr }
  | {
      k: 'spec';
      cls: string;
      by: 'index' | 'name' | 'first' | 'last' | 'every' | 'sel';
      key?: Expr;
      of?: Expr;
    }
  | { k: 'class'; cls: string };

interface Span {
  start: number;
  end: number;
}

export type Stmt = Span &
  (
    | { k: 'set'; target: Expr; value: Expr }
    | { k: 'tell'; target: Expr; body: Stmt[] }
    | { k: 'if'; branches: { cond: Expr; body: Stmt[] }[]; otherwise: Stmt[] }
    | {
        k: 'repeat';
        mode: 'times' | 'with' | 'while' | 'until' | 'forever';
        name?: string;
        arg?: Expr;
        body: Stmt[];
      }
    | { k: 'exit' }
    | { k: 'try'; body: Stmt[]; onError: Stmt[]; errorVar?: string }
    | {
        k: 'cmd';
        name: 'delay' | 'click' | 'error' | 'return' | 'quit' | 'activate' | 'shell' | 'get' | 'notify';
        arg?: Expr;
      }
  );

interface Token {
  kind: 'str' | 'num' | 'word' | 'sym' | 'nl';
  text: string;
  start: number;
  end: number;
}

export class AppleScriptSyntaxError extends Error {
  constructor(
    readonly start: number,
    readonly end: number,
    message: string,
  ) {
    super(message);
  }
}

/** Element classes System Events knows (multi-word ones first, so the longest wins). */
const CLASSES = [
  'application process',
  'static text',
  'text field',
  'text area',
  'scroll area',
  'splitter group',
  'radio button',
  'radio group',
  'ui element',
  'menu button',
  'pop up button',
  'tab group',
  'window',
  'sheet',
  'group',
  'button',
  'checkbox',
  'outline',
  'row',
  'table',
  'toolbar',
  'image',
  'process',
  'menu',
  'slider',
];
const PROPERTIES = ['class', 'name', 'value', 'description', 'contents', 'title', 'windows'];

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') {
      tokens.push({ kind: 'nl', text: '\n', start: i, end: i + 1 });
      i++;
    } else if (c === '¬') {
      // Line continuation: the next line break does not end the statement.
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (/\s/.test(c)) i++;
    else if (text.startsWith('--', i) || c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('(*', i)) {
      const end = text.indexOf('*)', i);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === '“') {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== '"' && text[j] !== '”') {
        if (text[j] === '\\' && j + 1 < text.length) {
          const n = text[j + 1]!;
          value += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
          j += 2;
        } else value += text[j++];
      }
      if (j >= text.length)
        throw new AppleScriptSyntaxError(i, text.length, 'Expected “"” but found end of script.');
      tokens.push({ kind: 'str', text: value, start: i, end: j + 1 });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'num', text: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: m[0].toLowerCase(), start: i, end: i + m[0].length });
      i += m[0].length;
    } else if (c === '|') {
      const end = text.indexOf('|', i + 1);
      if (end < 0) throw new AppleScriptSyntaxError(i, text.length, 'Expected “|” but found end of script.');
      tokens.push({ kind: 'word', text: text.slice(i + 1, end).toLowerCase(), start: i, end: end + 1 });
      i = end + 1;
    } else {
      const two = text.slice(i, i + 2);
      const sym = ['<=', '>=', '≠', '≤', '≥'].includes(two) ? two : c;
      tokens.push({ kind: 'sym', text: sym, start: i, end: i + sym.length });
      i += sym.length;
    }
  }
  tokens.push({ kind: 'nl', text: '\n', start: text.length, end: text.length });
  return tokens;
}

export function parseAppleScript(text: string): Stmt[] {
  return new Parser(lex(text), text.length).script();
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }
  private isWord(...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.peek(k);
      return t.kind === 'word' && t.text === w;
    });
  }
  private eatWord(...words: string[]): boolean {
    if (!this.isWord(...words)) return false;
    this.i += words.length;
    return true;
  }
  private isSym(sym: string): boolean {
    const t = this.peek();
    return t.kind === 'sym' && t.text === sym;
  }
  private expectWord(word: string): void {
    if (!this.eatWord(word)) this.unexpected(`Expected “${word}”`);
  }
  private expectSym(sym: string): void {
    if (!this.isSym(sym)) this.unexpected(`Expected “${sym}”`);
    this.i++;
  }
  private unexpected(expected?: string): never {
    const t = this.peek();
    const found =
      t.kind === 'nl' ? (t.start >= this.length ? 'end of script' : 'end of line') : `“${t.text}”`;
    throw new AppleScriptSyntaxError(
      t.start,
      Math.max(t.end, t.start),
      expected ? `${expected} but found ${found}.` : 'A unknown token can’t go here.',
    );
  }
  private endOfLine(): void {
    if (this.peek().kind !== 'nl') this.unexpected('Expected end of line');
    while (this.peek().kind === 'nl' && this.i < this.tokens.length - 1) this.i++;
  }
  private skipBlankLines(): void {
    while (this.peek().kind === 'nl' && this.i < this.tokens.length - 1) this.i++;
  }

  script(): Stmt[] {
    this.skipBlankLines();
    const body = this.block([]);
    if (this.i < this.tokens.length - 1) this.unexpected();
    return body;
  }

  /** Statements up to a line that starts with one of `terminators` (not consumed). */
  private block(terminators: string[]): Stmt[] {
    const out: Stmt[] = [];
    this.skipBlankLines();
    while (this.i < this.tokens.length - 1) {
      const t = this.peek();
      if (t.kind === 'word' && terminators.includes(t.text)) break;
      out.push(this.statement(true));
      if (this.peek().kind !== 'nl') this.unexpected('Expected end of line');
      this.skipBlankLines();
    }
    return out;
  }

  private endBlock(word: string): void {
    this.expectWord('end');
    this.eatWord(word);
  }

  private statement(ownLine: boolean): Stmt {
    const start = this.peek().start;
    const at = <T extends object>(s: T): Stmt =>
      ({ ...s, start, end: this.tokens[this.i - 1]!.end }) as unknown as Stmt;
    if (this.eatWord('set')) {
      const target = this.operand();
      this.expectWord('to');
      const value = this.expr();
      return at({ k: 'set', target, value });
    }
    if (this.eatWord('tell')) {
      const target = this.operand();
      if (this.eatWord('to')) return at({ k: 'tell', target, body: [this.statement(false)] });
      this.endOfLine();
      const body = this.block(['end']);
      this.endBlock('tell');
      return at({ k: 'tell', target, body });
    }
    if (this.eatWord('if')) {
      const cond = this.expr();
      this.expectWord('then');
      if (this.peek().kind !== 'nl')
        return at({ k: 'if', branches: [{ cond, body: [this.statement(false)] }], otherwise: [] });
      this.endOfLine();
      const branches = [{ cond, body: this.block(['end', 'else']) }];
      let otherwise: Stmt[] = [];
      while (this.eatWord('else')) {
        if (this.eatWord('if')) {
          const c = this.expr();
          this.expectWord('then');
          this.endOfLine();
          branches.push({ cond: c, body: this.block(['end', 'else']) });
        } else {
          this.endOfLine();
          otherwise = this.block(['end']);
          break;
        }
      }
      this.endBlock('if');
      return at({ k: 'if', branches, otherwise });
    }
    if (this.eatWord('repeat')) {
      let mode: 'times' | 'with' | 'while' | 'until' | 'forever' = 'forever';
      let name: string | undefined;
      let arg: Expr | undefined;
      if (this.eatWord('with')) {
        mode = 'with';
        name = this.peek().text;
        this.i++;
        this.expectWord('in');
        arg = this.expr();
      } else if (this.eatWord('while')) {
        mode = 'while';
        arg = this.expr();
      } else if (this.eatWord('until')) {
        mode = 'until';
        arg = this.expr();
      } else if (this.peek().kind !== 'nl') {
        mode = 'times';
        arg = this.expr();
        this.expectWord('times');
      }
      this.endOfLine();
      const body = this.block(['end']);
      this.endBlock('repeat');
      return at({ k: 'repeat', mode, ...(name ? { name } : {}), ...(arg ? { arg } : {}), body });
    }
    if (this.eatWord('exit')) {
      this.eatWord('repeat');
      return at({ k: 'exit' });
    }
    if (ownLine && this.eatWord('try')) {
      this.endOfLine();
      const body = this.block(['end', 'on']);
      let onError: Stmt[] = [];
      let errorVar: string | undefined;
      if (this.eatWord('on', 'error')) {
        if (this.peek().kind === 'word') {
          errorVar = this.peek().text;
          this.i++;
        }
        this.endOfLine();
        onError = this.block(['end']);
      }
      this.endBlock('try');
      return at({ k: 'try', body, onError, ...(errorVar ? { errorVar } : {}) });
    }
    if (this.eatWord('do', 'shell', 'script')) return at({ k: 'cmd', name: 'shell', arg: this.expr() });
    if (this.eatWord('display', 'notification')) {
      const arg = this.expr();
      if (this.eatWord('with', 'title')) this.expr();
      return at({ k: 'cmd', name: 'notify', arg });
    }
    for (const name of ['delay', 'click', 'error', 'get'] as const) {
      if (this.eatWord(name)) return at({ k: 'cmd', name, arg: this.expr() });
    }
    for (const name of ['return', 'quit', 'activate'] as const) {
      if (this.eatWord(name)) {
        const arg = this.peek().kind === 'nl' ? undefined : this.expr();
        return at({ k: 'cmd', name, ...(arg ? { arg } : {}) });
      }
    }
    if (this.isWord('end') || this.isWord('else') || this.isWord('on')) this.unexpected();
    return at({ k: 'cmd', name: 'get', arg: this.expr() });
  }

  expr(): Expr {
    let a = this.andExpr();
    while (this.eatWord('or')) a = { k: 'bin', op: 'or', a, b: this.andExpr() };
    return a;
  }
  private andExpr(): Expr {
    let a = this.notExpr();
    while (this.eatWord('and')) a = { k: 'bin', op: 'and', a, b: this.notExpr() };
    return a;
  }
  private notExpr(): Expr {
    if (this.eatWord('not')) return { k: 'not', a: this.notExpr() };
    return this.comparison();
  }
  private comparison(): Expr {
    const a = this.concat();
    if (this.isWord('is')) {
      this.i++;
      const negate = this.eatWord('not');
      if (this.eatWord('running')) return { k: 'running', a, negate };
      if (this.eatWord('in')) {
        const e: Expr = { k: 'bin', op: 'in', a, b: this.concat() };
        return negate ? { k: 'not', a: e } : e;
      }
      this.eatWord('equal', 'to');
      return { k: 'bin', op: negate ? '!=' : '=', a, b: this.concat() };
    }
    if (this.eatWord('contains')) return { k: 'bin', op: 'contains', a, b: this.concat() };
    if (this.eatWord('does', 'not', 'contain'))
      return { k: 'not', a: { k: 'bin', op: 'contains', a, b: this.concat() } };
    for (const [sym, op] of [
      ['=', '='],
      ['≠', '!='],
      ['<', '<'],
      ['>', '>'],
      ['<=', '<='],
      ['>=', '>='],
      ['≤', '<='],
      ['≥', '>='],
    ] as const) {
      if (this.isSym(sym)) {
        this.i++;
        return { k: 'bin', op, a, b: this.concat() };
      }
    }
    return a;
  }
  private concat(): Expr {
    let a = this.operand();
    while (this.isSym('&')) {
      this.i++;
      a = { k: 'bin', op: '&', a, b: this.operand() };
    }
    return a;
  }

  private className(): string | undefined {
    for (const cls of CLASSES) {
      const words = cls.split(' ');
      if (this.isWord(...words)) {
        this.i += words.length;
        return cls;
      }
    }
    return undefined;
  }

  private ofPart(): Expr | undefined {
    return this.eatWord('of') ? this.operand() : undefined;
  }

  /** A value with its `of` chain: `checkbox 1 of group 2 of window 1`, `name of x`, `"a"`. */
  operand(): Expr {
    const t = this.peek();
    if (t.kind === 'str') {
      this.i++;
      return { k: 'lit', v: t.text };
    }
    if (t.kind === 'num') {
      this.i++;
      return { k: 'lit', v: Number(t.text) };
    }
    if (t.kind === 'sym' && t.text === '-' && this.peek(1).kind === 'num') {
      this.i += 2;
      return { k: 'lit', v: -Number(this.tokens[this.i - 1]!.text) };
    }
    if (t.kind === 'sym' && t.text === '(') {
      this.i++;
      const e = this.expr();
      this.expectSym(')');
      return e;
    }
    if (t.kind === 'sym' && t.text === '{') {
      this.i++;
      const items: Expr[] = [];
      if (!this.isSym('}')) {
        items.push(this.expr());
        while (this.isSym(',')) {
          this.i++;
          items.push(this.expr());
        }
      }
      this.expectSym('}');
      return { k: 'list', items };
    }
    if (t.kind !== 'word') this.unexpected();
    if (this.eatWord('true')) return { k: 'lit', v: true };
    if (this.eatWord('false')) return { k: 'lit', v: false };
    if (this.eatWord('missing', 'value')) return { k: 'lit', v: null };
    if (this.eatWord('exists')) return { k: 'exists', a: this.operand() };
    if (this.eatWord('quoted', 'form', 'of')) return { k: 'prop', name: 'quoted form', of: this.operand() };
    if (this.eatWord('entire', 'contents', 'of'))
      return { k: 'prop', name: 'entire contents', of: this.operand() };
    if (this.eatWord('attribute')) {
      const name = this.operand();
      return { k: 'attr', name, of: this.ofPart() };
    }
    if (this.isWord('application') || this.isWord('app')) {
      this.i++;
      const by = this.eatWord('id') ? 'id' : 'name';
      return { k: 'app', by, key: this.operand() };
    }
    if (this.eatWord('item')) {
      const index = this.operand();
      this.expectWord('of');
      return { k: 'item', index, of: this.operand() };
    }
    for (const which of ['first', 'last', 'every'] as const) {
      if (this.isWord(which) && this.peek(1).kind === 'word') {
        const save = this.i;
        this.i++;
        const cls = this.className();
        if (cls) return { k: 'spec', cls, by: which, of: this.ofPart() };
        this.i = save;
      }
    }
    if (PROPERTIES.includes(t.text) && this.peek(1).kind === 'word' && this.peek(1).text === 'of') {
      this.i += 2;
      return { k: 'prop', name: t.text, of: this.operand() };
    }
    const cls = this.className();
    if (cls) {
      const next = this.peek();
      if (next.kind === 'num' || (next.kind === 'sym' && next.text === '-' && this.peek(1).kind === 'num')) {
        const key = this.operand();
        return { k: 'spec', cls, by: 'index', key, of: this.ofPart() };
      }
      if (next.kind === 'str') {
        this.i++;
        return { k: 'spec', cls, by: 'name', key: { k: 'lit', v: next.text }, of: this.ofPart() };
      }
      if (next.kind === 'sym' && next.text === '(') {
        const key = this.operand();
        return { k: 'spec', cls, by: 'sel', key, of: this.ofPart() };
      }
      return { k: 'class', cls };
    }
    this.i++;
    return { k: 'var', name: t.text };
  }
}
