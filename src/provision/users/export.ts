/*
 * `users export` without the command: the users changed since the last run, streamed to CSV or JSON Lines, for a
 * nightly profile sync (a service provider such as Invotra mapping a handful of profile fields of every user).
 *
 * Incremental by SystemModstamp, not LastModifiedDate: SystemModstamp is set when a user *or an automated process*
 * (a trigger, a workflow) changes the record, LastModifiedDate only for user changes (SOAP API Developer Guide,
 * "System Fields"); Salesforce's own replication calls (getUpdated) use SystemModstamp for the same reason
 * (REST API Developer Guide, "sObject Get Updated").
 *
 * The high-water mark ("mark") is the value the next run passes as `SystemModstamp > mark`:
 *   mark = max(previous mark, highest SystemModstamp exported − OVERLAP_SECONDS), truncated to the second.
 * - It comes from the org's own timestamps, never from this machine's clock, so clock skew cannot lose changes.
 * - The overlap covers a transaction that stamped its rows before our highest row but committed after our query read
 *   (getUpdated's latestDateCovered exists for the same reason: "changes that started after this date but did not
 *   complete"; SOAP API Developer Guide, GetUpdatedResult). Rows in the overlap are exported twice, which a profile
 *   sync keyed on Id absorbs; none is lost. How long such transactions can be is not documented: 5 minutes is a choice.
 * - SOQL dateTime literals take no fractional seconds (YYYY-MM-DDThh:mm:ssZ, SOQL and SOSL Reference, "Date Formats
 *   and Date Literals"); truncating to the second moves the mark back, never forward.
 * - No rows: the mark stays where it was. The state file is written (temporary file + rename) only after the output
 *   file is complete and renamed into place, so a run that fails part-way leaves both the old output and the old mark.
 *
 * Inactive users: an incremental run exports every changed user, active or not (IsActive=false is how a deactivation
 * reaches the service provider). A full export (no mark yet) exports active users only, unless includeInactive, which
 * adds inactive users whether they changed or not.
 *
 * Memory does not grow with the number of users: one query page (2,000 rows by default, Sforce-Query-Options
 * batchSize) at a time, each row written as it comes, with backpressure.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Messages } from '@salesforce/core';
import type { OrgClient } from '../client.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.users.export');

/** Always exported, first: what a service provider needs to match, disable and resume. */
export const KEY_FIELDS = ['Id', 'Username', 'IsActive', 'SystemModstamp'] as const;
/** The profile fields a directory sync usually maps (seven, as Invotra's profile sync). */
export const DEFAULT_FIELDS = ['FirstName', 'LastName', 'Email', 'Title', 'Department', 'Phone', 'MobilePhone'] as const;
export const OVERLAP_SECONDS = 300;
export const DEFAULT_PAGE_SIZE = 2000;

export type ExportFormat = 'csv' | 'jsonl';

export type ExportSpec = {
  /** Profile fields (the key fields are added); default DEFAULT_FIELDS. */
  fields?: string[];
  /** Export users whose SystemModstamp is after this instant (ISO 8601 with a zone, or a date: UTC midnight). */
  since?: string;
  /** JSON file holding the mark: read before, written after a complete run. A missing file means a full export. */
  stateFile?: string;
  format: ExportFormat;
  outputFile: string;
  includeInactive?: boolean;
  /** Rows a query page (200..2000). */
  pageSize?: number;
  overlapSeconds?: number;
};

export type ExportResult = {
  /** Users written. */
  count: number;
  inactive: number;
  /** Full export (no mark) or only changes since `since`. */
  mode: 'full' | 'incremental';
  since?: string;
  /** The mark for the next run (--since), or absent when there is none yet. */
  mark?: string;
  /** Highest SystemModstamp exported. */
  highestSystemModstamp?: string;
  stateFile?: string;
  outputFile: string;
  format: ExportFormat;
  fields: string[];
  apiCalls: number;
};

export type ExportState = { mark: string | null; highestSystemModstamp?: string | null; updatedAt?: string; fields?: string[] };

export type ExportEvents = { onProgress?: (written: number) => void };

