/*
 * `records sync` without the command: people from a file made into Leads or Contacts matched by email, in batches,
 * with a plan before any change and an outcome for every record.
 *
 * 1. Check: the mapped fields against the object's describe (as the running user sees it), then the whole input,
 *    streamed: a key on every row, valid emails, no key twice. Any problem stops the run before the first write,
 *    naming the row and the column.
 * 2. Plan: the org's records for the input's keys, read with many keys per query (IN lists within the length a
 *    query URL can have), or, when it costs fewer calls, all of the object's records with a key in one Bulk API 2.0
 *    query job. The choice and its estimate are part of the result (--dry-run shows them).
 * 3. Write: chunk by chunk as the input is read again: sObject Collections (200 a call) for small jobs, Bulk API 2.0
 *    ingest jobs above `bulkThreshold` records (the rows streamed to a temporary CSV file, then up), with safe retries
 *    (writer.ts). Then the records that left the source (--deprovision-missing).
 * 4. Report: every record's outcome to the result file (CSV), counts and the first failures in the result.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrgClient } from '../client.js';
import { soqlList, soqlString } from '../resources/values.js';
import { decideMissing, decideRow, isEmail, normalizeKey, type Decision, type OrgRecord, type Permission, type RemoveAction, type SyncObject, type SyncRules } from './classify.js';
import { formatOf, identityMap, InputError, readRows, valueAt, type FieldMap, type InputFormat } from './input.js';
import { bulkQuery, settleJob, COLLECTION_SIZE, RecordWriter, runBulkJob, type WriteItem, type WriteOutcome } from './writer.js';
import { HashIndex } from './hash-index.js';

export type SyncSpec = {
  object: SyncObject;
  file: string;
  format?: InputFormat;
  /** Salesforce field → column or path; by default a CSV's columns are fields of the same name. */
  map?: FieldMap;
  /** Default: Email. */
  match?: string;
  /** Default: create and update. */
  allow?: Permission[];
  /** Default: none. */
  removeAction?: RemoveAction;
  disable?: { field: string; value: string };
  deprovisionMissing?: boolean;
  clearEmpty?: boolean;
  allowDuplicates?: boolean;
  /** Writes from this many records of one kind go through Bulk API 2.0. */
  bulkThreshold?: number;
  /** Run even when the estimate exceeds the API requests the org has left today. */
  force?: boolean;
  /**
   * The id of a Bulk API 2.0 ingest job of an earlier run that was interrupted: waited for (or, never closed, aborted)
   * before anything is planned, so that its rows are in the org before they are compared, and nothing is sent twice.
   */
  resumeJob?: string;
};

export type SyncEvents = {
  onStage?: (stage: SyncStage) => void;
  onProgress?: (p: { done: number; total: number }) => void;
  /** A Bulk API 2.0 job was started: its id, to resume with if the run is interrupted. */
  onJob?: (jobId: string) => void;
};

export const SYNC_STAGES = { check: 'Checking the input', plan: 'Planning', write: 'Writing', remove: 'Removing people who left the source' } as const;
export type SyncStage = (typeof SYNC_STAGES)[keyof typeof SYNC_STAGES];

export type SyncCounts = Record<'create' | 'update' | 'delete' | 'disable' | 'none' | 'skip' | 'error', number> & { succeeded: number; failed: number };

export type SyncEstimate = {
  /** How the org's records are read: IN-list queries, or one Bulk API 2.0 query job. */
  planning: 'query' | 'bulk-query';
  planningCalls: number;
  /** How the changes are written. */
  writing: 'collections' | 'bulk';
  writeCalls: number;
  /** API requests the org has left today, when it said. */
  remaining?: number;
};

export type SyncRecordOutcome = { key: string; row?: number; action: Decision['action']; object: string; id?: string; status: 'succeeded' | 'failed' | 'skipped' | 'unchanged' | 'planned'; code?: string; message?: string };

export type SyncResult = {
  object: SyncObject;
  file: string;
  dryRun: boolean;
  rows: number;
  counts: SyncCounts;
  estimate: SyncEstimate;
  /** API calls this run made. */
  apiCalls: number;
  /** The Bulk API 2.0 ingest jobs it ran (a job id resumes an interrupted run: --resume-job). */
  jobs: string[];
  resultFile?: string;
  /** The first failures and skips (all are in the result file). */
  problems: SyncRecordOutcome[];
};

/** Rows read, planned and written at a time: memory holds one chunk, not the file. */
export const CHUNK_ROWS = 2000;
/** From this many records of one kind, writes go through Bulk API 2.0 (about 20 Collections calls: see the README). */
export const DEFAULT_BULK_THRESHOLD = 4000;
/** Keep a query's URL (IN list URL-encoded) well under the 16,384 characters a REST request URI may have. */
const MAX_IN_CHARS = 11_000;
const MAX_PROBLEMS = 1000;

