import test from 'ava';
import fc from 'fast-check';
import {
  childElements,
  escapeXml,
  firstChild,
  parseXml,
  textOf,
  XmlSyntaxError,
} from '../../../sim/builds/xml-lite.ts';

test('parses elements, attributes, text, entities, CDATA, and skips prolog, DOCTYPE and comments', (t) => {
  const root = parseXml(
    '<?xml version="1.0"?>\n<!DOCTYPE plist PUBLIC "x" "y">\n<!-- note -->\n' +
      `<a x="1 &amp; 2" y='q"'>t&lt;1&#65;&#x42;<b/><c>in<![CDATA[<raw>&]]></c></a>\n`,
  );
  t.is(root.name, 'a');
  t.deepEqual(root.attrs, { x: '1 & 2', y: 'q"' });
  t.is(textOf(root), 't<1AB');
  t.deepEqual(
    childElements(root).map((e) => e.name),
    ['b', 'c'],
  );
  t.is(textOf(firstChild(root, 'c')!), 'in<raw>&');
});

test('escapeXml output parses back to the same text and attribute value', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      const root = parseXml(`<r a="${escapeXml(text)}">${escapeXml(text)}</r>`);
      return root.attrs.a === text && textOf(root) === text;
    }),
  );
  t.pass();
});

for (const [label, input] of [
  ['mismatched tags', '<a><b></a>'],
  ['unclosed element', '<a><b/>'],
  ['two roots', '<a/><b/>'],
  ['text outside root', 'x<a/>'],
  ['bare ampersand', '<a>&</a>'],
  ['unknown entity', '<a>&nbsp;</a>'],
  ['duplicate attribute', '<a x="1" x="2"/>'],
  ['unquoted attribute', '<a x=1/>'],
  ['empty document', ''],
] as const) {
  test(`rejects ${label} with XmlSyntaxError`, (t) => {
    t.throws(() => parseXml(input), { instanceOf: XmlSyntaxError });
  });
}

test('only XmlSyntaxError escapes on arbitrary input', (t) => {
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom('<', '>', '/', 'a', '=', '"', '&', ';', ' ', '!', '?', '-', '[') }),
      (s) => {
        try {
          parseXml(s);
        } catch (error) {
          return error instanceof XmlSyntaxError;
        }
        return true;
      },
    ),
    { numRuns: 2000 },
  );
  t.pass();
});
