/*
 * Tests of the safe XML parser and writer in src/provision/xml.ts: namespaces, entities, refusals of DTDs and
 * entity declarations, size and structure limits, typed errors, tree helpers, escaping.
 */
import { expect } from 'chai';
import {
  DEFAULT_MAX_XML_BYTES,
  UnsafeXmlError,
  XmlParseError,
  attr,
  childrenNamed,
  decodeXmlEntities,
  descendants,
  escapeXml,
  firstChild,
  parseXml,
  renderXml,
  xmlElement,
} from '../../src/provision/xml.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

/** Runs fn and returns what it threw; fails when it did not throw. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(Error);
    expect(e).not.to.be.instanceOf(TypeError);
    return e as Error;
  }
  expect.fail('expected an error');
}

describe('xml: parseXml', () => {
  it('resolves namespaces: prefixes, default namespace, re-declaration, nested scopes, no namespace', () => {
    const root = parseXml(
      `<md:EntityDescriptor xmlns:md="${MD}" entityID="x">
         <IDPSSODescriptor xmlns="${MD}">
           <KeyDescriptor><ds:KeyInfo xmlns:ds="${DS}"><ds:X509Data/></ds:KeyInfo></KeyDescriptor>
           <Other xmlns="">plain</Other>
         </IDPSSODescriptor>
         <md:Extensions xmlns:md="urn:example:other"/>
         <Unqualified/>
       </md:EntityDescriptor>`
    );
    expect(root).to.include({ name: 'EntityDescriptor', ns: MD, prefix: 'md' });
    const idp = root.children[0];
    expect(idp).to.include({ name: 'IDPSSODescriptor', ns: MD });
    expect(idp.prefix).to.equal(undefined);
    expect(idp.children[0]).to.include({ name: 'KeyDescriptor', ns: MD });
    expect(idp.children[0].children[0]).to.include({ name: 'KeyInfo', ns: DS, prefix: 'ds' });
    expect(idp.children[1]).to.include({ name: 'Other', ns: '', text: 'plain' });
    expect(root.children[1]).to.include({ name: 'Extensions', ns: 'urn:example:other' });
    expect(root.children[2]).to.include({ name: 'Unqualified', ns: '' });
  });

  it('decodes the predefined entities and numeric references in text and attributes, and keeps CDATA raw', () => {
    const root = parseXml('<a x="1 &amp; 2 &lt;3&gt; &quot;q&quot; &apos;s&apos; &#65;&#x42;">t &amp; u &#x263A;<![CDATA[<raw>&amp;]]></a>');
    expect(root.attrs.x).to.equal('1 & 2 <3> "q" \'s\' AB');
    expect(root.text).to.equal('t & u \u263A<raw>&amp;');
  });

  it('normalises literal whitespace in attribute values but keeps character references', () => {
    const root = parseXml('<a x="one\ttwo\nthree" y="a&#10;b"/>');
    expect(root.attrs.x).to.equal('one two three');
    expect(root.attrs.y).to.equal('a\nb');
  });

  it('ignores comments and processing instructions, trims text, accepts a BOM and leading blank lines', () => {
    const root = parseXml('\uFEFF\n\n<?xml version="1.0" encoding="UTF-8"?><!-- hello --><a><?pi x?>  <!-- c --> text  </a>');
    expect(root.name).to.equal('a');
    expect(root.text).to.equal('text');
    expect(root.children).to.have.length(0);
  });

  it('reads UTF-8 and UTF-16 (with BOM) bytes', () => {
    const xml = '<a>caf\u00e9</a>';
    expect(parseXml(Buffer.from(xml, 'utf8')).text).to.equal('caf\u00e9');
    expect(parseXml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')])).text).to.equal('caf\u00e9');
    const be = Buffer.from(xml, 'utf16le');
    be.swap16();
    expect(parseXml(Buffer.concat([Buffer.from([0xfe, 0xff]), be])).text).to.equal('caf\u00e9');
  });

  it('refuses a DOCTYPE anywhere, in any case, with an actionable message', () => {
    for (const xml of [
      '<!DOCTYPE a><a/>',
      '<?xml version="1.0"?>\n<!doctype a SYSTEM "http://evil.example/x.dtd"><a/>',
      '<a><!-- <!DocType a> --></a>',
    ]) {
      const e = thrown(() => parseXml(xml));
      expect(e).to.be.instanceOf(UnsafeXmlError);
      expect((e as UnsafeXmlError).reason).to.equal('DOCTYPE');
      expect(e.message).to.match(/DTD \(<!DOCTYPE>\)/);
      expect(e.message).to.match(/entity-expansion/);
      expect(e.message).to.match(/Export the metadata again/);
    }
  });

  it('refuses an entity declaration even without a DOCTYPE', () => {
    const e = thrown(() => parseXml('<a><!ENTITY x "y"></a>'));
    expect(e).to.be.instanceOf(UnsafeXmlError);
    expect((e as UnsafeXmlError).reason).to.equal('ENTITY');
  });

  it('refuses references to undeclared entities, bare ampersands and characters XML does not allow', () => {
    for (const xml of ['<a>&nbsp;</a>', '<a x="&foo;"/>', '<a>&#0;</a>', '<a>&#x110000;</a>', '<a>&#xD800;</a>', '<a>fish & chips</a>']) {
      expect(thrown(() => parseXml(xml)), xml).to.be.instanceOf(XmlParseError);
    }
    expect(thrown(() => parseXml('<a>&nbsp;</a>')).message).to.match(/entity "&nbsp;"/);
  });

  it('caps the size: 5 MB by default, configurable, counted in bytes', () => {
    expect(DEFAULT_MAX_XML_BYTES).to.equal(5 * 1024 * 1024);
    const big = `<a>${'x'.repeat(DEFAULT_MAX_XML_BYTES)}</a>`;
    const e = thrown(() => parseXml(big));
    expect(e).to.be.instanceOf(UnsafeXmlError);
    expect((e as UnsafeXmlError).reason).to.equal('TOO_LARGE');
    expect(e.message).to.match(/limit is 5242880 bytes/);
    expect(thrown(() => parseXml('<a>\u00e9\u00e9</a>', { maxBytes: 10 }))).to.be.instanceOf(UnsafeXmlError);
    expect(parseXml('<a>\u00e9</a>', { maxBytes: 10 }).text).to.equal('\u00e9');
  });

  it('requires exactly one root element', () => {
    expect(thrown(() => parseXml('<a/><b/>')).message).to.match(/2 root elements/);
    expect(thrown(() => parseXml('<!-- only a comment -->'))).to.be.instanceOf(XmlParseError);
    for (const xml of ['<a/>trailing', '<a/>junk<!-- c -->', '<a/> <![CDATA[x]]>', 'x<a/>']) {
      expect(thrown(() => parseXml(xml)), xml).to.be.instanceOf(XmlParseError);
    }
  });

  it('reports malformed XML with its position', () => {
    const e = thrown(() => parseXml('<a>\n  <b>\n</a>')) as XmlParseError;
    expect(e).to.be.instanceOf(XmlParseError);
    expect(e.message).to.match(/not well-formed XML/);
    expect(e.line).to.be.a('number');
  });

  it('refuses empty input, non-XML text, binary data and non-text input with XmlParseError', () => {
    expect(thrown(() => parseXml('')).message).to.match(/empty/);
    expect(thrown(() => parseXml('   \n')).message).to.match(/empty/);
    expect(thrown(() => parseXml('{"entityId": "x"}')).message).to.match(/not XML: it starts with/);
    expect(thrown(() => parseXml(Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03]))).message).to.match(/control character/);
    expect(thrown(() => parseXml(undefined as unknown as string))).to.be.instanceOf(XmlParseError);
    expect(thrown(() => parseXml(42 as unknown as string))).to.be.instanceOf(XmlParseError);
  });

  it('refuses an undeclared namespace prefix, naming it', () => {
    const e = thrown(() => parseXml('<md:EntityDescriptor entityID="x"/>'));
    expect(e).to.be.instanceOf(XmlParseError);
    expect(e.message).to.match(/prefix "md".*never declares it/);
  });

  it('refuses element names that are JavaScript prototype keys without polluting anything', () => {
    for (const xml of ['<__proto__/>', '<a><constructor x="1"/></a>', '<a __proto__="x"/>']) {
      try {
        parseXml(xml);
      } catch (e) {
        expect(e, xml).to.be.instanceOf(XmlParseError);
      }
    }
    expect(({} as Record<string, unknown>).x).to.equal(undefined);
  });

  it('limits nesting depth', () => {
    const deep = `${'<a>'.repeat(80)}${'</a>'.repeat(80)}`;
    expect(thrown(() => parseXml(deep)).message).to.match(/nested more than 64 levels/);
    expect(parseXml(deep, { maxDepth: 100 }).name).to.equal('a');
  });
});

describe('xml: tree helpers', () => {
  const root = parseXml(
    `<r xmlns="${MD}" xmlns:ds="${DS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
       <K use="signing"><ds:K>1</ds:K></K>
       <ds:K>2</ds:K>
       <K xsi:type="t"><K>3</K></K>
     </r>`
  );

  it('childrenNamed and firstChild filter by local name and, when given, namespace', () => {
    expect(childrenNamed(root, 'K').map((k) => k.ns)).to.deep.equal([MD, DS, MD]);
    expect(childrenNamed(root, 'K', DS)).to.have.length(1);
    expect(firstChild(root, 'K', DS)?.text).to.equal('2');
    expect(firstChild(root, 'Missing')).to.equal(undefined);
    expect(childrenNamed(undefined, 'K')).to.deep.equal([]);
    expect(firstChild(undefined, 'K')).to.equal(undefined);
  });

  it('descendants walks depth-first in document order, excluding the node itself', () => {
    expect(descendants(root, 'K').map((k) => k.text)).to.deep.equal(['', '1', '2', '', '3']);
    expect(descendants(root, 'K', DS).map((k) => k.text)).to.deep.equal(['1', '2']);
    expect(descendants(root)).to.have.length(5);
    expect(descendants(undefined)).to.deep.equal([]);
  });

  it('attr finds an attribute by its written name or by local name', () => {
    const [signing, , typed] = childrenNamed(root, 'K');
    expect(attr(signing, 'use')).to.equal('signing');
    expect(attr(typed, 'xsi:type')).to.equal('t');
    expect(attr(typed, 'type')).to.equal('t');
    expect(attr(root, 'ds')).to.equal(undefined);
    expect(attr(undefined, 'use')).to.equal(undefined);
  });

  it('decodeXmlEntities leaves text without ampersands untouched', () => {
    expect(decodeXmlEntities('plain')).to.equal('plain');
    expect(decodeXmlEntities('a &amp;amp; b')).to.equal('a &amp; b');
  });
});

describe('xml: writing', () => {
  it('escapeXml escapes the five special characters', () => {
    expect(escapeXml('a&b<c>d"e\'f')).to.equal('a&amp;b&lt;c&gt;d&quot;e&apos;f');
  });

  it('renderXml escapes attributes and text, drops undefined attributes and false children, and round-trips', () => {
    const xml = renderXml(
      xmlElement('p:root', { 'xmlns:p': 'urn:x', href: 'https://x.example/?a=1&b="2"', skip: undefined, flag: true, n: 0 }, [
        xmlElement('p:child', {}, '<tag> & text'),
        false,
        undefined,
        xmlElement('p:empty'),
      ])
    );
    expect(xml).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<p:root /);
    expect(xml).to.contain('href="https://x.example/?a=1&amp;b=&quot;2&quot;"');
    expect(xml).not.to.contain('skip=');
    expect(xml).to.contain('flag="true" n="0"');
    expect(xml).to.contain('<p:empty/>');
    const parsed = parseXml(xml);
    expect(parsed.attrs.href).to.equal('https://x.example/?a=1&b="2"');
    expect(parsed.children.map((c) => c.name)).to.deep.equal(['child', 'empty']);
    expect(parsed.children[0].text).to.equal('<tag> & text');
  });

  it('renderXml refuses invalid element and attribute names', () => {
    expect(() => renderXml(xmlElement('bad name'))).to.throw(/Invalid XML element name/);
    expect(() => renderXml(xmlElement('ok', { 'bad"attr': 'x' }))).to.throw(/Invalid XML attribute name/);
  });
});
