/*
 * Bulk API 2.0 of the org emulator: ingest jobs (/jobs/ingest) and query jobs (/jobs/query).
 *
 * Ingest: a job is created Open, takes exactly one CSV upload, is closed with UploadComplete and then
 * runs asynchronously (UploadComplete -> InProgress -> JobComplete, or Failed when the CSV itself is
 * unusable). Records are processed in internal batches of 10,000 through RecordOps, so every platform
 * rule applies per record and a record's failure never fails the job. Results are served as CSV with
 * the job's column delimiter and line ending, in the shapes Salesforce writes them.
 */
/* eslint-disable camelcase, no-param-reassign -- csv-parse / csv-stringify option names; jobs are mutable state */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import {
  SalesforceError,
  type EmuRequest,
  type EmuResponse,
  type FieldSchema,
  type ObjectSchema,
  type RecordOps,
} from './types.js';

export type Bulk2Deps = {
  /** create/update/upsert/delete with all platform rules; throws SalesforceError. */
  ops: RecordOps;
  /** Runs SOQL; rows as the REST API returns them. includeDeleted is asked for by queryAll jobs.
   * Also used to resolve relationship columns (Owner.Username) of ingest CSVs. */
  query?: (soql: string, opts?: { includeDeleted?: boolean }) => Array<Record<string, unknown>>;
  /** How long a job stays InProgress before it completes (ms, default 20). */
  processingDelayMs?: number;
  describe(objectName: string): ObjectSchema | undefined;
  /** Ids; Bulk jobs use key prefix '750'. */
  newId(keyPrefix: string): string;
  /** The user whose permissions the current request is checked against (undefined: not checked). */
  actor?: () => string | undefined;
  /** Runs fn checked against a user's permissions: jobs are processed after their request, as their creator. */
  runAs?: <T>(userId: string | undefined, fn: () => T) => T;
};

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
export type LineEnding = 'LF' | 'CRLF';
export type ColumnDelimiter = 'COMMA' | 'TAB' | 'PIPE' | 'SEMICOLON' | 'CARET' | 'BACKQUOTE';

type SuccessRow = { id: string; created: boolean; row: string[] };
type FailureRow = { id: string; error: string; row: string[] };

export type IngestJob = {
  kind: 'ingest';
  id: string;
  operation: IngestOperation;
  object: string;
  externalIdFieldName?: string;
  assignmentRuleId?: string;
  createdById: string;
  createdDate: Date;
  systemModstamp: Date;
  state: JobState;
  apiVersion: string;
  contentType: 'CSV';
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  errorMessage?: string;
  /** The one upload, as received. */
  data?: Buffer;
  /** Parsed CSV (filled when processing starts). */
  header?: string[];
  rows?: string[][];
  /** Index of the next row to process. */
  nextRow: number;
  successful: SuccessRow[];
  failed: FailureRow[];
  numberRecordsProcessed: number;
  numberRecordsFailed: number;
  retries: number;
  totalProcessingTime: number;
  apiActiveProcessingTime: number;
  apexProcessingTime: number;
  startedAt?: number;
  /** The user the job's records are checked against (Bulk2Deps.actor at creation). */
  actor?: string;
};

export type QueryJob = {
  kind: 'query';
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  query: string;
  createdById: string;
  createdDate: Date;
  systemModstamp: Date;
  state: JobState;
  apiVersion: string;
  contentType: 'CSV';
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  errorMessage?: string;
  columns: string[];
  records: string[][];
  numberRecordsProcessed: number;
  retries: number;
  totalProcessingTime: number;
};

type Job = IngestJob | QueryJob;

const OPERATIONS: readonly IngestOperation[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];
const LINE_ENDINGS: readonly LineEnding[] = ['LF', 'CRLF'];
const DELIMITERS: Record<ColumnDelimiter, string> = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
};
/** Salesforce splits ingest data into internal batches of this many records. */
export const INTERNAL_BATCH_SIZE = 10_000;
/** "A request can provide CSV data that does not in total exceed 150 MB of base64 encoded content." */
export const MAX_UPLOAD_BASE64_BYTES = 150 * 1024 * 1024;
/** Get All Jobs returns up to 1000 jobs per request. */
const JOBS_PAGE_SIZE = 1000;
const NULL_VALUE = '#N/A';
const CSV_CONTENT_TYPE = 'text/csv';
const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

const JOB_PATH = /^\/services\/data\/v(\d+\.\d+)\/jobs\/(ingest|query)(?:\/([^/]+))?(?:\/([^/]+))?\/?$/;

/** Thrown inside processing when the whole job must fail (bad header, unparseable CSV...). */
class JobFailure extends Error {}

/** A CSV column resolved against the schema. */
type Column =
  | { kind: 'field'; header: string; field: FieldSchema }
  | { kind: 'relationship'; header: string; field: FieldSchema; target: string; lookupField: string };

export class Bulk2Api {
  private readonly deps: Bulk2Deps;
  private readonly processingDelayMs: number;
  private readonly jobMap = new Map<string, Job>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private defaultUserId: string | undefined;

  public constructor(deps: Bulk2Deps) {
    this.deps = deps;
    this.processingDelayMs = deps.processingDelayMs ?? 20;
  }

  /** Handles every request under /services/data/vNN.N/jobs/ingest and /jobs/query. */
  // eslint-disable-next-line @typescript-eslint/require-await
  public async handle(req: EmuRequest): Promise<EmuResponse> {
    const m = JOB_PATH.exec(req.path);
    if (!m) return notFound();
    const [, version, area, jobId, sub] = m;
    const method = req.method.toUpperCase();
    try {
      if (area === 'ingest') return this.routeIngest(req, method, version, jobId, sub);
      return this.routeQuery(req, method, version, jobId, sub);
    } catch (e) {
      if (e instanceof SalesforceError) return errorResponse(e.status, e.errorCode, e.message);
      throw e;
    }
  }

