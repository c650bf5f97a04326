/*
 * SOQL execution for the org emulator.
 *
 * Parsing is done by @jetstreamapp/soql-parser-js; this module resolves the parsed query against the
 * schemas of a SoqlDataSource and evaluates it with Salesforce's semantics: case-insensitive names and
 * string comparisons, `!=` matching nulls, parent relationship paths, child subqueries, semi/anti-joins,
 * date literals, ORDER BY with Salesforce's null ordering, aggregates with GROUP BY / HAVING, and the
 * platform's error codes and messages (with the "query excerpt + caret + ERROR at Row:Column" prefix).
 */
import {
  parseQuery,
  type Condition,
  type FieldFunctionExpression,
  type FieldSubquery,
  type FieldType as SoqlFieldItem,
  type FunctionExp,
  type GroupByClause,
  type HavingClause,
  type LiteralType,
  type OrderByClause,
  type Query,
  type Subquery,
  type ValueQueryCondition,
  type WhereClause,
} from '@jetstreamapp/soql-parser-js';
import {
  SalesforceError,
  type FieldSchema,
  type FieldType,
  type ObjectSchema,
  type SObjectRecord,
  type SoqlDataSource,
  type SoqlResult,
} from './types.js';

export type SoqlOptions = {
  /** Query the Tooling API's objects (describe/records with {tooling: true}). */
  tooling?: boolean;
  /** queryAll: include records with IsDeleted = true. */
  includeDeleted?: boolean;
  /** API version used in attributes.url; default '66.0'. */
  apiVersion?: string;
  /** Clock for date literals (TODAY, LAST_N_DAYS:n, ...); default: now. */
  now?: Date;
};

const DEFAULT_API_VERSION = '66.0';
const MAX_OFFSET = 2000;
const MAX_FIELDS_FUNCTION_LIMIT = 200;
const WSDL_HINT = 'Please reference your WSDL or the describe call for the appropriate names.';

type Row = Record<string, unknown>;

/** Per-execution state shared by the main query and its subqueries. */
type Ctx = {
  soql: string;
  /** The query text with string-literal contents blanked, for locating tokens in error messages. */
  masked: string;
  source: SoqlDataSource;
  tooling: boolean;
  includeDeleted: boolean;
  apiVersion: string;
  now: Date;
};

/**
 * Executes a SOQL query and returns all its rows, shaped as the REST API returns them (before pagination).
 * Throws SalesforceError (status 400) with Salesforce's error codes for malformed or invalid queries.
 */
export function executeSoql(soql: string, source: SoqlDataSource, opts: SoqlOptions = {}): SoqlResult {
  const ctx: Ctx = {
    soql,
    masked: maskStrings(soql),
    source,
    tooling: opts.tooling ?? false,
    includeDeleted: opts.includeDeleted ?? false,
    apiVersion: opts.apiVersion ?? DEFAULT_API_VERSION,
    now: opts.now ?? new Date(),
  };
  const query = parse(ctx);
  if (!query.sObject) throw malformed(ctx, soql.length, "unexpected token: '<EOF>'");
  const schema = describeOrThrow(ctx, query.sObject);
  const compiled = compileQuery(ctx, query, schema, true);
  return compiled.run(loadRecords(ctx, schema));
}

// ---------------------------------------------------------------------------------------------------
// Errors

/**
 * Salesforce prefixes query errors with an excerpt of the query line around the offending token
 * (about 30 characters each side, widened to whole words), a caret under the token and its position.
 */
function soqlError(ctx: Ctx, errorCode: string, pos: number, text: string): SalesforceError {
  const soql = ctx.soql.replace(/\r/g, ' ');
  const at = Math.max(0, Math.min(pos, soql.length));
  const lineStart = soql.lastIndexOf('\n', at - 1) + 1;
  const nl = soql.indexOf('\n', at);
  const lineEnd = nl < 0 ? soql.length : nl;
  const isWord = (c: string | undefined): boolean => c !== undefined && /[\w.]/.test(c);
  let start = Math.max(lineStart, at - 30);
  while (start > lineStart && isWord(soql[start - 1]) && isWord(soql[start])) start--;
  let end = Math.min(lineEnd, at + 30);
  while (end < lineEnd && isWord(soql[end - 1]) && isWord(soql[end])) end++;
  const row = soql.slice(0, at).split('\n').length;
  const column = at - lineStart + 1;
  const excerpt = soql.slice(start, end);
  const message = `\n${excerpt}\n${' '.repeat(at - start)}^\nERROR at Row:${row}:Column:${column}\n${text}`;
  return new SalesforceError(errorCode, message);
}

function malformed(ctx: Ctx, pos: number, text: string): SalesforceError {
  return soqlError(ctx, 'MALFORMED_QUERY', pos, text);
}

function noSuchColumn(ctx: Ctx, raw: string, field: string, entity: string): SalesforceError {
  return soqlError(
    ctx,
    'INVALID_FIELD',
    locate(ctx, raw),
    `No such column '${field}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. ${WSDL_HINT}`
  );
}

/** Blanks the contents of string literals so that searching the text never matches inside one. */
function maskStrings(soql: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < soql.length; i++) {
    const c = soql[i];
    if (inString) {
      if (c === '\\') {
        out += '  ';
        i++;
      } else if (c === "'") {
        inString = false;
        out += c;
      } else out += c === '\n' ? '\n' : ' ';
    } else {
      if (c === "'") inString = true;
      out += c;
    }
  }
  return out;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Blanks every parenthesised `(SELECT ...)` so that only the outer query's text remains searchable. */