/** What a key adds to an IN list once URL-encoded: the quoted literal and its separator. */
const inListCost = (key: string): number => encodeURIComponent(soqlString(key)).length + 3;

/** The IN lists of a query over keys, each within MAX_IN_CHARS once URL-encoded. */
export const inLists = (keys: string[]): string[][] => {
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const k of keys) {
    const len = inListCost(k);
    if (cur.length && size + len > MAX_IN_CHARS) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(k);
    size += len;
  }
  if (cur.length) out.push(cur);
  return out;
};

type Describe = { fields: Array<{ name: string; createable?: boolean; updateable?: boolean; type?: string }> };

const rulesOf = (spec: SyncSpec): SyncRules => ({
  object: spec.object,
  match: spec.match ?? 'Email',
  allow: new Set(spec.allow ?? ['create', 'update']),
  removeAction: spec.removeAction ?? 'none',
  disable: spec.disable,
  clearEmpty: Boolean(spec.clearEmpty),
});

/** The map, checked against the describe: every field exists and can be written; the match field is mapped. */
const checkMap = async (
  client: OrgClient,
  spec: SyncSpec,
  rules: SyncRules
): Promise<{ map: FieldMap; fields: Set<string>; contactFields: () => Promise<Set<string>>; visible: Set<string> }> => {
  let map = spec.map;
  if (!map) {
    if ((spec.format ?? formatOf(spec.file)) !== 'csv') throw new InputError('A JSON input needs --map (Field=path, such as Email=traits.email).');
    const first = await readRows(spec.file, 'csv').next();
    if (first.done) throw new InputError(`${spec.file} has no data rows.`);
    map = identityMap(Object.keys(first.value.data));
  }
  const describe = (await client.describe(spec.object).catch((e: Error) => {
    throw new InputError(
      `The user this run connects as cannot see ${spec.object} (${e.message}). Give it access with a permission set: sf provision permset create --name <name> --object ${spec.object}:create,read,edit, then permset assign.`
    );
  })) as unknown as Describe;
  const byName = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f]));
  const canonical: FieldMap = [];
  for (const { field, source } of map) {
    const f = byName.get(field.toLowerCase());
    if (!f) throw new InputError(`${spec.object} has no field ${field} that you can see (mapped from ${source}); check the name, or your field-level access.`, undefined, source);
    if (!f.createable && !f.updateable) throw new InputError(`${spec.object}.${f.name} cannot be written (mapped from ${source}).`, undefined, source);
    canonical.push({ field: f.name, source });
  }
  const matchField = canonical.find((m) => m.field.toLowerCase() === rules.match.toLowerCase());
  if (!matchField) throw new InputError(`The match field ${rules.match} is not mapped: add ${rules.match}=<column> to --map.`);
  if (rules.disable && !byName.has(rules.disable.field.toLowerCase())) throw new InputError(`${spec.object} has no field ${rules.disable.field} (--disable-field).`);
  // A converted Lead's Contact is kept in step only when the user may edit Contacts (described once, when a converted
  // Lead is first met); otherwise the change is skipped, and said so.
  let contact: Promise<Set<string>> | undefined;
  const contactFields = (): Promise<Set<string>> =>
    (contact ??= client
      .describe('Contact')
      .then((d) => new Set((d as unknown as Describe).fields.filter((f) => f.updateable).map((f) => f.name)))
      .catch(() => new Set<string>()));
  return { map: canonical, fields: new Set(canonical.map((m) => m.field)), contactFields, visible: new Set(describe.fields.map((f) => f.name)) };
};

/**
 * A 53-bit hash of a key (two 32-bit FNV-1a style rounds), for sets of keys that must stay small in memory: a hash seen
 * twice is checked against the keys themselves before anything is concluded from it.
 */
export const keyHash = (k: string): number => {
  let h1 = 0x81_1c_9d_c5;
  let h2 = 0x97_47_b2_8c ^ k.length;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16_777_619);
    h2 = Math.imul(h2 ^ c, 2_246_822_507);
  }
  return (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) & 0x1f_ff_ff);
};

/** The input checked: its rows, the IN-list queries its keys need, and its keys (first rows) when they are needed. */
type Checked = { rows: number; inCalls: number; keys?: Map<string, number> };

/** Rows whose key hash was seen twice, their keys compared exactly: a hash shared by two keys is no duplicate. */
const exactDuplicates = async (spec: SyncSpec, source: string, suspects: Set<number>, max: number): Promise<string[]> => {
  const first = new Map<string, number>();
  const out: string[] = [];
  for await (const { row, data } of readRows(spec.file, spec.format)) {
    const key = normalizeKey(valueAt(data, source));
    if (!key || !suspects.has(keyHash(key))) continue;
    const f = first.get(key);
    if (f === undefined) first.set(key, row);
    else out.push(`row ${row}, column ${source}: ${key} is also on row ${f}`);
    if (out.length >= max) break;
  }
  return out;
};