  /** For tests: the job records. */
  public jobs(): readonly unknown[] {
    return [...this.jobMap.values()];
  }

  public reset(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.jobMap.clear();
  }

  // ---------------------------------------------------------------- routing

  private routeIngest(req: EmuRequest, method: string, version: string, jobId?: string, sub?: string): EmuResponse {
    if (!jobId) {
      if (method === 'POST') return this.createIngestJob(req, version);
      if (method === 'GET') return this.listJobs(req, version, 'ingest');
      return methodNotAllowed(method, 'GET,POST');
    }
    const job = this.findJob(jobId, 'ingest') as IngestJob | undefined;
    if (!job) return notFound();
    if (!sub) {
      if (method === 'GET') return jsonResponse(200, ingestInfo(job, true));
      if (method === 'PATCH') return this.patchIngestJob(job, req);
      if (method === 'DELETE') return this.deleteJob(job);
      return methodNotAllowed(method, 'GET,PATCH,DELETE');
    }
    switch (sub.toLowerCase()) {
      case 'batches':
        if (method !== 'PUT') return methodNotAllowed(method, 'PUT');
        return this.upload(job, req);
      case 'successfulresults':
        if (method !== 'GET') return methodNotAllowed(method, 'GET');
        return csvResponse(this.successfulCsv(job));
      case 'failedresults':
        if (method !== 'GET') return methodNotAllowed(method, 'GET');
        return csvResponse(this.failedCsv(job));
      case 'unprocessedrecords':
        if (method !== 'GET') return methodNotAllowed(method, 'GET');
        return csvResponse(this.unprocessedCsv(job));
      default:
        return notFound();
    }
  }

  private routeQuery(req: EmuRequest, method: string, version: string, jobId?: string, sub?: string): EmuResponse {
    if (!jobId) {
      if (method === 'POST') return this.createQueryJob(req, version);
      if (method === 'GET') return this.listJobs(req, version, 'query');
      return methodNotAllowed(method, 'GET,POST');
    }
    const job = this.findJob(jobId, 'query') as QueryJob | undefined;
    if (!job) return notFound();
    if (!sub) {
      if (method === 'GET') return jsonResponse(200, queryInfo(job, true));
      if (method === 'PATCH') return this.patchQueryJob(job, req);
      if (method === 'DELETE') return this.deleteJob(job);
      return methodNotAllowed(method, 'GET,PATCH,DELETE');
    }
    if (sub.toLowerCase() === 'results') {
      if (method !== 'GET') return methodNotAllowed(method, 'GET');
      return this.queryResults(job, req);
    }
    return notFound();
  }

  private findJob(id: string, kind: Job['kind']): Job | undefined {
    let job = this.jobMap.get(id);
    if (!job && id.length === 15) job = [...this.jobMap.values()].find((j) => j.id.startsWith(id));
    return job?.kind === kind ? job : undefined;
  }

  private userId(req: EmuRequest): string {
    if (req.userId) return req.userId;
    this.defaultUserId ??= this.deps.newId('005');
    return this.defaultUserId;
  }

  // ---------------------------------------------------------------- ingest: create

  private createIngestJob(req: EmuRequest, version: string): EmuResponse {
    const raw = req.body.toString('utf8');
    const body = parseJsonBody(raw);
    const operation = body.operation;
    if (operation === undefined || operation === null || operation === '') {
      throw new SalesforceError('INVALIDJOB', 'Operation is required for a job');
    }
    if (typeof operation !== 'string' || !OPERATIONS.includes(operation as IngestOperation)) {
      throw enumError(raw, 'operation', 'OperationEnum', operation);
    }
    const lineEnding = enumValue<LineEnding>(raw, body, 'lineEnding', 'LineEndingEnum', LINE_ENDINGS, 'LF');
    const columnDelimiter = enumValue<ColumnDelimiter>(
      raw,
      body,
      'columnDelimiter',
      'ColumnDelimiterEnum',
      Object.keys(DELIMITERS) as ColumnDelimiter[],
      'COMMA'
    );
    checkContentType(raw, body.contentType);
    const objectName = body.object;
    if (typeof objectName !== 'string' || objectName === '') {
      throw new SalesforceError('INVALIDJOB', 'Object is required for a job');
    }
    const schema = this.deps.describe(objectName);
    if (!schema || schema.tooling) {
      throw new SalesforceError('INVALIDENTITY', `sObject type '${objectName}' is not supported.`);
    }
    const externalIdFieldName = operation === 'upsert' ? upsertKeyField(schema, body.externalIdFieldName) : undefined;
    const now = new Date();
    const job: IngestJob = {
      kind: 'ingest',
      id: this.deps.newId('750'),
      operation: operation as IngestOperation,
      object: schema.name,
      externalIdFieldName,
      assignmentRuleId: typeof body.assignmentRuleId === 'string' ? body.assignmentRuleId : undefined,
      createdById: this.userId(req),
      createdDate: now,
      systemModstamp: now,
      state: 'Open',
      apiVersion: version,
      contentType: 'CSV',
      lineEnding,
      columnDelimiter,
      nextRow: 0,
      successful: [],
      failed: [],
      numberRecordsProcessed: 0,
      numberRecordsFailed: 0,
      retries: 0,
      totalProcessingTime: 0,
      apiActiveProcessingTime: 0,
      apexProcessingTime: 0,
      actor: this.deps.actor?.(),
    };
    this.jobMap.set(job.id, job);
    return jsonResponse(200, ingestInfo(job, false));
  }

  // ---------------------------------------------------------------- ingest: upload, close, abort, delete

