/*
 * Writing records safely: sObject Collections (200 a call, allOrNone=false, so a refused record fails only itself)
 * and Bulk API 2.0 ingest jobs. Only what can succeed on another try is tried again, with backoff: a whole call the
 * org did not process (503 SERVER_UNAVAILABLE, the concurrent-request limit, UNABLE_TO_LOCK_ROW), a record refused for
 * a lock. A call whose outcome is unknown (the connection dropped after the request was sent) is never simply sent
 * again: creates are read back by their key first, and only the records the org does not have are sent again, so no
 * duplicate is ever made. Updates and deletes are safe to send again.
 */
import { createReadStream } from 'node:fs';
import { errorCodeOf, isTransient, type OrgClient } from '../client.js';

/** One record's outcome. */
export type WriteOutcome = { key: string; id?: string; success: boolean; code?: string; message?: string };

export type WriteItem = { key: string; id?: string; values: Record<string, unknown> };

export type WriteOptions = {
  /** Save despite an active duplicate rule (Sforce-Duplicate-Rule-Header: allowSave=true). */
  allowDuplicates?: boolean;
  /** Tries in all for a call or record that may succeed later. */
  attempts?: number;
  baseDelayMs?: number;
  onRecords?: (n: number) => void;
};

type SaveResult = { id?: string; success: boolean; errors?: Array<{ statusCode?: string; message?: string }> };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors after which the request may have been carried out: the answer was lost, not refused. */
const UNKNOWN_OUTCOME = /ECONNRESET|socket hang up|ETIMEDOUT|EPIPE|other side closed|terminated|UND_ERR_SOCKET|fetch failed/i;
export const isUnknownOutcome = (e: unknown): boolean => {
  const err = e as { code?: string; message?: string; statusCode?: number; cause?: { code?: string; message?: string } };
  if (err?.statusCode === 502 || err?.statusCode === 504) return true;
  return [err?.code, err?.message, err?.cause?.code, err?.cause?.message].some((s) => typeof s === 'string' && UNKNOWN_OUTCOME.test(s));
};

/** A whole call the org refused without doing anything, worth another try. */
const notProcessed = (e: unknown): boolean => !isUnknownOutcome(e) && isTransient(e);

/** Record errors another try may get past. */
const RETRY_RECORD = new Set(['UNABLE_TO_LOCK_ROW']);

export const COLLECTION_SIZE = 200;

export class RecordWriter {
  private readonly attempts: number;
  private readonly baseDelayMs: number;

  public constructor(private readonly client: OrgClient, private readonly opts: WriteOptions = {}) {
    this.attempts = opts.attempts ?? 6;
    this.baseDelayMs = opts.baseDelayMs ?? 250;
  }

  /**
   * Creates read back by key (`lookup`: the ids of the records the org has for these keys) after an unknown outcome:
   * those found were created by the lost call.
   */
  public async create(object: string, items: WriteItem[], lookup: (keys: string[]) => Promise<Map<string, string>>): Promise<WriteOutcome[]> {
    return this.write(object, 'create', items, lookup);
  }

  public async update(object: string, items: WriteItem[]): Promise<WriteOutcome[]> {
    return this.write(object, 'update', items);
  }

  public async delete(object: string, items: WriteItem[]): Promise<WriteOutcome[]> {
    return this.write(object, 'delete', items);
  }

  private async backoff(attempt: number): Promise<void> {
    const delay = Math.min(10_000, this.baseDelayMs * 2 ** (attempt - 1));
    await sleep(delay / 2 + Math.random() * (delay / 2));
  }

