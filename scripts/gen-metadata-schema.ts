/*
 * Generates test/emulator/metadata/schema.json from Salesforce's Metadata WSDL.
 *
 *   npx tsx scripts/gen-metadata-schema.ts [path/to/metadata.wsdl]
 *
 * Output (compact):
 *   v:  API version read from the WSDL's header comment
 *   ns: target namespace
 *   c:  complexTypes   { Name: { b?: BaseType, e: Element[] } }
 *   s:  simpleTypes    { Name: string[] (enumeration) | { b: base, len?: n, pat?: regex } }
 *   el: top-level elements with an anonymous complexType (operation requests/responses, headers)
 *                      { name: Element[] }
 * Element = [name, type] or [name, type, flags]; type is a WSDL type name without prefix, or
 * "xsd:xxx" for XML Schema built-ins, or "any" for <xsd:any>;
 * flags: 1 = minOccurs 0, 2 = maxOccurs unbounded, 4 = nillable.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

type Elem = [string, string] | [string, string, number];
type Complex = { b?: string; e: Elem[] };
type Simple = string[] | { b: string; len?: number; pat?: string };
export type MetadataSchema = {
  v: string;
  ns: string;
  c: Record<string, Complex>;
  s: Record<string, Simple>;
  el: Record<string, Elem[]>;
};

type Node = Record<string, unknown>;
const arr = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);
const attr = (n: Node, name: string): string | undefined => n[`@_${name}`] as string | undefined;

const typeRef = (t: string | undefined): string => {
  if (!t) throw new Error('element without a type');
  const [prefix, local] = t.includes(':') ? t.split(':') : ['tns', t];
  return prefix === 'xsd' ? `xsd:${local}` : local;
};

const elementsOf = (sequence: Node | undefined): Elem[] => {
  if (!sequence) return [];
  const out: Elem[] = [];
  for (const el of arr(sequence['xsd:element'])) {
    let flags = 0;
    if (attr(el, 'minOccurs') === '0') flags |= 1;
    if (attr(el, 'maxOccurs') === 'unbounded') flags |= 2;
    if (attr(el, 'nillable') === 'true') flags |= 4;
    const name = attr(el, 'name') as string;
    const type = typeRef(attr(el, 'type'));
    out.push(flags ? [name, type, flags] : [name, type]);
  }
  if (sequence['xsd:any'] !== undefined) out.push(['*', 'any', 3]);
  return out;
};

export function generateSchema(wsdl: string): MetadataSchema {
  if (/<!DOCTYPE/i.test(wsdl)) throw new Error('refusing a WSDL with a DOCTYPE');
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    processEntities: false,
    // keep element order inside a sequence: <xsd:element> and <xsd:any> never interleave in this WSDL
    isArray: (name) => ['xsd:element', 'xsd:complexType', 'xsd:simpleType', 'xsd:enumeration'].includes(name),
  });
  const doc = parser.parse(wsdl) as Node;
  const schema = (doc.definitions as Node).types as Node;
  const xsd = schema['xsd:schema'] as Node;
  const version = /Metadata API version ([\d.]+)/.exec(wsdl)?.[1] ?? 'unknown';
  const out: MetadataSchema = { v: version, ns: attr(xsd, 'targetNamespace') as string, c: {}, s: {}, el: {} };

  for (const ct of arr(xsd['xsd:complexType'])) {
    const name = attr(ct, 'name') as string;
    const ext = (ct['xsd:complexContent'] as Node | undefined)?.['xsd:extension'] as Node | undefined;
    const entry: Complex = ext
      ? { b: typeRef(attr(ext, 'base')), e: elementsOf(ext['xsd:sequence'] as Node | undefined) }
      : { e: elementsOf(ct['xsd:sequence'] as Node | undefined) };
    out.c[name] = entry;
  }
  for (const st of arr(xsd['xsd:simpleType'])) {
    const name = attr(st, 'name') as string;
    const r = st['xsd:restriction'] as Node;
    const enums = arr(r['xsd:enumeration']).map((e) => attr(e, 'value') as string);
    if (enums.length) out.s[name] = enums;
    else {
      const simple: Simple = { b: typeRef(attr(r, 'base')) };
      const len = r['xsd:length'] as Node | undefined;
      const pat = r['xsd:pattern'] as Node | undefined;
      if (len) simple.len = Number(attr(len, 'value'));
      if (pat) simple.pat = attr(pat, 'value');
      out.s[name] = simple;
    }
  }
  for (const el of arr(xsd['xsd:element'])) {
    const name = attr(el, 'name') as string;
    const ct = arr(el['xsd:complexType'])[0];
    out.el[name] = ct ? elementsOf(ct['xsd:sequence'] as Node | undefined) : [['', typeRef(attr(el, 'type'))]];
  }
  // sanity: every referenced type exists
  const builtin = new Set(['any']);
  const missing = new Set<string>();
  const check = (t: string): void => {
    if (!t.startsWith('xsd:') && !builtin.has(t) && !(t in out.c) && !(t in out.s)) missing.add(t);
  };
  Object.values(out.c).forEach((c) => {
    if (c.b) check(c.b);
    c.e.forEach((e) => check(e[1]));
  });
  Object.values(out.el).forEach((es) => es.forEach((e) => check(e[1])));
  if (missing.size) throw new Error(`unresolved types: ${[...missing].join(', ')}`);
  return out;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const wsdlPath = resolve(process.argv[2] ?? resolve(repo, '../shared/salesforce/metadata.wsdl'));
  const schema = generateSchema(readFileSync(wsdlPath, 'utf8'));
  const target = resolve(repo, 'test/emulator/metadata/schema.json');
  // one type per line: compact, yet diffs stay readable
  const lines = (obj: Record<string, unknown>): string =>
    Object.entries(obj)
      .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(',\n');
  const text = `{\n  "v": ${JSON.stringify(schema.v)},\n  "ns": ${JSON.stringify(schema.ns)},\n  "c": {\n${lines(schema.c)}\n  },\n  "s": {\n${lines(
    schema.s
  )}\n  },\n  "el": {\n${lines(schema.el)}\n  }\n}\n`;
  writeFileSync(target, text);
  // eslint-disable-next-line no-console
  console.log(
    `${target}: ${Object.keys(schema.c).length} complex, ${Object.keys(schema.s).length} simple types, ${Object.keys(schema.el).length} elements (API ${schema.v})`
  );
}