/**
 * Pass 1: every row has a valid key, once. Stops with the first problems (row and column), before any write. Keys are
 * kept as hashes (a number each) unless the run needs them afterwards (--deprovision-missing).
 */
const checkInput = async (spec: SyncSpec, map: FieldMap, rules: SyncRules): Promise<Checked> => {
  const source = map.find((m) => m.field.toLowerCase() === rules.match.toLowerCase())!.source;
  const exact = Boolean(spec.deprovisionMissing);
  const firstRow: Pick<Map<string | number, number>, 'get' | 'set'> = exact ? new Map<string, number>() : (new HashIndex(1 << 16) as unknown as Map<number, number>);
  const suspects = new Set<number>();
  const problems: string[] = [];
  let rows = 0;
  let inCalls = 0;
  let inSize = 0;
  for await (const { row, data } of readRows(spec.file, spec.format)) {
    rows += 1;
    const key = normalizeKey(valueAt(data, source));
    if (!key) problems.push(`row ${row}, column ${source}: no ${rules.match}`);
    else if (rules.match.toLowerCase() === 'email' && !isEmail(key)) problems.push(`row ${row}, column ${source}: "${key}" is not an email address`);
    else {
      const id = exact ? key : keyHash(key);
      const first = firstRow.get(id);
      if (first === undefined) {
        firstRow.set(id, row);
        const len = inListCost(key);
        if (!inCalls || inSize + len > MAX_IN_CHARS) {
          inCalls += 1;
          inSize = 0;
        }
        inSize += len;
      } else if (exact) problems.push(`row ${row}, column ${source}: ${key} is also on row ${first}`);
      else suspects.add(id as number);
    }
    if (problems.length >= 20) break;
  }
  if (suspects.size && problems.length < 20) problems.push(...(await exactDuplicates(spec, source, suspects, 20 - problems.length)));
  if (problems.length) throw new InputError(`The input has problems; nothing was changed:\n${problems.join('\n')}${problems.length >= 20 ? '\n(stopped at 20)' : ''}`);
  if (!rows) throw new InputError(`${spec.file} has no data rows.`);
  return { rows, inCalls, ...(exact ? { keys: firstRow as Map<string, number> } : {}) };
};

/** The fields read from the org for a record: the mapped ones and what the rules need. */
const selectFields = (spec: SyncSpec, fields: Set<string>, rules: SyncRules, visible: Set<string>): string[] => {
  const out = new Set<string>(['Id', ...fields]);
  if (rules.disable) out.add(rules.disable.field);
  // Fields the user cannot see cannot be queried (a user without field access to ConvertedContactId, say).
  if (spec.object === 'Lead') ['IsConverted', 'ConvertedContactId'].filter((f) => visible.has(f)).forEach((f) => out.add(f));
  return [...out];
};

const toOrgRecord = (r: Record<string, unknown>): OrgRecord => ({
  Id: String(r.Id),
  values: r,
  isConverted: r.IsConverted === true || r.IsConverted === 'true',
  convertedContactId: typeof r.ConvertedContactId === 'string' && r.ConvertedContactId ? r.ConvertedContactId : undefined,
});

/** The org's records for some keys, by key (IN-list queries). */
const queryByKeys = async (client: OrgClient, object: string, fields: string[], match: string, keys: string[]): Promise<Map<string, OrgRecord[]>> => {
  const out = new Map<string, OrgRecord[]>();
  for (const list of inLists(keys)) {
    // eslint-disable-next-line no-await-in-loop
    const rows = await client.query<Record<string, unknown>>(`SELECT ${fields.join(', ')} FROM ${object} WHERE ${match} IN (${soqlList(list)})`);
    for (const r of rows) {
      const k = normalizeKey(r[match]);
      out.set(k, [...(out.get(k) ?? []), toOrgRecord(r)]);
    }
  }
  return out;
};

/** Every record of the object that has a key (one Bulk API 2.0 query job, or SOQL pages), by key. */
const queryAll = async (client: OrgClient, object: string, fields: string[], match: string, bulk: boolean): Promise<Map<string, OrgRecord[]>> => {
  const soql = `SELECT ${fields.join(', ')} FROM ${object} WHERE ${match} != null`;
  const rows: AsyncIterable<Record<string, unknown>> | Array<Record<string, unknown>> = bulk ? bulkQuery(client, soql) : await client.query<Record<string, unknown>>(soql);
  const out = new Map<string, OrgRecord[]>();
  for await (const r of rows) {
    const k = normalizeKey(r[match]);
    const rec = toOrgRecord(Object.fromEntries(Object.entries(r).map(([f, v]) => [f, v === '' ? null : v])));
    out.set(k, [...(out.get(k) ?? []), rec]);
  }
  return out;
};

