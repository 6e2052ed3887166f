// A small, strict XML reader and escaper for the few documents the sim's package formats carry
// (the xar TOC, PackageInfo, Distribution). No DTDs, no namespaces: enough for what pkgbuild and
// productbuild write, and it throws XmlSyntaxError rather than guessing on anything else.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

export class XmlSyntaxError extends Error {
  readonly offset: number;
  constructor(reason: string, offset: number, excerpt: string) {
    super(`${reason} in XML at offset ${offset}: ${JSON.stringify(excerpt)}`);
    this.name = 'XmlSyntaxError';
    this.offset = offset;
  }
}

const namedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const nameRe = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
// Cap nesting so hostile input cannot blow the stack or the heap through deep recursion elsewhere.
const maxDepth = 256;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function decodeEntities(raw: string, at: number): string {
  return raw.replace(/&([^;&\s]{1,10});|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new XmlSyntaxError('Bare ampersand', at, raw.slice(0, 40));
    const named = namedEntities[ref];
    if (named !== undefined) return named;
    const code = ref.startsWith('#x')
      ? Number.parseInt(ref.slice(2), 16)
      : ref.startsWith('#')
        ? Number.parseInt(ref.slice(1), 10)
        : Number.NaN;
    if (!Number.isInteger(code) || code < 0 || code > 0x10ffff) {
      throw new XmlSyntaxError('Unknown entity', at, whole);
    }
    return String.fromCodePoint(code);
  });
}

/** Parses a whole document and returns its root element. */
export function parseXml(text: string): XmlElement {
  let pos = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const fail = (reason: string): never => {
    throw new XmlSyntaxError(reason, pos, text.slice(pos, pos + 40));
  };
  const skipPast = (terminator: string, what: string) => {
    const end = text.indexOf(terminator, pos);
    if (end < 0) fail(`Unterminated ${what}`);
    pos = end + terminator.length;
  };

  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt < 0 ? text.length : lt);
    if (chunk.length > 0) {
      const parent = stack.at(-1);
      if (parent) parent.children.push(decodeEntities(chunk, pos));
      else if (chunk.trim() !== '') fail('Text outside the root element');
    }
    if (lt < 0) break;
    pos = lt;
    if (text.startsWith('<?', pos)) {
      skipPast('?>', 'processing instruction');
    } else if (text.startsWith('<!--', pos)) {
      skipPast('-->', 'comment');
    } else if (text.startsWith('<![CDATA[', pos)) {
      const parent = stack.at(-1) ?? fail('CDATA outside the root element');
      const start = pos + 9;
      skipPast(']]>', 'CDATA section');
      parent.children.push(text.slice(start, pos - 3));
    } else if (text.startsWith('<!', pos)) {
      // DOCTYPE lines (plists carry one) are skipped; internal subsets are not supported.
      if (stack.length > 0) fail('Declaration inside an element');
      skipPast('>', 'declaration');
    } else if (text.startsWith('</', pos)) {
      pos += 2;
      const name = nameRe.exec(text.slice(pos, pos + 200))?.[0] ?? fail('Bad closing tag');
      pos += name.length;
      while (/\s/.test(text[pos] ?? '')) pos++;
      if (text[pos] !== '>') fail('Bad closing tag');
      pos++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`Closing tag </${name}> does not match <${open?.name ?? ''}>`);
      if (stack.length === 0) root = open;
    } else {
      pos++;
      const name = nameRe.exec(text.slice(pos, pos + 200))?.[0] ?? fail('Bad tag name');
      pos += name.length;
      const element: XmlElement = { name, attrs: {}, children: [] };
      for (;;) {
        const ws = /^\s*/.exec(text.slice(pos, pos + 1000))?.[0].length ?? 0;
        pos += ws;
        if (text.startsWith('/>', pos) || text[pos] === '>') break;
        if (ws === 0) fail('Expected whitespace before an attribute');
        const attr = nameRe.exec(text.slice(pos, pos + 200))?.[0] ?? fail('Bad attribute name');
        pos += attr.length;
        while (/\s/.test(text[pos] ?? '')) pos++;
        if (text[pos] !== '=') fail('Expected = after attribute name');
        pos++;
        while (/\s/.test(text[pos] ?? '')) pos++;
        const quote = text[pos];
        if (quote !== '"' && quote !== "'") fail('Expected a quoted attribute value');
        const end = text.indexOf(quote as string, pos + 1);
        if (end < 0) fail('Unterminated attribute value');
        const raw = text.slice(pos + 1, end);
        if (raw.includes('<')) fail('Less-than sign in attribute value');
        if (Object.hasOwn(element.attrs, attr)) fail(`Duplicate attribute ${attr}`);
        element.attrs[attr] = decodeEntities(raw, pos);
        pos = end + 1;
      }
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) fail('Second root element');
      if (text.startsWith('/>', pos)) {
        pos += 2;
        if (!parent) root = element;
      } else {
        pos++;
        if (stack.length >= maxDepth) fail('Elements nested too deeply');
        stack.push(element);
      }
    }
  }
  if (stack.length > 0) fail(`Unclosed element <${stack.at(-1)?.name}>`);
  return root ?? fail('No root element');
}

/** Child elements of `element`, optionally only those named `name`. */
export function childElements(element: XmlElement, name?: string): XmlElement[] {
  return element.children.filter(
    (c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name),
  );
}

export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  return childElements(element, name)[0];
}

/** The concatenated text directly inside `element`. */
export function textOf(element: XmlElement): string {
  return element.children.filter((c): c is string => typeof c === 'string').join('');
}
