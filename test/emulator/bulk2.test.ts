/*
 * Bulk API 2.0 emulator, driven through real jsforce (conn.bulk2) over HTTP, plus raw HTTP checks.
 */
/* eslint-disable camelcase -- Salesforce field and result column names */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { Bulk2Api, formatError } from './bulk2.js';
import {
  SalesforceError,
  type EmuRequest,
  type EmuResponse,
  type FieldSchema,
  type ObjectSchema,
  type RecordOps,
  type SObjectRecord,
} from './types.js';

// ------------------------------------------------------------------ a small in-memory org

const f = (name: string, type: FieldSchema['type'], extra: Partial<FieldSchema> = {}): FieldSchema => ({
  name,
  type,
  nillable: true,
  createable: true,
  updateable: true,
  ...extra,
});

const SCHEMAS: ObjectSchema[] = [
  {
    name: 'Lead',
    label: 'Lead',
    keyPrefix: '00Q',
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    fields: [
      f('Id', 'id', { nillable: false, createable: false, updateable: false, defaultedOnCreate: true }),
      f('FirstName', 'string'),
      f('LastName', 'string', { nillable: false }),
      f('Company', 'string', { nillable: false }),
      f('Email', 'email'),
      f('Description', 'textarea'),
      f('NumberOfEmployees', 'int'),
      f('AnnualRevenue', 'currency'),
      f('HasOptedOutOfEmail', 'boolean', { nillable: false, defaultedOnCreate: true, defaultValue: false }),
      f('IsConverted', 'boolean', { nillable: false, updateable: false, defaultedOnCreate: true, defaultValue: false }),
      f('LastContactDate__c', 'date'),
      f('NextCall__c', 'datetime'),
      f('ExtId__c', 'string', { externalId: true, unique: true }),
      f('OwnerId', 'reference', {
        nillable: false,
        defaultedOnCreate: true,
        referenceTo: ['User'],
        relationshipName: 'Owner',
      }),
    ],
  },
  {
    name: 'User',
    label: 'User',
    keyPrefix: '005',
    createable: true,
    updateable: true,
    deletable: false,
    queryable: true,
    fields: [
      f('Id', 'id', { nillable: false, createable: false, updateable: false }),
      f('Username', 'string', { nillable: false, idLookup: true, unique: true }),
      f('LastName', 'string', { nillable: false }),
    ],
  },
];

class FakeOrg {
  public readonly records = new Map<string, { type: string; record: SObjectRecord }>();
  public readonly calls: string[] = [];