function blankSubqueries(text: string): string {
  let out = text;
  for (let m = /\(\s*SELECT(?![\w])/i.exec(out); m; m = /\(\s*SELECT(?![\w])/i.exec(out)) {
    let depth = 0;
    let end = m.index;
    for (; end < out.length; end++) {
      if (out[end] === '(') depth++;
      else if (out[end] === ')' && --depth === 0) break;
    }
    out = out.slice(0, m.index) + ' '.repeat(Math.min(end + 1, out.length) - m.index) + out.slice(end + 1);
  }
  return out;
}

/** Position of a whole-word, case-insensitive occurrence of `needle` (outside strings), at or after `from`. */
function locate(ctx: Ctx, needle: string, from = 0): number {
  const re = new RegExp(`(?<![\\w.])${escapeRegex(needle)}(?![\\w])`, 'ig');
  re.lastIndex = from;
  const m = re.exec(ctx.masked);
  if (m) return m.index;
  return from > 0 ? locate(ctx, needle) : 0;
}

/** Position of an object name in a FROM clause. */
function locateFrom(ctx: Ctx, name: string): number {
  const m = new RegExp(`\\bFROM\\s+(${escapeRegex(name)})(?![\\w])`, 'i').exec(ctx.masked);
  return m ? m.index + m[0].length - m[1].length : locate(ctx, name);
}

// ---------------------------------------------------------------------------------------------------
// Parsing

function parse(ctx: Ctx): Query {
  try {
    return parseQuery(ctx.soql);
  } catch (e) {
    throw parseFailure(ctx, e instanceof Error ? e : new Error(String(e)));
  }
}

/**
 * Turns a soql-parser-js failure into Salesforce's MALFORMED_QUERY. The parser's error carries the
 * offending token's text but not its position; the position is the first occurrence of that text at which
 * a query cut right after it fails on that same token (every earlier occurrence parses, or fails at EOF).
 */
function parseFailure(ctx: Ctx, e: Error): SalesforceError {
  const lex = /at offset: (\d+)/.exec(e.message);
  if (lex) {
    const pos = Number(lex[1]);
    return malformed(ctx, pos, `unexpected token: '${ctx.soql[pos]}'`);
  }
  const found = foundToken(e.message);
  const end = ctx.soql.trimEnd().length;
  if (found === undefined || found === '') return malformed(ctx, end, "unexpected token: '<EOF>'");
  const re = new RegExp(/^\w/.test(found) ? `(?<![\\w.])${escapeRegex(found)}(?![\\w])` : escapeRegex(found), 'g');
  let first: number | undefined;
  for (let m = re.exec(ctx.soql); m; m = re.exec(ctx.soql)) {
    first ??= m.index;
    try {
      parseQuery(ctx.soql.slice(0, m.index + found.length));
    } catch (inner) {
      if (inner instanceof Error && foundToken(inner.message) === found) return malformed(ctx, m.index, `unexpected token: '${found}'`);
    }
  }
  return malformed(ctx, first ?? end, `unexpected token: '${found}'`);
}

/** The token a chevrotain error message says it found ('' at end of input). */
function foundToken(message: string): string | undefined {
  return /but found(?::| -->) '([\s\S]*?)'(?: <--)?\s*$/.exec(message)?.[1];
}

// ---------------------------------------------------------------------------------------------------
// Schemas, field paths and values

function describeOrThrow(ctx: Ctx, name: string): ObjectSchema {
  const schema = ctx.source.describe(name, { tooling: ctx.tooling });
  if (!schema) {
    throw soqlError(
      ctx,
      'INVALID_TYPE',
      locateFrom(ctx, name),
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. ${WSDL_HINT}`
    );
  }
  if (!schema.queryable) {
    throw soqlError(ctx, 'INVALID_TYPE_FOR_OPERATION', locateFrom(ctx, name), `entity type ${schema.name} does not support query`);
  }
  return schema;
}

function loadRecords(ctx: Ctx, schema: ObjectSchema): SObjectRecord[] {
  const all = ctx.source.records(schema.name, { tooling: ctx.tooling, includeDeleted: ctx.includeDeleted });
  return ctx.includeDeleted ? all : all.filter((r) => r.IsDeleted !== true);
}

const ID_FIELD: FieldSchema = { name: 'Id', type: 'id', nillable: false, createable: false, updateable: false };

function findField(schema: ObjectSchema, name: string): FieldSchema | undefined {
  const lower = name.toLowerCase();
  return schema.fields.find((f) => f.name.toLowerCase() === lower) ?? (lower === 'id' ? ID_FIELD : undefined);
}

/** A field reached from the queried object, possibly through parent relationships. */
type FieldPath = {
  /** The reference fields walked, from the queried object outwards (empty for a field of the object itself). */
  hops: FieldSchema[];
  field: FieldSchema;
  raw: string;
};

/**
 * Resolves `Owner.Manager.Username`-style paths (Salesforce allows 5 levels; deeper paths are not rejected
 * here because the platform's message for them is unknown). Polymorphic references
 * (Owner -> User/Group) accept a field of any of their target objects.
 */
function resolvePath(ctx: Ctx, schema: ObjectSchema, raw: string, alias?: string): FieldPath {
  let parts = raw.split('.');
  if (alias && parts.length > 1 && parts[0].toLowerCase() === alias.toLowerCase()) parts = parts.slice(1);
  if (parts.length > 1 && parts[0].toLowerCase() === schema.name.toLowerCase()) parts = parts.slice(1);
  let schemas = [schema];
  const hops: FieldSchema[] = [];
  for (const rel of parts.slice(0, -1)) {
    const lower = rel.toLowerCase();
    const hop = schemas
      .flatMap((s) => s.fields)
      .find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === lower);
    if (!hop) {
      throw soqlError(
        ctx,
        'INVALID_FIELD',
        locate(ctx, raw),
        `Didn't understand relationship '${rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. ${WSDL_HINT}`
      );
    }
    hops.push(hop);
    schemas = (hop.referenceTo ?? [])
      .map((t) => ctx.source.describe(t, { tooling: ctx.tooling }) ?? ctx.source.describe(t))
      .filter((s): s is ObjectSchema => s !== undefined);
  }
  const leaf = parts[parts.length - 1];
  const field = schemas.map((s) => findField(s, leaf)).find((f) => f !== undefined);
  if (!field) {
    // Salesforce names the entity behind a polymorphic relationship "Name".
    const entity = schemas.length === 1 ? schemas[0].name : hops.length > 0 ? 'Name' : schema.name;
    throw noSuchColumn(ctx, raw, leaf, entity);
  }
  return { hops, field, raw };
}

/** Follows a reference id to its record (deleted parents read as empty references). */
function parentOf(ctx: Ctx, record: SObjectRecord, hop: FieldSchema): { type: string; record: SObjectRecord } | undefined {
  const id = record[hop.name];
  if (typeof id !== 'string' || id === '') return undefined;
  const found = ctx.source.byId(id);
  return found && found.record.IsDeleted !== true ? found : undefined;
}

/** The raw stored value at the end of a path, or undefined when a reference on the way is empty. */
function readPath(ctx: Ctx, record: SObjectRecord, path: FieldPath): unknown {
  let current: SObjectRecord | undefined = record;
  for (const hop of path.hops) {
    current = parentOf(ctx, current, hop)?.record;
    if (!current) return undefined;
  }
  return current[path.field.name];
}

function attributes(ctx: Ctx, type: string, id: unknown): { type: string; url: string } {
  const base = `/services/data/v${ctx.apiVersion}${ctx.tooling ? '/tooling' : ''}/sobjects`;
  return { type, url: `${base}/${type}/${String(id)}` };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Parses stored datetimes (ISO 8601, including Salesforce's `+0000` offsets) to epoch milliseconds. */
function parseDateTime(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : ms;
}

function parseDate(value: unknown): number | undefined {
  if (value instanceof Date) return Date.UTC(value.getUTCFullYear(), value.getUTCMonth(), value.getUTCDate());
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Shapes a stored value as the REST API returns it for the field's type. */
function formatValue(value: unknown, type: FieldType): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'datetime': {
      const ms = parseDateTime(value);
      return ms === undefined ? value : formatDateTime(ms);
    }
    case 'date': {
      const ms = parseDate(value);
      return ms === undefined ? value : formatDate(ms);
    }
    case 'boolean':
      return value === true || value === 'true';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      if (value === '') return null;
      const n = Number(value);
      return Number.isNaN(n) ? value : n;
    }
    default:
      return value;
  }
}

// ---------------------------------------------------------------------------------------------------
// Comparable values

/** How values of a field compare. */
type Cat = 'string' | 'id' | 'number' | 'boolean' | 'date' | 'datetime' | 'time' | 'multi';
type Norm = string | number | boolean | null;

function catOf(type: FieldType): Cat {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'time':
      return 'time';
    case 'multipicklist':
      return 'multi';
    default:
      return 'string';
  }
}

/**
 * A value in comparable form: strings lower-cased (SOQL compares text case-insensitively), ids cut to
 * their case-sensitive 15-character form, dates/datetimes as epoch ms, empty text as null.
 */
function normalize(cat: Cat, value: unknown): Norm {
  if (value === undefined || value === null) return null;
  switch (cat) {
    case 'number': {
      if (value === '') return null;
      const n = Number(value);
      return Number.isNaN(n) ? null : n;
    }
    case 'boolean':
      return value === true || value === 'true';
    case 'date':
      return parseDate(value) ?? null;
    case 'datetime':
      return parseDateTime(value) ?? null;
    case 'id': {
      const s = String(value);
      return s === '' ? null : s.length === 18 ? s.slice(0, 15) : s;
    }
    case 'multi': {
      const items = splitMulti(String(value));
      return items.length === 0 ? null : items.sort().join(';');
    }
    default: {
      const s = String(value);
      return s === '' ? null : s.toLowerCase();
    }
  }
}

const splitMulti = (s: string): string[] =>
  s
    .split(';')
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');

function compareNorm(a: Norm, b: Norm): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

// ---------------------------------------------------------------------------------------------------
// Literals

type Literal =
  | { kind: 'null' }
  | { kind: 'string'; value: string; inner: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'date'; value: number }
  | { kind: 'datetime'; value: number }
  /** A date literal (TODAY, LAST_N_DAYS:n, ...) as a half-open range of epoch ms, UTC. */
  | { kind: 'range'; start: number; end: number };

const STRING_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };

/** Unescapes a SOQL string literal body; `\%` and `\_` become plain characters. */
function unescapeString(inner: string): string {
  return inner.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) =>
    c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : STRING_ESCAPES[c] ?? c
  );
}

/** A LIKE pattern as an anchored, case-insensitive regex: % = any run, _ = one character, \% and \_ literal. */
function likeRegex(inner: string): RegExp {
  let source = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\' && i + 1 < inner.length) {
      const rest = inner.slice(i + 1);
      const unicode = /^u[0-9a-fA-F]{4}/.exec(rest);
      const literal = unicode ? String.fromCharCode(parseInt(unicode[0].slice(1), 16)) : STRING_ESCAPES[rest[0]] ?? rest[0];
      source += escapeRegex(literal);
      i += unicode ? 5 : 1;
    } else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`, 'i');
}

const DAY = 86_400_000;

function monthsFrom(ms: number, months: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
}

/** The [start, end) range of a date literal relative to `now` (UTC; weeks start on Sunday; fiscal = calendar). */
function dateRange(ctx: Ctx, literal: string, pos: number): { start: number; end: number } {
  const [rawName, rawN] = literal.toUpperCase().split(':');
  const name = rawName.replace('_FISCAL_', '_');
  const n = rawN === undefined ? 1 : Number(rawN);
  const now = ctx.now;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const week = today - new Date(today).getUTCDay() * DAY;
  const month = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const quarter = Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1);
  const year = Date.UTC(now.getUTCFullYear(), 0, 1);
  /** Ranges counted in whole periods: [base + from*size, base + to*size). */
  const days = (from: number, to: number): { start: number; end: number } => ({ start: today + from * DAY, end: today + to * DAY });
  const weeks = (from: number, to: number): { start: number; end: number } => ({ start: week + from * 7 * DAY, end: week + to * 7 * DAY });
  const months = (base: number, size: number, from: number, to: number): { start: number; end: number } => ({
    start: monthsFrom(base, from * size),
    end: monthsFrom(base, to * size),
  });
  const table: Record<string, () => { start: number; end: number }> = {
    YESTERDAY: () => days(-1, 0),
    TODAY: () => days(0, 1),
    TOMORROW: () => days(1, 2),
    LAST_WEEK: () => weeks(-1, 0),
    THIS_WEEK: () => weeks(0, 1),
    NEXT_WEEK: () => weeks(1, 2),
    LAST_MONTH: () => months(month, 1, -1, 0),
    THIS_MONTH: () => months(month, 1, 0, 1),
    NEXT_MONTH: () => months(month, 1, 1, 2),
    LAST_90_DAYS: () => days(-90, 1),
    NEXT_90_DAYS: () => days(1, 91),
    LAST_QUARTER: () => months(quarter, 3, -1, 0),
    THIS_QUARTER: () => months(quarter, 3, 0, 1),
    NEXT_QUARTER: () => months(quarter, 3, 1, 2),
    LAST_YEAR: () => months(year, 12, -1, 0),
    THIS_YEAR: () => months(year, 12, 0, 1),
    NEXT_YEAR: () => months(year, 12, 1, 2),
    // LAST_N_DAYS includes today; NEXT_N_DAYS starts tomorrow.
    LAST_N_DAYS: () => days(-n, 1),
    NEXT_N_DAYS: () => days(1, n + 1),
    N_DAYS_AGO: () => days(-n, -n + 1),
    LAST_N_WEEKS: () => weeks(-n, 0),
    NEXT_N_WEEKS: () => weeks(1, n + 1),
    N_WEEKS_AGO: () => weeks(-n, -n + 1),
    // The N_MONTHS/QUARTERS/YEARS forms exclude the current period.
    LAST_N_MONTHS: () => months(month, 1, -n, 0),
    NEXT_N_MONTHS: () => months(month, 1, 1, n + 1),
    N_MONTHS_AGO: () => months(month, 1, -n, -n + 1),
    LAST_N_QUARTERS: () => months(quarter, 3, -n, 0),
    NEXT_N_QUARTERS: () => months(quarter, 3, 1, n + 1),
    N_QUARTERS_AGO: () => months(quarter, 3, -n, -n + 1),
    LAST_N_YEARS: () => months(year, 12, -n, 0),
    NEXT_N_YEARS: () => months(year, 12, 1, n + 1),
    N_YEARS_AGO: () => months(year, 12, -n, -n + 1),
  };
  const make = table[name];
  if (!make || Number.isNaN(n)) throw malformed(ctx, pos, `unexpected token: '${literal}'`);
  return make();
}

function parseLiteral(ctx: Ctx, value: string, type: LiteralType | undefined, pos: number): Literal {
  switch (type) {
    case 'NULL':
      return { kind: 'null' };
    case 'STRING': {
      const inner = value.slice(1, -1);
      return { kind: 'string', value: unescapeString(inner), inner };
    }
    case 'INTEGER':
    case 'DECIMAL':
      return { kind: 'number', value: Number(value) };
    case 'INTEGER_WITH_CURRENCY_PREFIX':
    case 'DECIMAL_WITH_CURRENCY_PREFIX':
      return { kind: 'number', value: Number(value.replace(/^[A-Za-z]+/, '')) };
    case 'BOOLEAN':
      return { kind: 'boolean', value: value.toLowerCase() === 'true' };
    case 'DATE':
      return { kind: 'date', value: parseDate(value) ?? NaN };
    case 'DATETIME':
      return { kind: 'datetime', value: parseDateTime(value) ?? NaN };
    case 'DATE_LITERAL':
    case 'DATE_N_LITERAL':
      return { kind: 'range', ...dateRange(ctx, value, pos) };
    default:
      throw malformed(ctx, pos, `unexpected token: '${value}'`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Boolean expressions (WHERE / HAVING)

type Pred<T> = (row: T) => boolean;

/** One side of a comparison: how to read it from a row, and how its values compare. */
type Operand<T> = { get: (row: T) => unknown; cat: Cat; type: FieldType; name: string; raw: string };

type LeafCondition = Condition | ValueQueryCondition;
type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: LeafCondition };
type BoolNode = { op: 'AND' | 'OR'; items: BoolNode[] } | { op: 'NOT'; item: BoolNode } | { cond: LeafCondition };

/**
 * soql-parser-js represents WHERE as a right-leaning chain with parenthesis counts on each condition;
 * this rebuilds the token stream and parses it with SOQL's rules: NOT binds to the next condition or
 * group, and AND/OR may not be mixed at one level without parentheses (MALFORMED_QUERY otherwise).
 */
function buildBoolTree(ctx: Ctx, clause: WhereClause | HavingClause, isTopLevel: boolean): BoolNode {
  const tokens: Token[] = [];
  let cur: (WhereClause | HavingClause) | undefined = clause;
  while (cur) {
    const left = cur.left as (LeafCondition & { openParen?: number; closeParen?: number }) | null;
    const operator = 'operator' in cur ? cur.operator : undefined;
    const right: WhereClause | HavingClause | undefined = 'right' in cur ? cur.right : undefined;
    const isNegation = !left || (!('field' in left) && !('fn' in left));
    for (let i = 0; i < (left?.openParen ?? 0); i++) tokens.push('(');
    if (isNegation) {
      tokens.push('NOT');
    } else {
      tokens.push({ cond: left });
      for (let i = 0; i < (left.closeParen ?? 0); i++) tokens.push(')');
      if (operator && right) tokens.push(operator);
    }
    cur = right;
  }

  // Positions of AND/OR in the query text, to point errors at the right one: the n-th AND/OR after the
  // top-level WHERE, subqueries excluded. (Inside subqueries the first occurrence is used.)
  let logicalSeen = 0;
  const locateLogical = (op: string): number => {
    if (!isTopLevel) return locate(ctx, op);
    const outer = blankSubqueries(ctx.masked);
    const where = /(?<![\w.])WHERE(?![\w])/i.exec(outer);
    const re = /(?<![\w.])(AND|OR)(?![\w])/gi;
    re.lastIndex = where?.index ?? 0;
    let m: RegExpExecArray | null = null;
    for (let n = 0; n < logicalSeen; n++) m = re.exec(outer);
    return m?.index ?? locate(ctx, op);
  };

  let i = 0;
  const parseUnary = (): BoolNode => {
    const t = tokens[i++];
    if (t === 'NOT') return { op: 'NOT', item: parseUnary() };
    if (t === '(') {
      const inner = parseExpr();
      if (tokens[i++] !== ')') throw malformed(ctx, ctx.soql.length, "unexpected token: '<EOF>'");
      return inner;
    }
    if (t === undefined || typeof t === 'string') throw malformed(ctx, ctx.soql.length, `unexpected token: '${t ?? '<EOF>'}'`);
    return t;
  };
  const parseExpr = (): BoolNode => {
    const items = [parseUnary()];
    let op: 'AND' | 'OR' | undefined;
    while (tokens[i] === 'AND' || tokens[i] === 'OR') {
      const next = tokens[i++] as 'AND' | 'OR';
      logicalSeen++;
      if (op && next !== op) throw malformed(ctx, locateLogical(next), `unexpected token: '${next}'`);
      op = next;
      items.push(parseUnary());
    }
    return op ? { op, items } : items[0];
  };
  const tree = parseExpr();
  if (i < tokens.length) throw malformed(ctx, ctx.soql.length, `unexpected token: '${String(tokens[i])}'`);
  return tree;
}

function compileBool<T>(node: BoolNode, leaf: (c: LeafCondition) => Pred<T>): Pred<T> {
  if ('cond' in node) return leaf(node.cond);
  if (node.op === 'NOT') {
    const inner = compileBool(node.item, leaf);
    return (row) => !inner(row);
  }
  const items = node.items.map((n) => compileBool(n, leaf));
  return node.op === 'AND' ? (row): boolean => items.every((p) => p(row)) : (row): boolean => items.some((p) => p(row));
}

/** Salesforce's name for a field type in "must be of type X" messages. */
const TYPE_WORD: Record<Cat, string> = {
  string: 'string',
  id: 'id',
  number: 'double',
  boolean: 'boolean',
  date: 'date',
  datetime: 'dateTime',
  time: 'time',
  multi: 'string',
};

/** Which literal kinds a field of each category accepts. */
function literalFits(cat: Cat, lit: Literal): boolean {
  if (lit.kind === 'null') return true;
  switch (cat) {
    case 'number':
      return lit.kind === 'number';
    case 'boolean':
      return lit.kind === 'boolean';
    case 'date':
      return lit.kind === 'date' || lit.kind === 'range';
    case 'datetime':
      return lit.kind === 'datetime' || lit.kind === 'range';
    default:
      return lit.kind === 'string';
  }
}

const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Rejects what Salesforce rejects before running a comparison: wrong literal types, bad ids, misused operators. */
function validateComparison<T>(ctx: Ctx, operand: Operand<T>, op: string, literals: Literal[]): void {
  const pos = locate(ctx, operand.raw);
  for (const lit of literals) {
    if (!literalFits(operand.cat, lit)) {
      const quoted = operand.cat === 'string' || operand.cat === 'id' || operand.cat === 'multi' || operand.cat === 'time';
      throw soqlError(
        ctx,
        'INVALID_FIELD',
        pos,
        `value of filter criterion for field '${operand.name}' must be of type ${TYPE_WORD[operand.cat]} and should ${quoted ? '' : 'not '}be enclosed in quotes`
      );
    }
    if (operand.cat === 'id' && lit.kind === 'string' && lit.value !== '' && !ID_PATTERN.test(lit.value) && op !== 'LIKE') {
      throw soqlError(ctx, 'INVALID_QUERY_FILTER_OPERATOR', pos, `invalid ID field: ${lit.value}`);
    }
  }
  if ((op === 'INCLUDES' || op === 'EXCLUDES') && operand.cat !== 'multi') {
    throw soqlError(ctx, 'INVALID_FIELD', pos, 'includes or excludes operator only valid on multipicklist field');
  }
  if (op === 'LIKE' && operand.cat === 'id') {
    throw soqlError(ctx, 'INVALID_QUERY_FILTER_OPERATOR', pos, 'invalid operator on id field');
  }
}

/** Compiles one comparison `operand OP literal(s)` into a predicate. */
function compileComparison<T>(ctx: Ctx, operand: Operand<T>, operator: string, literals: Literal[]): Pred<T> {
  const op = operator.toUpperCase();
  validateComparison(ctx, operand, op, literals);
  const norm = (lit: Literal): Norm =>
    lit.kind === 'null' || lit.kind === 'range' ? null : lit.kind === 'string' ? normalize(operand.cat, lit.value) : lit.value;
  const read = (row: T): Norm => normalize(operand.cat, operand.get(row));
  /** SOQL equality; note that a null field equals only a null literal. */
  const equals = (v: Norm, lit: Literal): boolean => {
    if (lit.kind === 'range') return v !== null && (v as number) >= lit.start && (v as number) < lit.end;
    return v === norm(lit);
  };

  switch (op) {
    case '=':
    case 'IN':
      return (row) => {
        const v = read(row);
        return literals.some((lit) => equals(v, lit));
      };
    case '!=':
    case '<>':
    case 'NOT IN':
      return (row) => {
        const v = read(row);
        return !literals.some((lit) => equals(v, lit));
      };
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const lit = literals[0];
      return (row) => {
        const v = read(row);
        if (v === null || lit.kind === 'null') return false;
        if (lit.kind === 'range') {
          const n = v as number;
          return op === '<' ? n < lit.start : op === '<=' ? n < lit.end : op === '>' ? n >= lit.end : n >= lit.start;
        }
        const c = compareNorm(v, norm(lit));
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      };
    }
    case 'LIKE': {
      const lit = literals[0];
      if (lit.kind !== 'string') return () => false;
      const re = likeRegex(lit.inner);
      return (row) => {
        const v = operand.get(row);
        return v !== null && v !== undefined && v !== '' && re.test(String(v));
      };
    }
    case 'INCLUDES':
    case 'EXCLUDES': {
      const includes = includesPredicate(operand, literals);
      return op === 'INCLUDES' ? includes : (row): boolean => !includes(row);
    }
    default:
      throw malformed(ctx, locate(ctx, operand.raw), `unexpected token: '${operator}'`);
  }
}

/** INCLUDES: each literal is a set of values (';'-separated) that must all be selected; any literal may match. */
function includesPredicate<T>(operand: Operand<T>, literals: Literal[]): Pred<T> {
  const wanted = literals.map((lit) => (lit.kind === 'string' ? splitMulti(lit.value) : []));
  return (row) => {
    const v = operand.get(row);
    const have = new Set(v === null || v === undefined ? [] : splitMulti(String(v)));
    return wanted.some((set) => set.length > 0 && set.every((w) => have.has(w)));
  };
}

/** Reads the literal(s) of a parsed condition. */
function conditionLiterals(ctx: Ctx, cond: Condition & { value: string | string[]; literalType?: LiteralType | LiteralType[] }): Literal[] {
  const values = Array.isArray(cond.value) ? cond.value : [cond.value];
  const types = Array.isArray(cond.literalType) ? cond.literalType : values.map(() => cond.literalType as LiteralType | undefined);
  return values.map((v, i) => parseLiteral(ctx, v, types[i], locate(ctx, v)));
}

// ---------------------------------------------------------------------------------------------------
// Date functions (CALENDAR_YEAR(CreatedDate), DAY_ONLY(...), ...)

const DATE_FUNCTIONS = new Set([
  'CALENDAR_YEAR',
  'CALENDAR_QUARTER',
  'CALENDAR_MONTH',
  'DAY_IN_MONTH',
  'DAY_IN_WEEK',
  'DAY_IN_YEAR',
  'DAY_ONLY',
  'HOUR_IN_DAY',
  'WEEK_IN_MONTH',
  'WEEK_IN_YEAR',
  'FISCAL_YEAR',
  'FISCAL_QUARTER',
  'FISCAL_MONTH',
]);

/** Applies a date function (UTC; fiscal year = calendar year) to a stored date or datetime. */
function applyDateFunction(fn: string, value: unknown, type: FieldType): number | string | null {
  const ms = type === 'date' ? parseDate(value) : parseDateTime(value);
  if (ms === undefined) return null;
  const d = new Date(ms);
  const dayInYear = Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
  switch (fn.replace('FISCAL_', 'CALENDAR_')) {
    case 'CALENDAR_YEAR':
      return d.getUTCFullYear();
    case 'CALENDAR_QUARTER':
      return Math.floor(d.getUTCMonth() / 3) + 1;
    case 'CALENDAR_MONTH':
      return d.getUTCMonth() + 1;
    case 'DAY_IN_MONTH':
      return d.getUTCDate();
    case 'DAY_IN_WEEK':
      return d.getUTCDay() + 1;
    case 'DAY_IN_YEAR':
      return dayInYear;
    case 'DAY_ONLY':
      return formatDate(ms);
    case 'HOUR_IN_DAY':
      return d.getUTCHours();
    case 'WEEK_IN_MONTH':
      return Math.floor((d.getUTCDate() - 1) / 7) + 1;
    default:
      return Math.floor((dayInYear - 1) / 7) + 1;
  }
}

function dateFunctionType(fn: string): FieldType {
  return fn === 'DAY_ONLY' ? 'date' : 'int';
}

// ---------------------------------------------------------------------------------------------------
// Query compilation

type Compiled = { run: (records: SObjectRecord[]) => SoqlResult };

/** A column of a non-aggregate SELECT. */
type Column = { kind: 'field'; path: FieldPath } | { kind: 'child'; name: string; run: (parent: SObjectRecord) => unknown };

type AggFn = 'COUNT' | 'COUNT_DISTINCT' | 'MIN' | 'MAX' | 'SUM' | 'AVG';
const AGGREGATES = new Set<string>(['COUNT', 'COUNT_DISTINCT', 'MIN', 'MAX', 'SUM', 'AVG']);

/** An expression over a group of records in an aggregate query. */
type GroupExpr = { key: string; type: FieldType; eval: (rows: SObjectRecord[]) => unknown };

function compileQuery(ctx: Ctx, query: Query | Subquery, schema: ObjectSchema, isTopLevel: boolean): Compiled {
  const alias = query.sObjectAlias;
  const fields = query.fields ?? [];

  if (query.offset !== undefined && query.offset > MAX_OFFSET) {
    throw new SalesforceError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  }
  const filter = query.where ? compileWhere(ctx, query.where, schema, alias, isTopLevel) : (): boolean => true;
  const window = (rows: SObjectRecord[]): SObjectRecord[] => rows.slice(query.offset ?? 0, query.limit === undefined ? undefined : (query.offset ?? 0) + query.limit);

  // SELECT COUNT() FROM ...: only the number of matching records.
  if (fields.length === 1 && isFunction(fields[0]) && fields[0].functionName.toUpperCase() === 'COUNT' && fields[0].parameters.length === 0) {
    return { run: (records) => ({ totalSize: window(records.filter(filter)).length, records: [] }) };
  }

  const isAggregate =
    query.groupBy !== undefined ||
    fields.some((f) => isFunction(f) && (AGGREGATES.has(f.functionName.toUpperCase()) || DATE_FUNCTIONS.has(f.functionName.toUpperCase())));
  if (isAggregate) return compileAggregate(ctx, query, schema, filter);

  const columns = compileColumns(ctx, query, schema);
  const sort = compileOrderBy(ctx, query.orderBy, (raw) => {
    const path = resolvePath(ctx, schema, raw, alias);
    return { cat: catOf(path.field.type), get: (r: SObjectRecord) => readPath(ctx, r, path) };
  });
  return {
    run: (records): SoqlResult => {
      const rows = window(sort(records.filter(filter))).map((r) => buildRow(ctx, schema, r, columns));
      return { totalSize: rows.length, records: rows };
    },
  };
}

const isFunction = (f: SoqlFieldItem): f is FieldFunctionExpression => f.type === 'FieldFunctionExpression';

function compileColumns(ctx: Ctx, query: Query | Subquery, schema: ObjectSchema): Column[] {
  const columns: Column[] = [];
  const seen = new Set<string>();
  const addPath = (path: FieldPath): void => {
    const key = [...path.hops.map((h) => h.name), path.field.name].join('.').toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    columns.push({ kind: 'field', path });
  };
  for (const item of query.fields ?? []) {
    if ('alias' in item && item.alias && item.type !== 'FieldFunctionExpression') {
      throw malformed(ctx, locate(ctx, item.alias), 'Only aggregate expressions use field aliasing');
    }
    switch (item.type) {
      case 'Field':
        addPath(resolvePath(ctx, schema, item.field, query.sObjectAlias));
        break;
      case 'FieldRelationship':
        addPath(resolvePath(ctx, schema, [...item.relationships, item.field].join('.'), query.sObjectAlias));
        break;
      case 'FieldSubquery':
        columns.push(compileChild(ctx, item, schema));
        break;
      case 'FieldFunctionExpression':
        functionColumnPaths(ctx, query, schema, item).forEach(addPath);
        break;
      default:
        throw malformed(ctx, locate(ctx, 'TYPEOF'), "TYPEOF is not supported by the org emulator's SOQL engine");
    }
  }
  return columns;
}

/** Columns of a function in a non-aggregate SELECT: FIELDS(ALL|STANDARD|CUSTOM), toLabel(), FORMAT(), convertCurrency(). */
function functionColumnPaths(ctx: Ctx, query: Query | Subquery, schema: ObjectSchema, item: FieldFunctionExpression): FieldPath[] {
  const fn = item.functionName.toUpperCase();
  const param = item.parameters[0];
  if (fn === 'FIELDS' && typeof param === 'string') {
    const kind = param.toUpperCase();
    if (kind !== 'STANDARD' && (query.limit === undefined || query.limit > MAX_FIELDS_FUNCTION_LIMIT)) {
      throw malformed(ctx, locate(ctx, 'FIELDS'), `The SOQL FIELDS function must have a LIMIT of at most ${MAX_FIELDS_FUNCTION_LIMIT}`);
    }
    return schema.fields
      .filter((f) => kind === 'ALL' || (kind === 'CUSTOM') === f.name.endsWith('__c'))
      .map((f) => ({ hops: [], field: f, raw: f.name }));
  }
  if ((fn === 'TOLABEL' || fn === 'FORMAT' || fn === 'CONVERTCURRENCY') && typeof param === 'string') {
    // Labels equal values and there is one currency in the emulator: these return the field itself.
    return [resolvePath(ctx, schema, param, query.sObjectAlias)];
  }
  throw malformed(ctx, locate(ctx, item.functionName), `unexpected token: '${item.functionName}'`);
}

/** `(SELECT ... FROM Contacts)`: the child relationship's records of each parent, or null when none. */
function compileChild(ctx: Ctx, item: FieldSubquery, parent: ObjectSchema): Column {
  const sub = item.subquery;
  const lower = sub.relationshipName.toLowerCase();
  const rel = parent.childRelationships?.find((c) => c.relationshipName.toLowerCase() === lower);
  const childSchema = rel ? ctx.source.describe(rel.childSObject, { tooling: ctx.tooling }) : undefined;
  if (!rel || !childSchema) {
    throw soqlError(
      ctx,
      'INVALID_TYPE',
      locateFrom(ctx, sub.relationshipName),
      `Didn't understand relationship '${sub.relationshipName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. ${WSDL_HINT}`
    );
  }
  const compiled = compileQuery(ctx, sub, childSchema, false);
  const linkField = findField(childSchema, rel.field)?.name ?? rel.field;
  // Children are loaded and indexed by parent id once per execution of the outer query.
  let byParent: Map<Norm, SObjectRecord[]> | undefined;
  const run = (parentRecord: SObjectRecord): unknown => {
    if (!byParent) {
      byParent = new Map();
      for (const child of loadRecords(ctx, childSchema)) {
        const key = normalize('id', child[linkField]);
        if (key === null) continue;
        const list = byParent.get(key) ?? [];
        list.push(child);
        byParent.set(key, list);
      }
    }
    const result = compiled.run(byParent.get(normalize('id', parentRecord.Id)) ?? []);
    return result.totalSize === 0 ? null : { totalSize: result.totalSize, done: true, records: result.records };
  };
  return { kind: 'child', name: rel.relationshipName, run };
}

function buildRow(ctx: Ctx, schema: ObjectSchema, record: SObjectRecord, columns: Column[]): Row {
  const row: Row = { attributes: attributes(ctx, schema.name, record.Id) };
  for (const col of columns) {
    if (col.kind === 'child') row[col.name] = col.run(record);
    else {
      const key = pathKey(col.path, 0);
      row[key] = pathValue(ctx, row[key], record, col.path, 0);
    }
  }
  return row;
}

/** The key under which a path appears at a nesting depth: a relationship name, or the field at the end. */
function pathKey(path: FieldPath, depth: number): string {
  const hop = path.hops[depth] as FieldSchema | undefined;
  return hop ? hop.relationshipName ?? hop.name : path.field.name;
}

/**
 * The new value of a row key once a (possibly parent) field is added to it: the formatted field value, or
 * the relationship's `{attributes, ...}` object (null when the reference is empty) with the field merged in.
 */
function pathValue(ctx: Ctx, existing: unknown, record: SObjectRecord, path: FieldPath, depth: number): unknown {
  if (depth === path.hops.length) return formatValue(record[path.field.name], path.field.type);
  if (existing === null) return null;
  const parent = parentOf(ctx, record, path.hops[depth]);
  if (!parent) return null;
  const nested = (existing as Row | undefined) ?? { attributes: attributes(ctx, parent.type, parent.record.Id) };
  const key = pathKey(path, depth + 1);
  return { ...nested, [key]: pathValue(ctx, nested[key], parent.record, path, depth + 1) };
}

function compileWhere(ctx: Ctx, where: WhereClause, schema: ObjectSchema, alias: string | undefined, isTopLevel: boolean): Pred<SObjectRecord> {
  const tree = buildBoolTree(ctx, where, isTopLevel);
  return compileBool<SObjectRecord>(tree, (cond) => {
    if ('fn' in cond) {
      const fn = (cond.fn.functionName ?? '').toUpperCase();
      const param = cond.fn.parameters?.[0];
      if (!DATE_FUNCTIONS.has(fn) || typeof param !== 'string') {
        throw malformed(ctx, locate(ctx, cond.fn.functionName ?? ''), `unexpected token: '${cond.fn.functionName ?? ''}'`);
      }
      const path = resolvePath(ctx, schema, param, alias);
      const type = dateFunctionType(fn);
      const operand: Operand<SObjectRecord> = {
        get: (r) => applyDateFunction(fn, readPath(ctx, r, path), path.field.type),
        cat: catOf(type),
        type,
        name: cond.fn.rawValue ?? fn,
        raw: param,
      };
      return compileComparison(ctx, operand, cond.operator, conditionLiterals(ctx, cond));
    }
    if (!('field' in cond)) throw malformed(ctx, ctx.soql.length, "unexpected token: '<EOF>'");
    const path = resolvePath(ctx, schema, cond.field, alias);
    const operand: Operand<SObjectRecord> = {
      get: (r) => readPath(ctx, r, path),
      cat: catOf(path.field.type),
      type: path.field.type,
      name: path.field.name,
      raw: cond.field,
    };
    if ('valueQuery' in cond && cond.valueQuery) return compileSemiJoin(ctx, operand, cond);
    return compileComparison(ctx, operand, cond.operator, conditionLiterals(ctx, cond as Condition & { value: string | string[] }));
  });
}

/** `Id IN (SELECT AssigneeId FROM PermissionSetAssignment ...)` and its NOT IN anti-join. */
function compileSemiJoin(ctx: Ctx, operand: Operand<SObjectRecord>, cond: ValueQueryCondition): Pred<SObjectRecord> {
  const inner = cond.valueQuery;
  const op = cond.operator.toUpperCase();
  if (op !== 'IN' && op !== 'NOT IN') throw malformed(ctx, locate(ctx, 'SELECT', 1), "unexpected token: 'SELECT'");
  const innerSchema = describeOrThrow(ctx, inner.sObject ?? '');
  const first = inner.fields?.[0];
  const raw =
    first?.type === 'Field' ? first.field : first?.type === 'FieldRelationship' ? [...first.relationships, first.field].join('.') : undefined;
  if (!raw || (inner.fields?.length ?? 0) !== 1) throw malformed(ctx, locate(ctx, inner.sObject ?? 'SELECT'), "unexpected token: 'FROM'");
  const innerPath = resolvePath(ctx, innerSchema, raw, inner.sObjectAlias);
  const innerFilter = inner.where ? compileWhere(ctx, inner.where, innerSchema, inner.sObjectAlias, false) : (): boolean => true;
  // The subquery runs once, on first use.
  let values: Set<Norm> | undefined;
  const contains = (r: SObjectRecord): boolean => {
    values ??= new Set(
      loadRecords(ctx, innerSchema)
        .filter(innerFilter)
        .map((x) => normalize(operand.cat, readPath(ctx, x, innerPath)))
        .filter((v) => v !== null)
    );
    const v = normalize(operand.cat, operand.get(r));
    return v !== null && values.has(v);
  };
  return op === 'IN' ? contains : (r): boolean => !contains(r);
}

type SortKey<T> = { get: (row: T) => unknown; cat: Cat };

/** ORDER BY: ASC sorts nulls first and DESC nulls last unless NULLS FIRST/LAST says otherwise; text ignores case. */
function compileOrderBy<T>(
  ctx: Ctx,
  orderBy: OrderByClause | OrderByClause[] | undefined,
  key: (raw: string) => SortKey<T>,
  fnKey?: (fn: FunctionExp) => SortKey<T>
): (rows: T[]) => T[] {
  const clauses = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
  if (clauses.length === 0) return (rows) => rows;
  const keys = clauses.map((c) => {
    let k: SortKey<T>;
    if ('field' in c) k = key(c.field);
    else if (fnKey) k = fnKey(c.fn);
    else throw malformed(ctx, locate(ctx, c.fn.functionName ?? 'ORDER'), `unexpected token: '${c.fn.functionName ?? ''}'`);
    const desc = c.order?.toUpperCase() === 'DESC';
    const nullsFirst = c.nulls ? c.nulls.toUpperCase() === 'FIRST' : !desc;
    return { ...k, desc, nullsFirst };
  });
  return (rows) => {
    const decorated = rows.map((row) => ({ row, values: keys.map((k) => normalize(k.cat, k.get(row))) }));
    decorated.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const x = a.values[i];
        const y = b.values[i];
        if (x === y) continue;
        if (x === null || y === null) return (x === null) === keys[i].nullsFirst ? -1 : 1;
        const c = compareNorm(x, y);
        return keys[i].desc ? -c : c;
      }
      return 0;
    });
    return decorated.map((d) => d.row);
  };
}

// ---------------------------------------------------------------------------------------------------
// Aggregate queries

/** Compiles COUNT(field)/COUNT_DISTINCT/MIN/MAX/SUM/AVG or a date function over a group. */
function compileGroupExpr(ctx: Ctx, schema: ObjectSchema, fnExp: FunctionExp, alias: string | undefined, key: string): GroupExpr {
  const fn = (fnExp.functionName ?? '').toUpperCase();
  const param = fnExp.parameters?.[0];
  if (typeof param !== 'string' || (!AGGREGATES.has(fn) && !DATE_FUNCTIONS.has(fn))) {
    throw malformed(ctx, locate(ctx, fnExp.functionName ?? ''), `unexpected token: '${fnExp.functionName ?? ''}'`);
  }
  const path = resolvePath(ctx, schema, param, alias);
  const read = (r: SObjectRecord): unknown => readPath(ctx, r, path);
  if (DATE_FUNCTIONS.has(fn)) {
    return { key, type: dateFunctionType(fn), eval: (rows) => (rows.length ? applyDateFunction(fn, read(rows[0]), path.field.type) : null) };
  }
  const cat = catOf(path.field.type);
  const present = (rows: SObjectRecord[]): unknown[] => rows.map(read).filter((v) => normalize(cat, v) !== null);
  switch (fn as AggFn) {
    case 'COUNT':
      return { key, type: 'int', eval: (rows) => present(rows).length };
    case 'COUNT_DISTINCT':
      return { key, type: 'int', eval: (rows) => new Set(present(rows).map((v) => normalize(cat, v))).size };
    case 'SUM':
    case 'AVG':
      return {
        key,
        type: 'double',
        eval: (rows): number | null => {
          const nums = present(rows).map(Number);
          if (nums.length === 0) return null;
          const sum = nums.reduce((a, b) => a + b, 0);
          return fn === 'SUM' ? sum : sum / nums.length;
        },
      };
    default:
      return {
        key,
        type: path.field.type,
        eval: (rows): unknown => {
          let best: unknown = null;
          for (const v of present(rows)) {
            const c = best === null ? 0 : compareNorm(normalize(cat, v), normalize(cat, best));
            if (best === null || (fn === 'MIN' ? c < 0 : c > 0)) best = v;
          }
          return best;
        },
      };
  }
}

const fnText = (fn: FunctionExp): string => (fn.rawValue ?? `${fn.functionName ?? ''}(${(fn.parameters ?? []).join(',')})`).replace(/\s+/g, '').toLowerCase();

function compileAggregate(ctx: Ctx, query: Query | Subquery, schema: ObjectSchema, filter: Pred<SObjectRecord>): Compiled {
  const alias = query.sObjectAlias;
  const groupClauses: GroupByClause[] = query.groupBy === undefined ? [] : Array.isArray(query.groupBy) ? query.groupBy : [query.groupBy];
  if (groupClauses.some((g) => 'fn' in g && ['ROLLUP', 'CUBE'].includes((g.fn.functionName ?? '').toUpperCase()))) {
    throw malformed(ctx, locate(ctx, 'GROUP'), "GROUP BY ROLLUP and CUBE are not supported by the org emulator's SOQL engine");
  }
  // Each GROUP BY item: how to read its (normalized) key from a record.
  const groups = groupClauses.map((g) => {
    if ('field' in g) {
      const path = resolvePath(ctx, schema, g.field, alias);
      return { text: [...path.hops.map((h) => h.name), path.field.name].join('.').toLowerCase(), path, cat: catOf(path.field.type), fn: undefined };
    }
    const expr = compileGroupExpr(ctx, schema, g.fn, alias, '');
    return { text: fnText(g.fn), path: undefined, cat: catOf(expr.type), fn: expr };
  });
  const groupKey = (r: SObjectRecord): string =>
    JSON.stringify(groups.map((g) => normalize(g.cat, g.path ? readPath(ctx, r, g.path) : g.fn.eval([r]))));

  // SELECT items: grouped fields keep their name; other expressions are aliased or numbered expr0, expr1, ...
  let exprIndex = 0;
  const outputs: GroupExpr[] = [];
  for (const item of query.fields ?? []) {
    if (item.type === 'Field' || item.type === 'FieldRelationship') {
      const raw = item.type === 'Field' ? item.field : [...item.relationships, item.field].join('.');
      const path = resolvePath(ctx, schema, raw, alias);
      const text = [...path.hops.map((h) => h.name), path.field.name].join('.').toLowerCase();
      if (!groups.some((g) => g.text === text)) throw malformed(ctx, locate(ctx, raw), `Field must be grouped or aggregated: ${path.field.name}`);
      const name = 'alias' in item && item.alias ? item.alias : path.field.name;
      outputs.push({ key: name, type: path.field.type, eval: (rows) => (rows.length ? readPath(ctx, rows[0], path) : null) });
    } else if (item.type === 'FieldFunctionExpression') {
      const key = item.alias ?? `expr${exprIndex++}`;
      outputs.push(compileGroupExpr(ctx, schema, item, alias, key));
    } else {
      throw malformed(ctx, locate(ctx, 'SELECT'), 'Aggregate queries do not support subqueries or TYPEOF');
    }
  }

  type Group = { rows: SObjectRecord[] };
  const having = query.having
    ? compileBool<Group>(buildBoolTree(ctx, query.having, false), (cond) => {
        const operand = havingOperand(ctx, schema, alias, cond, groups);
        const comparison = cond as Condition & { operator: string; value: string | string[] };
        return compileComparison(ctx, operand, comparison.operator, conditionLiterals(ctx, comparison));
      })
    : (): boolean => true;
  const sort = compileOrderBy<Group>(
    ctx,
    query.orderBy,
    (raw) => {
      const path = resolvePath(ctx, schema, raw, alias);
      return { cat: catOf(path.field.type), get: (g) => (g.rows.length ? readPath(ctx, g.rows[0], path) : null) };
    },
    (fn) => {
      const expr = compileGroupExpr(ctx, schema, fn, alias, '');
      return { cat: catOf(expr.type), get: (g) => expr.eval(g.rows) };
    }
  );

  return {
    run: (records): SoqlResult => {
      const matching = records.filter(filter);
      let list: Group[];
      if (groups.length === 0) {
        // Without GROUP BY an aggregate query has exactly one row, even over no records.
        list = [{ rows: matching }];
      } else {
        const byKey = new Map<string, Group>();
        for (const r of matching) {
          const k = groupKey(r);
          const g = byKey.get(k) ?? { rows: [] };
          g.rows.push(r);
          byKey.set(k, g);
        }
        list = [...byKey.values()];
      }
      const offset = query.offset ?? 0;
      const kept = sort(list.filter(having)).slice(offset, query.limit === undefined ? undefined : offset + query.limit);
      const rows = kept.map((g) => {
        const row: Row = { attributes: { type: 'AggregateResult' } };
        for (const o of outputs) row[o.key] = formatValue(o.eval(g.rows), o.type);
        return row;
      });
      return { totalSize: rows.length, records: rows };
    },
  };
}

/** The left side of a HAVING condition: an aggregate function or a grouped field. */
function havingOperand(
  ctx: Ctx,
  schema: ObjectSchema,
  alias: string | undefined,
  cond: LeafCondition,
  groups: Array<{ text: string }>
): Operand<{ rows: SObjectRecord[] }> {
  if ('fn' in cond) {
    const expr = compileGroupExpr(ctx, schema, cond.fn, alias, '');
    const name = cond.fn.rawValue ?? cond.fn.functionName ?? '';
    return { get: (g) => expr.eval(g.rows), cat: catOf(expr.type), type: expr.type, name, raw: cond.fn.functionName ?? name };
  }
  if (!('field' in cond) || 'valueQuery' in cond) throw malformed(ctx, locate(ctx, 'HAVING'), "unexpected token: 'HAVING'");
  const path = resolvePath(ctx, schema, cond.field, alias);
  const text = [...path.hops.map((h) => h.name), path.field.name].join('.').toLowerCase();
  if (!groups.some((g) => g.text === text)) throw malformed(ctx, locate(ctx, cond.field), `Field must be grouped or aggregated: ${path.field.name}`);
  return {
    get: (g) => (g.rows.length ? readPath(ctx, g.rows[0], path) : null),
    cat: catOf(path.field.type),
    type: path.field.type,
    name: path.field.name,
    raw: cond.field,
  };
}
