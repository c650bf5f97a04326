/*
 * OrgClient: the one way this plugin talks to an org. It owns retries with backoff for the errors Salesforce
 * documents as transient, API-limit accounting (from the Sforce-Limit-Info header jsforce records), and batching
 * to the platform's per-call limits (10 components per Metadata CRUD call, 3 types per listMetadata call,
 * 200 records per sObject Collections call, 2,000 rows per query page).
 */
import type { Connection } from '@salesforce/core';

/** Errors worth another try: lock contention, a busy server, concurrent-request limits. */
const TRANSIENT_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'REQUEST_LIMIT_EXCEEDED', 'ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED']);
const TRANSIENT_STATUS = new Set([503, 502, 504]);

export const METADATA_CRUD_LIMIT = 10;
export const LIST_METADATA_LIMIT = 3;
export const COLLECTION_LIMIT = 200;

export type RetryPolicy = {
  /** Tries in all, the first included. */
  attempts: number;
  /** First backoff; doubles each try, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

/** One record's result in an sObject Collections call. */
export type CollectionResult = { id?: string; success: boolean; errors?: Array<{ statusCode?: string; message?: string }> };

export type ApiUsage = { used: number; max: number; remaining: number };

export type ErrorLike = { errorCode?: string; name?: string; message?: string; statusCode?: number; code?: string };

export const errorCodeOf = (e: unknown): string | undefined => {
  const err = e as ErrorLike;
  const code = err?.errorCode ?? err?.code ?? err?.name;
  if (code && /^[A-Z_]+$/.test(code)) return code.replace(/^sf:/, '');
  const m = /^(?:sf:)?([A-Z][A-Z_]{3,}):/.exec(err?.message ?? '');
  return m?.[1];
};

/** True for errors that a later try may not hit: the daily allocation being spent is not one of them. */
export const isTransient = (e: unknown): boolean => {
  const err = e as ErrorLike;
  const code = errorCodeOf(e);
  if (code === 'REQUEST_LIMIT_EXCEEDED' && /TotalRequests/i.test(err?.message ?? '')) return false;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return err?.statusCode !== undefined && TRANSIENT_STATUS.has(err.statusCode);
};

export const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class OrgClient {
  /** Calls this client made (each HTTP request counts against the daily allocation). */
  public calls = 0;
  public retries = 0;

  public constructor(public readonly conn: Connection, private readonly retry: RetryPolicy = DEFAULT_RETRY) {}

  /** Daily API usage as of the last response (Sforce-Limit-Info), if any was seen. */
  public get apiUsage(): ApiUsage | undefined {
    const info = (this.conn as unknown as { limitInfo?: { apiUsage?: { used: number; limit: number } } }).limitInfo?.apiUsage;
    return info ? { used: info.used, max: info.limit, remaining: Math.max(0, info.limit - info.used) } : undefined;
  }

  /**
   * Runs one API call once, counted, without retrying: for writes whose failure needs reading back before another try
   * (a lost answer may have been carried out), which the caller handles.
   */
  public async once<T>(fn: () => Promise<T>): Promise<T> {
    this.calls += 1;
    return fn();
  }

  /** Runs one API call, retrying transient failures with exponential backoff and jitter. */
  public async call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.calls += 1;
        // eslint-disable-next-line no-await-in-loop
        return await fn();
      } catch (e) {
        if (attempt >= this.retry.attempts || !isTransient(e)) throw e;
        this.retries += 1;
        const delay = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        // eslint-disable-next-line no-await-in-loop
        await sleep(delay / 2 + Math.random() * (delay / 2));
      }
    }
  }

  /** All rows of a SOQL query, following nextRecordsUrl page by page. */
  public async query<T extends Record<string, unknown>>(soql: string, opts: { tooling?: boolean } = {}): Promise<T[]> {
    const api = opts.tooling ? this.conn.tooling : this.conn;
    type Page = { done: boolean; nextRecordsUrl?: string; records: T[] };
    let page: Page = await this.call(async () => (await api.query<T>(soql, { autoFetch: false })) as unknown as Page);
    const rows = [...page.records];
    while (!page.done && page.nextRecordsUrl) {
      const next = page.nextRecordsUrl;
      // eslint-disable-next-line no-await-in-loop
      page = await this.call(async () => (await api.queryMore<T>(next)) as unknown as Page);
      rows.push(...page.records);
    }
    return rows;
  }

  /** readMetadata in batches of 10; missing names are left out. */
  public async readMetadata<T extends { fullName?: string }>(type: string, names: string[]): Promise<T[]> {
    const out: T[] = [];
    for (const batch of chunk(names, METADATA_CRUD_LIMIT)) {
      // eslint-disable-next-line no-await-in-loop
      const res: unknown = await this.call(() => this.conn.metadata.read(type as Parameters<Connection['metadata']['read']>[0], batch));
      const list = (Array.isArray(res) ? res : [res]) as unknown as T[];
      out.push(...list.filter((r) => r && typeof r === 'object' && r.fullName));
    }
    return out;
  }

  /** listMetadata for any number of types (three per call), as plain file properties. */
  public async listMetadata(types: string[]): Promise<Array<{ type: string; fullName: string; id?: string; lastModifiedDate?: string }>> {
    const out: Array<{ type: string; fullName: string; id?: string; lastModifiedDate?: string }> = [];
    for (const batch of chunk(types, LIST_METADATA_LIMIT)) {
      // eslint-disable-next-line no-await-in-loop
      const res = await this.call(() => this.conn.metadata.list(batch.map((type) => ({ type }))));
      const list = Array.isArray(res) ? res : res ? [res] : [];
      out.push(...list.map((p) => ({ type: p.type, fullName: p.fullName, id: p.id, lastModifiedDate: p.lastModifiedDate })));
    }
    return out;
  }

  /**
   * Creates records of one sObject, or deletes records by id, through sObject Collections: 200 per call,
   * allOrNone=false, so a refused record fails only itself. One result per input, in order; a call that fails as a
   * whole (after retries) gives every record of that call the error.
   */
  public async collection(sobjectName: string, operation: 'create' | 'delete', items: Array<Record<string, unknown> | string>): Promise<CollectionResult[]> {
    const out: CollectionResult[] = [];
    const sobject = this.conn.sobject(sobjectName);
    for (const batch of chunk(items, COLLECTION_LIMIT)) {
      try {
        // eslint-disable-next-line no-await-in-loop
        const res = (await this.call(() =>
          operation === 'create'
            ? sobject.create(batch as Array<Record<string, unknown>>, { allOrNone: false })
            : sobject.destroy(batch as string[], { allOrNone: false })
        )) as unknown as CollectionResult[];
        batch.forEach((_, i) => out.push(res[i] ?? { success: false, errors: [{ message: 'The org gave no result for the record.' }] }));
      } catch (e) {
        const error = { statusCode: errorCodeOf(e), message: e instanceof Error ? e.message : String(e) };
        out.push(...batch.map(() => ({ success: false, errors: [error] })));
      }
    }
    return out;
  }

  public async limits(): Promise<Record<string, { Max: number; Remaining: number }>> {
    return this.call(() => this.conn.request<Record<string, { Max: number; Remaining: number }>>(`/services/data/v${this.conn.getApiVersion()}/limits`));
  }

  public async describe(objectName: string): Promise<{ name: string; fields: Array<{ name: string; type: string }> }> {
    return this.call(() => this.conn.describe(objectName));
  }
}