  public readonly ops: RecordOps = {
    create: (objectName, fields) => {
      this.calls.push(`create ${objectName}`);
      const schema = this.schema(objectName);
      this.checkFields(schema, fields, 'create');
      const values: Record<string, unknown> = {};
      for (const field of schema.fields) {
        if (field.defaultValue !== undefined) values[field.name] = field.defaultValue;
      }
      Object.assign(values, fields);
      const missing = schema.fields
        .filter((x) => !x.nillable && x.createable && !x.defaultedOnCreate)
        .filter((x) => values[x.name] === undefined || values[x.name] === null || values[x.name] === '')
        .map((x) => x.name);
      if (missing.length) {
        throw new SalesforceError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, 400, missing);
      }
      this.checkUnique(schema, values, undefined);
      const id = this.newId(schema.keyPrefix);
      if (schema.name === 'Lead' && values.OwnerId === undefined) values.OwnerId = ADMIN_ID;
      this.records.set(id, { type: schema.name, record: { ...values, Id: id } });
      return id;
    },
    update: (objectName, id, fields) => {
      this.calls.push(`update ${objectName} ${id}`);
      const schema = this.schema(objectName);
      const entry = this.records.get(id);
      if (!entry || entry.type !== schema.name) {
        throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
      }
      if (entry.record.IsConverted === true) {
        throw new SalesforceError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
      }
      this.checkFields(schema, fields, 'update');
      const missing = Object.entries(fields)
        .filter(([k, v]) => v === null && !this.field(schema, k).nillable)
        .map(([k]) => k);
      if (missing.length) {
        throw new SalesforceError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, 400, missing);
      }
      this.checkUnique(schema, fields, id);
      Object.assign(entry.record, fields);
    },
    delete: (objectName, id) => {
      this.calls.push(`delete ${objectName} ${id}`);
      const entry = this.records.get(id);
      if (!entry) throw new SalesforceError('ENTITY_IS_DELETED', 'entity is deleted');
      this.records.delete(id);
    },
    upsert: (objectName, externalIdField, value, fields) => {
      const schema = this.schema(objectName);
      const matches = [...this.records.values()].filter(
        (e) =>
          e.type === schema.name && String(e.record[externalIdField] ?? '').toLowerCase() === value.toLowerCase()
      );
      if (matches.length > 1) {
        throw new SalesforceError('MULTIPLE_CHOICES', `Multiple records found for ${externalIdField} = ${value}`, 300);
      }
      if (matches.length === 1) {
        this.ops.update(objectName, matches[0].record.Id, fields);
        return { id: matches[0].record.Id, created: false };
      }
      return { id: this.ops.create(objectName, { ...fields, [externalIdField]: value }), created: true };
    },
    get: (objectName, id) => {
      const entry = this.records.get(id);
      return entry && entry.type.toLowerCase() === objectName.toLowerCase() ? entry.record : undefined;
    },
  };

  private counter = 0;

  public describe = (name: string): ObjectSchema | undefined =>
    SCHEMAS.find((s) => s.name.toLowerCase() === name.toLowerCase());

  public newId = (prefix: string): string => `${prefix}${String(++this.counter).padStart(12, '0')}AAA`;

  /** Tiny SOQL: SELECT a, b FROM X [WHERE f = 'v'] — rows shaped as REST returns them. */
  public query = (soql: string): Array<Record<string, unknown>> => {
    const m = /^SELECT (.+?) FROM (\w+)(?: WHERE (\w+) = '((?:[^'\\]|\\.)*)')?$/i.exec(soql.trim());
    if (!m) throw new SalesforceError('MALFORMED_QUERY', `unexpected token: ${soql}`);
    const schema = this.describe(m[2]);
    if (!schema) throw new SalesforceError('INVALID_TYPE', `sObject type '${m[2]}' is not supported.`);
    const fields = m[1].split(',').map((x) => x.trim());
    for (const name of fields) {
      if (!schema.fields.some((x) => x.name.toLowerCase() === name.toLowerCase())) {
        throw new SalesforceError('INVALID_FIELD', `No such column '${name}' on entity '${schema.name}'.`);
      }
    }
    const value = m[4]?.replace(/\\(.)/g, '$1');
    return [...this.records.values()]
      .filter((e) => e.type === schema.name)
      .filter((e) => !m[3] || String(e.record[this.field(schema, m[3]).name] ?? '').toLowerCase() === value?.toLowerCase())
      .map((e) => {
        const row: Record<string, unknown> = {
          attributes: { type: schema.name, url: `/services/data/v66.0/sobjects/${schema.name}/${e.record.Id}` },
        };
        for (const name of fields) {
          const field = this.field(schema, name);
          row[field.name] = e.record[field.name] ?? null;
        }
        return row;
      });
  };

  public seed(type: string, values: Record<string, unknown>): string {
    const id = this.newId(this.schema(type).keyPrefix);
    this.records.set(id, { type, record: { ...values, Id: id } });
    return id;
  }

  public leads(): SObjectRecord[] {
    return [...this.records.values()].filter((e) => e.type === 'Lead').map((e) => e.record);
  }

  private schema(name: string): ObjectSchema {
    const s = this.describe(name);
    if (!s) throw new SalesforceError('INVALID_TYPE', `sObject type '${name}' is not supported.`);
    return s;
  }

  private field(schema: ObjectSchema, name: string): FieldSchema {
    const x = schema.fields.find((y) => y.name.toLowerCase() === name.toLowerCase());
    if (!x) throw new SalesforceError('INVALID_FIELD', `No such column '${name}' on sobject of type ${schema.name}`);
    return x;
  }

  private checkFields(schema: ObjectSchema, fields: Record<string, unknown>, op: 'create' | 'update'): void {
    for (const name of Object.keys(fields)) {
      const field = this.field(schema, name);
      if (op === 'create' ? !field.createable : !field.updateable) {
        throw new SalesforceError(
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${field.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          400,
          [field.name]
        );
      }
    }
  }

  private checkUnique(schema: ObjectSchema, values: Record<string, unknown>, selfId: string | undefined): void {
    for (const field of schema.fields.filter((x) => x.unique)) {
      const v = values[field.name];
      if (v === undefined || v === null) continue;
      const clash = [...this.records.values()].find(
        (e) =>
          e.type === schema.name &&
          e.record.Id !== selfId &&
          String(e.record[field.name] ?? '').toLowerCase() === String(v).toLowerCase()
      );
      if (clash) {
        throw new SalesforceError(
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${clash.record.Id}`,
          400,
          [field.name]
        );
      }
    }
  }
}

const ADMIN_ID = '005000000000001AAA';

// ------------------------------------------------------------------ a bare HTTP server around Bulk2Api

async function startServer(api: Bulk2Api): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/\/{2,}/g, '/');
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const emuReq: EmuRequest = {
        method: req.method ?? 'GET',
        path,
        query: url.searchParams,
        headers,
        body: Buffer.concat(chunks),
        apiVersion: /\/v(\d+\.\d+)\//.exec(path)?.[1],
        userId: ADMIN_ID,
      };
      api.handle(emuReq).then(
        (r) => send(res, r),
        (e: unknown) => send(res, { status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: String(e) }] })
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

function send(res: http.ServerResponse, r: EmuResponse): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let body: string | Buffer | undefined;
  if (r.body === undefined) body = undefined;
  else if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) body = r.body;
  else {
    body = JSON.stringify(r.body);
    headers['Content-Type'] = 'application/json;charset=UTF-8';
  }
  res.writeHead(r.status, headers);
  res.end(body);
}

// ------------------------------------------------------------------ tests

describe('Bulk API 2.0 emulator', () => {
  let org: FakeOrg;
  let api: Bulk2Api;
  let server: http.Server;
  let instanceUrl: string;
  let conn: Connection;
  const V = '/services/data/v66.0';
  const poll = { pollInterval: 5, pollTimeout: 10_000 };

  const raw = async (
    method: string,
    path: string,
    body?: string | object,
    contentType = 'application/json'
  ): Promise<{ status: number; text: string; headers: Headers; json: () => unknown }> => {
    const res = await fetch(`${instanceUrl}${path}`, {
      method,
      headers: { Authorization: 'Bearer x', 'Content-Type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) as unknown };
  };

  type Row = Record<string, string>;
  type Results = { successfulResults: Row[]; failedResults: Row[]; unprocessedRecords: Row[] | string };
  const load = async (
    opts: Omit<Parameters<typeof conn.bulk2.loadAndWaitForResults>[0], 'pollInterval' | 'pollTimeout'>
  ): Promise<Results> => (await conn.bulk2.loadAndWaitForResults({ ...opts, ...poll })) as unknown as Results;

  const waitForState = async (jobId: string, states: string[], area = 'ingest'): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 500; i++) {
      // eslint-disable-next-line no-await-in-loop
      const info = (await raw('GET', `${V}/jobs/${area}/${jobId}`)).json() as Record<string, unknown>;
      if (states.includes(String(info.state))) return info;
      // eslint-disable-next-line no-await-in-loop
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`job ${jobId} never reached ${states.join('/')}`);
  };

  beforeEach(async () => {
    org = new FakeOrg();
    api = new Bulk2Api({
      ops: org.ops,
      describe: org.describe,
      newId: org.newId,
      query: org.query,
      processingDelayMs: 20,
    });
    ({ server, url: instanceUrl } = await startServer(api));
    conn = new Connection({ instanceUrl, accessToken: '00D000000000001!AQ0Afake', version: '66.0' });
  });

  afterEach(async () => {
    api.reset();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('inserts records, failing rows individually with Salesforce error strings', async () => {
    const input = [
      'FirstName,LastName,Company,Email,NumberOfEmployees,HasOptedOutOfEmail,LastContactDate__c,NextCall__c',
      'Ada,Lovelace,Analytical Engines,ada@example.com,10,true,2024-02-29,2024-03-01T10:15:00.000Z',
      'Grace,,Navy,grace@example.com,,false,,',
      '"Multi ""quoted""","Line',
      'Two",Acme,,5,false,,',
      'Bad,Number,Co,,notanumber,true,,',
      'Nobody,,,,,,,',
      'Bad,Date,Co,,,,2023-02-30,',
    ].join('\n');
    const res = await load({ object: 'Lead', operation: 'insert', input });

    expect(res.successfulResults).to.have.length(2);
    for (const r of res.successfulResults) {
      expect(r.sf__Created).to.equal('true');
      expect(r.sf__Id).to.match(/^00Q\w{15}$/);
    }
    const ada = org.ops.get('Lead', res.successfulResults.find((r) => r.FirstName === 'Ada')!.sf__Id)!;
    expect(ada).to.include({
      LastName: 'Lovelace',
      NumberOfEmployees: 10,
      HasOptedOutOfEmail: true,
      LastContactDate__c: '2024-02-29',
      NextCall__c: '2024-03-01T10:15:00.000Z',
    });
    const multi = res.successfulResults.find((r) => r.FirstName === 'Multi "quoted"')!;
    expect(multi.LastName).to.equal('Line\nTwo');
    const multiRecord = org.ops.get('Lead', multi.sf__Id)!;
    expect(multiRecord.LastName).to.equal('Line\nTwo');
    // empty value: field not set at all
    expect(multiRecord).to.not.have.property('Email');

    const errors = Object.fromEntries(res.failedResults.map((r) => [r.FirstName, r]));
    expect(res.failedResults).to.have.length(4);
    expect(errors.Grace.sf__Error).to.equal('REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --');
    expect(errors.Grace.sf__Id).to.equal('');
    expect(errors.Grace.Email).to.equal('grace@example.com');
    expect(errors.Bad && res.failedResults.filter((r) => r.FirstName === 'Bad').map((r) => r.sf__Error)).to.deep.equal([
      "INVALID_FIELD:Failed to deserialize field at col 5. Due to, 'notanumber' is not a valid value for the type xsd:int:NumberOfEmployees --",
      "INVALID_FIELD:Failed to deserialize field at col 7. Due to, '2023-02-30' is not a valid value for the type xsd:date:LastContactDate__c --",
    ]);
    expect(errors.Nobody.sf__Error).to.equal(
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName, Company]:LastName Company --'
    );
    expect(res.unprocessedRecords).to.deep.equal([]);
    expect(org.leads()).to.have.length(2);

    const info = api.jobs()[0] as { numberRecordsProcessed: number; numberRecordsFailed: number; state: string };
    expect(info).to.include({ numberRecordsProcessed: 6, numberRecordsFailed: 4, state: 'JobComplete' });
  });

  it('updates: #N/A sets null, empty leaves the field alone, per-record platform errors', async () => {
    const a = org.seed('Lead', { LastName: 'A', Company: 'C', Email: 'a@x.com', Description: 'keep me', FirstName: 'Old' });
    const b = org.seed('Lead', { LastName: 'B', Company: 'C', IsConverted: true });
    const c = org.seed('Lead', { LastName: 'C', Company: 'C' });
    const input = [
      'Id,Email,Description,FirstName,LastName',
      `${a},#N/A,,New,`,
      `${b},,,Converted,`,
      ',x@y.com,,NoId,',
      `${c},,,,#N/A`,
      '00Q000000000999AAA,,,Ghost,',
    ].join('\n');
    const res = await load({ object: 'Lead', operation: 'update', input });

    expect(res.successfulResults.map((r) => [r.sf__Id, r.sf__Created])).to.deep.equal([[a, 'false']]);
    const rec = org.ops.get('Lead', a)!;
    expect(rec.Email).to.equal(null);
    expect(rec.Description).to.equal('keep me');
    expect(rec.FirstName).to.equal('New');
    expect(rec.LastName).to.equal('A');

    const byName = Object.fromEntries(res.failedResults.map((r) => [r.FirstName || r.Id, r]));
    expect(byName.Converted).to.include({ sf__Id: b, sf__Error: 'CANNOT_UPDATE_CONVERTED_LEAD:cannot reference converted lead:--' });
    expect(byName.NoId.sf__Error).to.equal('MISSING_ARGUMENT:Id not specified in an update call:--');
    expect(byName[c]).to.include({
      sf__Id: c,
      sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
    });
    expect(byName.Ghost.sf__Error).to.equal('INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--');
    expect(org.ops.get('Lead', c)!.LastName).to.equal('C');
  });

  it('upserts by external id, resolving relationship columns and flagging duplicate keys', async () => {
    const user = org.seed('User', { Username: 'owner@example.com', LastName: 'Owner' });
    const existing = org.seed('Lead', { LastName: 'Old', Company: 'C', ExtId__c: 'E-1' });
    const input = [
      'ExtId__c,LastName,Company,Owner.Username',
      'e-1,Updated,,owner@example.com',
      'E-2,New,NewCo,',
      'E-3,Dup1,Co,',
      'E-3,Dup2,Co,',
      'E-4,Lost,Co,nobody@example.com',
      ',NoKey,Co,',
    ].join('\n');
    const res = await load({
      object: 'Lead',
      operation: 'upsert',
      externalIdFieldName: 'ExtId__c',
      input,
    });
    const ok = Object.fromEntries(res.successfulResults.map((r) => [r.LastName, r]));
    expect(ok.Updated).to.include({ sf__Id: existing, sf__Created: 'false' });
    expect(ok.New.sf__Created).to.equal('true');
    expect(ok.Dup1.sf__Created).to.equal('true');
    expect(org.ops.get('Lead', existing)).to.include({ LastName: 'Updated', Company: 'C', OwnerId: user });
    expect(org.ops.get('Lead', ok.New.sf__Id)).to.include({ ExtId__c: 'E-2', Company: 'NewCo' });

    const bad = Object.fromEntries(res.failedResults.map((r) => [r.LastName, r.sf__Error]));
    expect(bad).to.deep.equal({
      Dup2: 'DUPLICATE_EXTERNAL_ID:Duplicate external id specified: E-3:ExtId__c --',
      Lost: 'INVALID_FIELD:Foreign key external ID: nobody@example.com not found for field Username in entity User:--',
      NoKey: 'MISSING_ARGUMENT:ExtId__c not specified:--',
    });
  });

  it('deletes records by Id and reports ids that are already gone', async () => {
    const a = org.seed('Lead', { LastName: 'A', Company: 'C' });
    const b = org.seed('Lead', { LastName: 'B', Company: 'C' });
    const res = await load({
      object: 'Lead',
      operation: 'delete',
      input: `Id\n${a}\n${b}\n00Q000000000404AAA\n`,
    });
    expect(res.successfulResults.map((r) => [r.sf__Id, r.sf__Created, r.Id])).to.deep.equal([
      [a, 'false', a],
      [b, 'false', b],
    ]);
    expect(res.failedResults).to.deep.equal([
      { sf__Id: '00Q000000000404AAA', sf__Error: 'ENTITY_IS_DELETED:entity is deleted:--', Id: '00Q000000000404AAA' },
    ]);
    expect(org.leads()).to.have.length(0);
  });

  it('aborts an open job: nothing is processed and every row is unprocessed', async () => {
    const job = conn.bulk2.createJob({ object: 'Lead', operation: 'insert' });
    await job.open();
    await job.uploadData('LastName,Company\nA,C1\nB,C2\n');
    await job.abort();
    expect(job.getInfo().state).to.equal('Aborted');
    expect(await job.getUnprocessedRecords()).to.deep.equal([
      { LastName: 'A', Company: 'C1' },
      { LastName: 'B', Company: 'C2' },
    ]);
    expect(await job.getSuccessfulResults()).to.deep.equal([]);
    expect(await job.getFailedResults()).to.deep.equal([]);
    expect(org.leads()).to.have.length(0);
    expect(org.calls).to.deep.equal([]);

    let error: unknown;
    await job.abort().catch((e: unknown) => (error = e));
    expect(error).to.include({ errorCode: 'INVALIDJOBSTATE', message: 'Aborting already Aborted Job not allowed' });
    let pollError: unknown;
    await job.poll(5, 1000).catch((e: unknown) => (pollError = e));
    expect((pollError as Error).message).to.equal('Job has been aborted');
    // raw unprocessed CSV keeps the uploaded header
    const unprocessed = await raw('GET', `${V}/jobs/ingest/${job.id}/unprocessedrecords/`);
    expect(unprocessed.text).to.equal('LastName,Company\nA,C1\nB,C2\n');
  });

  it('fails the whole job on an unknown header column, like Salesforce', async () => {
    let error: unknown;
    await conn.bulk2
      .loadAndWaitForResults({ object: 'Lead', operation: 'insert', input: 'LastName,Foo\nA,b\n', ...poll })
      .catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('Ingest job failed to complete due to: InvalidBatch : Field name not found : Foo');
    expect(org.calls).to.deep.equal([]);

    const job = conn.bulk2.createJob({ object: 'Lead', operation: 'insert' });
    await job.open();
    await job.uploadData('LastName,Company,Foo.Bar\nA,C,x\n');
    await job.close();
    await job.poll(5, 5000).catch(() => undefined);
    const info = (await raw('GET', `${V}/jobs/ingest/${job.id}`)).json() as Record<string, unknown>;
    expect(info).to.include({
      state: 'Failed',
      errorMessage: 'InvalidBatch : Field name not found : Foo.Bar',
      numberRecordsProcessed: 0,
      numberRecordsFailed: 0,
    });
    expect(await job.getUnprocessedRecords()).to.deep.equal([{ LastName: 'A', Company: 'C', 'Foo.Bar': 'x' }]);
    const failed = await raw('GET', `${V}/jobs/ingest/${job.id}/failedResults/`);
    expect(failed.text).to.equal('"sf__Id","sf__Error",LastName,Company,Foo.Bar\n');
  });

  it('honours the declared column delimiter and line ending, and rejects a mismatched line ending', async () => {
    const input = 'LastName\tCompany\tDescription\r\nTab\tCo\t"two\r\nlines"\r\nTab2\t\t\r\n';
    const res = await load({
      object: 'Lead',
      operation: 'insert',
      columnDelimiter: 'TAB',
      lineEnding: 'CRLF',
      input,
    });
    expect(res.successfulResults.map((r) => r.LastName)).to.deep.equal(['Tab']);
    expect(org.ops.get('Lead', res.successfulResults[0].sf__Id)!.Description).to.equal('two\r\nlines');
    expect(res.failedResults.map((r) => r.sf__Error)).to.deep.equal([
      'REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --',
    ]);
    const job = api.jobs()[0] as { id: string };
    const csv = await raw('GET', `${V}/jobs/ingest/${job.id}/successfulResults/`);
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
    expect(csv.text).to.match(/^"sf__Id"\t"sf__Created"\tLastName\tCompany\tDescription\r\n"00Q\w{15}"\t"true"\t"Tab"\t"Co"\t"two\r\nlines"\r\n$/);

    let error: unknown;
    await conn.bulk2
      .loadAndWaitForResults({ object: 'Lead', operation: 'insert', lineEnding: 'LF', input: 'LastName,Company\r\nA,B\r\n', ...poll })
      .catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal(
      'Ingest job failed to complete due to: ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF'
    );
  });

  it('processes large uploads in internal batches of 10,000 records', async () => {
    const rows = Array.from({ length: 10_050 }, (_, i) => `L${i},Co${i}`);
    rows[10_020] = 'L10020,'; // one failure in the second internal batch
    const res = await load({
      object: 'Lead',
      operation: 'insert',
      input: `LastName,Company\n${rows.join('\n')}\n`,
    });
    expect(res.successfulResults).to.have.length(10_049);
    expect(res.failedResults).to.have.length(1);
    expect(res.failedResults[0]).to.include({ LastName: 'L10020' });
    const info = (await raw('GET', `${V}/jobs/ingest/${(api.jobs()[0] as { id: string }).id}`)).json();
    expect(info).to.include({ numberRecordsProcessed: 10_050, numberRecordsFailed: 1, state: 'JobComplete' });
  });

  it('speaks the raw HTTP protocol: JobInfo, 201 upload, one PUT per job, transitions, list, delete, 404', async () => {
    const created = await raw('POST', `${V}/jobs/ingest`, {
      object: 'lead',
      operation: 'insert',
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
    expect(created.status).to.equal(200);
    expect(created.text).to.contain('"apiVersion":66.0');
    const job = created.json() as Record<string, unknown>;
    const id = String(job.id);
    expect(id).to.match(/^750\w{15}$/);
    expect(job).to.include({
      operation: 'insert',
      object: 'Lead',
      createdById: ADMIN_ID,
      state: 'Open',
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: 66,
      jobType: 'V2Ingest',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      contentUrl: `services/data/v66.0/jobs/ingest/${id}/batches`,
    });
    expect(job.createdDate).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    expect(job.systemModstamp).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);

    // deleting an Open job is refused
    expect((await raw('DELETE', `${V}/jobs/ingest/${id}`)).status).to.equal(400);

    const put = await raw('PUT', `${V}/jobs/ingest/${id}/batches`, 'LastName,Company\nA,B\nC,\n', 'text/csv');
    expect(put.status).to.equal(201);
    expect(put.text).to.equal('');
    const put2 = await raw('PUT', `${V}/jobs/ingest/${id}/batches`, 'LastName,Company\nX,Y\n', 'text/csv');
    expect(put2.status).to.equal(400);
    expect((put2.json() as Array<{ errorCode: string; message: string }>)[0].message).to.contain('Found multiple contents for job');

    const closed = await raw('PATCH', `${V}/jobs/ingest/${id}`, { state: 'UploadComplete' });
    expect(closed.status).to.equal(200);
    expect(closed.json()).to.include({ id, state: 'UploadComplete' });
    expect(closed.json()).to.not.have.property('contentUrl');

    const again = await raw('PATCH', `${V}/jobs/ingest/${id}`, { state: 'UploadComplete' });
    expect(again.status).to.equal(400);
    expect((again.json() as Array<{ errorCode: string }>)[0].errorCode).to.equal('INVALIDJOBSTATE');
    const put3 = await raw('PUT', `${V}/jobs/ingest/${id}/batches`, 'LastName,Company\nX,Y\n', 'text/csv');
    expect(put3.status).to.equal(400);
    expect((put3.json() as Array<{ errorCode: string }>)[0].errorCode).to.equal('INVALIDJOBSTATE');

    const done = await waitForState(id, ['JobComplete']);
    expect(done).to.include({
      numberRecordsProcessed: 2,
      numberRecordsFailed: 1,
      retries: 0,
      apexProcessingTime: 0,
      jobType: 'V2Ingest',
    });
    expect(done.totalProcessingTime).to.be.a('number');
    expect(done.apiActiveProcessingTime).to.be.a('number');

    const abortDone = await raw('PATCH', `${V}/jobs/ingest/${id}`, { state: 'Aborted' });
    expect(abortDone.status).to.equal(400);
    expect(abortDone.json()).to.deep.equal([
      { errorCode: 'INVALIDJOBSTATE', message: 'Aborting already Completed Job not allowed' },
    ]);

    const failed = await raw('GET', `${V}/jobs/ingest/${id}/failedResults/`);
    expect(failed.text).to.equal(
      '"sf__Id","sf__Error",LastName,Company\n"","REQUIRED_FIELD_MISSING:Required fields are missing: [Company]:Company --","C",""\n'
    );
    const unprocessed = await raw('GET', `${V}/jobs/ingest/${id}/unprocessedrecords/`);
    expect(unprocessed.text).to.equal('LastName,Company\n');

    const list = (await raw('GET', `${V}/jobs/ingest`)).json() as { done: boolean; records: Array<{ id: string }>; nextRecordsUrl: unknown };
    expect(list.done).to.equal(true);
    expect(list.nextRecordsUrl).to.equal(null);
    expect(list.records.map((r) => r.id)).to.deep.equal([id]);
    expect(((await raw('GET', `${V}/jobs/ingest?jobType=Classic`)).json() as { records: unknown[] }).records).to.deep.equal([]);

    const del = await raw('DELETE', `${V}/jobs/ingest/${id}`);
    expect(del.status).to.equal(204);
    const gone = await raw('GET', `${V}/jobs/ingest/${id}`);
    expect(gone.status).to.equal(404);
    expect(gone.json()).to.deep.equal([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });

  it('validates job creation with Salesforce error codes', async () => {
    const unknown = await raw('POST', `${V}/jobs/ingest`, { object: 'Nope__c', operation: 'insert' });
    expect(unknown.status).to.equal(400);
    expect(unknown.json()).to.deep.equal([{ errorCode: 'INVALIDENTITY', message: "sObject type 'Nope__c' is not supported." }]);

    const noExt = await raw('POST', `${V}/jobs/ingest`, { object: 'Lead', operation: 'upsert' });
    expect(noExt.status).to.equal(400);
    expect(noExt.json()).to.deep.equal([
      { errorCode: 'INVALIDJOB', message: 'External ID was blank for Lead. An External ID must be specified for upsert.' },
    ]);

    const badExt = await raw('POST', `${V}/jobs/ingest`, { object: 'Lead', operation: 'upsert', externalIdFieldName: 'Email' });
    expect(badExt.status).to.equal(400);
    expect((badExt.json() as Array<{ errorCode: string }>)[0].errorCode).to.equal('INVALIDJOB');

    const badOp = await raw('POST', `${V}/jobs/ingest`, '{"object":"Lead","operation":"merge"}');
    expect(badOp.status).to.equal(400);
    expect(badOp.json()).to.deep.equal([
      {
        errorCode: 'JSON_PARSER_ERROR',
        message:
          'Cannot deserialize instance of OperationEnum from VALUE_STRING value merge or request may be missing a required field at [line:1, column:37]',
      },
    ]);
    const badDelim = await raw('POST', `${V}/jobs/ingest`, { object: 'Lead', operation: 'insert', columnDelimiter: 'SPACE' });
    expect((badDelim.json() as Array<{ errorCode: string }>)[0].errorCode).to.equal('JSON_PARSER_ERROR');

    expect(api.jobs()).to.have.length(0);

    const missing = await raw('GET', `${V}/jobs/ingest/750000000000000AAA/successfulResults/`);
    expect(missing.status).to.equal(404);
    expect(missing.json()).to.deep.equal([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);

    let error: unknown;
    await conn.bulk2
      .loadAndWaitForResults({ object: 'Nope__c', operation: 'insert', input: 'Name\nx\n', ...poll })
      .catch((e: unknown) => (error = e));
    expect(error).to.include({ errorCode: 'INVALIDENTITY' });
  });

  it('runs query jobs with Sforce-Locator paging', async () => {
    for (const name of ['Q1', 'Q2', 'Q3']) org.seed('Lead', { LastName: name, Company: 'Co', HasOptedOutOfEmail: name === 'Q2' });
    const stream = await conn.bulk2.query('SELECT Id, LastName, HasOptedOutOfEmail, Email FROM Lead', poll);
    const rows = (await stream.toArray()) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.LastName, r.HasOptedOutOfEmail, r.Email])).to.deep.equal([
      ['Q1', 'false', ''],
      ['Q2', 'true', ''],
      ['Q3', 'false', ''],
    ]);

    const created = await raw('POST', `${V}/jobs/query`, { operation: 'query', query: 'SELECT Id, LastName FROM Lead' });
    expect(created.status).to.equal(200);
    const job = created.json() as Record<string, unknown>;
    expect(job).to.include({ operation: 'query', object: 'Lead', state: 'UploadComplete', jobType: 'V2Query' });
    await waitForState(String(job.id), ['JobComplete'], 'query');
    const names: string[] = [];
    let path = `${V}/jobs/query/${String(job.id)}/results?maxRecords=2`;
    for (let page = 0; page < 5; page++) {
      // eslint-disable-next-line no-await-in-loop
      const res = await raw('GET', path);
      expect(res.status).to.equal(200);
      const lines = res.text.trim().split('\n');
      expect(lines[0]).to.equal('"Id","LastName"');
      expect(res.headers.get('sforce-numberofrecords')).to.equal(String(lines.length - 1));
      names.push(...lines.slice(1).map((l) => l.split(',')[1]));
      const locator = res.headers.get('sforce-locator');
      if (locator === 'null') break;
      path = `${V}/jobs/query/${String(job.id)}/results?maxRecords=2&locator=${locator ?? ''}`;
    }
    expect(names).to.deep.equal(['"Q1"', '"Q2"', '"Q3"']);

    const bad = await raw('POST', `${V}/jobs/query`, { operation: 'query', query: 'SELECT Nope FROM Lead' });
    expect(bad.status).to.equal(400);
    expect((bad.json() as Array<{ errorCode: string }>)[0].errorCode).to.equal('INVALID_FIELD');
  });

  it('formats sf__Error as ERROR_CODE:message:fields --', () => {
    expect(formatError(new SalesforceError('A', 'b c', 400, ['X', 'Y']))).to.equal('A:b c:X Y --');
    expect(formatError(new SalesforceError('A', 'b', 400))).to.equal('A:b:--');
  });
});
