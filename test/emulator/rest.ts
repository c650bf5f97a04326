/*
 * The REST API of the emulated org: sObjects, describe, query, sObject Collections, Composite, limits, Tooling.
 * Answers use Salesforce's JSON shapes and error bodies ([{message, errorCode, fields}]).
 */
import { randomBytes } from 'node:crypto';
import { fieldOf } from './schema.js';
import { executeSoql } from './soql.js';
import { normalizeId } from './ids.js';
import type { OrgStore } from './store.js';
import { SalesforceError, type EmuRequest, type EmuResponse, type FieldSchema, type ObjectSchema, type SObjectRecord } from './types.js';

export const QUERY_PAGE_SIZE = 2000;
export const COLLECTION_LIMIT = 200;
export const COMPOSITE_LIMIT = 25;

type Cursor = { rows: Array<Record<string, unknown>>; totalSize: number; apiVersion: string; pageSize: number; tooling: boolean; created: number };

/** Datetimes as the REST API writes them: 2024-01-31T12:00:00.000+0000. */
export const formatDateTime = (iso: string): string => new Date(iso).toISOString().replace('Z', '+0000');

export const formatValue = (field: FieldSchema | undefined, value: unknown): unknown => {
  if (value === undefined || value === null) return null;
  if (field?.type === 'datetime' && typeof value === 'string') return formatDateTime(value);
  return value;
};

export const recordUrl = (apiVersion: string, type: string, id: string, tooling = false): string =>
  `/services/data/v${apiVersion}/${tooling ? 'tooling/' : ''}sobjects/${type}/${id}`;

export const shapeRecord = (
  schema: ObjectSchema,
  record: SObjectRecord,
  apiVersion: string,
  fields?: string[],
  tooling = false
): Record<string, unknown> => {
  const out: Record<string, unknown> = { attributes: { type: schema.name, url: recordUrl(apiVersion, schema.name, record.Id, tooling) } };
  const list = fields ? fields.map((n) => fieldOf(schema, n)).filter((fl): fl is FieldSchema => fl !== undefined) : schema.fields;
  for (const fl of list) out[fl.name] = formatValue(fl, record[fl.name]);
  return out;
};

const errorBody = (e: SalesforceError): Array<Record<string, unknown>> => [e.toJSON()];
const json = (status: number, body: unknown, headers?: Record<string, string>): EmuResponse => ({ status, body: body as object, headers });

export class RestApi {
  private cursors = new Map<string, Cursor>();

  public constructor(
    private readonly store: OrgStore,
    private readonly limits: () => Record<string, unknown>,
    /** The identity URL of a user (https://<instance>/id/<orgId>/<userId>). */
    private readonly identityUrl: (userId: string) => string = () => ''
  ) {}

  public reset(): void {
    this.cursors.clear();
  }

