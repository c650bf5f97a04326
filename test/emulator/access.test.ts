/*
 * Who may do what (access.ts): every API checks the session user's permissions, which come from the profile,
 * assigned permission sets and permission set groups, as records (ObjectPermissions, FieldPermissions,
 * PermissionSet.Permissions*) that the Metadata API writes and reads too.
 */
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from './server.js';
import { restClient, type Json } from './rest-client.js';
import { DEFAULT_SEED, type Seed } from './seed.js';


const seed: Seed = {
  users: [
    { username: 'admin@access.example.com', lastName: 'Admin', profile: 'System Administrator' },
    // With the Salesforce API Integration permission set licence: permission sets may give it standard-object access.
    {
      username: 'integration@access.example.com',
      lastName: 'Integration',
      profile: 'Minimum Access - API Only Integrations',
      permissionSetLicences: ['SalesforceAPIIntegrationPsl'],
    },
    { username: 'sam@access.example.com', lastName: 'Sales', profile: 'Standard User' },
    { username: 'min@access.example.com', lastName: 'Minimum', profile: 'Minimum Access - Salesforce' },
  ],
  accounts: [{ Name: 'Globex' }],
  leads: [{ LastName: 'Lead', Company: 'Initech', Email: 'linus@initech.example.com', Phone: '555-0100' }],
};