const ZONED = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** A SOQL dateTime literal (UTC, whole seconds). */
export const soqlDateTime = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** Parses a timestamp given by a person or a state file; undefined when it is not one. */
export const parseTimestamp = (text: string): number | undefined => {
  if (!ZONED.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : ms;
};

export const readState = async (file: string): Promise<ExportState | undefined> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let state: ExportState;
  try {
    state = JSON.parse(text) as ExportState;
  } catch {
    throw messages.createError('error.BadState', [file, 'not JSON']);
  }
  if (!state || typeof state !== 'object' || (state.mark !== null && (typeof state.mark !== 'string' || parseTimestamp(state.mark) === undefined))) {
    throw messages.createError('error.BadState', [file, 'no "mark" timestamp (ISO 8601 with a zone, or null)']);
  }
  return state;
};

/** Writes the state atomically: a temporary file beside it, then a rename. */
export const writeState = async (file: string, state: ExportState): Promise<void> => {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
};

/** The fields to query, as the User describe spells them; unknown ones are an error naming them. */
export const checkFields = async (client: OrgClient, requested: readonly string[]): Promise<string[]> => {
  const describe = await client.describe('User');
  const byLower = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f]));
  const unknown = requested.filter((f) => !byLower.has(f.trim().toLowerCase()));
  if (unknown.length) throw messages.createError('error.UnknownField', [unknown.join(', ')]);
  const compound = requested.filter((f) => ['address', 'location'].includes(byLower.get(f.trim().toLowerCase())!.type));
  if (compound.length) throw messages.createError('error.CompoundField', [compound.join(', ')]);
  const out: string[] = [...KEY_FIELDS];
  for (const f of requested) {
    const name = byLower.get(f.trim().toLowerCase())!.name;
    if (!out.includes(name)) out.push(name);
  }
  return out;
};

export const buildQuery = (fields: string[], since: number | undefined, includeInactive: boolean): string => {
  const where =
    since === undefined
      ? includeInactive
        ? ''
        : ' WHERE IsActive = true'
      : includeInactive
      ? ` WHERE (SystemModstamp > ${soqlDateTime(since)} OR IsActive = false)`
      : ` WHERE SystemModstamp > ${soqlDateTime(since)}`;
  return `SELECT ${fields.join(', ')} FROM User${where} ORDER BY SystemModstamp ASC, Id ASC`;
};

type Page = { done: boolean; nextRecordsUrl?: string; records: Array<Record<string, unknown>> };

/** The query's rows page by page (one page in memory), each call retried by the client. */
async function* pages(client: OrgClient, soql: string, pageSize: number): AsyncGenerator<Page> {
  const conn = client.conn;
  const headers = { 'Sforce-Query-Options': `batchSize=${pageSize}` };
  let url: string | undefined = `/services/data/v${conn.getApiVersion()}/query?q=${encodeURIComponent(soql)}`;
  while (url) {
    const next: string = url;
    // eslint-disable-next-line no-await-in-loop
    const page: Page = await client.call(() => conn.request<Page>({ method: 'GET', url: next, headers }));
    yield page;
    url = !page.done && page.nextRecordsUrl ? page.nextRecordsUrl : undefined;
  }
}

type Sink = { write: (row: Record<string, unknown>) => Promise<void>; close: () => Promise<void>; destroy: () => void };

const waitDrain = async (s: Writable, ok: boolean): Promise<void> => {
  if (!ok) await once(s, 'drain');
};

const openSink = async (file: string, format: ExportFormat, fields: string[]): Promise<Sink> => {
  const out = createWriteStream(file);
  if (format === 'jsonl') {
    return {
      write: (row): Promise<void> => waitDrain(out, out.write(`${JSON.stringify(Object.fromEntries(fields.map((f) => [f, row[f] ?? null])))}\n`)),
      close: async (): Promise<void> => {
        out.end();
        await finished(out);
      },
      destroy: (): void => void out.destroy(),
    };
  }
  const { stringify } = await import('csv-stringify');
  const csv = stringify({ header: true, columns: fields, cast: { boolean: (v: boolean): string => String(v) } });
  csv.pipe(out);
  return {
    write: (row): Promise<void> => waitDrain(csv, csv.write(fields.map((f) => row[f] ?? ''))),
    close: async (): Promise<void> => {
      csv.end();
      await finished(out);
    },
    destroy: (): void => {
      csv.destroy();
      out.destroy();
    },
  };
};

