/*
 * The people to provision, as our users have them: CSV (a directory export, a data loader file), JSON Lines (one
 * identity per line), or a JSON identity export (Ory's `ory list identities --format json`: an array, or an object
 * holding one, of identities with nested traits). CSV and JSON Lines are streamed row by row, so memory does not grow
 * with the file; a JSON export is one document and is read whole, up to MAX_JSON_BYTES.
 *
 * A mapping names, for each Salesforce field, where its value is in a row: a CSV column, or a dotted path into a JSON
 * identity (`traits.email`, `traits.name.first`).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';

export type InputFormat = 'csv' | 'jsonl' | 'json';

/** One row of the input: its number (1 = the first data row; a CSV's header is row 0) and its values. */
export type InputRow = { row: number; data: Record<string, unknown> };

/** A problem with the input, at a row (and column or path when known). */
export class InputError extends Error {
  public constructor(message: string, public readonly row?: number, public readonly column?: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A JSON export is read whole; anything larger belongs in JSON Lines or CSV. */
export const MAX_JSON_BYTES = 200 * 1024 * 1024;

export const formatOf = (file: string): InputFormat => {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.json') return 'json';
  return 'csv';
};

async function* csvRows(file: string): AsyncGenerator<InputRow> {
  const { parse } = await import('csv-parse');
  const parser = createReadStream(file).pipe(parse({ columns: true, bom: true, skipEmptyLines: true, trim: false, relaxColumnCount: false }));
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      row += 1;
      yield { row, data: record };
    }
  } catch (e) {
    const err = e as { code?: string; message?: string; lines?: number };
    throw new InputError(`The CSV cannot be read near line ${err.lines ?? row + 1}: ${err.message ?? String(e)}`, row + 1);
  }
}

async function* jsonlRows(file: string): AsyncGenerator<InputRow> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let row = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    row += 1;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (e) {
      throw new InputError(`Line ${row} is not JSON: ${e instanceof Error ? e.message : String(e)}`, row);
    }
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new InputError(`Line ${row} is not a JSON object.`, row);
    yield { row, data: data as Record<string, unknown> };
  }
}

async function* jsonRows(file: string): AsyncGenerator<InputRow> {
  const { size } = await stat(file);
  if (size > MAX_JSON_BYTES) throw new InputError(`${file} is ${size} bytes: a JSON export is read whole, at most ${MAX_JSON_BYTES}. Give it as JSON Lines (one identity per line) instead.`);
  const { readFile } = await import('node:fs/promises');
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  // An array of identities, or an object that holds one (Ory: { identities: [...] }).
  // An array, or an object holding one: SCIM's ListResponse (Resources), Ory's { identities }, else its first list of objects.
  const holder = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  const list = Array.isArray(doc)
    ? doc
    : holder
    ? [holder.Resources, holder.identities, ...Object.values(holder)].find((v) => Array.isArray(v) && v.every((x) => x && typeof x === 'object'))
    : undefined;
  if (!Array.isArray(list)) throw new InputError(`${file} holds no list of identities (an array, or an object with one).`);
  for (const [i, data] of list.entries()) {
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new InputError(`Entry ${i + 1} is not a JSON object.`, i + 1);
    yield { row: i + 1, data: data as Record<string, unknown> };
  }
}

/** The rows of the file, one at a time. */
export const readRows = (file: string, format: InputFormat = formatOf(file)): AsyncGenerator<InputRow> =>
  format === 'jsonl' ? jsonlRows(file) : format === 'json' ? jsonRows(file) : csvRows(file);

/** The value at a column name or a dotted path (`traits.name.first`); a column whose name has dots wins. */
export const valueAt = (data: Record<string, unknown>, path: string): unknown => {
  if (path in data) return data[path];
  let at: unknown = data;
  for (const part of path.split('.')) {
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
};

/** Salesforce field → where its value is in a row. */
export type FieldMap = Array<{ field: string; source: string }>;

/**
 * Parses `Email=mail,FirstName=givenName` (or one pair per line of a map file; # comments). A field named twice is an
 * error; so is a pair without "=".
 */
export const parseMap = (text: string): FieldMap => {
  const pairs = text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith('#'));
  const out: FieldMap = [];
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0 || i === p.length - 1) throw new InputError(`"${p}" is not Field=source (a Salesforce field, "=", a column or path of the input).`);
    const field = p.slice(0, i).trim();
    const source = p.slice(i + 1).trim();
    if (out.some((o) => o.field.toLowerCase() === field.toLowerCase())) throw new InputError(`The field ${field} is mapped twice.`);
    out.push({ field, source });
  }
  return out;
};

/** The identity map of a CSV header: every column to the field of the same name. */
export const identityMap = (columns: string[]): FieldMap => columns.map((c) => ({ field: c, source: c }));
