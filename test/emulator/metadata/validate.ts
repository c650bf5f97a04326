/*
 * Checks metadata components against the table generated from the Metadata WSDL (schema.json),
 * with Salesforce's wording, and converts between the ordered XML tree and the stored content objects.
 *
 * Wording (as Salesforce's SOAP/XML binding reports it):
 *  - unknown or out-of-sequence element: "Element {http://soap.sforce.com/2006/04/metadata}foo invalid at this location in type SamlSsoConfig"
 *  - a repeated element split by another one: "Element tabVisibilities is duplicated at this location in type Profile"
 *  - bad enum value: "'Foo' is not a valid value for the enum 'SamlIdentityType'"
 *  - bad scalar: "'abc' is not valid for the type xsd:int"
 *  - missing required (minOccurs=1, not nillable): "Required field is missing: issuer"
 */
import { readFileSync } from 'node:fs';
import { attrLocal, escapeXml, isNil, type XNode } from './xml.js';

export type SchemaElem = [string, string] | [string, string, number];
export type MetadataSchema = {
  v: string;
  ns: string;
  c: Record<string, { b?: string; e: SchemaElem[] }>;
  s: Record<string, string[] | { b: string; len?: number; pat?: string }>;
  el: Record<string, SchemaElem[]>;
};

export type ElementDef = { name: string; type: string; optional: boolean; many: boolean; nillable: boolean };

/** `parse` errors come from the XML binding (SOAP fault in CRUD calls, "Error parsing file" in deploys). */
export type ValidationError = {
  kind: 'parse' | 'required';
  message: string;
  /** Path of the offending element, e.g. "oauthConfig.callbackUrl". */
  path?: string;
  line?: number;
  column?: number;
};

let schemaCache: MetadataSchema | undefined;
export function getSchema(): MetadataSchema {
  schemaCache ??= JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8')) as MetadataSchema;
  return schemaCache;
}
export const NS = 'http://soap.sforce.com/2006/04/metadata';

const flatCache = new Map<string, ElementDef[]>();
/** All elements of a complex type, base types first (Metadata.fullName first). */
export function elementsOf(type: string): ElementDef[] {
  const hit = flatCache.get(type);
  if (hit) return hit;
  const s = getSchema();
  const ct = s.c[type];
  if (!ct) throw new Error(`unknown complex type ${type}`);
  const own = ct.e.map(([name, t, f = 0]) => ({ name, type: t, optional: (f & 1) !== 0, many: (f & 2) !== 0, nillable: (f & 4) !== 0 }));
  const all = ct.b ? [...elementsOf(ct.b), ...own] : own;
  flatCache.set(type, all);
  return all;
}

export const isComplexType = (type: string): boolean => type in getSchema().c;

/** True for a concrete Metadata subtype (extends Metadata directly or indirectly). */
export function isMetadataType(type: string): boolean {
  const s = getSchema();
  let t: string | undefined = type;
  let depth = 0;
  while (t && depth++ < 10) {
    const b: string | undefined = s.c[t]?.b;
    if (b === 'Metadata') return true;
    t = b;
  }
  return false;
}

/** The type's elements' name → def. */
export function elementDef(type: string, name: string): ElementDef | undefined {
  return elementsOf(type).find((e) => e.name === name);
}

function extendsType(sub: string, base: string): boolean {
  const s = getSchema();
  let t: string | undefined = sub;
  for (let i = 0; t && i < 10; i++) {
    if (t === base) return true;
    t = s.c[t]?.b;
  }
  return false;
}

const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|-?INF)$/;
const DATETIME_RE = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const DATE_RE = /^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/;
const TIME_RE = /^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const BASE64_RE = /^[A-Za-z0-9+/=\s]*$/;

/** Checks one scalar value; returns the error message or undefined. */
export function checkScalar(type: string, value: string): string | undefined {
  const s = getSchema();
  const simple = s.s[type];
  if (Array.isArray(simple)) {
    return simple.includes(value) ? undefined : `'${value}' is not a valid value for the enum '${type}'`;
  }
  const base = simple ? simple.b : type;
  const v = value.trim();
  const bad = (): string => `'${value}' is not valid for the type ${base}`;
  switch (base) {
    case 'xsd:boolean':
      return ['true', 'false', '1', '0'].includes(v) ? undefined : bad();
    case 'xsd:int': {
      if (!INT_RE.test(v)) return bad();
      const n = Number(v);
      return n < -2147483648 || n > 2147483647 ? bad() : undefined;
    }
    case 'xsd:long':
      return INT_RE.test(v) ? undefined : bad();
    case 'xsd:double':
      return DOUBLE_RE.test(v) ? undefined : bad();
    case 'xsd:dateTime':
      return DATETIME_RE.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : bad();
    case 'xsd:date':
      return DATE_RE.test(v) ? undefined : bad();
    case 'xsd:time':
      return TIME_RE.test(v) ? undefined : bad();
    case 'xsd:base64Binary':
      return BASE64_RE.test(v) ? undefined : bad();
    default:
      return undefined; // xsd:string, xsd:anyType, ID (lenient: Salesforce accepts 15-char ids too)
  }
}

/** Resolves a polymorphic xsi:type (local name) if it names a subtype of the declared type. */
function effectiveType(node: XNode, declared: string): string {
  const xt = attrLocal(node, 'type');
  if (!xt) return declared;
  const local = xt.includes(':') ? xt.split(':')[1] : xt;
  return isComplexType(local) && extendsType(local, declared) ? local : declared;
}