/** Which way to read the org: IN lists, or all records in one bulk query, by the estimated number of calls. */
const estimatePlanning = async (client: OrgClient, spec: SyncSpec, checked: Checked, rules: SyncRules): Promise<Pick<SyncEstimate, 'planning' | 'planningCalls'>> => {
  const inCalls = checked.inCalls;
  // A bulk query job costs at least 5 calls with the count that chooses it: fewer IN-list queries need no count.
  if (!spec.deprovisionMissing && inCalls <= 5) return { planning: 'query', planningCalls: inCalls + 1 };
  const count = await client
    .call(async () => (await client.conn.query(`SELECT COUNT() FROM ${spec.object} WHERE ${rules.match} != null`)).totalSize)
    .catch(() => Number.MAX_SAFE_INTEGER);
  // A bulk query job: create, a few polls, one result page per 50,000 rows (an estimate: pages vary with row size).
  const bulkCalls = 4 + Math.ceil(Number(count) / 50_000);
  const allNeeded = Boolean(spec.deprovisionMissing);
  const soqlAll = Math.ceil(Number(count) / 2000) || 1;
  if (allNeeded) return bulkCalls < soqlAll ? { planning: 'bulk-query', planningCalls: bulkCalls + 1 } : { planning: 'query', planningCalls: soqlAll + 1 };
  return bulkCalls < inCalls ? { planning: 'bulk-query', planningCalls: bulkCalls + 1 } : { planning: 'query', planningCalls: inCalls + 1 };
};

/** CSV cell for a Bulk API 2.0 upload: null is #N/A (clears the field). */
const cell = (v: unknown): string => {
  if (v === null) return '#N/A';
  const s = v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * A temporary CSV of rows to write with one bulk job (columns: Id and the mapped fields), and the rows waiting for
 * the job's answer: key (email; for updates the record's Id, 15 characters) → input row. Nothing else is kept in
 * memory: a row to send again is read back from the file.
 */
class BulkFile {
  public count = 0;
  /**
   * Rows waiting for the job's answer: hash of the key (email; for updates the Id's 15 characters) → input row, or
   * 0 when several rows share the hash (then -n for n of them, and no row is said).
   */
  public readonly waiting = new HashIndex(1 << 12);
  private stream?: WriteStream;

  public constructor(public readonly path: string, public readonly columns: string[], public readonly action: 'create' | 'update') {}

  /** Adds a row; false when the file asks to wait (drain) before more. */
  public add(d: Decision): boolean {
    if (!this.stream) {
      this.stream = createWriteStream(this.path);
      this.stream.write(`${this.columns.join(',')}\n`);
    }
    const values = d.values ?? {};
    const more = this.stream.write(`${this.columns.map((c) => (c === 'Id' ? cell(d.id) : c in values ? cell(values[c]) : '')).join(',')}\n`);
    const h = keyHash(this.action === 'create' ? d.key : d.id!.slice(0, 15));
    const had = this.waiting.get(h);
    this.waiting.set(h, had === undefined ? d.row ?? 0 : had > 0 ? -2 : had === 0 ? -2 : had - 1);
    this.count += 1;
    return more;
  }

  /** Resolves when the file has taken what was written. */
  public drain(): Promise<void> {
    const s = this.stream;
    return s ? new Promise((resolve) => s.once('drain', () => resolve())) : Promise.resolve();
  }

  /** The row a result stands for: undefined when none waits under its hash; null when it waits but its row is unknown. */
  public rowOf(h: number): number | null | undefined {
    const v = this.waiting.get(h);
    return v === undefined ? undefined : v > 0 ? v : null;
  }

  /** One row of the hash answered. */
  public answered(h: number): void {
    const v = this.waiting.get(h);
    if (v === undefined) return;
    if (v > 0 || v === 0) this.waiting.delete(h);
    else this.waiting.set(h, v === -2 ? 0 : v + 1);
  }