  private upload(job: IngestJob, req: EmuRequest): EmuResponse {
    if (job.state !== 'Open') {
      throw new SalesforceError(
        'INVALIDJOBSTATE',
        `Job data can only be uploaded to a job in the Open state. Job ${job.id} is in the ${job.state} state.`
      );
    }
    if (job.data !== undefined) {
      throw new SalesforceError(
        'BULK_API_ERROR',
        `Found multiple contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`
      );
    }
    const base64Size = Math.ceil(req.body.length / 3) * 4;
    if (base64Size > MAX_UPLOAD_BASE64_BYTES) {
      throw new SalesforceError(
        'EXCEEDED_QUOTA',
        `The request body exceeds the maximum size of ${MAX_UPLOAD_BASE64_BYTES} bytes of base64 encoded data.`,
        413
      );
    }
    job.data = Buffer.from(req.body);
    job.systemModstamp = new Date();
    return { status: 201 };
  }

  private patchIngestJob(job: IngestJob, req: EmuRequest): EmuResponse {
    const raw = req.body.toString('utf8');
    const body = parseJsonBody(raw);
    const state = body.state;
    const allStates: JobState[] = ['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted'];
    if (typeof state !== 'string' || !allStates.includes(state as JobState)) {
      if (state === undefined || state === null) {
        throw new SalesforceError('INVALIDJOBSTATE', 'A job state is required to update a job');
      }
      throw enumError(raw, 'state', 'JobStateEnum', state);
    }
    if (state === 'UploadComplete') {
      if (job.state !== 'Open') {
        throw new SalesforceError('INVALIDJOBSTATE', `Closing already ${stateWord(job.state)} Job not allowed`);
      }
      job.state = 'UploadComplete';
      job.systemModstamp = new Date();
      this.schedule(job.id, 0, () => this.asActor(job, () => this.startProcessing(job)));
      return jsonResponse(200, ingestInfo(job, false));
    }
    if (state === 'Aborted') {
      this.abort(job);
      return jsonResponse(200, ingestInfo(job, false));
    }
    throw new SalesforceError('INVALIDJOBSTATE', `Changing the state of a job to ${state} is not allowed`);
  }