function validateInto(type: string, node: XNode, path: string, errors: ValidationError[], opts: { skipRequired: Set<string> }): boolean {
  const defs = elementsOf(type);
  const seen = new Set<string>();
  let pos = 0; // next allowed index into defs
  let lastIndex = -1;
  for (const c of node.children) {
    const at = { line: c.line, column: c.column, path: path ? `${path}.${c.name}` : c.name };
    let idx = -1;
    if (lastIndex >= 0 && defs[lastIndex].name === c.name && defs[lastIndex].many) idx = lastIndex;
    else {
      for (let j = pos; j < defs.length; j++) {
        if (defs[j].name === c.name) {
          idx = j;
          break;
        }
      }
    }
    if (idx < 0) {
      const wildcard = defs.findIndex((d, j) => j >= pos && d.type === 'any');
      if (wildcard >= 0) continue;
      const message = seen.has(c.name)
        ? `Element ${c.name} is duplicated at this location in type ${type}`
        : `Element {${NS}}${c.name} invalid at this location in type ${type}`;
      errors.push({ kind: 'parse', message, ...at });
      return false;
    }
    const def = defs[idx];
    seen.add(c.name);
    lastIndex = idx;
    pos = idx + 1;
    if (isNil(c)) continue;
    if (isComplexType(def.type)) {
      if (c.text && c.children.length === 0) {
        errors.push({ kind: 'parse', message: `Element {${NS}}${c.name} invalid at this location in type ${type}`, ...at });
        return false;
      }
      if (!validateInto(effectiveType(c, def.type), c, at.path, errors, { skipRequired: new Set() })) return false;
    } else {
      if (c.children.length) {
        errors.push({ kind: 'parse', message: `Element {${NS}}${c.children[0].name} invalid at this location in type ${type}`, ...at });
        return false;
      }
      const msg = checkScalar(def.type, c.text);
      if (msg) {
        errors.push({ kind: 'parse', message: msg, ...at });
        return false;
      }
    }
  }
  for (const d of defs) {
    if (!d.optional && !d.nillable && !seen.has(d.name) && !opts.skipRequired.has(d.name)) {
      errors.push({ kind: 'required', message: `Required field is missing: ${d.name}`, path: path ? `${path}.${d.name}` : d.name, line: node.line, column: node.column });
    }
  }
  return true;
}

/**
 * Validates a component (the element holding its fields: `<SamlSsoConfig>` in a file, `<metadata>` in SOAP)
 * against the WSDL table. Parse errors stop at the first one (as the XML binding does); required-field errors
 * are all reported. `skipRequired`: top-level fields supplied elsewhere (e.g. Certificate content from the .crt).
 */
export function validateComponent(typeName: string, content: XNode, skipRequired: string[] = []): ValidationError[] {
  if (!isComplexType(typeName) || !isMetadataType(typeName)) {
    return [{ kind: 'parse', message: `Unknown type name '${typeName}' specified` }];
  }
  const errors: ValidationError[] = [];
  validateInto(typeName, content, '', errors, { skipRequired: new Set(skipRequired) });
  return errors;
}

export type Content = Record<string, unknown>;

function scalarValue(type: string, text: string): unknown {
  const simple = getSchema().s[type];
  const base = simple && !Array.isArray(simple) ? simple.b : type;
  switch (base) {
    case 'xsd:boolean':
      return text === 'true' || text === '1';
    case 'xsd:int':
    case 'xsd:long':
    case 'xsd:double':
      return Number(text);
    default:
      return text;
  }
}

/** Converts a validated tree into a plain content object: scalars typed, repeated elements as arrays, xsi:nil as null. */
export function toContent(type: string, node: XNode): Content {
  const out: Content = {};
  for (const c of node.children) {
    const def = elementDef(type, c.name);
    if (!def) continue;
    let v: unknown;
    if (isNil(c)) v = null;
    else if (isComplexType(def.type)) v = toContent(effectiveType(c, def.type), c);
    else v = scalarValue(def.type, c.text);
    if (def.many) ((out[c.name] ??= []) as unknown[]).push(v);
    else out[c.name] = v;
  }
  return orderContent(type, out);
}

/** Re-orders keys recursively in WSDL sequence order (unknown keys are dropped). */
export function orderContent(type: string, content: Content): Content {
  const out: Content = {};
  for (const d of elementsOf(type)) {
    if (!(d.name in content) || content[d.name] === undefined) continue;
    const v = content[d.name];
    const fix = (x: unknown): unknown => (x !== null && typeof x === 'object' && isComplexType(d.type) ? orderContent(d.type, x as Content) : x);
    out[d.name] = d.many ? (Array.isArray(v) ? v : [v]).map(fix) : fix(v);
  }
  return out;
}

function scalarText(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Serializes content as child elements in WSDL order (no namespace prefixes; the caller sets the default namespace). */
export function contentToXml(type: string, content: Content, indent = ''): string {
  const nl = indent ? '\n' : '';
  const inner = indent ? `${indent}    ` : '';
  let out = '';
  for (const d of elementsOf(type)) {
    const v = content[d.name];
    if (v === undefined) continue;
    for (const item of d.many && Array.isArray(v) ? v : [v]) {
      if (item === null) out += `${indent}<${d.name} xsi:nil="true"/>${nl}`;
      else if (isComplexType(d.type) && typeof item === 'object') {
        out += `${indent}<${d.name}>${nl}${contentToXml(d.type, item as Content, inner)}${indent}</${d.name}>${nl}`;
      } else out += `${indent}<${d.name}>${escapeXml(scalarText(item))}</${d.name}>${nl}`;
    }
  }
  return out;
}

/** Serializes a plain object in ITS OWN key order (as jsforce does), so that it can be validated like a request. */
export function plainToXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => plainToXml(name, v)).join('');
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (value !== undefined && typeof value === 'object' && !(value instanceof Date)) {
    return `<${name}>${Object.entries(value as Content)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => plainToXml(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(scalarText(value))}</${name}>`;
}
