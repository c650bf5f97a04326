/*
 * Safe XML parsing for untrusted input (identity-provider metadata and the like), and a tiny XML writer.
 *
 * Parsing refuses any DTD (<!DOCTYPE>) or entity declaration (<!ENTITY>), expands only the five predefined entities
 * and numeric character references, caps the input size, requires exactly one root element and well-formed markup
 * (fast-xml-parser's XMLValidator), and resolves namespaces from xmlns declarations. The result is a small,
 * namespace-aware tree of XNode.
 */
import type * as FastXmlParser from 'fast-xml-parser';
import { lazy } from './lazy.js';

const fastXmlParser = lazy<typeof FastXmlParser>('fast-xml-parser');

/** One element of a parsed document. */
export type XNode = {
  /** Local name (without the prefix). */
  name: string;
  /** Namespace URI resolved from the xmlns declarations in scope; '' when the element is in no namespace. */
  ns: string;
  /** The prefix used in the source, if any. */
  prefix?: string;
  /** Attributes by their name as written (for example `use`, `xsi:type`, `xmlns:md`), entity references decoded. */
  attrs: Record<string, string>;
  /** Child elements in document order. */
  children: XNode[];
  /** The element's own text (text and CDATA directly inside it, not its descendants'), trimmed. */
  text: string;
};

export type ParseXmlOptions = {
  /** Largest accepted input, in bytes. Default 5 MB. */
  maxBytes?: number;
  /** Deepest accepted element nesting. Default 64. */
  maxDepth?: number;
};

export const DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;

/** Namespace URIs used across the provisioning code. */
export const NS = {
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** The input was refused before parsing because it could be an attack (DTD, entity declaration) or is too large. */
export class UnsafeXmlError extends Error {
  public constructor(message: string, public readonly reason: 'DOCTYPE' | 'ENTITY' | 'TOO_LARGE') {
    super(message);
    this.name = 'UnsafeXmlError';
  }
}

/** The input is not well-formed XML (or not XML at all). `line`/`column` are 1-based when known. */
export class XmlParseError extends Error {
  public constructor(message: string, public readonly line?: number, public readonly column?: number) {
    super(message);
    this.name = 'XmlParseError';
  }
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML 1.0 `Char` production: tab, LF, CR, and the non-surrogate code points from #x20 up (minus #xFFFE/#xFFFF). */
const isXmlChar = (cp: number): boolean =>
  cp === 0x9 ||
  cp === 0xa ||
  cp === 0xd ||
  (cp >= 0x20 && cp <= 0xd7_ff) ||
  (cp >= 0xe0_00 && cp <= 0xff_fd) ||
  (cp >= 0x1_00_00 && cp <= 0x10_ff_ff);

/** Expands the five predefined entities and numeric character references; anything else is an error. */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s<]*);?/g, (whole: string, ref: string) => {
    if (!whole.endsWith(';')) {
      throw new XmlParseError(
        `The file contains a bare "&" (near "${whole.slice(0, 20)}"). In XML it must be written as &amp;. The file is not valid XML; export it again.`
      );
    }
    let cp: number | undefined;
    if (/^#x[0-9a-fA-F]{1,8}$/.test(ref)) cp = parseInt(ref.slice(2), 16);
    else if (/^#[0-9]{1,10}$/.test(ref)) cp = parseInt(ref.slice(1), 10);
    else if (Object.prototype.hasOwnProperty.call(PREDEFINED, ref)) return PREDEFINED[ref];
    else {
      throw new XmlParseError(
        `The file refers to the entity "&${ref.slice(0, 40)};", which XML does not define (only &amp; &lt; &gt; &quot; &apos; and numeric references are allowed). The file is not valid XML; export it again.`
      );
    }
    if (!isXmlChar(cp)) {
      throw new XmlParseError(`The character reference "${whole}" is not a character allowed in XML. The file is not valid XML.`);
    }
    return String.fromCodePoint(cp);
  });
}