  private abort(job: Job): void {
    if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') {
      throw new SalesforceError('INVALIDJOBSTATE', `Aborting already ${stateWord(job.state)} Job not allowed`);
    }
    this.cancelTimer(job.id);
    job.state = 'Aborted';
    job.systemModstamp = new Date();
    if (job.kind === 'ingest' && job.startedAt !== undefined) {
      job.totalProcessingTime = Date.now() - job.startedAt;
    }
  }

  private deleteJob(job: Job): EmuResponse {
    const deletable: JobState[] =
      job.kind === 'ingest' ? ['UploadComplete', 'JobComplete', 'Aborted', 'Failed'] : ['JobComplete', 'Aborted', 'Failed'];
    if (!deletable.includes(job.state)) {
      throw new SalesforceError('INVALIDJOBSTATE', `Deleting an ${stateWord(job.state)} Job not allowed`);
    }
    this.cancelTimer(job.id);
    this.jobMap.delete(job.id);
    return { status: 204 };
  }

  // ---------------------------------------------------------------- ingest: processing

  private schedule(jobId: string, delayMs: number, fn: () => void): void {
    this.cancelTimer(jobId);
    const t = setTimeout(() => {
      this.timers.delete(jobId);
      try {
        fn();
      } catch (e) {
        // An unexpected error must not take the emulator down: the job fails, as on an internal error.
        const job = this.jobMap.get(jobId);
        if (job) {
          job.state = 'Failed';
          job.errorMessage = `InternalServerError : ${e instanceof Error ? e.message : String(e)}`;
          job.systemModstamp = new Date();
        }
      }
    }, delayMs);
    t.unref();
    this.timers.set(jobId, t);
  }

  private cancelTimer(jobId: string): void {
    const t = this.timers.get(jobId);
    if (t) clearTimeout(t);
    this.timers.delete(jobId);
  }

  private asActor(job: IngestJob, fn: () => void): void {
    if (this.deps.runAs) this.deps.runAs(job.actor, fn);
    else fn();
  }

  private startProcessing(job: IngestJob): void {
    if (job.state !== 'UploadComplete') return;
    job.state = 'InProgress';
    job.startedAt = Date.now();
    job.systemModstamp = new Date();
    let columns: Column[];
    try {
      if (job.data === undefined) throw new JobFailure('InvalidBatch : No data was uploaded to the job');
      const parsed = parseUpload(job.data, job.lineEnding, job.columnDelimiter);
      job.header = parsed.header;
      job.rows = parsed.rows;
      columns = this.resolveColumns(job, parsed.header);
    } catch (e) {
      if (!(e instanceof JobFailure)) throw e;
      this.fail(job, e.message);
      return;
    }
    const runBatch = (): void => {
      if (job.state !== 'InProgress') return;
      const rows = job.rows ?? [];
      const end = Math.min(job.nextRow + INTERNAL_BATCH_SIZE, rows.length);
      const t0 = Date.now();
      this.processBatch(job, columns, job.nextRow, end);
      job.apiActiveProcessingTime += Date.now() - t0;
      job.nextRow = end;
      job.systemModstamp = new Date();
      if (end < rows.length) {
        this.schedule(job.id, 0, () => this.asActor(job, runBatch));
      } else {
        this.schedule(job.id, this.processingDelayMs, () => this.complete(job));
      }
    };
    runBatch();
  }

  private complete(job: IngestJob): void {
    if (job.state !== 'InProgress') return;
    job.state = 'JobComplete';
    job.systemModstamp = new Date();
    job.totalProcessingTime = Date.now() - (job.startedAt ?? Date.now());
  }

  private fail(job: IngestJob, message: string): void {
    job.state = 'Failed';
    job.errorMessage = message;
    job.systemModstamp = new Date();
    job.totalProcessingTime = Date.now() - (job.startedAt ?? Date.now());
  }

  /** Resolves the header row against the schema; a bad column fails the whole job, as on Salesforce. */
  private resolveColumns(job: IngestJob, header: string[]): Column[] {
    const schema = this.deps.describe(job.object);
    if (!schema) throw new JobFailure(`InvalidBatch : sObject type '${job.object}' is not supported.`);
    const seen = new Set<string>();
    const columns: Column[] = [];
    for (const h of header) {
      const column = this.resolveColumn(schema, h);
      const key = column.kind === 'field' ? column.field.name.toLowerCase() : column.header.toLowerCase();
      if (seen.has(key)) throw new JobFailure(`InvalidBatch : Duplicate field name: ${h}`);
      seen.add(key);
      columns.push(column);
    }
    return columns;
  }

  private resolveColumn(schema: ObjectSchema, header: string): Column {
    const notFoundError = (): JobFailure => new JobFailure(`InvalidBatch : Field name not found : ${header}`);
    const dot = header.indexOf('.');
    if (dot < 0) {
      const field = findField(schema, header);
      if (!field) throw notFoundError();
      return { kind: 'field', header, field };
    }
    // Relationship column: RelationshipName.IndexedField or ObjectType:RelationshipName.IndexedField
    let rel = header.slice(0, dot);
    const lookupName = header.slice(dot + 1);
    let type: string | undefined;
    const colon = rel.indexOf(':');
    if (colon >= 0) {
      type = rel.slice(0, colon);
      rel = rel.slice(colon + 1);
    }
    if (!this.deps.query || lookupName.includes('.')) throw notFoundError();
    const field = schema.fields.find(
      (f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === rel.toLowerCase()
    );
    if (!field) throw notFoundError();
    const targets = field.referenceTo ?? [];
    if (type !== undefined && targets.length <= 1) {
      throw new JobFailure(
        `InvalidBatch : type is not needed for non polymorphic foreign key references: ${field.relationshipName ?? rel}`
      );
    }
    const indexed = (s: ObjectSchema | undefined): FieldSchema | undefined => {
      const f = s ? findField(s, lookupName) : undefined;
      return f && (f.type === 'id' || f.externalId === true || f.idLookup === true) ? f : undefined;
    };
    let targetName: string | undefined;
    if (type !== undefined) {
      targetName = targets.find((t) => t.toLowerCase() === type?.toLowerCase());
      if (!targetName) throw notFoundError();
    } else {
      targetName = targets.find((t) => indexed(this.deps.describe(t))) ?? targets[0];
    }
    if (!targetName) throw notFoundError();
    const target = this.deps.describe(targetName);
    if (!target) throw notFoundError();
    const lookup = indexed(target);
    if (!lookup) {
      if (!findField(target, lookupName)) throw notFoundError();
      throw new JobFailure(
        `InvalidBatch : Field name provided, ${lookupName} does not match an External ID, Salesforce Id, or indexed field for ${target.name}`
      );
    }
    return { kind: 'relationship', header, field, target: target.name, lookupField: lookup.name };
  }

  private processBatch(job: IngestJob, columns: Column[], start: number, end: number): void {
    const rows = job.rows ?? [];
    const idIndex = columns.findIndex((c) => c.kind === 'field' && c.field.name === 'Id');
    const extIndex =
      job.operation === 'upsert'
        ? columns.findIndex((c) => c.kind === 'field' && c.field.name === job.externalIdFieldName)
        : -1;
    // Duplicate keys inside one internal batch fail the later occurrences.
    const keysSeen = new Set<string>();
    for (let i = start; i < end; i++) {
      const row = rows[i];
      job.numberRecordsProcessed++;
      const rowId = idIndex >= 0 ? row[idIndex] ?? '' : '';
      try {
        const result = this.processRow(job, columns, row, idIndex, extIndex, keysSeen);
        job.successful.push({ id: result.id, created: result.created, row });
      } catch (e) {
        job.numberRecordsFailed++;
        const failedId = job.operation === 'insert' ? '' : rowId;
        job.failed.push({ id: failedId, error: formatError(e), row });
      }
    }
  }

  private processRow(
    job: IngestJob,
    columns: Column[],
    row: string[],
    idIndex: number,
    extIndex: number,
    keysSeen: Set<string>
  ): { id: string; created: boolean } {
    const { ops } = this.deps;
    const object = job.object;
    const rowId = idIndex >= 0 ? (row[idIndex] ?? '').trim() : '';
    switch (job.operation) {
      case 'delete':
      case 'hardDelete': {
        if (!rowId) throw new SalesforceError('MISSING_ARGUMENT', 'Id not specified in a delete call');
        checkDuplicate(keysSeen, rowId, () => new SalesforceError('DUPLICATE_VALUE', `Duplicate id in list: ${rowId}`));
        ops.delete(object, rowId);
        return { id: rowId, created: false };
      }
      case 'update': {
        if (!rowId) throw new SalesforceError('MISSING_ARGUMENT', 'Id not specified in an update call');
        checkDuplicate(keysSeen, rowId, () => new SalesforceError('DUPLICATE_VALUE', `Duplicate id in list: ${rowId}`));
        const fields = this.rowFields(columns, row, new Set(['Id']));
        ops.update(object, rowId, fields);
        return { id: rowId, created: false };
      }
      case 'insert': {
        if (rowId) {
          throw new SalesforceError('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', 400, ['Id']);
        }
        const fields = this.rowFields(columns, row, new Set(['Id']));
        return { id: ops.create(object, fields), created: true };
      }
      case 'upsert': {
        const extField = job.externalIdFieldName ?? 'Id';
        // externalIdFieldName Id: Bulk API 2.0 upserts "based on an ID, or the value of a specified external ID field"
        // (Bulk API 2.0 Developer Guide, "Upsert Records"); a row without an Id is created ("to force Salesforce to
        // create a new record, set the name of the external ID field to Id and the external ID to null", Mobile SDK
        // upsert reference). What a real org answers for an Id that matches no record is unconfirmed (here: the
        // update's NOT_FOUND, no insert).
        if (extField === 'Id') {
          const fields = this.rowFields(columns, row, new Set(['Id']));
          if (!rowId) return { id: ops.create(object, fields), created: true };
          checkDuplicate(keysSeen, rowId, () => new SalesforceError('DUPLICATE_VALUE', `Duplicate id in list: ${rowId}`));
          ops.update(object, rowId, fields);
          return { id: rowId, created: false };
        }
        const value = extIndex >= 0 ? row[extIndex] ?? '' : '';
        if (value === '' || value === NULL_VALUE) {
          throw new SalesforceError('MISSING_ARGUMENT', `${extField} not specified`);
        }
        checkDuplicate(
          keysSeen,
          value.toLowerCase(),
          () => new SalesforceError('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${value}`, 400, [extField])
        );
        const fields = this.rowFields(columns, row, new Set(['Id', extField]));
        if (rowId) fields.Id = rowId;
        return ops.upsert(object, extField, value, fields);
      }
      default:
        throw new SalesforceError('INVALIDJOB', `Unsupported operation ${String(job.operation)}`);
    }
  }

  /** Turns one CSV row into field values: empty = not set, #N/A = null, typed conversion per field. */
  private rowFields(columns: Column[], row: string[], skip: Set<string>): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    columns.forEach((column, index) => {
      const raw = row[index] ?? '';
      if (column.kind === 'field' && skip.has(column.field.name)) return;
      if (raw === '') return;
      if (raw === NULL_VALUE) {
        fields[column.field.name] = null;
        return;
      }
      if (column.kind === 'relationship') {
        fields[column.field.name] = this.lookup(column, raw);
        return;
      }
      fields[column.field.name] = convertValue(column.field, raw, index + 1);
    });
    return fields;
  }

  private lookup(column: Extract<Column, { kind: 'relationship' }>, value: string): string {
    const escaped = value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const rows = this.deps.query!(`SELECT Id FROM ${column.target} WHERE ${column.lookupField} = '${escaped}'`);
    if (rows.length === 0) {
      throw new SalesforceError(
        'INVALID_FIELD',
        `Foreign key external ID: ${value} not found for field ${column.lookupField} in entity ${column.target}`
      );
    }
    if (rows.length > 1) {
      throw new SalesforceError(
        'INVALID_FIELD',
        `Foreign key external ID: ${value} matched more than one record for field ${column.lookupField} in entity ${column.target}`
      );
    }
    return String(rows[0].Id);
  }

  // ---------------------------------------------------------------- ingest: results

  private successfulCsv(job: IngestJob): string {
    return this.resultCsv(
      job,
      ['sf__Id', 'sf__Created'],
      job.successful.map((r) => [r.id, String(r.created), ...r.row])
    );
  }

  private failedCsv(job: IngestJob): string {
    return this.resultCsv(
      job,
      ['sf__Id', 'sf__Error'],
      job.failed.map((r) => [r.id, r.error, ...r.row])
    );
  }

  private resultCsv(job: IngestJob, sfColumns: string[], rows: string[][]): string {
    const header = this.headerOf(job);
    if (header === undefined) return '';
    const { delimiter, recordDelimiter } = csvFormat(job);
    const width = sfColumns.length + header.length;
    const sfHeader = sfColumns.map((c) => `"${c}"`).join(delimiter);
    const origHeader = header.length
      ? stringify([header], { delimiter, record_delimiter: recordDelimiter, eof: false })
      : '';
    const headerLine = origHeader ? `${sfHeader}${delimiter}${origHeader}` : sfHeader;
    const body = rows.length
      ? stringify(
          rows.map((r) => pad(r, width)),
          { delimiter, record_delimiter: recordDelimiter, quoted: true, quoted_empty: true }
        )
      : '';
    return `${headerLine}${recordDelimiter}${body}`;
  }

  private unprocessedCsv(job: IngestJob): string {
    const header = this.headerOf(job);
    if (header === undefined) {
      // Data that could not be parsed at all is returned as uploaded.
      return job.data ? job.data.toString('utf8') : '';
    }
    const { delimiter, recordDelimiter } = csvFormat(job);
    const rows = job.rows ?? parseUploadQuietly(job)?.rows ?? [];
    const remaining = rows.slice(job.nextRow);
    return stringify([header, ...remaining], { delimiter, record_delimiter: recordDelimiter });
  }

  /** The uploaded header row, parsing the upload if processing has not started; undefined if unparseable or absent. */
  private headerOf(job: IngestJob): string[] | undefined {
    if (job.header) return job.header;
    return parseUploadQuietly(job)?.header;
  }

  // ---------------------------------------------------------------- listing

  private listJobs(req: EmuRequest, version: string, area: 'ingest' | 'query'): EmuResponse {
    const jobType = req.query.get('jobType');
    const pk = req.query.get('isPkChunkingEnabled');
    const concurrency = req.query.get('concurrencyMode');
    const kind = area === 'ingest' ? 'ingest' : 'query';
    let jobs = [...this.jobMap.values()]
      .filter((j) => j.kind === kind)
      .sort((a, b) => a.createdDate.getTime() - b.createdDate.getTime());
    if (jobType && jobType !== (kind === 'ingest' ? 'V2Ingest' : 'V2Query')) jobs = [];
    if (pk === 'true') jobs = []; // PK chunking applies to Bulk API (1.0) jobs only
    if (concurrency && concurrency.toLowerCase() !== 'parallel') jobs = [];
    let offset = 0;
    const locator = req.query.get('queryLocator');
    if (locator) {
      const n = decodeLocator(locator);
      if (n === undefined) throw new SalesforceError('INVALID_QUERY_LOCATOR', 'invalid query locator');
      offset = n;
    }
    const page = jobs.slice(offset, offset + JOBS_PAGE_SIZE);
    const done = offset + JOBS_PAGE_SIZE >= jobs.length;
    const next = new URLSearchParams(req.query);
    next.set('queryLocator', encodeLocator(offset + JOBS_PAGE_SIZE));
    return jsonResponse(200, {
      done,
      records: page.map(jobSummary),
      nextRecordsUrl: done ? null : `/services/data/v${version}/jobs/${area}?${next.toString()}`,
    });
  }

  // ---------------------------------------------------------------- query jobs

  private createQueryJob(req: EmuRequest, version: string): EmuResponse {
    const raw = req.body.toString('utf8');
    const body = parseJsonBody(raw);
    const operation = body.operation;
    if (typeof operation !== 'string' || !['query', 'queryAll'].includes(operation)) {
      if (operation === undefined || operation === null) {
        throw new SalesforceError('INVALIDJOB', 'Operation is required for a job');
      }
      throw enumError(raw, 'operation', 'OperationEnum', operation);
    }
    const lineEnding = enumValue<LineEnding>(raw, body, 'lineEnding', 'LineEndingEnum', LINE_ENDINGS, 'LF');
    const columnDelimiter = enumValue<ColumnDelimiter>(
      raw,
      body,
      'columnDelimiter',
      'ColumnDelimiterEnum',
      Object.keys(DELIMITERS) as ColumnDelimiter[],
      'COMMA'
    );
    const soql = body.query;
    if (typeof soql !== 'string' || soql.trim() === '') {
      throw new SalesforceError('INVALIDJOB', 'Query is required for a query job');
    }
    if (!this.deps.query) {
      throw new SalesforceError('FEATURE_NOT_ENABLED', 'Bulk API 2.0 query jobs are not available in this org');
    }
    let parsed: ReturnType<typeof parseQuery>;
    try {
      parsed = parseQuery(soql);
    } catch (e) {
      throw new SalesforceError('MALFORMED_QUERY', e instanceof Error ? e.message : String(e));
    }
    if ((parsed.fields ?? []).some((f) => f.type === 'FieldSubquery')) {
      throw new SalesforceError(
        'FEATURE_NOT_ENABLED',
        'FeatureNotEnabled : Cannot serialize value for child relationship queries in CSV format'
      );
    }
    // Run the query now: SOQL errors surface on job creation, as on Salesforce.
    const rows = this.deps.query(soql, { includeDeleted: operation === 'queryAll' });
    const columns = (parsed.fields ?? []).map((f) => {
      if (f.type === 'Field') return f.field;
      if ('alias' in f && typeof f.alias === 'string' && f.alias) return f.alias;
      if ('rawValue' in f && typeof f.rawValue === 'string') return f.rawValue;
      return 'field';
    });
    const now = new Date();
    const job: QueryJob = {
      kind: 'query',
      id: this.deps.newId('750'),
      operation: operation as 'query' | 'queryAll',
      object: this.deps.describe(parsed.sObject ?? '')?.name ?? parsed.sObject ?? '',
      query: soql,
      createdById: this.userId(req),
      createdDate: now,
      systemModstamp: now,
      state: 'UploadComplete',
      apiVersion: version,
      contentType: 'CSV',
      lineEnding,
      columnDelimiter,
      columns,
      records: rows.map((r) => columns.map((c) => csvValue(pathValue(r, c)))),
      numberRecordsProcessed: 0,
      retries: 0,
      totalProcessingTime: 0,
    };
    this.jobMap.set(job.id, job);
    const started = Date.now();
    this.schedule(job.id, 0, () => {
      job.state = 'InProgress';
      job.systemModstamp = new Date();
      this.schedule(job.id, this.processingDelayMs, () => {
        job.state = 'JobComplete';
        job.numberRecordsProcessed = job.records.length;
        job.totalProcessingTime = Date.now() - started;
        job.systemModstamp = new Date();
      });
    });
    return jsonResponse(200, queryInfo(job, false));
  }

  private patchQueryJob(job: QueryJob, req: EmuRequest): EmuResponse {
    const raw = req.body.toString('utf8');
    const body = parseJsonBody(raw);
    if (body.state !== 'Aborted') {
      throw new SalesforceError('INVALIDJOBSTATE', `Changing the state of a query job to ${String(body.state)} is not allowed`);
    }
    this.abort(job);
    return jsonResponse(200, queryInfo(job, false));
  }

  private queryResults(job: QueryJob, req: EmuRequest): EmuResponse {
    if (job.state !== 'JobComplete') {
      throw new SalesforceError('INVALIDJOBSTATE', `Job ${job.id} is in the ${job.state} state; results are available when the job is JobComplete`);
    }
    let offset = 0;
    const locator = req.query.get('locator');
    if (locator && locator !== 'null') {
      const n = decodeLocator(locator);
      if (n === undefined || n > job.records.length) {
        throw new SalesforceError('INVALID_LOCATOR', `Invalid locator: ${locator}`);
      }
      offset = n;
    }
    const maxParam = req.query.get('maxRecords');
    let max = job.records.length;
    if (maxParam !== null) {
      const n = Number(maxParam);
      if (!Number.isInteger(n) || n <= 0) {
        throw new SalesforceError('INVALIDREQUEST', `Invalid maxRecords value: ${maxParam}`);
      }
      max = n;
    }
    const page = job.records.slice(offset, offset + max);
    const nextOffset = offset + page.length;
    const { delimiter, recordDelimiter } = csvFormat(job);
    const csv = stringify([job.columns, ...page], {
      delimiter,
      record_delimiter: recordDelimiter,
      quoted: true,
      quoted_empty: false,
    });
    return {
      status: 200,
      headers: {
        'Content-Type': CSV_CONTENT_TYPE,
        'Sforce-Locator': nextOffset < job.records.length ? encodeLocator(nextOffset) : 'null',
        'Sforce-NumberOfRecords': String(page.length),
      },
      body: csv,
    };
  }
}