  public async end(): Promise<void> {
    if (!this.stream) return;
    const s = this.stream;
    await new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

type Ctx = {
  client: OrgClient;
  spec: SyncSpec;
  rules: SyncRules;
  map: FieldMap;
  fields: string[];
  contactFields: () => Promise<Set<string>>;
  writer: RecordWriter;
  dryRun: boolean;
  bulk: boolean;
  all?: Map<string, OrgRecord[]>;
  /** Reports an outcome; false when the result file asks to wait (drain) before more. */
  report: (o: SyncRecordOutcome) => boolean;
  drain: () => Promise<void>;
  onJob: (id: string) => void;
  /** The Bulk API 2.0 ingest jobs of this run. */
  jobs: string[];
  /** Waits for the result file when it asked to (after a chunk's reports). */
  settle: () => Promise<void>;
  progress: () => void;
  /** Collections writes waiting to fill a call. */
  pending: Decision[];
};

const outcomeOf = (d: Decision, w?: WriteOutcome, dryRun = false): SyncRecordOutcome => {
  const base = { key: d.key, row: d.row, action: d.action, object: d.object, id: w?.id ?? d.id };
  if (d.action === 'none') return { ...base, status: 'unchanged', ...(d.message ? { message: d.message } : {}) };
  if (d.action === 'skip') return { ...base, status: 'skipped', code: d.code, message: d.message };
  if (d.action === 'error') return { ...base, status: 'failed', code: d.code, message: d.message };
  if (dryRun || !w) return { ...base, status: 'planned', ...(d.message ? { message: d.message } : {}) };
  return w.success ? { ...base, status: 'succeeded', ...(d.message ? { message: d.message } : {}) } : { ...base, status: 'failed', code: w.code, message: w.message };
};

/**
 * Sends decisions through Collections and reports each outcome. Writes of a kind go in full calls of 200: a chunk's
 * remainder waits for the next chunk's, and goes at the end (`final`), so the calls are as few as the kinds allow.
 */
const writeChunk = async (ctx: Ctx, decisions: Decision[], final = false): Promise<void> => {
  const { writer, spec, rules } = ctx;
  const lookup = async (keys: string[]): Promise<Map<string, string>> => {
    const found = await queryByKeys(ctx.client, spec.object, ['Id', rules.match], rules.match, keys);
    return new Map([...found.entries()].map(([k, recs]) => [k, recs[0].Id]));
  };
  const groups: Array<[Decision['action'], string, (items: WriteItem[]) => Promise<WriteOutcome[]>]> = [
    ['create', spec.object, (items): Promise<WriteOutcome[]> => writer.create(spec.object, items, lookup)],
    ['update', spec.object, (items): Promise<WriteOutcome[]> => writer.update(spec.object, items)],
    ['update', 'Contact', (items): Promise<WriteOutcome[]> => writer.update('Contact', items)],
    ['disable', spec.object, (items): Promise<WriteOutcome[]> => writer.update(spec.object, items)],
    ['delete', spec.object, (items): Promise<WriteOutcome[]> => writer.delete(spec.object, items)],
  ];
  ctx.pending.push(...decisions);
  for (const [action, object, send] of groups) {
    const all = ctx.pending.filter((d) => d.action === action && d.object === object);
    const ds = all.slice(0, final ? all.length : all.length - (all.length % COLLECTION_SIZE));
    if (!ds.length) continue;
    const sent = new Set(ds);
    ctx.pending = ctx.pending.filter((d) => !sent.has(d));
    // eslint-disable-next-line no-await-in-loop
    const outcomes = await send(ds.map((d) => ({ key: d.key, id: d.id, values: d.values ?? {} })));
    ds.forEach((d, i) => ctx.report(outcomeOf(d, outcomes[i])));
  }
};

/** Pass 2 over the input: plan each chunk against the org, then write it (or queue it for a bulk job). */
const syncRows = async (ctx: Ctx, bulkFiles: { create: BulkFile; update: BulkFile }): Promise<void> => {
  const { spec, rules, map } = ctx;
  let chunk: Array<{ row: number; key: string; values: Record<string, unknown> }> = [];
  const flush = async (): Promise<void> => {
    if (!chunk.length) return;
    const org = ctx.all ?? (await queryByKeys(ctx.client, spec.object, ctx.fields, rules.match, chunk.map((c) => c.key)));
    const convertedIds = chunk.flatMap((c) => (org.get(c.key) ?? []).filter((r) => r.isConverted && r.convertedContactId).map((r) => r.convertedContactId!));
    const contacts = new Map<string, OrgRecord>();
    const contactFields = convertedIds.length ? await ctx.contactFields() : new Set<string>();
    if (convertedIds.length) {
      const cf = ['Id', ...map.map((m) => m.field).filter((f) => contactFields.has(f))];
      for (const list of inLists(convertedIds)) {
        // eslint-disable-next-line no-await-in-loop
        for (const r of await ctx.client.query<Record<string, unknown>>(`SELECT ${[...new Set(cf)].join(', ')} FROM Contact WHERE Id IN (${soqlList(list)})`)) {
          contacts.set(String(r.Id), toOrgRecord(r));
        }
      }
    }
    const matchField = map.find((m) => m.field.toLowerCase() === rules.match.toLowerCase())!.field;
    const decisions = chunk.map((c) => {
      const d = decideRow(c, org.get(c.key) ?? [], rules, (id) => contacts.get(id));
      // An update carries the record's own key (unchanged), so that a bulk result names the person.
      if (d.action === 'update' && d.object === spec.object && d.values && !(matchField in d.values)) d.values[matchField] = org.get(c.key)![0].values[matchField];
      // A converted Lead's Contact takes only the fields a Contact has.
      if (d.object === 'Contact' && d.values) d.values = Object.fromEntries(Object.entries(d.values).filter(([f]) => contactFields.has(f)));
      return d;
    });
    chunk = [];
    if (ctx.dryRun) {
      for (const d of decisions) ctx.report(outcomeOf(d, undefined, true));
      return;
    }
    const toBulk = ctx.bulk ? decisions.filter((d) => (d.action === 'create' || d.action === 'update') && d.object === spec.object) : [];
    for (const d of toBulk) {
      const file = d.action === 'create' ? bulkFiles.create : bulkFiles.update;
      // eslint-disable-next-line no-await-in-loop
      if (!file.add(d)) await file.drain();
    }
    const bulked = new Set(toBulk);
    await writeChunk(ctx, decisions.filter((d) => !bulked.has(d) && d.action !== 'none' && d.action !== 'skip' && d.action !== 'error'));
    for (const d of decisions.filter((x) => x.action === 'none' || x.action === 'skip' || x.action === 'error')) ctx.report(outcomeOf(d));
    await ctx.settle();
  };
  const source = (field: string): string => map.find((m) => m.field === field)!.source;
  const matchSource = source(map.find((m) => m.field.toLowerCase() === rules.match.toLowerCase())!.field);
  for await (const { row, data } of readRows(spec.file, spec.format)) {
    const values = Object.fromEntries(map.map((m) => [m.field, valueAt(data, m.source)]));
    chunk.push({ row, key: normalizeKey(valueAt(data, matchSource)), values });
    ctx.progress();
    // eslint-disable-next-line no-await-in-loop
    if (chunk.length >= CHUNK_ROWS) await flush();
  }
  await flush();
  if (!ctx.dryRun) await writeChunk(ctx, [], true);
};

/** The decision a bulk row stands for (its key, row, action and id; its values when it is to be sent again). */
const bulkDecision = (ctx: Ctx, file: BulkFile, row: Record<string, string>, withValues = false): { d: Decision; h: number } | undefined => {
  const matchColumn = Object.keys(row).find((c) => c.toLowerCase() === ctx.rules.match.toLowerCase()) ?? ctx.rules.match;
  const key = normalizeKey(row[matchColumn]);
  const id = file.action === 'update' ? String(row.Id ?? row.sf__Id ?? '') : undefined;
  const h = keyHash(file.action === 'create' ? key : (id ?? '').slice(0, 15));
  const inputRow = file.rowOf(h);
  if (inputRow === undefined) return undefined;
  const values = withValues
    ? Object.fromEntries(file.columns.filter((c) => c !== 'Id' && row[c] !== undefined && row[c] !== '').map((c) => [c, row[c] === '#N/A' ? null : row[c]]))
    : undefined;
  return { h, d: { key, row: inputRow ?? undefined, action: file.action, object: ctx.spec.object, ...(id ? { id } : {}), ...(values ? { values } : {}) } };
};

/** A bulk result row as the record's outcome; undefined when the row is worth another try (unprocessed, locked). */
const bulkOutcome = (d: Decision, kind: 'success' | 'failure' | 'unprocessed', row: Record<string, string>): SyncRecordOutcome | undefined => {
  const error = row.sf__Error ?? '';
  const code = /^([A-Z_]+):/.exec(error)?.[1];
  if (kind === 'success') return outcomeOf(d, { key: d.key, id: row.sf__Id || d.id, success: true });
  if (kind === 'unprocessed' || code === 'UNABLE_TO_LOCK_ROW') return undefined;
  return outcomeOf(d, { key: d.key, id: d.id, success: false, code: code ?? 'BULK_ERROR', message: error.replace(/^[A-Z_]+:/, '').replace(/:--$/, '') });
};

/**
 * The bulk jobs for what pass 2 wrote to their files; each result row joined back to its input row by key (email) or
 * Id, and taken off the waiting list. What the job did not process, could not lock or never answered for is read back
 * from the file and sent through Collections, safely.
 */
const runBulk = async (ctx: Ctx, files: { create: BulkFile; update: BulkFile }): Promise<void> => {
  const { parse } = await import('csv-parse');
  for (const [operation, file] of [
    ['insert', files.create],
    ['update', files.update],
  ] as const) {
    // eslint-disable-next-line no-await-in-loop
    await file.end();
    if (!file.count) continue;
    // eslint-disable-next-line no-await-in-loop
    const job = await runBulkJob(ctx.client, { object: ctx.spec.object, operation, csvFile: file.path, rows: file.count, onJob: ctx.onJob });
    ctx.jobs.push(job.jobId);
    // eslint-disable-next-line no-await-in-loop
    for await (const { kind, row } of job.rows) {
      const found = bulkDecision(ctx, file, row);
      const outcome = found ? bulkOutcome(found.d, kind, row) : undefined;
      if (!found || !outcome) continue;
      file.answered(found.h);
      // eslint-disable-next-line no-await-in-loop
      if (!ctx.report(outcome)) await ctx.drain();
    }
    if (!file.waiting.size) continue;
    const again: Decision[] = [];
    // eslint-disable-next-line no-await-in-loop
    for await (const row of createReadStream(file.path).pipe(parse({ columns: true, skipEmptyLines: true })) as AsyncIterable<Record<string, string>>) {
      const found = bulkDecision(ctx, file, row, true);
      if (found && file.waiting.get(found.h) !== undefined) again.push(found.d);
    }
    // Creates are read back first: a row that shares its hash with an answered one may be in the org already.
    // eslint-disable-next-line no-await-in-loop
    const have = operation === 'insert' && again.length ? await queryByKeys(ctx.client, ctx.spec.object, ['Id', ctx.rules.match], ctx.rules.match, again.map((d) => d.key)) : new Map<string, OrgRecord[]>();
    for (const d of again.filter((x) => have.has(x.key))) ctx.report(outcomeOf(d, { key: d.key, id: have.get(d.key)![0].Id, success: true }));
    // eslint-disable-next-line no-await-in-loop
    await writeChunk(ctx, again.filter((x) => !have.has(x.key)), true);
  }
};

/** Pass 3 (--deprovision-missing): the org's records whose key is not in the input, given the remove action. */
const removeMissing = async (ctx: Ctx, keys: Map<string, number>): Promise<void> => {
  const { client, spec, rules } = ctx;
  const all = ctx.all ?? (await queryAll(client, spec.object, ctx.fields, rules.match, false));
  const missing = [...all.entries()].filter(([k]) => !keys.has(k));
  const portal = new Set<string>();
  if (spec.object === 'Contact' && missing.length) {
    for (const list of inLists(missing.flatMap(([, recs]) => recs.map((r) => r.Id)))) {
      // eslint-disable-next-line no-await-in-loop
      for (const u of await client.query<{ ContactId: string }>(`SELECT ContactId FROM User WHERE ContactId IN (${soqlList(list)})`)) portal.add(u.ContactId.slice(0, 15));
    }
  }
  const decisions = missing.flatMap(([k, recs]) => recs.map((r) => decideMissing(k, { ...r, portalUser: portal.has(r.Id.slice(0, 15)) }, rules)));
  if (ctx.dryRun) {
    for (const d of decisions) ctx.report(outcomeOf(d, undefined, true));
    return;
  }
  await writeChunk(ctx, decisions.filter((d) => d.action === 'delete' || d.action === 'disable'), true);
  for (const d of decisions.filter((x) => x.action !== 'delete' && x.action !== 'disable')) ctx.report(outcomeOf(d));
};

/**
 * How the run will read and write, and what it costs; refused (without force) when the org has fewer API requests left
 * today than the estimate.
 */
const estimateRun = async (client: OrgClient, spec: SyncSpec, checked: Checked, rules: SyncRules, dryRun: boolean): Promise<SyncEstimate> => {
  const planning = await estimatePlanning(client, spec, checked, rules);
  const threshold = spec.bulkThreshold ?? DEFAULT_BULK_THRESHOLD;
  // Bulk API 2.0 takes no duplicate-rule header: saving past a duplicate rule needs Collections.
  const bulk = checked.rows >= threshold && !spec.allowDuplicates;
  // A bulk job: open, upload, close, a few polls, three result sets; an insert and an update job at most.
  const writeCalls = bulk ? 2 * 8 : Math.ceil(checked.rows / 200);
  // What the org has left today: from the Sforce-Limit-Info header of the calls made so far, else /limits.
  const remaining = client.apiUsage?.remaining ?? (await client.limits().catch(() => undefined))?.DailyApiRequests?.Remaining;
  if (!dryRun && !spec.force && remaining !== undefined && planning.planningCalls + writeCalls > remaining) {
    throw new InputError(`This sync needs about ${planning.planningCalls + writeCalls} API requests and the org has ${remaining} left today; run it later, or with --force.`);
  }
  return { ...planning, writing: bulk ? 'bulk' : 'collections', writeCalls, ...(remaining !== undefined ? { remaining } : {}) };
};

const RESULT_COLUMNS = ['key', 'row', 'action', 'object', 'id', 'status', 'code', 'message'] as const;

/** The result file: a CSV row per record, streamed (csv-stringify), closed at the end. */
type Results = { write: (o: SyncRecordOutcome) => boolean; drain: () => Promise<void>; close: () => Promise<void> };

const openResults = async (file: string | undefined): Promise<Results> => {
  if (!file) return { write: (): boolean => true, drain: (): Promise<void> => Promise.resolve(), close: (): Promise<void> => Promise.resolve() };
  const { stringify } = await import('csv-stringify');
  const out = stringify({ header: true, columns: [...RESULT_COLUMNS] });
  const sink = createWriteStream(file);
  out.pipe(sink);
  return {
    write: (o): boolean => out.write(RESULT_COLUMNS.map((c) => o[c] ?? '')),
    drain: (): Promise<void> => new Promise((resolve) => out.once('drain', () => resolve())),
    close: async (): Promise<void> => {
      const closed = new Promise<void>((resolve) => sink.on('close', () => resolve()));
      out.end();
      await closed;
    },
  };
};

/**
 * Runs a sync: checks, plans and (unless dryRun) writes, reporting every record to `resultFile`. Throws InputError
 * (before any write) for bad input, and when the estimate exceeds the org's remaining API requests (without force).
 */
export const runSync = async (client: OrgClient, spec: SyncSpec, run: { dryRun: boolean; resultFile?: string }, events: SyncEvents = {}): Promise<SyncResult> => {
  const callsBefore = client.calls;
  const rules = rulesOf(spec);
  events.onStage?.(SYNC_STAGES.check);
  const { map, fields: mapped, contactFields, visible } = await checkMap(client, spec, rules);
  const checked = await checkInput(spec, map, rules);
  events.onStage?.(SYNC_STAGES.plan);
  if (spec.resumeJob) await settleJob(client, spec.resumeJob);
  const estimate = await estimateRun(client, spec, checked, rules, run.dryRun);
  // The keys stay in memory only when the people who left the source are to be found.
  const keys = spec.deprovisionMissing ? checked.keys : undefined;
  delete checked.keys;
  const bulk = estimate.writing === 'bulk';
  const fields = selectFields(spec, mapped, rules, visible);
  const all = estimate.planning === 'bulk-query' ? await queryAll(client, spec.object, fields, rules.match, true) : undefined;

  const counts: SyncCounts = { create: 0, update: 0, delete: 0, disable: 0, none: 0, skip: 0, error: 0, succeeded: 0, failed: 0 };
  const problems: SyncRecordOutcome[] = [];
  const results = await openResults(run.resultFile);
  let done = 0;
  let full = false;
  const report = (o: SyncRecordOutcome): boolean => {
    counts[o.action] += 1;
    if (o.status === 'succeeded') counts.succeeded += 1;
    if (o.status === 'failed') counts.failed += 1;
    if ((o.status === 'failed' || o.status === 'skipped') && problems.length < MAX_PROBLEMS) problems.push(o);
    full = !results.write(o);
    return !full;
  };
  const writer = new RecordWriter(client, { allowDuplicates: spec.allowDuplicates });
  const dir = await mkdtemp(join(tmpdir(), 'provision-sync-'));
  const ctx: Ctx = {
    client,
    spec,
    rules,
    map,
    fields,
    contactFields,
    writer,
    dryRun: run.dryRun,
    bulk,
    all,
    report,
    drain: results.drain,
    settle: async (): Promise<void> => {
      if (!full) return;
      await results.drain();
      full = false;
    },
    progress: () => events.onProgress?.({ done: (done += 1), total: checked.rows }),
    pending: [],
    onJob: (id): void => events.onJob?.(id),
    jobs: [],
  };
  try {
    if (!run.dryRun) events.onStage?.(SYNC_STAGES.write);
    const files = {
      create: new BulkFile(join(dir, 'insert.csv'), [...mapped].filter((f) => f !== 'Id'), 'create'),
      update: new BulkFile(join(dir, 'update.csv'), ['Id', ...[...mapped].filter((f) => f !== 'Id')], 'update'),
    };
    await syncRows(ctx, files);
    if (!run.dryRun) await runBulk(ctx, files);
    if (spec.deprovisionMissing) {
      events.onStage?.(SYNC_STAGES.remove);
      await removeMissing(ctx, keys ?? new Map<string, number>());
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await results.close();
  }
  return {
    object: spec.object,
    file: spec.file,
    dryRun: run.dryRun,
    rows: checked.rows,
    counts,
    estimate,
    apiCalls: client.calls - callsBefore,
    jobs: ctx.jobs,
    ...(run.resultFile ? { resultFile: run.resultFile } : {}),
    problems,
  };
};
