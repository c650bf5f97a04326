/*
 * Safe, order-preserving XML parsing for the Metadata API emulator (fast-xml-parser, preserveOrder).
 * Refuses DOCTYPE / entity declarations, caps the size, requires exactly one root element.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One element: local name (prefix stripped), attributes (qualified names), children in document order. */
export type XNode = {
  name: string;
  prefix?: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** Concatenated text content (trimmed). */
  text: string;
  /** 1-based position of the start tag in the source. */
  line?: number;
  column?: number;
};

export class XmlError extends Error {
  public constructor(message: string, public readonly line?: number, public readonly column?: number) {
    super(message);
    this.name = 'XmlError';
  }
}

export const MAX_XML_BYTES = 50 * 1024 * 1024;

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITY[e];
    if (v === undefined) throw new XmlError(`The entity "${e}" was referenced, but not declared.`);
    return v;
  });
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
  captureMetaData: true,
  maxNestedTags: 100,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

export function lineCol(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: index - last };
}

type Raw = Record<string | symbol, unknown>;

function convert(raw: Raw, source: string): XNode {
  const tag = Object.keys(raw).find((k) => k !== ':@') as string;
  const [prefix, local] = tag.includes(':') ? tag.split(':', 2) : [undefined, tag];
  const attrsRaw = (raw[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrsRaw)) attrs[k] = decodeEntities(String(v));
  const node: XNode = { name: local, attrs, children: [], text: '' };
  if (prefix) node.prefix = prefix;
  const meta = raw[META] as { startIndex?: number } | undefined;
  if (meta?.startIndex !== undefined) Object.assign(node, lineCol(source, meta.startIndex));
  const texts: string[] = [];
  for (const c of (raw[tag] ?? []) as Raw[]) {
    if ('#text' in c) texts.push(decodeEntities(String(c['#text'])));
    else if ('#comment' in c) continue;
    else node.children.push(convert(c, source));
  }
  node.text = texts.join('');
  return node;
}

/** Parses untrusted XML into an ordered tree. Throws XmlError. */
export function parseXml(source: string | Buffer, maxBytes = MAX_XML_BYTES): XNode {
  const size = typeof source === 'string' ? Buffer.byteLength(source) : source.length;
  if (size > maxBytes) throw new XmlError(`Request exceeds the maximum size of ${maxBytes} bytes`);
  let text = typeof source === 'string' ? source : source.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlError('DOCTYPE is disallowed when the feature "http://apache.org/xml/features/disallow-doctype-decl" set to true.');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(valid.err.msg, valid.err.line, valid.err.col);
  const top = (parser.parse(text) as Raw[]).filter((r) => !('#comment' in r) && !('#text' in r));
  if (top.length !== 1) throw new XmlError('The markup in the document following the root element must be well-formed.');
  return convert(top[0], text);
}

export const child = (n: XNode | undefined, name: string): XNode | undefined => n?.children.find((c) => c.name === name);
export const childrenNamed = (n: XNode | undefined, name: string): XNode[] => n?.children.filter((c) => c.name === name) ?? [];
export const childText = (n: XNode | undefined, name: string): string | undefined => child(n, name)?.text;
/** Attribute by local name (any prefix). */
export const attrLocal = (n: XNode, local: string): string | undefined => {
  for (const [k, v] of Object.entries(n.attrs)) if (k === local || k.endsWith(`:${local}`)) return v;
  return undefined;
};
export const isNil = (n: XNode): boolean => attrLocal(n, 'nil') === 'true';