// ---------------------------------------------------------------- job info shapes

function sfDate(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

function baseInfo(job: Job): Record<string, unknown> {
  const info: Record<string, unknown> = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: sfDate(job.createdDate),
    systemModstamp: sfDate(job.systemModstamp),
    state: job.state,
  };
  if (job.kind === 'ingest' && job.externalIdFieldName) info.externalIdFieldName = job.externalIdFieldName;
  if (job.kind === 'ingest' && job.assignmentRuleId) info.assignmentRuleId = job.assignmentRuleId;
  info.concurrencyMode = 'Parallel';
  info.contentType = job.contentType;
  info.apiVersion = Number(job.apiVersion);
  return info;
}

function ingestInfo(job: IngestJob, full: boolean): Record<string, unknown> {
  const info = baseInfo(job);
  if (job.state === 'Open') {
    info.contentUrl = `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`;
  }
  info.jobType = 'V2Ingest';
  info.lineEnding = job.lineEnding;
  info.columnDelimiter = job.columnDelimiter;
  if (full) {
    info.numberRecordsProcessed = job.numberRecordsProcessed;
    info.numberRecordsFailed = job.numberRecordsFailed;
    info.retries = job.retries;
    info.totalProcessingTime = job.totalProcessingTime;
    info.apiActiveProcessingTime = job.apiActiveProcessingTime;
    info.apexProcessingTime = job.apexProcessingTime;
    info.isPkChunkingSupported = false;
  }
  if (job.errorMessage) info.errorMessage = job.errorMessage;
  return info;
}