/** Escapes text for use in XML content or in a double- or single-quoted attribute value. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const lineColumnAt = (text: string, index: number): { line: number; column: number } => {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
};

/** Decodes bytes: UTF-16 when a UTF-16 byte-order mark says so, UTF-8 otherwise. The BOM is dropped. */
const decodeBytes = (bytes: Buffer): string => {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8');
};

let xmlParser: FastXmlParser.XMLParser | undefined;
const parser = (): FastXmlParser.XMLParser =>
  (xmlParser ??= new (fastXmlParser().XMLParser)({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    allowBooleanAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: '#comment',
    cdataPropName: '#cdata',
    maxNestedTags: 1000,
  }));

type RawNode = Record<string, unknown>;
type Scope = ReadonlyMap<string, string>;

const isRecord = (v: unknown): v is RawNode => typeof v === 'object' && v !== null && !Array.isArray(v);

const elementKey = (raw: RawNode): string | undefined =>
  Object.keys(raw).find((k) => k !== ':@' && k !== '#text' && k !== '#comment' && k !== '#cdata');

/** Attribute values: literal whitespace normalised to spaces (XML attribute-value normalisation), then entities expanded. */
const attrValue = (raw: unknown): string => decodeXmlEntities(String(raw).replace(/[\t\n\r]/g, ' '));

/** Reads an element's attributes and the namespace scope they open. */
function readAttributes(raw: RawNode, parentScope: Scope): { attrs: Record<string, string>; scope: Scope } {
  const rawAttrs = isRecord(raw[':@']) ? raw[':@'] : {};
  const attrs: Record<string, string> = {};
  let scope: Map<string, string> | undefined;
  for (const [k, v] of Object.entries(rawAttrs)) {
    const value = attrValue(v);
    attrs[k] = value;
    if (k !== 'xmlns' && !k.startsWith('xmlns:')) continue;
    const declared = k === 'xmlns' ? '' : k.slice(6);
    if (declared !== '' && value === '') {
      throw new XmlParseError(`The namespace prefix "${declared}" is declared with an empty URI, which XML namespaces forbid.`);
    }
    scope ??= new Map(parentScope);
    scope.set(declared, value);
  }
  return { attrs, scope: scope ?? parentScope };
}

/** Splits a qualified name and resolves its namespace. */
function resolveName(qname: string, scope: Scope): { name: string; ns: string; prefix?: string } {
  const colon = qname.indexOf(':');
  if (colon <= 0) return { name: qname, ns: scope.get('') ?? '' };
  const prefix = qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined) {
    throw new XmlParseError(
      `The element <${qname}> uses the namespace prefix "${prefix}", but the file never declares it (xmlns:${prefix}="..."). The file looks incomplete or was edited by hand; export it again.`
    );
  }
  return { name: qname.slice(colon + 1), ns, prefix };
}

/** Text of a CDATA section item. */
const cdataText = (item: RawNode): string =>
  (Array.isArray(item['#cdata']) ? (item['#cdata'] as unknown[]) : [])
    .map((c) => (isRecord(c) && '#text' in c ? String(c['#text']) : ''))
    .join('');

function convert(raw: RawNode, parentScope: Scope, depth: number, maxDepth: number): XNode {
  if (depth > maxDepth) {
    throw new XmlParseError(`Elements are nested more than ${maxDepth} levels deep. This is not a metadata file.`);
  }
  const qname = elementKey(raw) ?? '';
  const { attrs, scope } = readAttributes(raw, parentScope);
  const { name, ns, prefix } = resolveName(qname, scope);
  const node: XNode = { name, ns, attrs, children: [], text: '' };
  if (prefix !== undefined) node.prefix = prefix;
  const content = raw[qname];
  const texts: string[] = [];
  for (const item of Array.isArray(content) ? (content as unknown[]) : []) {
    if (!isRecord(item)) continue;
    if ('#text' in item) texts.push(decodeXmlEntities(String(item['#text'])));
    else if ('#cdata' in item) texts.push(cdataText(item));
    else if (elementKey(item) !== undefined) node.children.push(convert(item, scope, depth + 1, maxDepth));
  }
  node.text = texts.join('').trim();
  return node;
}