  private headers(): Record<string, string> | undefined {
    return this.opts.allowDuplicates ? { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' } : undefined;
  }

  /** One Collections call; the client counts it. */
  private async send(object: string, op: 'create' | 'update' | 'delete', batch: WriteItem[]): Promise<SaveResult[]> {
    const sobject = this.client.conn.sobject(object);
    const options = { allOrNone: false, headers: this.headers() } as never;
    const res: unknown = await this.client.once(() =>
      op === 'create'
        ? sobject.create(batch.map((b) => b.values), options)
        : op === 'update'
        ? sobject.update(batch.map((b) => ({ ...b.values, Id: b.id! })), options)
        : sobject.destroy(batch.map((b) => b.id!), options)
    );
    return (Array.isArray(res) ? res : [res]) as SaveResult[];
  }

  private async write(
    object: string,
    op: 'create' | 'update' | 'delete',
    items: WriteItem[],
    lookup?: (keys: string[]) => Promise<Map<string, string>>
  ): Promise<WriteOutcome[]> {
    const out = new Map<string, WriteOutcome>();
    for (let i = 0; i < items.length; i += COLLECTION_SIZE) {
      // eslint-disable-next-line no-await-in-loop
      for (const o of await this.writeBatch(object, op, items.slice(i, i + COLLECTION_SIZE), lookup)) out.set(o.key, o);
      this.opts.onRecords?.(Math.min(COLLECTION_SIZE, items.length - i));
    }
    return items.map((it) => out.get(it.key) ?? { key: it.key, success: false, code: 'NO_RESULT', message: 'The org gave no result for the record.' });
  }

  /** One batch, with its retries; every item ends with an outcome. */
  private async writeBatch(
    object: string,
    op: 'create' | 'update' | 'delete',
    batch: WriteItem[],
    lookup?: (keys: string[]) => Promise<Map<string, string>>
  ): Promise<WriteOutcome[]> {
    const done: WriteOutcome[] = [];
    let pending = batch;
    for (let attempt = 1; pending.length; attempt++) {
      const last = attempt >= this.attempts;
      let results: SaveResult[];
      try {
        // eslint-disable-next-line no-await-in-loop
        results = await this.send(object, op, pending);
      } catch (e) {
        const code = errorCodeOf(e) ?? 'CALL_FAILED';
        const message = e instanceof Error ? e.message : String(e);
        if (isUnknownOutcome(e) && op === 'create' && lookup) {
          // The records may be there: what the org has is done, the rest is sent again.
          this.client.retries += 1;
          // eslint-disable-next-line no-await-in-loop
          const have = await lookup(pending.map((p) => p.key));
          done.push(...pending.filter((p) => have.has(p.key)).map((p) => ({ key: p.key, id: have.get(p.key), success: true })));
          pending = pending.filter((p) => !have.has(p.key));
        } else if (last || !(notProcessed(e) || isUnknownOutcome(e))) {
          done.push(...pending.map((p) => ({ key: p.key, id: p.id, success: false, code, message })));
          pending = [];
        } else {
          this.client.retries += 1;
        }
        // eslint-disable-next-line no-await-in-loop
        if (pending.length) await this.backoff(attempt);
        continue;
      }
      const again: WriteItem[] = [];
      pending.forEach((item, i) => {
        const r = results[i];
        const err = r?.errors?.[0];
        if (r?.success) done.push({ key: item.key, id: r.id ?? item.id, success: true });
        else if (op === 'delete' && err?.statusCode === 'ENTITY_IS_DELETED') done.push({ key: item.key, id: item.id, success: true });
        else if (!last && err?.statusCode && RETRY_RECORD.has(err.statusCode)) again.push(item);
        else done.push({ key: item.key, id: item.id, success: false, code: err?.statusCode ?? 'UNKNOWN_ERROR', message: err?.message ?? 'The org refused the record.' });
      });
      pending = again;
      if (pending.length) {
        this.client.retries += 1;
        // eslint-disable-next-line no-await-in-loop
        await this.backoff(attempt);
      }
    }
    return done;
  }
}

// ---------------------------------------------------------------------------------------------- Bulk API 2.0

export type BulkJobResult = {
  jobId: string;
  state: string;
  /** Result rows: the columns uploaded plus sf__Id (and sf__Created / sf__Error). */
  rows: AsyncIterable<{ kind: 'success' | 'failure' | 'unprocessed'; row: Record<string, string> }>;
};

type IngestJob = ReturnType<OrgClient['conn']['bulk2']['createJob']>;

/** The job's data, streamed from the file to the org (PUT .../batches): never held in memory whole. */
const uploadFile = async (client: OrgClient, jobId: string, csvFile: string): Promise<void> => {
  const conn = client.conn;
  const { Readable } = await import('node:stream');
  const res = await fetch(`${conn.instanceUrl}/services/data/v${conn.getApiVersion()}/jobs/ingest/${jobId}/batches`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, 'Content-Type': 'text/csv' },
    body: Readable.toWeb(createReadStream(csvFile)) as unknown as RequestInit['body'],
    duplex: 'half',
  } as RequestInit);
  if (!res.ok) {
    const text = await res.text();
    throw Object.assign(new Error(`The upload to Bulk API job ${jobId} failed: HTTP ${res.status} ${text.slice(0, 500)}`), { statusCode: res.status });
  }
};