function queryInfo(job: QueryJob, full: boolean): Record<string, unknown> {
  const info = baseInfo(job);
  info.jobType = 'V2Query';
  info.lineEnding = job.lineEnding;
  info.columnDelimiter = job.columnDelimiter;
  if (full) {
    info.numberRecordsProcessed = job.numberRecordsProcessed;
    info.retries = job.retries;
    info.totalProcessingTime = job.totalProcessingTime;
    info.isPkChunkingSupported = true;
  }
  if (job.errorMessage) info.errorMessage = job.errorMessage;
  return info;
}

/** A job as the job list shows it: the short info, without errorMessage; ingest jobs always carry contentUrl. */
function jobSummary(job: IngestJob | QueryJob): Record<string, unknown> {
  const info = job.kind === 'ingest' ? ingestInfo(job, false) : queryInfo(job, false);
  delete info.errorMessage;
  if (job.kind === 'ingest') info.contentUrl = `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`;
  return info;
}

function stateWord(state: JobState): string {
  return state === 'JobComplete' ? 'Completed' : state;
}

// ---------------------------------------------------------------- responses

/** JSON as Salesforce writes it: apiVersion keeps its decimal (66.0). */
function jsonResponse(status: number, body: unknown): EmuResponse {
  const text = JSON.stringify(body).replace(/"apiVersion":(\d+)(?=[,}])/g, '"apiVersion":$1.0');
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE }, body: text };
}