/** Size check and decoding to text (BOM dropped, leading blank lines dropped). */
function inputText(input: string | Buffer, maxBytes: number): string {
  if (typeof input !== 'string' && !Buffer.isBuffer(input)) {
    throw new XmlParseError('Expected XML text or bytes, got nothing usable.');
  }
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) {
    throw new UnsafeXmlError(
      `The file is ${size} bytes; the limit is ${maxBytes} bytes. Metadata files are a few kilobytes: check that this is the right file.`,
      'TOO_LARGE'
    );
  }
  let text = typeof input === 'string' ? input : decodeBytes(input);
  if (text.charCodeAt(0) === 0xfe_ff) text = text.slice(1);
  // Leading blank lines before the XML declaration are a common copy-and-paste artefact; they carry no meaning.
  return text.trimStart();
}

/** Refusals that come before any parsing: DTDs, entity declarations, binary content, non-XML text. */
function preflight(text: string): void {
  if (/<!DOCTYPE/i.test(text)) {
    throw new UnsafeXmlError(
      'The file declares a DTD (<!DOCTYPE>). Metadata files never need one; it is refused to prevent entity-expansion attacks. Export the metadata again from the identity provider.',
      'DOCTYPE'
    );
  }
  if (/<!ENTITY/i.test(text)) {
    throw new UnsafeXmlError(
      'The file declares XML entities (<!ENTITY>). Metadata files never need them; they are refused to prevent entity-expansion attacks. Export the metadata again from the identity provider.',
      'ENTITY'
    );
  }
  if (text.length === 0) throw new XmlParseError('The file is empty.');
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(text);
  if (control) {
    const at = lineColumnAt(text, control.index);
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new XmlParseError(
      `The file contains a control character (U+${code}) at line ${at.line}, column ${at.column}; it is binary or corrupted, not XML text.`,
      at.line,
      at.column
    );
  }
  if (!text.startsWith('<')) {
    throw new XmlParseError(`The file is not XML: it starts with "${text.slice(0, 30).replace(/\s+/g, ' ')}" instead of "<".`, 1, 1);
  }
  if (!text.trimEnd().endsWith('>')) {
    throw new XmlParseError('The file has text after its root element: it may be cut short or have something pasted after it.');
  }
}

/**
 * Parses untrusted XML into a namespace-aware tree.
 *
 * @throws UnsafeXmlError when the input declares a DTD or entities, or is larger than `maxBytes`.
 * @throws XmlParseError when the input is not well-formed XML or has no, or more than one, root element.
 */
export function parseXml(input: string | Buffer, options: ParseXmlOptions = {}): XNode {
  const text = inputText(input, options.maxBytes ?? DEFAULT_MAX_XML_BYTES);
  preflight(text);
  const valid = fastXmlParser().XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new XmlParseError(`The file is not well-formed XML: ${msg} (line ${line}, column ${col}).`, line, col);
  }
  let top: unknown;
  try {
    top = parser().parse(text);
  } catch (e) {
    throw new XmlParseError(`The file could not be parsed as XML: ${e instanceof Error ? e.message : String(e)}.`);
  }
  const items = (Array.isArray(top) ? (top as unknown[]) : []).filter(isRecord);
  const stray = items.find((r) => '#cdata' in r || ('#text' in r && String(r['#text']).trim() !== ''));
  if (stray) {
    throw new XmlParseError('The file has text outside its root element: it may be cut short or have something pasted after it.');
  }
  const roots = items.filter((r) => elementKey(r) !== undefined);
  if (roots.length === 0) throw new XmlParseError('The file has no root element.');
  if (roots.length > 1) {
    throw new XmlParseError(
      `The file has ${roots.length} root elements (<${elementKey(roots[0]) ?? ''}>, <${elementKey(roots[1]) ?? ''}>…); an XML document has exactly one. It may be several files pasted together: keep only one.`
    );
  }
  const rootScope: Scope = new Map([
    ['xml', NS.xml],
    ['xmlns', NS.xmlns],
  ]);
  return convert(roots[0], rootScope, 1, options.maxDepth ?? DEFAULT_MAX_DEPTH);
}