/** The instant after which users are exported: --since, else the state file's mark; undefined for a full export. */
const resolveSince = async (spec: ExportSpec): Promise<number | undefined> => {
  if (spec.since !== undefined) {
    const ms = parseTimestamp(spec.since);
    if (ms === undefined) throw messages.createError('error.BadSince', [spec.since]);
    return ms;
  }
  const state = spec.stateFile ? await readState(spec.stateFile) : undefined;
  return state?.mark ? parseTimestamp(state.mark) : undefined;
};

/** max(since, highest − overlap); the old mark when nothing was exported. */
export const nextMark = (since: number | undefined, highest: number | undefined, overlapMs: number): number | undefined => {
  if (highest === undefined) return since;
  return since === undefined ? highest - overlapMs : Math.max(since, highest - overlapMs);
};

type Written = { count: number; inactive: number; highest?: number };

/** Streams the query's rows to a temporary file, renamed to `outputFile` once complete; removed on failure. */
const writeRows = async (client: OrgClient, spec: ExportSpec, fields: string[], soql: string, events: ExportEvents): Promise<Written> => {
  const pageSize = Math.min(DEFAULT_PAGE_SIZE, Math.max(200, spec.pageSize ?? DEFAULT_PAGE_SIZE));
  const tmp = `${spec.outputFile}.${process.pid}.partial`;
  const sink = await openSink(tmp, spec.format, fields);
  const w: Written = { count: 0, inactive: 0 };
  try {
    for await (const page of pages(client, soql, pageSize)) {
      for (const row of page.records) {
        // eslint-disable-next-line no-await-in-loop
        await sink.write(row);
        w.count += 1;
        if (row.IsActive === false) w.inactive += 1;
        const stamp = Date.parse(String(row.SystemModstamp ?? '').replace(/\+0000$/, 'Z'));
        if (!Number.isNaN(stamp) && (w.highest === undefined || stamp > w.highest)) w.highest = stamp;
      }
      events.onProgress?.(w.count);
    }
    await sink.close();
    await rename(tmp, spec.outputFile);
    return w;
  } catch (e) {
    sink.destroy();
    await rm(tmp, { force: true });
    const error = messages.createError('error.Failed', [String(w.count), e instanceof Error ? e.message : String(e), spec.outputFile], [], e instanceof Error ? e : undefined);
    error.setData({ written: w.count, outputFile: spec.outputFile, ...(spec.stateFile ? { stateFile: spec.stateFile } : {}) });
    throw error;
  }
};

/**
 * Runs an export. The output goes to a temporary file renamed to `outputFile` when complete; the state file (if any)
 * is written after that. On any failure both are left as they were and the error is thrown.
 */
export const runExport = async (client: OrgClient, spec: ExportSpec, events: ExportEvents = {}): Promise<ExportResult> => {
  const callsBefore = client.calls;
  const sinceMs = await resolveSince(spec);
  const fields = await checkFields(client, spec.fields?.length ? spec.fields : DEFAULT_FIELDS);
  const soql = buildQuery(fields, sinceMs, spec.includeInactive ?? false);
  const { count, inactive, highest } = await writeRows(client, spec, fields, soql, events);
  const markMs = nextMark(sinceMs, highest, (spec.overlapSeconds ?? OVERLAP_SECONDS) * 1000);
  const mark = markMs === undefined ? undefined : soqlDateTime(markMs);
  const highestSystemModstamp = highest === undefined ? undefined : new Date(highest).toISOString();
  if (spec.stateFile) {
    await writeState(spec.stateFile, { mark: mark ?? null, highestSystemModstamp: highestSystemModstamp ?? null, updatedAt: new Date().toISOString(), fields });
  }
  return {
    count,
    inactive,
    mode: sinceMs === undefined ? 'full' : 'incremental',
    ...(sinceMs !== undefined ? { since: soqlDateTime(sinceMs) } : {}),
    ...(mark ? { mark } : {}),
    ...(highestSystemModstamp ? { highestSystemModstamp } : {}),
    ...(spec.stateFile ? { stateFile: spec.stateFile } : {}),
    outputFile: spec.outputFile,
    format: spec.format,
    fields,
    apiCalls: client.calls - callsBefore,
  };
};