  /** Handles /services/data/vNN.N/<rest> (rest = path after the version, starting with '/' or empty). */
  public handle(req: EmuRequest, rest: string): EmuResponse {
    const apiVersion = req.apiVersion ?? '66.0';
    const segs = rest.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (segs.length === 0) return json(200, this.resources(apiVersion, req.userId));
      const [head, ...tail] = segs;
      switch (head) {
        case 'limits':
          return this.only(req, 'GET', () => json(200, this.limits()));
        case 'sobjects':
          return this.sobjects(req, tail, apiVersion, false);
        case 'query':
        case 'queryAll':
          return this.query(req, tail, apiVersion, false, head === 'queryAll');
        case 'tooling':
          return this.tooling(req, tail, apiVersion);
        case 'composite':
          return this.composite(req, tail, apiVersion);
        default:
          throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
      }
    } catch (e) {
      if (e instanceof SalesforceError) {
        if (e.status === 300) {
          const matches = (e as SalesforceError & { matches?: string[] }).matches ?? [];
          const type = segs[1];
          return json(300, matches.map((id) => recordUrl(apiVersion, type, id)));
        }
        return json(e.status, errorBody(e));
      }
      throw e;
    }
  }

  /** The version's resources, with the session user's identity URL as a real org lists it (data loaders start there). */
  private resources(v: string, userId?: string): Record<string, string> {
    const base = `/services/data/v${v}`;
    return {
      ...(userId ? { identity: this.identityUrl(userId) } : {}),
      tooling: `${base}/tooling`,
      metadata: `${base}/metadata`,
      sobjects: `${base}/sobjects`,
      query: `${base}/query`,
      queryAll: `${base}/queryAll`,
      limits: `${base}/limits`,
      composite: `${base}/composite`,
      jobs: `${base}/jobs`,
      scim: '/services/scim',
    };
  }

  private only(req: EmuRequest, method: string, fn: () => EmuResponse): EmuResponse {
    if (req.method !== method) {
      throw new SalesforceError('METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are ${method}`, 405);
    }
    return fn();
  }

  private parseBody(req: EmuRequest): Record<string, unknown> {
    if (req.body.length === 0) return {};
    try {
      const parsed = JSON.parse(req.body.toString('utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      return parsed as Record<string, unknown>;
    } catch {
      throw new SalesforceError('JSON_PARSER_ERROR', 'The request body is either invalid or incomplete.', 400);
    }
  }

  private schemaOrThrow(name: string, tooling: boolean): ObjectSchema {
    // Per user: an object the user cannot read answers as one that does not exist.
    const schema = this.store.describeAs(name, { tooling });
    if (!schema) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
    return schema;
  }

  // ---------------------------------------------------------------- sObjects

  private sobjects(req: EmuRequest, segs: string[], v: string, tooling: boolean): EmuResponse {
    if (segs.length === 0) return this.only(req, 'GET', () => json(200, this.describeGlobal(tooling)));
    const schema = this.schemaOrThrow(segs[0], tooling);
    if (segs.length === 1) {
      if (req.method === 'GET') {
        return json(200, { objectDescribe: this.describeBasic(schema, v, tooling), recentItems: [] });
      }
      if (req.method === 'POST') {
        const id = this.store.create(schema.name, this.parseBody(req));
        return json(201, { id, success: true, errors: [] });
      }
      throw new SalesforceError('METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are HEAD,GET,POST`, 405);
    }
    if (segs[1] === 'describe' && segs.length === 2) return this.only(req, 'GET', () => json(200, this.describeFull(schema, v, tooling)));
    if (segs.length === 2) {
      const id = segs[1];
      switch (req.method) {
        case 'GET': {
          const rec = tooling ? this.store.records(schema.name, { tooling }).find((r) => r.Id === normalizeId(id)) : this.store.get(schema.name, id);
          if (!rec) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
          const fields = req.query.get('fields')?.split(',').map((s) => s.trim()).filter(Boolean);
          if (fields) {
            const bad = fields.find((n) => !fieldOf(schema, n));
            if (bad) throw new SalesforceError('INVALID_FIELD', `No such column '${bad}' on entity '${schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`, 400);
          }
          return json(200, shapeRecord(schema, rec, v, fields, tooling));
        }
        case 'PATCH':
          this.store.update(schema.name, id, this.parseBody(req));
          return { status: 204 };
        case 'DELETE':
          this.store.delete(schema.name, id);
          return { status: 204 };
        default:
          throw new SalesforceError('METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are HEAD,GET,PATCH,DELETE`, 405);
      }
    }
    if (segs.length === 3) {
      // /sobjects/{Type}/{externalIdField}/{value}
      const [, fieldName, value] = segs;
      const field = fieldOf(schema, fieldName);
      if (!field || (!field.externalId && !field.idLookup)) {
        throw new SalesforceError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${fieldName}`, 404);
      }
      if (req.method === 'GET') {
        const matches = this.store.records(schema.name).filter((r) => String(r[field.name] ?? '').toLowerCase() === value.toLowerCase());
        if (matches.length === 0) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
        if (matches.length > 1) return json(300, matches.map((m) => recordUrl(v, schema.name, m.Id)));
        return json(200, shapeRecord(schema, matches[0], v));
      }
      if (req.method === 'PATCH') {
        const result = this.store.upsert(schema.name, field.name, value, this.parseBody(req));
        return json(result.created ? 201 : 200, { id: result.id, success: true, errors: [], created: result.created });
      }
      if (req.method === 'DELETE') {
        const matches = this.store.records(schema.name).filter((r) => String(r[field.name] ?? '').toLowerCase() === value.toLowerCase());
        if (matches.length === 0) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
        if (matches.length > 1) return json(300, matches.map((m) => recordUrl(v, schema.name, m.Id)));
        this.store.delete(schema.name, matches[0].Id);
        return { status: 204 };
      }
    }
    throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
  }

  private describeGlobal(tooling: boolean): Record<string, unknown> {
    const names = tooling ? ['Certificate', 'ApexClass', 'SamlSsoConfig', 'SandboxProcess', 'EntityDefinition'] : undefined;
    const schemas = (names ?? this.allNames()).map((n) => this.store.describeAs(n, { tooling })).filter((s): s is ObjectSchema => !!s);
    return {
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: schemas.map((s) => ({
        name: s.name,
        label: s.label,
        labelPlural: s.labelPlural,
        keyPrefix: s.keyPrefix,
        custom: false,
        createable: s.createable,
        updateable: s.updateable,
        deletable: s.deletable,
        queryable: s.queryable,
        retrieveable: true,
        searchable: s.queryable,
        urls: { sobject: `/services/data/v66.0/${tooling ? 'tooling/' : ''}sobjects/${s.name}` },
      })),
    };
  }

  private allNames(): string[] {
    return [
      'User', 'UserLogin', 'UserRole', 'UserLicense', 'Profile', 'PermissionSet', 'PermissionSetGroup', 'PermissionSetAssignment',
      'SetupEntityAccess', 'Account', 'Contact', 'Lead', 'Organization', 'AuthConfig', 'AuthConfigProviders', 'AuthProvider',
      'ApexClass', 'SamlSsoConfig', 'ConnectedApplication', 'ObjectPermissions', 'FieldPermissions', 'PermissionSetGroupComponent',
      'PermissionSetLicense', 'EntityDefinition',
    ];
  }

  private describeBasic(schema: ObjectSchema, v: string, tooling: boolean): Record<string, unknown> {
    return {
      name: schema.name,
      label: schema.label,
      labelPlural: schema.labelPlural,
      keyPrefix: schema.keyPrefix,
      custom: false,
      createable: schema.createable,
      updateable: schema.updateable,
      deletable: schema.deletable,
      queryable: schema.queryable,
      retrieveable: true,
      searchable: schema.queryable,
      urls: {
        sobject: `/services/data/v${v}/${tooling ? 'tooling/' : ''}sobjects/${schema.name}`,
        describe: `/services/data/v${v}/${tooling ? 'tooling/' : ''}sobjects/${schema.name}/describe`,
        rowTemplate: `/services/data/v${v}/${tooling ? 'tooling/' : ''}sobjects/${schema.name}/{ID}`,
      },
    };
  }

  private describeFull(schema: ObjectSchema, v: string, tooling: boolean): Record<string, unknown> {
    return {
      ...this.describeBasic(schema, v, tooling),
      // Relationships to objects the user cannot see are left out, as the objects are.
      childRelationships: (schema.childRelationships ?? []).filter((c) => this.store.describeAs(c.childSObject, { tooling })).map((c) => ({ ...c, cascadeDelete: false })),
      fields: schema.fields.map((fl) => ({
        name: fl.name,
        label: fl.label ?? fl.name,
        type: fl.type,
        length: fl.length ?? 0,
        nillable: fl.nillable,
        createable: fl.createable,
        updateable: fl.updateable,
        filterable: fl.filterable !== false,
        defaultedOnCreate: fl.defaultedOnCreate === true,
        calculated: false,
        custom: false,
        unique: fl.unique === true,
        externalId: fl.externalId === true,
        idLookup: fl.idLookup === true,
        referenceTo: fl.referenceTo ?? [],
        relationshipName: fl.relationshipName ?? null,
        restrictedPicklist: fl.restrictedPicklist === true,
        defaultValue: fl.defaultValue ?? null,
        picklistValues: (fl.picklistValues ?? []).map((value) => ({
          value,
          label: value,
          active: true,
          defaultValue: fl.defaultValue === value,
        })),
      })),
    };
  }

  // ---------------------------------------------------------------- query

  private query(req: EmuRequest, segs: string[], v: string, tooling: boolean, all: boolean): EmuResponse {
    if (req.method !== 'GET') throw new SalesforceError('METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET`, 405);
    if (segs.length === 1) return json(200, this.nextPage(segs[0]));
    const q = req.query.get('q');
    if (!q) throw new SalesforceError('MALFORMED_QUERY', 'A query string has to be specified', 400);
    const result = executeSoql(q, this.store.dataSource(), { tooling, includeDeleted: all, apiVersion: v });
    const batch = /batchSize=(\d+)/.exec(req.headers['sforce-query-options'] ?? '');
    const pageSize = batch ? Math.min(Math.max(Number(batch[1]), 200), QUERY_PAGE_SIZE) : QUERY_PAGE_SIZE;
    const cursor: Cursor = { rows: result.records, totalSize: result.totalSize, apiVersion: v, pageSize, tooling, created: Date.now() };
    if (result.records.length <= pageSize) {
      return json(200, { totalSize: result.totalSize, done: true, records: result.records });
    }
    const locator = `01g${randomBytes(6).toString('hex').slice(0, 12)}`;
    this.cursors.set(locator, cursor);
    return json(200, this.page(locator, cursor, 0));
  }

  private page(locator: string, c: Cursor, offset: number): Record<string, unknown> {
    const end = offset + c.pageSize;
    const done = end >= c.rows.length;
    const body: Record<string, unknown> = { totalSize: c.totalSize, done, records: c.rows.slice(offset, end) };
    if (!done) body.nextRecordsUrl = `/services/data/v${c.apiVersion}/${c.tooling ? 'tooling/' : ''}query/${locator}-${end}`;
    else this.cursors.delete(locator);
    return body;
  }

  private nextPage(token: string): Record<string, unknown> {
    const m = /^(01g[0-9a-zA-Z]+)-(\d+)$/.exec(token);
    const cursor = m ? this.cursors.get(m[1]) : undefined;
    if (!m || !cursor) {
      throw new SalesforceError('INVALID_QUERY_LOCATOR', 'invalid query locator', 400);
    }
    return this.page(m[1], cursor, Number(m[2]));
  }

  // ---------------------------------------------------------------- tooling

  private tooling(req: EmuRequest, segs: string[], v: string): EmuResponse {
    const [head, ...tail] = segs;
    if (head === 'query' || head === 'queryAll') return this.query(req, tail, v, true, head === 'queryAll');
    if (head === 'sobjects') {
      // Tooling writes change the org's setup: Customize Application or Modify Metadata (or Modify All Data).
      const p = this.store.actingAccess()?.perms;
      if (p && req.method !== 'GET' && !p.PermissionsCustomizeApplication && !p.PermissionsModifyMetadata && !p.PermissionsModifyAllData) {
        throw new SalesforceError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', 400);
      }
      return this.sobjects(req, tail, v, true);
    }
    if (!head) return json(200, { sobjects: `/services/data/v${v}/tooling/sobjects`, query: `/services/data/v${v}/tooling/query` });
    throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
  }

  // ---------------------------------------------------------------- composite

  private composite(req: EmuRequest, segs: string[], v: string): EmuResponse {
    if (segs[0] === 'sobjects') return this.collections(req, segs.slice(1), v);
    if (segs.length === 0 && req.method === 'POST') return this.compositeRequest(req, v);
    throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
  }

  private collections(req: EmuRequest, segs: string[], v: string): EmuResponse {
    if (req.method === 'GET') {
      const schema = this.schemaOrThrow(segs[0] ?? '', false);
      const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
      const fields = (req.query.get('fields') ?? '').split(',').filter(Boolean);
      if (ids.length > COLLECTION_LIMIT) throw this.tooMany();
      return json(200, ids.map((id) => {
        const rec = this.store.get(schema.name, id);
        return rec ? shapeRecord(schema, rec, v, fields.length ? ['Id', ...fields] : undefined) : null;
      }));
    }
    if (req.method === 'DELETE') {
      const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
      if (ids.length > COLLECTION_LIMIT) throw this.tooMany();
      const allOrNone = req.query.get('allOrNone') === 'true';
      return json(200, this.runCollection(ids, allOrNone, (id) => {
        const found = this.store.byId(id);
        if (!found) throw new SalesforceError('ENTITY_IS_DELETED', 'entity is deleted', 400);
        this.store.delete(found.type, id);
        return { id: found.record.Id };
      }));
    }
    const body = this.parseBody(req);
    const records = (body.records ?? []) as Array<Record<string, unknown>>;
    if (!Array.isArray(records)) throw new SalesforceError('JSON_PARSER_ERROR', 'records must be an array', 400);
    if (records.length > COLLECTION_LIMIT) throw this.tooMany();
    const allOrNone = body.allOrNone === true;
    const typeOf = (r: Record<string, unknown>): string => {
      const t = (r.attributes as { type?: string } | undefined)?.type;
      if (!t) throw new SalesforceError('INVALID_TYPE', 'sObject type must be specified in attributes', 400);
      return t;
    };
    if (req.method === 'POST') {
      return json(200, this.runCollection(records, allOrNone, (r) => {
        if (r.Id || r.id) throw new SalesforceError('INVALID_FIELD', 'cannot specify Id in an insert call', 400, ['Id']);
        return { id: this.store.create(typeOf(r), r) };
      }));
    }
    if (req.method === 'PATCH' && segs.length === 2) {
      const [type, extField] = segs;
      return json(200, this.runCollection(records, allOrNone, (r) => {
        const value = Object.entries(r).find(([k]) => k.toLowerCase() === extField.toLowerCase())?.[1];
        if (value === undefined || value === null) {
          throw new SalesforceError('MISSING_ARGUMENT', `${extField} not specified`, 400);
        }
        const res = this.store.upsert(type, extField, String(value), r);
        return { id: res.id, created: res.created };
      }));
    }
    if (req.method === 'PATCH') {
      return json(200, this.runCollection(records, allOrNone, (r) => {
        const id = String(r.Id ?? r.id ?? '');
        if (!id) throw new SalesforceError('MISSING_ARGUMENT', 'Id not specified in an update call', 400);
        const rest = { ...r };
        delete rest.Id;
        delete rest.id;
        this.store.update(typeOf(r), id, rest);
        return { id: normalizeId(id) ?? id };
      }));
    }
    throw new SalesforceError('METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET,POST,PATCH,DELETE`, 405);
  }

  private tooMany(): SalesforceError {
    return new SalesforceError('EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`, 400);
  }

  /** One result per input, in order; allOrNone rolls every change back when any fails. */
  private runCollection<T>(inputs: T[], allOrNone: boolean, fn: (input: T) => { id: string; created?: boolean }): Array<Record<string, unknown>> {
    const snap = allOrNone ? this.store.snapshot() : undefined;
    const results = inputs.map((input) => {
      try {
        const r = fn(input);
        return { id: r.id, success: true, errors: [], ...(r.created !== undefined ? { created: r.created } : {}) };
      } catch (e) {
        if (!(e instanceof SalesforceError)) throw e;
        return { id: null, success: false, errors: [{ statusCode: e.errorCode, message: e.message, fields: e.fields }] };
      }
    });
    if (snap && results.some((r) => !r.success)) {
      this.store.restore(snap);
      return results.map((r) =>
        r.success
          ? {
              id: null,
              success: false,
              errors: [
                {
                  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
                  fields: [],
                },
              ],
            }
          : r
      );
    }
    return results;
  }

  private compositeRequest(req: EmuRequest, v: string): EmuResponse {
    const body = this.parseBody(req);
    const subs = body.compositeRequest as Array<{ method: string; url: string; referenceId: string; body?: unknown }> | undefined;
    if (!Array.isArray(subs)) throw new SalesforceError('JSON_PARSER_ERROR', 'compositeRequest is required', 400);
    if (subs.length > COMPOSITE_LIMIT) {
      throw new SalesforceError('INVALID_BATCH_REQUEST', `Too many subrequests: ${subs.length}. Maximum is ${COMPOSITE_LIMIT}.`, 400);
    }
    const allOrNone = body.allOrNone === true;
    const snap = allOrNone ? this.store.snapshot() : undefined;
    const results = new Map<string, unknown>();
    const out: Array<Record<string, unknown>> = [];
    let failed = false;
    for (const sub of subs) {
      if (failed && allOrNone) {
        out.push({
          body: [{ errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' }],
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId: sub.referenceId,
        });
        continue;
      }
      let url: string;
      let subBody: unknown;
      try {
        url = this.substitute(sub.url, results);
        subBody = sub.body === undefined ? undefined : JSON.parse(this.substitute(JSON.stringify(sub.body), results));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        out.push({ body: [{ errorCode: 'PROCESSING_HALTED', message: msg }], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
        failed = true;
        continue;
      }
      const u = new URL(url, 'http://x');
      const m = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(u.pathname.replace(/\/+/g, '/'));
      let res: EmuResponse;
      if (!m) {
        res = json(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      } else {
        res = this.handle(
          { ...req, method: sub.method.toUpperCase(), path: u.pathname, query: u.searchParams, body: Buffer.from(subBody === undefined ? '' : JSON.stringify(subBody)), apiVersion: m[1] },
          m[2] ?? ''
        );
      }
      if (res.status >= 400) failed = true;
      results.set(sub.referenceId, res.body);
      out.push({ body: res.body ?? null, httpHeaders: res.status === 201 && res.body && typeof res.body === 'object' && 'id' in res.body ? { Location: `/services/data/v${v}/sobjects/x/${String((res.body as { id: string }).id)}` } : {}, httpStatusCode: res.status, referenceId: sub.referenceId });
    }
    if (snap && failed) {
      this.store.restore(snap);
      for (const r of out) {
        if ((r.httpStatusCode as number) < 400) {
          r.httpStatusCode = 400;
          r.body = [{ errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' }];
        }
      }
    }
    return json(200, { compositeResponse: out });
  }

  /** Replaces @{ref.path} references with values from earlier subrequests. */
  private substitute(text: string, results: Map<string, unknown>): string {
    return text.replace(/@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g, (_all, ref: string, path: string) => {
      if (!results.has(ref)) throw new Error(`Invalid reference specified. No value for ${ref} found in ${ref}. Provided referenceId ('${ref}') should match a previous subrequest.`);
      let value: unknown = results.get(ref);
      for (const part of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
        const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part.slice(1);
        value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined;
      }
      if (value === undefined) throw new Error(`Invalid reference specified. No value for ${ref}${path} found.`);
      return String(value);
    });
  }
}