/** Child elements with this local name (and namespace, when given), in document order. */
export function childrenNamed(node: XNode | undefined, localName: string, ns?: string): XNode[] {
  if (!node) return [];
  return node.children.filter((c) => c.name === localName && (ns === undefined || c.ns === ns));
}

/** The first child element with this local name (and namespace, when given). */
export function firstChild(node: XNode | undefined, localName: string, ns?: string): XNode | undefined {
  return node?.children.find((c) => c.name === localName && (ns === undefined || c.ns === ns));
}

/**
 * All descendant elements (not the node itself), depth-first in document order; filtered by local name and
 * namespace when given.
 */
export function descendants(node: XNode | undefined, localName?: string, ns?: string): XNode[] {
  const out: XNode[] = [];
  const stack: XNode[] = node ? [...node.children].reverse() : [];
  while (stack.length > 0) {
    const n = stack.pop() as XNode;
    if ((localName === undefined || n.name === localName) && (ns === undefined || n.ns === ns)) out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

/** An attribute by its name as written; when not found, by local name with any prefix (`type` finds `xsi:type`). */
export function attr(node: XNode | undefined, name: string): string | undefined {
  if (!node) return undefined;
  if (Object.prototype.hasOwnProperty.call(node.attrs, name)) return node.attrs[name];
  for (const [k, v] of Object.entries(node.attrs)) {
    if (!k.startsWith('xmlns') && k.endsWith(`:${name}`)) return v;
  }
  return undefined;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Writing                                                                                                          */
/* ---------------------------------------------------------------------------------------------------------------- */

/** An element to write. Attributes whose value is undefined are left out; children that are undefined/false too. */
export type XmlElement = {
  name: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  children?: Array<XmlElement | undefined | false>;
  text?: string;
};

/** Shorthand to build an XmlElement: `xmlElement('md:NameIDFormat', {}, 'urn:…')` or with child elements. */
export function xmlElement(
  name: string,
  attrs: XmlElement['attrs'] = {},
  content?: string | Array<XmlElement | undefined | false>
): XmlElement {
  return typeof content === 'string' ? { name, attrs, text: content } : { name, attrs, children: content ?? [] };
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*(:[A-Za-z_][A-Za-z0-9._-]*)?$/;

function renderElement(el: XmlElement, indent: string, depth: number, out: string[]): void {
  if (!XML_NAME.test(el.name)) throw new Error(`Invalid XML element name: "${el.name}"`);
  const pad = indent.repeat(depth);
  const attrs = Object.entries(el.attrs ?? {})
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([k, v]) => {
      if (!XML_NAME.test(k)) throw new Error(`Invalid XML attribute name: "${k}"`);
      return ` ${k}="${escapeXml(String(v))}"`;
    })
    .join('');
  const children = (el.children ?? []).filter((c): c is XmlElement => Boolean(c));
  if (children.length === 0 && (el.text === undefined || el.text === '')) {
    out.push(`${pad}<${el.name}${attrs}/>`);
  } else if (children.length === 0) {
    out.push(`${pad}<${el.name}${attrs}>${escapeXml(el.text ?? '')}</${el.name}>`);
  } else {
    if (el.text) throw new Error(`Element <${el.name}> cannot have both text and child elements here.`);
    out.push(`${pad}<${el.name}${attrs}>`);
    for (const c of children) renderElement(c, indent, depth + 1, out);
    out.push(`${pad}</${el.name}>`);
  }
}

/** Serialises an element tree, with an XML declaration and two-space indentation by default. Ends with a newline. */
export function renderXml(root: XmlElement, options: { declaration?: boolean; indent?: string } = {}): string {
  const out: string[] = [];
  if (options.declaration ?? true) out.push('<?xml version="1.0" encoding="UTF-8"?>');
  renderElement(root, options.indent ?? '  ', 0, out);
  return out.join('\n') + '\n';
}