describe('emulator: access control (who may do what)', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;

  const { userId, tokenOf, call, admin, q, error, created } = restClient(() => emu);

  /** A permission set granted as records: PermissionSet + ObjectPermissions + FieldPermissions + assignment. */
  const grantAsRecords = async (
    username: string,
    name: string,
    opts: { system?: Json; objects?: Json[]; fields?: Json[] }
  ): Promise<string> => {
    const psId = await created(admin('POST', '/sobjects/PermissionSet', { Name: name, Label: name, ...(opts.system ?? {}) }));
    for (const o of opts.objects ?? []) await created(admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId, ...o }));
    for (const f of opts.fields ?? []) await created(admin('POST', '/sobjects/FieldPermissions', { ParentId: psId, ...f }));
    await created(admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId(username), PermissionSetId: psId }));
    return psId;
  };

  before(async () => {
    emu = await OrgEmulator.start({ seed });
  });
  after(async () => emu.stop());
  beforeEach(async () => emu.reset());

  describe('without permissions (Minimum Access - API Only Integrations)', () => {
    it('cannot see Leads or Contacts: REST 404 NOT_FOUND, SOQL INVALID_TYPE, absent from describeGlobal', async () => {
      const t = tokenOf('integration@access.example.com');
      const post = await call(t, 'POST', '/sobjects/Lead', { LastName: 'X', Company: 'Y' });
      expect(post.status).to.equal(404);
      expect(error(post).errorCode).to.equal('NOT_FOUND');
      expect((await call(t, 'GET', '/sobjects/Contact/describe')).status).to.equal(404);
      const query = await call(t, 'GET', q('SELECT Id FROM Lead'));
      expect(query.status).to.equal(400);
      expect(error(query).errorCode).to.equal('INVALID_TYPE');
      expect(error(query).message).to.contain("sObject type 'Lead' is not supported");
      const global = (await call(t, 'GET', '/sobjects')).body as { sobjects: Json[] };
      const names = global.sobjects.map((s) => s.name);
      expect(names).to.include('User').and.not.include('Lead').and.not.include('Contact');
      // The same through the admin's view: the object exists.
      expect((await admin('GET', '/sobjects/Lead/describe')).status).to.equal(200);
    });

    it('reads User but may neither create nor update it without Manage Users; assigning permission sets is refused', async () => {
      const t = tokenOf('integration@access.example.com');
      const d = (await call(t, 'GET', '/sobjects/User/describe')).body as Json;
      expect(d).to.include({ name: 'User', queryable: true, retrieveable: true, createable: false, updateable: false });
      const users = await call(t, 'GET', q('SELECT Id, Username FROM User'));
      expect(users.status).to.equal(200);
      const create = await call(t, 'POST', '/sobjects/User', { LastName: 'X' });
      expect(create.status).to.equal(400);
      expect(error(create).errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
      const other = await call(t, 'PATCH', `/sobjects/User/${userId('sam@access.example.com')}`, { Title: 'Boss' });
      expect(error(other).errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
      // Their own personal fields are theirs to edit.
      expect((await call(t, 'PATCH', `/sobjects/User/${userId('integration@access.example.com')}`, { Title: 'Robot' })).status).to.equal(204);
      expect(error(await call(t, 'PATCH', `/sobjects/User/${userId('integration@access.example.com')}`, { IsActive: false })).errorCode).to.equal(
        'INSUFFICIENT_ACCESS_OR_READONLY'
      );
      // UserLogin (freezing) needs Manage Users, to read as to write (object reference, UserLogin).
      const logins = await call(t, 'GET', q('SELECT Id, IsFrozen FROM UserLogin'));
      expect(error(logins).errorCode).to.equal('INVALID_TYPE');
      const ps = (await admin('GET', q("SELECT Id FROM PermissionSet WHERE Name = 'Helper'"))).body as { records: Json[] };
      expect(ps.records).to.have.length(0);
      const psId = await created(admin('POST', '/sobjects/PermissionSet', { Name: 'Helper', Label: 'Helper' }));
      const assign = await call(t, 'POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('integration@access.example.com'), PermissionSetId: psId });
      expect(error(assign).errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
    });

    it('is refused by the Metadata API with sf:INSUFFICIENT_ACCESS', async () => {
      const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: tokenOf('integration@access.example.com'), version: '66.0' });
      const failure = await conn.metadata.list([{ type: 'PermissionSet' }]).then(
        () => undefined,
        (e: Error) => e
      );
      expect(failure?.name).to.equal('sf:INSUFFICIENT_ACCESS');
      expect(failure?.message).to.contain('use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions');
    });
  });

  it('a user without API Enabled gets API_CURRENTLY_DISABLED (403) on every API', async () => {
    const t = tokenOf('min@access.example.com');
    for (const path of ['/sobjects/Account/describe', q('SELECT Id FROM User'), '/jobs/ingest']) {
      const r = await call(t, 'GET', path);
      expect(r.status, path).to.equal(403);
      expect(error(r)).to.include({ errorCode: 'API_CURRENTLY_DISABLED', message: 'API is disabled for this User' });
    }
    const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: t, version: '66.0' });
    const failure = await conn.metadata.list([{ type: 'PermissionSet' }]).then(
      () => undefined,
      (e: Error) => e
    );
    expect(failure?.name).to.equal('sf:API_CURRENTLY_DISABLED');
  });

  describe('granted as records (ObjectPermissions, FieldPermissions, PermissionSetAssignment)', () => {
    it('describe, writes and SOQL follow object and field permissions', async () => {
      const t = tokenOf('integration@access.example.com');
      await grantAsRecords('integration@access.example.com', 'Lead_Intake', {
        objects: [{ SobjectType: 'Lead', PermissionsRead: true, PermissionsCreate: true }],
        fields: [{ SobjectType: 'Lead', Field: 'Lead.Email', PermissionsRead: true, PermissionsEdit: false }],
      });
      const d = (await call(t, 'GET', '/sobjects/Lead/describe')).body as Json & { fields: Json[] };
      expect(d).to.include({ queryable: true, retrieveable: true, createable: true, updateable: false, deletable: false });
      const email = d.fields.find((f) => f.name === 'Email');
      expect(email).to.include({ createable: false, updateable: false });
      expect(d.fields.map((f) => f.name)).to.include.members(['Id', 'LastName', 'Company', 'Name']).and.not.include('Phone');

      const readOnly = await call(t, 'POST', '/sobjects/Lead', { LastName: 'A', Company: 'B', Email: 'a@b.example.com' });
      expect(readOnly.status).to.equal(400);
      expect(error(readOnly)).to.deep.include({
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message:
          'Unable to create/update fields: Email. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
        fields: ['Email'],
      });
      const hidden = await call(t, 'POST', '/sobjects/Lead', { LastName: 'A', Company: 'B', Phone: '1' });
      expect(error(hidden).errorCode).to.equal('INVALID_FIELD');
      const id = await created(call(t, 'POST', '/sobjects/Lead', { LastName: 'A', Company: 'B' }));
      const patch = await call(t, 'PATCH', `/sobjects/Lead/${id}`, { LastName: 'C' });
      expect(patch.status).to.equal(400);
      expect(error(patch)).to.include({ errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' });
      expect(error(await call(t, 'DELETE', `/sobjects/Lead/${id}`)).errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');

      const rec = (await call(t, 'GET', `/sobjects/Lead/${id}`)).body as Json;
      expect(rec).to.have.property('Email');
      expect(rec).to.not.have.property('Phone');
      const rows = (await call(t, 'GET', q('SELECT Id, Email FROM Lead ORDER BY LastName'))).body as { records: Json[] };
      expect(rows.records.length).to.equal(2);
      for (const soql of ['SELECT Phone FROM Lead', "SELECT Id FROM Lead WHERE Phone = '1'", 'SELECT Id, Owner.Name, Phone FROM Lead']) {
        const bad = await call(t, 'GET', q(soql));
        expect(bad.status, soql).to.equal(400);
        expect(error(bad).errorCode, soql).to.equal('INVALID_FIELD');
      }
      const contacts = await call(t, 'GET', q('SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)'));
      expect(error(contacts).errorCode).to.equal('INVALID_TYPE');
    });

    it('collections and composite report per-record refusals; allOrNone rolls back', async () => {
      const t = tokenOf('integration@access.example.com');
      await grantAsRecords('integration@access.example.com', 'Lead_Intake', {
        objects: [{ SobjectType: 'Lead', PermissionsRead: true, PermissionsCreate: true }],
      });
      const records = [
        { attributes: { type: 'Lead' }, LastName: 'Ok', Company: 'Co' },
        { attributes: { type: 'Contact' }, LastName: 'No' },
        { attributes: { type: 'Lead' }, LastName: 'Hidden', Company: 'Co', Email: 'x@y.example.com' },
      ];
      const res = (await call(t, 'POST', '/composite/sobjects', { allOrNone: false, records })).body as Array<Json & { errors: Json[] }>;
      expect(res.map((r) => r.success)).to.deep.equal([true, false, false]);
      expect(res[1].errors[0].statusCode).to.equal('NOT_FOUND');
      expect(res[2].errors[0].statusCode).to.equal('INVALID_FIELD');
      const all = (await call(t, 'POST', '/composite/sobjects', { allOrNone: true, records })).body as Array<Json & { errors: Json[] }>;
      expect(all[0].errors[0].statusCode).to.equal('ALL_OR_NONE_OPERATION_ROLLED_BACK');
      const composite = (
        await call(t, 'POST', '/composite', {
          compositeRequest: [
            { method: 'POST', url: '/services/data/v66.0/sobjects/Lead', referenceId: 'lead', body: { LastName: 'C', Company: 'D' } },
            { method: 'PATCH', url: '/services/data/v66.0/sobjects/Lead/@{lead.id}', referenceId: 'edit', body: { LastName: 'E' } },
          ],
        })
      ).body as { compositeResponse: Array<Json & { body: Json[] }> };
      expect(composite.compositeResponse.map((r) => r.httpStatusCode)).to.deep.equal([201, 400]);
      expect(composite.compositeResponse[1].body[0].errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
    });

    it('refuses permission records that break Salesforce dependencies, and shows granted records in readMetadata', async () => {
      const psId = await created(admin('POST', '/sobjects/PermissionSet', { Name: 'Rec_Granted', Label: 'Rec Granted', PermissionsViewSetup: true }));
      const broken = await admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId, SobjectType: 'Lead', PermissionsCreate: true });
      expect(error(broken).errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      const unknown = await admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId, SobjectType: 'User', PermissionsRead: true });
      expect(error(unknown).errorCode).to.equal('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
      const required = await admin('POST', '/sobjects/FieldPermissions', { ParentId: psId, SobjectType: 'Lead', Field: 'Lead.LastName', PermissionsRead: true });
      expect(error(required).errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      await created(admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId, SobjectType: 'Lead', PermissionsRead: true, PermissionsEdit: true }));
      await created(admin('POST', '/sobjects/FieldPermissions', { ParentId: psId, SobjectType: 'Lead', Field: 'Lead.Email', PermissionsRead: true, PermissionsEdit: true }));
      const dup = await admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId, SobjectType: 'Lead', PermissionsRead: true });
      expect(error(dup).errorCode).to.equal('DUPLICATE_VALUE');

      const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
      const listed = await conn.metadata.list([{ type: 'PermissionSet' }]);
      expect(([] as Json[]).concat(listed as unknown as Json[]).map((l) => l.fullName)).to.include('Rec_Granted');
      const read = (await conn.metadata.read('PermissionSet', 'Rec_Granted')) as unknown as Json;
      expect(read.objectPermissions).to.deep.include({
        allowCreate: false,
        allowDelete: false,
        allowEdit: true,
        allowRead: true,
        modifyAllRecords: false,
        object: 'Lead',
        viewAllRecords: false,
      });
      expect(read.fieldPermissions).to.deep.include({ editable: true, field: 'Lead.Email', readable: true });
      expect(read.userPermissions).to.deep.include({ enabled: true, name: 'ViewSetup' });
    });

    it('View All Data reads every object; Modify All Data writes every object', async () => {
      const t = tokenOf('integration@access.example.com');
      const psId = await grantAsRecords('integration@access.example.com', 'Data_Viewer', { system: { PermissionsViewAllData: true } });
      expect(((await call(t, 'GET', q('SELECT Id, Name FROM Account'))).body as { totalSize: number }).totalSize).to.equal(1);
      const d = (await call(t, 'GET', '/sobjects/Account/describe')).body as Json;
      expect(d).to.include({ queryable: true, createable: false });
      expect(error(await call(t, 'POST', '/sobjects/Account', { Name: 'Hooli' })).errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
      expect((await admin('PATCH', `/sobjects/PermissionSet/${psId}`, { PermissionsModifyAllData: true })).status).to.equal(204);
      await created(call(t, 'POST', '/sobjects/Account', { Name: 'Hooli' }));
      expect((await call(t, 'GET', '/sobjects/Lead/describe')).body).to.include({ createable: true, updateable: true, deletable: true });
    });

    it('a permission set group grants the union of its member permission sets', async () => {
      const t = tokenOf('integration@access.example.com');
      const reader = await created(admin('POST', '/sobjects/PermissionSet', { Name: 'Lead_Reader', Label: 'Lead Reader' }));
      await created(admin('POST', '/sobjects/ObjectPermissions', { ParentId: reader, SobjectType: 'Lead', PermissionsRead: true }));
      const writer = await created(admin('POST', '/sobjects/PermissionSet', { Name: 'Contact_Writer', Label: 'Contact Writer' }));
      await created(admin('POST', '/sobjects/ObjectPermissions', { ParentId: writer, SobjectType: 'Contact', PermissionsRead: true, PermissionsCreate: true }));
      const group = await created(admin('POST', '/sobjects/PermissionSetGroup', { DeveloperName: 'Sales_Ops', MasterLabel: 'Sales Ops' }));
      for (const ps of [reader, writer]) await created(admin('POST', '/sobjects/PermissionSetGroupComponent', { PermissionSetGroupId: group, PermissionSetId: ps }));
      expect((await call(t, 'GET', '/sobjects/Lead/describe')).status).to.equal(404);
      await created(admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('integration@access.example.com'), PermissionSetGroupId: group }));
      expect((await call(t, 'GET', '/sobjects/Lead/describe')).body).to.include({ queryable: true, createable: false });
      await created(call(t, 'POST', '/sobjects/Contact', { LastName: 'Grouped' }));
    });

    it('Assign Permission Sets lets a user assign permission sets; Manage Users lets it create users', async () => {
      const t = tokenOf('integration@access.example.com');
      const psId = await grantAsRecords('integration@access.example.com', 'Assigner', { system: { PermissionsAssignPermissionSets: true } });
      const other = await created(admin('POST', '/sobjects/PermissionSet', { Name: 'Other', Label: 'Other' }));
      await created(call(t, 'POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('sam@access.example.com'), PermissionSetId: other }));
      expect((await call(t, 'GET', '/sobjects/User/describe')).body).to.include({ createable: false });
      await admin('PATCH', `/sobjects/PermissionSet/${psId}`, { PermissionsManageUsers: true });
      expect((await call(t, 'GET', '/sobjects/User/describe')).body).to.include({ createable: true, updateable: true });
    });
  });

  describe('granted through the Metadata API (PermissionSet objectPermissions / fieldPermissions)', () => {
    it('a deployed permission set writes the records the checks read, replacing them on update', async () => {
      const t = tokenOf('integration@access.example.com');
      const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
      const saved = await conn.metadata.create('PermissionSet', {
        fullName: 'Contact_Sync',
        fieldPermissions: [{ editable: true, field: 'Contact.Email', readable: true }],
        label: 'Contact Sync',
        objectPermissions: [
          { allowCreate: true, allowDelete: false, allowEdit: true, allowRead: true, modifyAllRecords: false, object: 'Contact', viewAllRecords: false },
        ],
      } as never);
      expect((saved as unknown as Json).success).to.equal(true);
      const ps = ((await admin('GET', q("SELECT Id FROM PermissionSet WHERE Name = 'Contact_Sync'"))).body as { records: Json[] }).records[0];
      const ops = (await admin('GET', q(`SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit FROM ObjectPermissions WHERE ParentId = '${String(ps.Id)}'`)))
        .body as { records: Json[] };
      expect(ops.records).to.have.length(1);
      expect(ops.records[0]).to.include({ SobjectType: 'Contact', PermissionsRead: true, PermissionsCreate: true, PermissionsEdit: true });
      await created(admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('integration@access.example.com'), PermissionSetId: ps.Id }));
      const contactId = await created(call(t, 'POST', '/sobjects/Contact', { LastName: 'Synced', Email: 'synced@example.com' }));
      expect((await call(t, 'PATCH', `/sobjects/Contact/${contactId}`, { Email: 'changed@example.com' })).status).to.equal(204);

      // An update replaces the component: Contact.Email becomes read-only, Contact edit goes away.
      await conn.metadata.update('PermissionSet', {
        fullName: 'Contact_Sync',
        fieldPermissions: [{ editable: false, field: 'Contact.Email', readable: true }],
        label: 'Contact Sync',
        objectPermissions: [
          { allowCreate: true, allowDelete: false, allowEdit: false, allowRead: true, modifyAllRecords: false, object: 'Contact', viewAllRecords: false },
        ],
      } as never);
      const d = (await call(t, 'GET', '/sobjects/Contact/describe')).body as Json & { fields: Json[] };
      expect(d).to.include({ createable: true, updateable: false });
      expect(d.fields.find((f) => f.name === 'Email')).to.include({ createable: false, updateable: false });
      expect(error(await call(t, 'PATCH', `/sobjects/Contact/${contactId}`, { LastName: 'X' })).errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
    });
  });

  it('Bulk API 2.0: per-record failures in failedResults; a job on an object the user cannot see fails at creation', async () => {
    const t = tokenOf('integration@access.example.com');
    await grantAsRecords('integration@access.example.com', 'Lead_Reader', {
      system: {},
      objects: [{ SobjectType: 'Lead', PermissionsRead: true }],
      fields: [{ SobjectType: 'Lead', Field: 'Lead.Email', PermissionsRead: true }],
    });
    const hidden = await call(t, 'POST', '/jobs/ingest', { object: 'Contact', operation: 'insert' });
    expect(hidden.status).to.equal(400);
    expect(error(hidden).errorCode).to.equal('INVALIDENTITY');
    const job = (await call(t, 'POST', '/jobs/ingest', { object: 'Lead', operation: 'insert' })).body as Json;
    const upload = await fetch(`${emu.instanceUrl}/services/data/v66.0/jobs/ingest/${String(job.id)}/batches`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'text/csv' },
      body: 'LastName,Company\nOne,Co\nTwo,Co\n',
    });
    expect(upload.status).to.equal(201);
    await call(t, 'PATCH', `/jobs/ingest/${String(job.id)}`, { state: 'UploadComplete' });
    let state = '';
    for (let i = 0; i < 100 && state !== 'JobComplete'; i++) {
      // eslint-disable-next-line no-await-in-loop
      state = String(((await call(t, 'GET', `/jobs/ingest/${String(job.id)}`)).body as Json).state);
      // eslint-disable-next-line no-await-in-loop
      if (state !== 'JobComplete') await new Promise((r) => setTimeout(r, 20));
    }
    expect(state).to.equal('JobComplete');
    const failed = String((await call(t, 'GET', `/jobs/ingest/${String(job.id)}/failedResults`)).body);
    expect(failed.trim().split('\n')).to.have.length(3);
    expect(failed).to.contain('INSUFFICIENT_ACCESS_OR_READONLY:insufficient access rights on object id:--');
    // Bulk query sees what SOQL sees.
    const bad = await call(t, 'POST', '/jobs/query', { operation: 'query', query: 'SELECT Phone FROM Lead' });
    expect(error(bad).errorCode).to.equal('INVALID_FIELD');
  });

  it('Standard User: read/create/edit/delete on Lead, Contact and Account, no setup objects', async () => {
    const t = tokenOf('sam@access.example.com');
    for (const o of ['Lead', 'Contact', 'Account']) {
      const d = (await call(t, 'GET', `/sobjects/${o}/describe`)).body as Json & { fields: Json[] };
      expect(d, o).to.include({ queryable: true, createable: true, updateable: true, deletable: true });
      if (o !== 'Account') expect(d.fields.find((f) => f.name === 'Email'), o).to.include({ createable: true, updateable: true });
    }
    const ps = await call(t, 'GET', q('SELECT Id FROM PermissionSet'));
    expect(error(ps).errorCode).to.equal('INVALID_TYPE');
  });

  it('seeds: the standard profiles carry realistic permissions; seeded permission sets carry object and field permissions', async () => {
    const other = await OrgEmulator.start({ seed: DEFAULT_SEED });
    try {
      const perms = (profile: string): Json => {
        const prof = other.store.find('Profile', (p) => p.Name === profile)!;
        return other.store.find('PermissionSet', (p) => p.IsOwnedByProfile === true && p.ProfileId === prof.Id)!;
      };
      expect(perms('System Administrator')).to.include({
        PermissionsApiEnabled: true,
        PermissionsModifyAllData: true,
        PermissionsViewAllData: true,
        PermissionsCustomizeApplication: true,
        PermissionsModifyMetadata: true,
        PermissionsManageUsers: true,
      });
      expect(perms('Minimum Access - API Only Integrations')).to.include({ PermissionsApiEnabled: true, PermissionsApiUserOnly: true, PermissionsModifyAllData: false });
      const objectsOf = (psId: unknown): unknown[] => other.store.records('ObjectPermissions').filter((r) => r.ParentId === psId).map((r) => r.SobjectType);
      expect(objectsOf(perms('Minimum Access - API Only Integrations').Id)).to.deep.equal([]);
      expect(objectsOf(perms('Standard User').Id)).to.have.members(['Account', 'Contact', 'Lead', 'Opportunity']);
      const ps = other.store.find('PermissionSet', (p) => p.Name === 'Integration_API')!;
      expect(objectsOf(ps.Id)).to.deep.equal(['Lead']);
      expect(other.store.records('FieldPermissions').filter((r) => r.ParentId === ps.Id).map((r) => r.Field)).to.have.members(['Lead.Email', 'Lead.Phone']);
    } finally {
      await other.stop();
    }
  });

  it('lists identity in the versions resource; conn.identity() works; EntityDefinition answers as a real org', async () => {
    const t = tokenOf('integration@access.example.com');
    const resources = (await call(t, 'GET', '')).body as Json;
    expect(resources.identity).to.equal(`${emu.instanceUrl}/id/${emu.orgId}/${userId('integration@access.example.com')}`);
    const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: t, version: '66.0' });
    const identity = await conn.identity();
    expect(identity.user_id).to.equal(userId('integration@access.example.com'));
    expect(identity.organization_id).to.equal(emu.orgId);

    const soql = 'SELECT QualifiedApiName, Label FROM EntityDefinition WHERE IsDeprecatedAndHidden = false ORDER BY QualifiedApiName';
    const all = (await admin('GET', q(soql))).body as { records: Json[] };
    const names = all.records.map((r) => r.QualifiedApiName);
    expect(names).to.include.members(['Account', 'Contact', 'Lead', 'User']);
    expect([...names]).to.deep.equal([...names].sort((a, b) => String(a).toLowerCase().localeCompare(String(b).toLowerCase())));
    expect(all.records[0]).to.have.keys(['attributes', 'QualifiedApiName', 'Label']);
    const mine = (await call(t, 'GET', q(soql))).body as { records: Json[] };
    expect(mine.records.map((r) => r.QualifiedApiName)).to.include('User').and.not.include('Lead');
    const person = await admin('GET', q('SELECT IsPersonAccount FROM Account LIMIT 1'));
    expect(error(person).errorCode).to.equal('INVALID_FIELD');
  });
});