/**
 * A job with the file uploaded and closed. An upload whose answer was lost may have stored the data: that job is
 * aborted (so it never runs) and a new one gets the file, so no row is sent twice. A close whose answer was lost is
 * checked: a job no longer Open was closed.
 */
const openAndUpload = async (client: OrgClient, o: { object: string; operation: 'insert' | 'update' | 'delete'; csvFile: string }): Promise<IngestJob> => {
  for (let attempt = 1; ; attempt++) {
    const job = client.conn.bulk2.createJob({ object: o.object, operation: o.operation, lineEnding: 'LF' } as never);
    // eslint-disable-next-line no-await-in-loop
    await client.call(() => job.open());
    try {
      // eslint-disable-next-line no-await-in-loop
      await client.once(() => uploadFile(client, job.id, o.csvFile));
    } catch (e) {
      if (attempt >= 4 || !(isUnknownOutcome(e) || isTransient(e))) throw e;
      client.retries += 1;
      // eslint-disable-next-line no-await-in-loop
      await client.call(() => job.abort()).catch(() => undefined);
      // eslint-disable-next-line no-await-in-loop
      await sleep(250 * 2 ** attempt);
      continue;
    }
    try {
      // eslint-disable-next-line no-await-in-loop
      await client.once(() => job.close());
    } catch (e) {
      if (!(isUnknownOutcome(e) || isTransient(e))) throw e;
      // eslint-disable-next-line no-await-in-loop
      const info = await client.call(() => job.check());
      // eslint-disable-next-line no-await-in-loop
      if (info.state === 'Open') await client.call(() => job.close());
    }
    return job;
  }
};

/**
 * One Bulk API 2.0 ingest job from a CSV file: created, the file streamed up, closed, polled with backoff (from 250 ms,
 * doubling to 5 s), then its successful, failed and unprocessed results streamed back as CSV rows.
 */
export const runBulkJob = async (
  client: OrgClient,
  o: {
    object: string;
    operation: 'insert' | 'update' | 'delete';
    csvFile: string;
    rows?: number;
    timeoutMs?: number;
    onState?: (state: string, processed: number) => void;
    onJob?: (jobId: string) => void;
  }
): Promise<BulkJobResult> => {
  const job = await openAndUpload(client, o);
  o.onJob?.(job.id);
  const deadline = Date.now() + (o.timeoutMs ?? 30 * 60_000);
  // The first look waits about as long as the rows take (an estimate), then the waits double: few polls either way.
  await sleep(Math.min(10_000, 250 + (o.rows ?? 0) * 0.05));
  let delay = 500;
  let info = await client.call(() => job.check());
  while (!['JobComplete', 'Failed', 'Aborted'].includes(info.state)) {
    if (Date.now() > deadline) throw new Error(`The Bulk API job ${job.id} did not finish in time (state ${info.state}); resume it later with its id.`);
    o.onState?.(info.state, Number(info.numberRecordsProcessed ?? 0));
    // eslint-disable-next-line no-await-in-loop
    await sleep(delay);
    delay = Math.min(5000, delay * 2);
    // eslint-disable-next-line no-await-in-loop
    info = await client.call(() => job.check());
  }
  o.onState?.(info.state, Number(info.numberRecordsProcessed ?? 0));
  return { jobId: job.id, state: info.state, rows: bulkResults(client, job.id) };
};

/**
 * A CSV resource of the Bulk API (job results, query result pages), streamed and parsed as it arrives; the request is
 * counted and retried as the client does (5xx answers included). With the answer's headers (Sforce-Locator).
 */
const getCsv = async (client: OrgClient, url: string, what: string, relaxColumnCount = false): Promise<{ headers: Headers; rows: AsyncIterable<Record<string, string>> }> => {
  const { parse } = await import('csv-parse');
  const { Readable } = await import('node:stream');
  const res = await client.call(async () => {
    const r = await fetch(url, { headers: { Authorization: `Bearer ${client.conn.accessToken ?? ''}`, Accept: 'text/csv' } });
    if (r.status >= 500) throw Object.assign(new Error(`${what}: HTTP ${r.status}`), { statusCode: r.status });
    if (!r.ok || !r.body) throw new Error(`${what}: HTTP ${r.status} ${await r.text()}`);
    return r;
  });
  const rows = Readable.fromWeb(res.body as never).pipe(parse({ columns: true, bom: true, skipEmptyLines: true, ...(relaxColumnCount ? { relaxColumnCount } : {}) }));
  return { headers: res.headers, rows: rows as AsyncIterable<Record<string, string>> };
};