function errorResponse(status: number, errorCode: string, message: string): EmuResponse {
  return jsonResponse(status, [{ errorCode, message }]);
}

function notFound(): EmuResponse {
  return errorResponse(404, 'NOT_FOUND', 'The requested resource does not exist');
}

function methodNotAllowed(method: string, allowed: string): EmuResponse {
  return {
    ...errorResponse(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${allowed}`),
    headers: { 'Content-Type': JSON_CONTENT_TYPE, Allow: allowed },
  };
}

function csvResponse(csv: string): EmuResponse {
  return { status: 200, headers: { 'Content-Type': CSV_CONTENT_TYPE }, body: csv };
}

// ---------------------------------------------------------------- request parsing

function parseJsonBody(raw: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    throw new SalesforceError('JSON_PARSER_ERROR', e instanceof Error ? e.message : 'Invalid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SalesforceError(
      'JSON_PARSER_ERROR',
      'Cannot deserialize instance of JobInfo from non-object value or request may be missing a required field at [line:1, column:1]'
    );
  }
  return body as Record<string, unknown>;
}

function enumValue<T extends string>(
  raw: string,
  body: Record<string, unknown>,
  key: string,
  enumName: string,
  allowed: readonly T[],
  dflt: T
): T {
  const v = body[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'string' && allowed.includes(v as T)) return v as T;
  throw enumError(raw, key, enumName, v);
}

/** The Jackson-style error Salesforce answers for a value that is not one of an enum's names. */
function enumError(raw: string, key: string, enumName: string, value: unknown): SalesforceError {
  const re = new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*"|[^,}\\s]+)`);
  const m = re.exec(raw);
  let line = 1;
  let column = 1;
  if (m) {
    const end = m.index + m[0].length;
    const before = raw.slice(0, end);
    line = before.split('\n').length;
    column = end - (before.lastIndexOf('\n') + 1) + 1;
  }
  const token = typeof value === 'string' ? 'VALUE_STRING' : typeof value === 'number' ? 'VALUE_NUMBER_INT' : 'START_OBJECT';
  return new SalesforceError(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${enumName} from ${token} value ${String(
      typeof value === 'object' ? JSON.stringify(value) : value
    )} or request may be missing a required field at [line:${line}, column:${column}]`
  );
}

function checkContentType(raw: string, value: unknown): void {
  const contentType = value ?? 'CSV';
  if (contentType === 'CSV') return;
  if (typeof contentType !== 'string' || !['JSON', 'XML', 'ZIP_CSV', 'ZIP_JSON', 'ZIP_XML'].includes(contentType)) {
    throw enumError(raw, 'contentType', 'ContentType', contentType);
  }
  throw new SalesforceError('INVALIDJOB', `Unsupported content type ${contentType}. Only CSV is supported`);
}

/** The canonical name of an upsert job's externalIdFieldName (External ID, idLookup or Id field). */
function upsertKeyField(schema: ObjectSchema, ext: unknown): string {
  if (typeof ext !== 'string' || ext.trim() === '') {
    throw new SalesforceError(
      'INVALIDJOB',
      `External ID was blank for ${schema.name}. An External ID must be specified for upsert.`
    );
  }
  const field = findField(schema, ext);
  if (!field || !(field.type === 'id' || field.externalId === true || field.idLookup === true)) {
    throw new SalesforceError(
      'INVALIDJOB',
      `Field name provided, ${ext} does not match an External ID, Salesforce Id, or indexed field for ${schema.name}`
    );
  }
  return field.name;
}

// ---------------------------------------------------------------- CSV

function csvFormat(job: { lineEnding: LineEnding; columnDelimiter: ColumnDelimiter }): {
  delimiter: string;
  recordDelimiter: string;
} {
  return {
    delimiter: DELIMITERS[job.columnDelimiter],
    recordDelimiter: job.lineEnding === 'CRLF' ? '\r\n' : '\n',
  };
}

/** Where the first record (the header row) ends, outside quotes: '\n', '\r\n' or undefined (no line break). */
function firstLineTerminator(text: string): '\n' | '\r\n' | undefined {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && c === '\n') return i > 0 && text[i - 1] === '\r' ? '\r\n' : '\n';
  }
  return undefined;
}

function parseUpload(
  data: Buffer,
  lineEnding: LineEnding,
  columnDelimiter: ColumnDelimiter
): { header: string[]; rows: string[][] } {
  let text = data.toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') throw new JobFailure('InvalidBatch : No data was uploaded to the job');
  const terminator = firstLineTerminator(text);
  if (terminator && terminator !== (lineEnding === 'CRLF' ? '\r\n' : '\n')) {
    throw new JobFailure(`ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${lineEnding}`);
  }
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: DELIMITERS[columnDelimiter],
      record_delimiter: lineEnding === 'CRLF' ? '\r\n' : '\n',
      skip_empty_lines: true,
      relax_column_count: false,
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new JobFailure(`InvalidBatch : Failed to parse CSV: ${msg}`);
  }
  const [header, ...rows] = records;
  return { header, rows };
}

function parseUploadQuietly(job: IngestJob): { header: string[]; rows: string[][] } | undefined {
  if (!job.data) return undefined;
  try {
    return parseUpload(job.data, job.lineEnding, job.columnDelimiter);
  } catch {
    return undefined;
  }
}

function pad(row: string[], width: number): string[] {
  if (row.length >= width) return row;
  return [...row, ...new Array<string>(width - row.length).fill('')];
}

// ---------------------------------------------------------------- values

function findField(schema: ObjectSchema, name: string): FieldSchema | undefined {
  const lower = name.toLowerCase();
  return schema.fields.find((f) => f.name.toLowerCase() === lower);
}

function checkDuplicate(seen: Set<string>, key: string, error: () => SalesforceError): void {
  const k = key.length === 18 || key.length === 15 ? key.slice(0, 15) : key;
  if (seen.has(k)) throw error();
  seen.add(k);
}

/** ERROR_CODE:message:Field1 Field2 -- (or ERROR_CODE:message:-- without fields), as in Bulk results. */
export function formatError(e: unknown): string {
  if (e instanceof SalesforceError) {
    const fields = e.fields.length ? `${e.fields.join(' ')} ` : '';
    return `${e.errorCode}:${e.message}:${fields}--`;
  }
  const message = e instanceof Error ? e.message : String(e);
  return `UNKNOWN_EXCEPTION:${message}:--`;
}

function deserializeError(field: FieldSchema, raw: string, col: number, xsdType: string): SalesforceError {
  return new SalesforceError(
    'INVALID_FIELD',
    `Failed to deserialize field at col ${col}. Due to, '${raw}' is not a valid value for the type xsd:${xsdType}`,
    400,
    [field.name]
  );
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const TIME_RE = /^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z?$/;

function convertBoolean(field: FieldSchema, raw: string, col: number): boolean {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw deserializeError(field, raw, col, 'boolean');
}

function convertNumber(field: FieldSchema, raw: string, col: number): number {
  const v = raw.trim();
  if (field.type === 'int') {
    if (!/^[+-]?\d+$/.test(v)) throw deserializeError(field, raw, col, 'int');
  } else if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    throw deserializeError(field, raw, col, 'double');
  }
  return Number(v);
}

function convertDate(field: FieldSchema, raw: string, col: number): string {
  const m = DATE_RE.exec(raw.trim());
  if (!m) throw deserializeError(field, raw, col, 'date');
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m[3])) throw deserializeError(field, raw, col, 'date');
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function convertDateTime(field: FieldSchema, raw: string, col: number): string {
  const v = raw.trim();
  if (!DATETIME_RE.test(v)) throw deserializeError(field, raw, col, 'dateTime');
  const iso = v.includes('T') ? v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : `${v}T00:00:00Z`;
  const t = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(t)) throw deserializeError(field, raw, col, 'dateTime');
  return new Date(t).toISOString();
}

/** Converts a CSV string to the field's value; throws INVALID_FIELD (Failed to deserialize...) on a bad value. */
export function convertValue(field: FieldSchema, raw: string, col: number): unknown {
  switch (field.type) {
    case 'boolean':
      return convertBoolean(field, raw, col);
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return convertNumber(field, raw, col);
    case 'date':
      return convertDate(field, raw, col);
    case 'datetime':
      return convertDateTime(field, raw, col);
    case 'time':
      if (!TIME_RE.test(raw.trim())) throw deserializeError(field, raw, col, 'time');
      return raw.trim();
    default:
      return raw;
  }
}

/** Value of a dotted column (Account.Name) in a REST-shaped row, matched case-insensitively. */
function pathValue(row: Record<string, unknown>, path: string): unknown {
  let current: unknown = row;
  for (const part of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return null;
    const obj = current as Record<string, unknown>;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? null : obj[key];
  }
  return current;
}

function csvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/.test(v) ? v.replace('+0000', 'Z') : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}

function decodeLocator(locator: string): number | undefined {
  const text = Buffer.from(locator, 'base64url').toString('utf8');
  if (!/^\d+$/.test(text)) return undefined;
  return Number(text);
}
