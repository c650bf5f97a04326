/*
 * Duplicate rules (flags.duplicateRules): Lead and Contact matched on Email, case-insensitive; 'block' always refuses,
 * 'alert' refuses unless Sforce-Duplicate-Rule-Header allowSave=true. REST, collections, composite, Bulk API 2.0.
 */
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from './server.js';
import type { Seed } from './seed.js';

const seed = (mode?: 'block' | 'alert'): Seed => ({
  org: { name: 'Dupes Co' },
  flags: mode ? { duplicateRules: mode } : {},
  leads: [{ LastName: 'Existing', Company: 'Initech', Email: 'Ann@Example.com' }],
});

const DUP = 'You are creating a duplicate record. We recommend you use an existing record instead.';
type SaveResult = { success: boolean; id?: string; errors: Array<{ errorCode?: string; statusCode?: string; message: string }> };

describe('emulator: duplicate rules', function () {
  this.timeout(30_000);
  let emu: OrgEmulator;
  const conn = (): Connection => new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
  const V = '/services/data/v66.0';
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${emu.instanceUrl}${V}${path}`, {
      method,
      headers: { Authorization: `Bearer ${emu.accessToken}`, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };

  before(async () => {
    emu = await OrgEmulator.start({ seed: seed() });
  });
  after(async () => emu.stop());

  it('off by default: duplicates save', async () => {
    await emu.reset(seed());
    const r = await call('POST', '/sobjects/Lead', { LastName: 'Dup', Company: 'X', Email: 'ann@example.com' });
    expect(r.status).to.equal(201);
  });

  describe('block', () => {
    beforeEach(async () => emu.reset(seed('block')));

    it('REST create and an update that makes a duplicate: 400 DUPLICATES_DETECTED, even with allowSave=true', async () => {
      const r = await call('POST', '/sobjects/Lead', { LastName: 'Dup', Company: 'X', Email: 'ANN@example.com' }, { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' });
      expect(r.status).to.equal(400);
      expect(r.json).to.deep.equal([{ errorCode: 'DUPLICATES_DETECTED', message: DUP, fields: [] }]);
      const other = await call('POST', '/sobjects/Lead', { LastName: 'Other', Company: 'X', Email: 'bob@example.com' });
      expect(other.status).to.equal(201);
      const id = (other.json as { id: string }).id;
      const upd = await call('PATCH', `/sobjects/Lead/${id}`, { Email: 'ann@EXAMPLE.com' });
      expect(upd.status).to.equal(400);
      expect((upd.json as Array<{ errorCode: string }>)[0].errorCode).to.equal('DUPLICATES_DETECTED');
      // Contacts have their own rule: a Contact with the lead's e-mail is not its duplicate.
      expect((await call('POST', '/sobjects/Contact', { LastName: 'C', Email: 'ann@example.com' })).status).to.equal(201);
      expect((await call('POST', '/sobjects/Contact', { LastName: 'C2', Email: 'Ann@example.com' })).status).to.equal(400);
    });

    it('Bulk API 2.0: the duplicate row in failedResults, the others saved', async () => {
      const res = (await conn().bulk2.loadAndWaitForResults({
        object: 'Lead',
        operation: 'insert',
        input: 'LastName,Company,Email\nA,X,ann@example.com\nB,X,new@example.com\n',
        pollInterval: 5,
        pollTimeout: 10_000,
      })) as unknown as { successfulResults: Array<Record<string, string>>; failedResults: Array<Record<string, string>> };
      expect(res.successfulResults.map((r) => r.LastName)).to.deep.equal(['B']);
      expect(res.failedResults).to.have.length(1);
      expect(res.failedResults[0].sf__Error).to.equal(`DUPLICATES_DETECTED:${DUP}:--`);
    });
  });

  describe('alert (Allow with an alert)', () => {
    beforeEach(async () => emu.reset(seed('alert')));

    it('sObject Collections allOrNone=false through jsforce: per-record DUPLICATES_DETECTED; allowSave=true saves', async () => {
      const records = [
        { LastName: 'Dup', Company: 'X', Email: 'ann@example.com' },
        { LastName: 'New', Company: 'X', Email: 'new@example.com' },
      ];
      const refused = (await conn().sobject('Lead').create(records, { allOrNone: false })) as unknown as SaveResult[];
      expect(refused.map((r) => r.success)).to.deep.equal([false, true]);
      expect(refused[0].errors[0]).to.include({ statusCode: 'DUPLICATES_DETECTED', message: DUP });
      const saved = (await conn()
        .sobject('Lead')
        .create([{ LastName: 'Dup', Company: 'X', Email: 'ann@example.com' }], { allOrNone: false, headers: { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' } })) as unknown as SaveResult[];
      expect(saved.map((r) => r.success)).to.deep.equal([true]);
    });

    it('composite: the header of the composite request lets the subrequest save', async () => {
      const body = { allOrNone: false, compositeRequest: [{ method: 'POST', url: `${V}/sobjects/Lead`, referenceId: 'l', body: { LastName: 'D', Company: 'X', Email: 'ann@example.com' } }] };
      const refused = (await call('POST', '/composite', body)).json as { compositeResponse: Array<{ httpStatusCode: number; body: unknown }> };
      expect(refused.compositeResponse[0].httpStatusCode).to.equal(400);
      expect((refused.compositeResponse[0].body as Array<{ errorCode: string }>)[0].errorCode).to.equal('DUPLICATES_DETECTED');
      const saved = (await call('POST', '/composite', body, { 'Sforce-Duplicate-Rule-Header': 'allowSave=true; includeRecordDetails=false' })).json as {
        compositeResponse: Array<{ httpStatusCode: number }>;
      };
      expect(saved.compositeResponse[0].httpStatusCode).to.equal(201);
    });

    it('Bulk API 2.0 has no duplicate-rule header: alert rules refuse the row (header ignored)', async () => {
      const res = (await conn().bulk2.loadAndWaitForResults({
        object: 'Lead',
        operation: 'insert',
        input: 'LastName,Company,Email\nA,X,ann@example.com\n',
        pollInterval: 5,
        pollTimeout: 10_000,
      })) as unknown as { failedResults: Array<Record<string, string>> };
      expect(res.failedResults[0].sf__Error).to.match(/^DUPLICATES_DETECTED:/);
    });
  });
});