/** The three result sets of a job, streamed (never held whole) and parsed as CSV. */
async function* bulkResults(client: OrgClient, jobId: string): AsyncGenerator<{ kind: 'success' | 'failure' | 'unprocessed'; row: Record<string, string> }> {
  const conn = client.conn;
  const base = `${conn.instanceUrl}/services/data/v${conn.getApiVersion()}/jobs/ingest/${jobId}`;
  const sets: Array<['success' | 'failure' | 'unprocessed', string]> = [
    ['success', 'successfulResults'],
    ['failure', 'failedResults'],
    ['unprocessed', 'unprocessedrecords'],
  ];
  for (const [kind, path] of sets) {
    // eslint-disable-next-line no-await-in-loop
    const { rows } = await getCsv(client, `${base}/${path}/`, `Bulk results of job ${jobId}`, true);
    // eslint-disable-next-line no-await-in-loop
    for await (const row of rows) yield { kind, row };
  }
}

/**
 * A Bulk API 2.0 query job, its rows streamed as they come (CSV pages followed by their Sforce-Locator), every request
 * counted and retried as the client does. Polled with backoff.
 */
export async function* bulkQuery(client: OrgClient, soql: string): AsyncGenerator<Record<string, unknown>> {
  const conn = client.conn;
  const base = `/services/data/v${conn.getApiVersion()}/jobs/query`;
  const job = await client.call(() =>
    conn.request<{ id: string }>({ method: 'POST', url: base, body: JSON.stringify({ operation: 'query', query: soql }), headers: { 'Content-Type': 'application/json' } })
  );
  let delay = 250;
  for (;;) {
    // eslint-disable-next-line no-await-in-loop
    const info = await client.call(() => conn.request<{ state: string; errorMessage?: string }>(`${base}/${job.id}`));
    if (info.state === 'JobComplete') break;
    if (info.state === 'Failed' || info.state === 'Aborted') throw new Error(`The Bulk API query job ${job.id} ended ${info.state}: ${info.errorMessage ?? ''}`);
    // eslint-disable-next-line no-await-in-loop
    await sleep(delay);
    delay = Math.min(5000, delay * 2);
  }
  let locator: string | null = '';
  while (locator !== null) {
    const url: string = `${conn.instanceUrl}${base}/${job.id}/results${locator ? `?locator=${encodeURIComponent(locator)}` : ''}`;
    // eslint-disable-next-line no-await-in-loop
    const page = await getCsv(client, url, `Bulk query results of job ${job.id}`);
    const next = page.headers.get('sforce-locator');
    locator = next && next !== 'null' ? next : null;
    // eslint-disable-next-line no-await-in-loop
    for await (const row of page.rows) yield row;
  }
}

/**
 * An ingest job of an interrupted run, settled before a new run plans: one still open (its upload never closed) is
 * aborted, so it never runs; one queued or in progress is waited for. Its rows are then in the org (or never will be),
 * and the new run compares against what is really there.
 */
export const settleJob = async (client: OrgClient, jobId: string, timeoutMs = 30 * 60_000): Promise<string> => {
  const job = client.conn.bulk2.job('ingest', { id: jobId });
  let info = await client.call(() => job.check());
  if (info.state === 'Open') {
    await client.call(() => job.abort());
    return 'Aborted';
  }
  const deadline = Date.now() + timeoutMs;
  let delay = 500;
  while (!['JobComplete', 'Failed', 'Aborted'].includes(info.state)) {
    if (Date.now() > deadline) throw new Error(`The Bulk API job ${jobId} is still ${info.state}; run again when it has finished.`);
    // eslint-disable-next-line no-await-in-loop
    await sleep(delay);
    delay = Math.min(5000, delay * 2);
    // eslint-disable-next-line no-await-in-loop
    info = await client.call(() => job.check());
  }
  return info.state;
};
