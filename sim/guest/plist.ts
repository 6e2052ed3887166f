// XML property lists: the parser the model reads Info.plists with, and the two renderings plutil
// prints (compact JSON, `-p`). Binary plists are not produced anywhere in the sim.
import { PlistError } from './errors.ts';

export type PlistValue = string | number | boolean | Date | Buffer | PlistValue[] | PlistDict;
export interface PlistDict {
  [key: string]: PlistValue;
}

interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string, file: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (_m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    const named = ENTITIES[ref];
    if (named === undefined) throw new PlistError(`Unknown XML entity &${ref};`, file);
    return named;
  });
}

/** A strict little XML reader, enough for plist documents (no attributes needed beyond skipping). */
function parseXml(text: string, file: string): XmlNode {
  let i = 0;
  const root: XmlNode = { name: '#root', children: [], text: '' };
  const stack: XmlNode[] = [root];
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const top = stack[stack.length - 1]!;
    if (lt < 0) {
      top.text += decodeEntities(text.slice(i), file);
      break;
    }
    if (lt > i) top.text += decodeEntities(text.slice(i, lt), file);
    if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt);
      if (end < 0) throw new PlistError('Unterminated XML declaration', file);
      i = end + 2;
    } else if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt);
      if (end < 0) throw new PlistError('Unterminated XML comment', file);
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt);
      if (end < 0) throw new PlistError('Unterminated CDATA section', file);
      top.text += text.slice(lt + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', lt)) {
      const end = text.indexOf('>', lt);
      if (end < 0) throw new PlistError('Unterminated DOCTYPE', file);
      i = end + 1;
    } else {
      const end = text.indexOf('>', lt);
      if (end < 0) throw new PlistError('Unterminated XML tag', file);
      const body = text.slice(lt + 1, end);
      i = end + 1;
      if (body.startsWith('/')) {
        const name = body.slice(1).trim();
        if (top.name !== name) throw new PlistError(`Mismatched closing tag </${name}>`, file);
        stack.pop();
      } else {
        const selfClosing = body.endsWith('/');
        const name = /^[A-Za-z_][\w.-]*/.exec(body)?.[0];
        if (!name) throw new PlistError(`Malformed XML tag <${body.slice(0, 40)}>`, file);
        const node: XmlNode = { name, children: [], text: '' };
        top.children.push(node);
        if (!selfClosing) stack.push(node);
      }
    }
  }
  if (stack.length !== 1) throw new PlistError(`Unclosed element <${stack[stack.length - 1]!.name}>`, file);
  return root;
}

function toValue(node: XmlNode, file: string): PlistValue {
  switch (node.name) {
    case 'string':
      return node.text;
    case 'integer': {
      const text = node.text.trim();
      if (!/^[-+]?(0x[0-9a-fA-F]+|\d+)$/.test(text)) throw new PlistError(`Invalid integer "${text}"`, file);
      return Number(text);
    }
    case 'real': {
      const value = Number(node.text.trim());
      if (Number.isNaN(value) && node.text.trim() !== 'nan') {
        throw new PlistError(`Invalid real "${node.text.trim()}"`, file);
      }
      return value;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'date': {
      const date = new Date(node.text.trim());
      if (Number.isNaN(date.getTime())) throw new PlistError(`Invalid date "${node.text.trim()}"`, file);
      return date;
    }
    case 'data':
      return Buffer.from(node.text.replace(/\s+/g, ''), 'base64');
    case 'array':
      return node.children.map((child) => toValue(child, file));
    case 'dict': {
      const dict: PlistDict = {};
      const children = node.children;
      for (let k = 0; k < children.length; k += 2) {
        const key = children[k]!;
        const value = children[k + 1];
        if (key.name !== 'key' || !value)
          throw new PlistError('Malformed dict (expected key/value pairs)', file);
        dict[key.text] = toValue(value, file);
      }
      return dict;
    }
    default:
      throw new PlistError(`Unknown plist element <${node.name}>`, file);
  }
}

/** Parses an XML property list; `file` only names the source in errors. */
export function parsePlist(text: string, file: string): PlistValue {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('<')) throw new PlistError('Not a property list (no XML)', file);
  const root = parseXml(text, file);
  const plist = root.children.find((node) => node.name === 'plist');
  if (!plist) throw new PlistError('Not a property list (no <plist> element)', file);
  const [value] = plist.children;
  if (!value || plist.children.length !== 1)
    throw new PlistError('A plist must hold exactly one value', file);
  return toValue(value, file);
}

export function isDict(value: PlistValue | undefined): value is PlistDict {
  return (
    typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !Buffer.isBuffer(value)
  );
}

/** Thrown by toCompactJson for dates and data, which JSON cannot hold (plutil refuses them too). */
export class PlistJsonError extends Error {}

// NSJSONSerialization escapes "/" unless told not to; plutil uses its default.
function jsonString(text: string): string {
  return JSON.stringify(text).replace(/\//g, '\\/');
}

export function toCompactJson(value: PlistValue): string {
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date || Buffer.isBuffer(value)) {
    throw new PlistJsonError('invalid object in plist for destination format');
  }
  if (Array.isArray(value)) return `[${value.map(toCompactJson).join(',')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${jsonString(k)}:${toCompactJson(v)}`)
    .join(',')}}`;
}

/** `plutil -p` rendering: `"key" => value`, two-space indentation, arrays indexed. */
export function toPrettyText(value: PlistValue, indent = ''): string {
  const inner = `${indent}  `;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date)
    return value
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' +0000');
  if (Buffer.isBuffer(value))
    return `{length = ${value.length}, bytes = 0x${value.subarray(0, 32).toString('hex')}}`;
  if (Array.isArray(value)) {
    const rows = value.map((v, k) => `${inner}${k} => ${toPrettyText(v, inner)}\n`);
    return `[\n${rows.join('')}${indent}]`;
  }
  const rows = Object.entries(value).map(
    ([k, v]) => `${inner}${JSON.stringify(k)} => ${toPrettyText(v, inner)}\n`,
  );
  return `{\n${rows.join('')}${indent}}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** XML plist text, as the guest writes receipts and SystemVersion.plist. */
export function toXmlPlist(value: PlistValue): string {
  const render = (v: PlistValue, indent: string): string => {
    if (typeof v === 'string') return `${indent}<string>${escapeXml(v)}</string>\n`;
    if (typeof v === 'number')
      return Number.isInteger(v) ? `${indent}<integer>${v}</integer>\n` : `${indent}<real>${v}</real>\n`;
    if (typeof v === 'boolean') return `${indent}<${v}/>\n`;
    if (v instanceof Date) return `${indent}<date>${v.toISOString().replace(/\.\d+Z$/, 'Z')}</date>\n`;
    if (Buffer.isBuffer(v)) return `${indent}<data>${v.toString('base64')}</data>\n`;
    if (Array.isArray(v))
      return `${indent}<array>\n${v.map((x) => render(x, `${indent}\t`)).join('')}${indent}</array>\n`;
    const body = Object.entries(v)
      .map(([k, x]) => `${indent}\t<key>${escapeXml(k)}</key>\n${render(x, `${indent}\t`)}`)
      .join('');
    return `${indent}<dict>\n${body}${indent}</dict>\n`;
  };
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
    `<plist version="1.0">\n${render(value, '')}</plist>\n`
  );
}
