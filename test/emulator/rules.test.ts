/*
 * The platform rules provisioning depends on, each with Salesforce's own error code, and the REST features
 * (collections, composite, pagination, limits, faults) the plugin's client layer relies on.
 */
import { expect } from 'chai';
import { OrgEmulator } from './server.js';
import type { Seed } from './seed.js';

type Json = Record<string, unknown>;

describe('emulator: platform rules and REST behaviour', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;
  let base: string;
  let headers: Record<string, string>;

  const seed: Seed = {
    licences: [
      { name: 'Salesforce', key: 'SFDC', total: 3 },
      { name: 'Customer Community', key: 'PID_Customer_Community', total: 5 },
    ],
    profiles: [
      { name: 'System Administrator', licence: 'Salesforce', apiEnabled: true },
      { name: 'Standard User', licence: 'Salesforce', apiEnabled: true },
      { name: 'Customer Community User', licence: 'Customer Community', userType: 'CspLitePortal' },
    ],
    users: [
      { username: 'admin@rules.example.com', lastName: 'Admin', profile: 'System Administrator' },
      { username: 'portal@globex.example.com', lastName: 'Portal', profile: 'Customer Community User', contactEmail: 'portal@globex.example.com' },
    ],
    permissionSets: [{ name: 'Integration_API', apiEnabled: true }, { name: 'Portal_Only', licence: 'Customer Community' }],
    permissionSetGroups: [{ name: 'Integration_Group', permissionSets: ['Integration_API'] }],
    accounts: [{ Name: 'Globex' }],
    contacts: [{ LastName: 'Portal', Email: 'portal@globex.example.com', Account: 'Globex' }],
    flags: { stateCountryPicklistsEnabled: true },
    foreignUsernames: ['taken@elsewhere.example.com'],
  };

  const call = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const res = await fetch(`${base}${path}`, { method, headers: { ...headers, ...extra }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
  };
  const errorOf = (r: { body: unknown }): Json => (r.body as Json[])[0];
  const profileId = async (name: string): Promise<string> =>
    ((await call('GET', `/query?q=${encodeURIComponent(`SELECT Id FROM Profile WHERE Name = '${name}'`)}`)).body as { records: Json[] }).records[0].Id as string;
  const newUser = (over: Json = {}): Json => ({
    Username: `user${Math.random().toString(36).slice(2, 8)}@rules.example.com`,
    LastName: 'Tester',
    Email: 'tester@rules.example.com',
    Alias: 'tester',
    TimeZoneSidKey: 'Europe/London',
    LocaleSidKey: 'en_GB',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ...over,
  });

  before(async () => {
    emu = await OrgEmulator.start({ seed });
  });
  beforeEach(async () => {
    await emu.reset();
    base = `${emu.instanceUrl}/services/data/v66.0`;
    headers = { Authorization: `Bearer ${emu.accessToken}`, 'Content-Type': 'application/json' };
  });
  after(async () => {
    await emu.stop();
  });

  describe('User', () => {
    it('requires its fields: REQUIRED_FIELD_MISSING names each', async () => {
      const r = await call('POST', '/sobjects/User', { Username: 'a@rules.example.com', Email: 'a@rules.example.com' });
      expect(r.status).to.equal(400);
      expect(errorOf(r).errorCode).to.equal('REQUIRED_FIELD_MISSING');
      expect(errorOf(r).fields).to.include.members(['LastName', 'Alias', 'TimeZoneSidKey', 'LocaleSidKey', 'EmailEncodingKey', 'LanguageLocaleKey', 'ProfileId']);
    });

    it('limits Alias to 8 characters: STRING_TOO_LONG', async () => {
      const r = await call('POST', '/sobjects/User', newUser({ Alias: 'ninechars', ProfileId: await profileId('Standard User') }));
      expect(errorOf(r)).to.include({ errorCode: 'STRING_TOO_LONG' });
      expect(errorOf(r).fields).to.deep.equal(['Alias']);
    });

    it('wants the Username in e-mail form', async () => {
      const r = await call('POST', '/sobjects/User', newUser({ Username: 'not-an-email', ProfileId: await profileId('Standard User') }));
      expect(errorOf(r).errorCode).to.equal('INVALID_EMAIL_ADDRESS');
    });

    it('keeps usernames unique in this org and across all orgs: DUPLICATE_USERNAME', async () => {
      const pid = await profileId('Standard User');
      const local = await call('POST', '/sobjects/User', newUser({ Username: 'ADMIN@rules.example.com', ProfileId: pid }));
      expect(errorOf(local).errorCode).to.equal('DUPLICATE_USERNAME');
      const foreign = await call('POST', '/sobjects/User', newUser({ Username: 'taken@elsewhere.example.com', ProfileId: pid }));
      expect(errorOf(foreign).errorCode).to.equal('DUPLICATE_USERNAME');
      expect(String(errorOf(foreign).message)).to.contain('another Salesforce organization');
    });

    it('cannot be deleted, only deactivated', async () => {
      const r = await call('DELETE', `/sobjects/User/${emu.adminUserId}`);
      expect(r.status).to.equal(400);
      expect(errorOf(r).errorCode).to.equal('INVALID_TYPE');
    });

    it('keeps a changed Email pending until the user verifies it', async () => {
      const pid = await profileId('Standard User');
      const created = (await call('POST', '/sobjects/User', newUser({ ProfileId: pid }))).body as Json;
      const id = String(created.id);
      expect((await call('PATCH', `/sobjects/User/${id}`, { Email: 'new@rules.example.com' })).status).to.equal(204);
      expect(((await call('GET', `/sobjects/User/${id}?fields=Email`)).body as Json).Email).to.equal('tester@rules.example.com');
      expect(emu.store.verifyEmail(id)).to.equal(true);
      expect(((await call('GET', `/sobjects/User/${id}?fields=Email`)).body as Json).Email).to.equal('new@rules.example.com');
    });

    it('runs out of licences: LICENSE_LIMIT_EXCEEDED, also on reactivation', async () => {
      const pid = await profileId('Standard User');
      const second = await call('POST', '/sobjects/User', newUser({ ProfileId: pid }));
      expect(second.status).to.equal(201);
      const third = await call('POST', '/sobjects/User', newUser({ ProfileId: pid }));
      expect(third.status).to.equal(201);
      const fourth = await call('POST', '/sobjects/User', newUser({ ProfileId: pid }));
      expect(errorOf(fourth).errorCode).to.equal('LICENSE_LIMIT_EXCEEDED');
      // An inactive user takes no licence, but cannot come back while none is free.
      const inactive = await call('POST', '/sobjects/User', newUser({ ProfileId: pid, IsActive: false }));
      expect(inactive.status).to.equal(201);
      const reactivate = await call('PATCH', `/sobjects/User/${String((inactive.body as Json).id)}`, { IsActive: true });
      expect(errorOf(reactivate).errorCode).to.equal('LICENSE_LIMIT_EXCEEDED');
      const lic = (await call('GET', `/query?q=${encodeURIComponent("SELECT UsedLicenses, TotalLicenses FROM UserLicense WHERE Name = 'Salesforce'")}`)).body as { records: Json[] };
      expect(lic.records[0]).to.include({ UsedLicenses: 3, TotalLicenses: 3 });
    });

    it('is frozen through UserLogin.IsFrozen', async () => {
      const login = ((await call('GET', `/query?q=${encodeURIComponent(`SELECT Id, IsFrozen FROM UserLogin WHERE UserId = '${emu.adminUserId}'`)}`)).body as { records: Json[] }).records[0];
      expect(login.IsFrozen).to.equal(false);
      expect((await call('PATCH', `/sobjects/UserLogin/${String(login.Id)}`, { IsFrozen: true })).status).to.equal(204);
      // IsPasswordLocked can be cleared from the API, never set.
      expect(errorOf(await call('PATCH', `/sobjects/UserLogin/${String(login.Id)}`, { IsPasswordLocked: true })).errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect((await call('PATCH', `/sobjects/UserLogin/${String(login.Id)}`, { IsFrozen: false })).status).to.equal(204);
    });

    it('a user cannot deactivate their own user record', async () => {
      const r = await call('PATCH', `/sobjects/User/${emu.adminUserId}`, { IsActive: false });
      expect(errorOf(r).errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(emu.store.get('User', emu.adminUserId)?.IsActive).to.equal(true);
    });
  });

  describe('Lead and Contact', () => {
    it('a Lead needs LastName and Company', async () => {
      const r = await call('POST', '/sobjects/Lead', { FirstName: 'Only' });
      expect(errorOf(r)).to.deep.include({ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName', 'Company'] });
    });

    it('a converted Lead rejects updates: CANNOT_UPDATE_CONVERTED_LEAD', async () => {
      const id = String(((await call('POST', '/sobjects/Lead', { LastName: 'Conv', Company: 'C' })).body as Json).id);
      emu.store.patchSystem('Lead', id, { IsConverted: true });
      const r = await call('PATCH', `/sobjects/Lead/${id}`, { Title: 'x' });
      expect(errorOf(r).errorCode).to.equal('CANNOT_UPDATE_CONVERTED_LEAD');
    });

    it('a Contact linked to a portal user cannot be deleted: DELETE_FAILED', async () => {
      const contact = ((await call('GET', `/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE Email = 'portal@globex.example.com'")}`)).body as { records: Json[] }).records[0];
      const r = await call('DELETE', `/sobjects/Contact/${String(contact.Id)}`);
      expect(errorOf(r).errorCode).to.equal('DELETE_FAILED');
      expect(String(errorOf(r).message)).to.contain('portal@globex.example.com');
    });

    it('with State/Country picklists on, unknown values give FIELD_INTEGRITY_EXCEPTION and known ones fill the codes', async () => {
      const bad = await call('POST', '/sobjects/Lead', { LastName: 'L', Company: 'C', Country: 'Atlantis' });
      expect(errorOf(bad)).to.deep.include({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['Country'] });
      const badState = await call('POST', '/sobjects/Lead', { LastName: 'L', Company: 'C', Country: 'United States', State: 'Narnia' });
      expect(errorOf(badState)).to.deep.include({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['State'] });
      const iso = await call('POST', '/sobjects/Lead', { LastName: 'L', Company: 'C', Country: 'US' });
      expect(errorOf(iso).errorCode, 'an ISO code is not an integration value').to.equal('FIELD_INTEGRITY_EXCEPTION');
      const good = await call('POST', '/sobjects/Lead', { LastName: 'L', Company: 'C', Country: 'United States', State: 'California' });
      expect(good.status).to.equal(201);
      const rec = (await call('GET', `/sobjects/Lead/${String((good.body as Json).id)}`)).body as Json;
      expect(rec).to.include({ CountryCode: 'US', StateCode: 'CA' });
    });
  });

  describe('permission sets', () => {
    it('a duplicate assignment gives DUPLICATE_VALUE; a group assignment works', async () => {
      const ps = ((await call('GET', `/query?q=${encodeURIComponent("SELECT Id FROM PermissionSet WHERE Name = 'Integration_API'")}`)).body as { records: Json[] }).records[0];
      const body = { AssigneeId: emu.adminUserId, PermissionSetId: ps.Id };
      expect((await call('POST', '/sobjects/PermissionSetAssignment', body)).status).to.equal(201);
      const dup = await call('POST', '/sobjects/PermissionSetAssignment', body);
      expect(errorOf(dup).errorCode).to.equal('DUPLICATE_VALUE');
      expect(String(errorOf(dup).message)).to.contain('Duplicate PermissionSetAssignment');
      const group = ((await call('GET', `/query?q=${encodeURIComponent("SELECT Id FROM PermissionSetGroup WHERE DeveloperName = 'Integration_Group'")}`)).body as { records: Json[] }).records[0];
      expect((await call('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: emu.adminUserId, PermissionSetGroupId: group.Id })).status).to.equal(201);
    });

    it('a permission set with a user licence goes only to users on that licence (FIELD_INTEGRITY_EXCEPTION otherwise)', async () => {
      const q = async (soql: string): Promise<Json[]> => ((await call('GET', `/query?q=${encodeURIComponent(soql)}`)).body as { records: Json[] }).records;
      const [ps] = await q("SELECT Id, LicenseId FROM PermissionSet WHERE Name = 'Portal_Only'");
      const [licence] = await q("SELECT Id FROM UserLicense WHERE Name = 'Customer Community'");
      expect(ps.LicenseId).to.equal(licence.Id);
      const wrong = await call('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: emu.adminUserId, PermissionSetId: ps.Id });
      expect(wrong.status).to.equal(400);
      expect(errorOf(wrong).errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(String(errorOf(wrong).message)).to.contain("The user license doesn't match the permission set license: Customer Community");
      const [portal] = await q("SELECT Id FROM User WHERE Username = 'portal@globex.example.com'");
      expect((await call('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: portal.Id, PermissionSetId: ps.Id })).status).to.equal(201);
      // Seeded permission sets are metadata too: the Metadata API's PermissionSet mirrors to the sObject.
      expect(emu.components.get('PermissionSet')?.get('Portal_Only')?.content).to.include({ label: 'Portal_Only', license: 'Customer Community' });
    });
  });

  describe('REST features', () => {
    it('sObject Collections: at most 200 records, allOrNone rolls back, one result per record in order', async () => {
      const tooMany = await call('POST', '/composite/sobjects', { records: Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Lead' }, LastName: `L${i}`, Company: 'C' })) });
      expect(errorOf(tooMany).errorCode).to.equal('EXCEEDED_ID_LIMIT');
      const records = [
        { attributes: { type: 'Lead' }, LastName: 'Ok', Company: 'C' },
        { attributes: { type: 'Lead' }, LastName: 'NoCompany' },
      ];
      const partial = (await call('POST', '/composite/sobjects', { allOrNone: false, records })).body as Json[];
      expect(partial.map((r) => r.success)).to.deep.equal([true, false]);
      expect((partial[1].errors as Json[])[0].statusCode).to.equal('REQUIRED_FIELD_MISSING');
      const before = emu.store.records('Lead').length;
      const all = (await call('POST', '/composite/sobjects', { allOrNone: true, records })).body as Json[];
      expect(all.map((r) => r.success)).to.deep.equal([false, false]);
      expect((all[0].errors as Json[])[0].statusCode).to.equal('ALL_OR_NONE_OPERATION_ROLLED_BACK');
      expect(emu.store.records('Lead').length).to.equal(before);
    });

    it('Composite: at most 25 subrequests, references between them', async () => {
      const sub = (i: number): Json => ({ method: 'POST', url: '/services/data/v66.0/sobjects/Lead', referenceId: `r${i}`, body: { LastName: `L${i}`, Company: 'C' } });
      const tooMany = await call('POST', '/composite', { compositeRequest: Array.from({ length: 26 }, (_, i) => sub(i)) });
      expect(tooMany.status).to.equal(400);
      const ok = (await call('POST', '/composite', {
        compositeRequest: [sub(1), { method: 'GET', url: '/services/data/v66.0/sobjects/Lead/@{r1.id}?fields=LastName', referenceId: 'read' }],
      })).body as { compositeResponse: Json[] };
      expect(ok.compositeResponse.map((r) => r.httpStatusCode)).to.deep.equal([201, 200]);
      expect((ok.compositeResponse[1].body as Json).LastName).to.equal('L1');
    });

    it('pages queries at 2,000 rows with nextRecordsUrl', async () => {
      for (let i = 0; i < 2100; i++) emu.store.createSystem('Lead', { LastName: `P${i}`, Company: 'Paging' });
      const first = (await call('GET', `/query?q=${encodeURIComponent("SELECT Id FROM Lead WHERE Company = 'Paging'")}`)).body as Json;
      expect(first).to.include({ totalSize: 2100, done: false });
      expect((first.records as Json[]).length).to.equal(2000);
      const nextUrl = String(first.nextRecordsUrl);
      expect(nextUrl).to.match(/^\/services\/data\/v66\.0\/query\/01g\w+-2000$/);
      const second = (await call('GET', nextUrl.replace('/services/data/v66.0', ''))).body as Json;
      expect(second).to.include({ done: true });
      expect((second.records as Json[]).length).to.equal(100);
    });

    it('counts API calls: /limits decreases and Sforce-Limit-Info reports usage', async () => {
      const a = await call('GET', '/limits');
      const b = await call('GET', '/limits');
      const remA = ((a.body as Json).DailyApiRequests as Json).Remaining as number;
      const remB = ((b.body as Json).DailyApiRequests as Json).Remaining as number;
      expect(remA - remB).to.equal(1);
      expect(b.headers.get('sforce-limit-info')).to.match(/^api-usage=\d+\/15000$/);
      emu.dailyApiUsed = emu.dailyApiMax;
      const spent = await call('GET', '/limits');
      expect(spent.status).to.equal(403);
      expect(errorOf(spent)).to.include({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
    });

    it('injects faults on a schedule and counts calls by API', async () => {
      emu.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', path: /\/sobjects\/Lead$/, times: 1 });
      emu.injectFault({ kind: 'SERVER_UNAVAILABLE', api: 'rest', method: 'GET', after: 1, times: 1 });
      const locked = await call('POST', '/sobjects/Lead', { LastName: 'A', Company: 'B' });
      expect(errorOf(locked).errorCode).to.equal('UNABLE_TO_LOCK_ROW');
      expect((await call('POST', '/sobjects/Lead', { LastName: 'A', Company: 'B' })).status).to.equal(201);
      expect((await call('GET', '/limits')).status).to.equal(200);
      const down = await call('GET', '/limits');
      expect(down.status).to.equal(503);
      expect(errorOf(down).errorCode).to.equal('SERVER_UNAVAILABLE');
      emu.injectFault({ kind: 'INVALID_SESSION_ID' });
      expect(errorOf(await call('GET', '/limits')).errorCode).to.equal('INVALID_SESSION_ID');
      emu.injectFault({ kind: 'REQUEST_LIMIT_EXCEEDED' });
      expect(errorOf(await call('GET', '/limits')).errorCode).to.equal('REQUEST_LIMIT_EXCEEDED');
      expect(emu.counters.rest).to.equal(6);
      expect(emu.counters.total).to.equal(6);
    });

    it('a fault rate fails about that share of calls, reproducibly', async () => {
      emu.faultRate = 0.5;
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await call('GET', '/limits')).status);
      emu.faultRate = 0;
      const failed = statuses.filter((s) => s !== 200).length;
      expect(failed).to.be.within(8, 32);
    });

    it('adds a fixed latency per call', async () => {
      emu.latencyMs = 120;
      const start = Date.now();
      await call('GET', '/limits');
      emu.latencyMs = 0;
      expect(Date.now() - start).to.be.at.least(110);
    });
  });
});
