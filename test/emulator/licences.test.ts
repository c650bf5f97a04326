/*
 * User licences limit the object permissions a user can get (access.ts USER_LICENCE_OBJECTS); permission set
 * licences assigned to the user (PermissionSetLicenseAssign) extend them. Over HTTP, as a client sees it.
 */
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from './server.js';
import { restClient, type Answer, type Json } from './rest-client.js';
import type { Seed } from './seed.js';


const seed: Seed = {
  permissionSetLicences: [
    { developerName: 'SalesforceAPIIntegrationPsl', label: 'Salesforce API Integration', key: 'SalesforceAPIIntegrationPsl', total: 1, integrations: true },
  ],
  users: [
    { username: 'admin@lic.example.com', lastName: 'Admin', profile: 'System Administrator' },
    { username: 'integration@lic.example.com', lastName: 'Integration', profile: 'Minimum Access - API Only Integrations' },
    { username: 'integration2@lic.example.com', lastName: 'Second', profile: 'Minimum Access - API Only Integrations' },
    { username: 'platform@lic.example.com', lastName: 'Platform', profile: 'Standard Platform User' },
    { username: 'sam@lic.example.com', lastName: 'Sales', profile: 'Standard User' },
  ],
  permissionSets: [
    { name: 'Lead_Intake', label: 'Lead Intake', objectPermissions: { Lead: ['read', 'create', 'edit'] }, fieldPermissions: { 'Lead.Email': 'edit' } },
    { name: 'Contact_Reader', label: 'Contact Reader', objectPermissions: { Contact: ['read'] } },
    { name: 'Api_Only', label: 'Api Only', apiEnabled: true },
  ],
};

describe('emulator: licences (what a user licence and permission set licences allow)', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;
  const psId = (name: string): string => emu.store.find('PermissionSet', (p) => p.Name === name)!.Id;
  const pslId = (): string => emu.store.find('PermissionSetLicense', (l) => l.DeveloperName === 'SalesforceAPIIntegrationPsl')!.Id;

  const { userId, tokenOf, call, admin, q, error, created } = restClient(() => emu);
  const assign = (username: string, permissionSet: string): Promise<Answer> =>
    admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId(username), PermissionSetId: psId(permissionSet) });
  const assignPsl = (username: string): Promise<Answer> =>
    admin('POST', '/sobjects/PermissionSetLicenseAssign', { AssigneeId: userId(username), PermissionSetLicenseId: pslId() });
  const usedSeats = async (): Promise<number> =>
    ((await admin('GET', q("SELECT UsedLicenses FROM PermissionSetLicense WHERE DeveloperName = 'SalesforceAPIIntegrationPsl'"))).body as { records: Json[] })
      .records[0].UsedLicenses as number;

  before(async () => {
    emu = await OrgEmulator.start({ seed });
  });
  after(async () => emu.stop());
  beforeEach(async () => emu.reset(seed));

  describe('the Salesforce Integration licence', () => {
    it('refuses a permission set with Lead access without the Salesforce API Integration PSL, accepts it with the PSL', async () => {
      const refused = await assign('integration@lic.example.com', 'Lead_Intake');
      expect(refused.status).to.equal(400);
      expect(error(refused)).to.include({
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: "Can't assign permission set Lead Intake to user integration@lic.example.com. The user license doesn't allow the permission: Read Leads",
      });
      const t = tokenOf('integration@lic.example.com');
      expect((await call(t, 'GET', '/sobjects/Lead/describe')).status).to.equal(404);

      expect(await usedSeats()).to.equal(0);
      await created(assignPsl('integration@lic.example.com'));
      expect(await usedSeats()).to.equal(1);
      const held = (await admin('GET', q("SELECT Username, (SELECT PermissionSetLicense.DeveloperName FROM PermissionSetLicenseAssignments) FROM User WHERE Username = 'integration@lic.example.com'")))
        .body as { records: Array<{ PermissionSetLicenseAssignments: { records: Array<{ PermissionSetLicense: Json }> } }> };
      expect(held.records[0].PermissionSetLicenseAssignments.records[0].PermissionSetLicense.DeveloperName).to.equal('SalesforceAPIIntegrationPsl');
      await created(assign('integration@lic.example.com', 'Lead_Intake'));
      const leadId = await created(call(t, 'POST', '/sobjects/Lead', { LastName: 'Lovelace', Company: 'Analytical', Email: 'ada@example.com' }));
      const read = (await call(t, 'GET', `/sobjects/Lead/${leadId}`)).body as Json;
      expect(read.Email).to.equal('ada@example.com');
    });

    it('the PSL alone grants nothing', async () => {
      await created(assignPsl('integration@lic.example.com'));
      const t = tokenOf('integration@lic.example.com');
      expect((await call(t, 'GET', '/sobjects/Lead/describe')).status).to.equal(404);
      expect((await call(t, 'GET', '/sobjects/Contact/describe')).status).to.equal(404);
    });

    it('a permission set without object permissions needs no PSL', async () => {
      await created(assign('integration@lic.example.com', 'Api_Only'));
    });

    it('checks every member of a permission set group, naming the group', async () => {
      const group = await created(admin('POST', '/sobjects/PermissionSetGroup', { DeveloperName: 'Sales_Ops', MasterLabel: 'Sales Ops' }));
      for (const ps of ['Api_Only', 'Contact_Reader']) {
        await created(admin('POST', '/sobjects/PermissionSetGroupComponent', { PermissionSetGroupId: group, PermissionSetId: psId(ps) }));
      }
      const refused = await admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('integration@lic.example.com'), PermissionSetGroupId: group });
      expect(error(refused).message).to.equal(
        "Can't assign permission set Sales Ops to user integration@lic.example.com. The user license doesn't allow the permission: Read Contacts"
      );
      await created(assignPsl('integration@lic.example.com'));
      await created(admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('integration@lic.example.com'), PermissionSetGroupId: group }));
    });

    it('is enforced in sObject Collections and composite requests, per record', async () => {
      const records = [
        { attributes: { type: 'PermissionSetAssignment' }, AssigneeId: userId('integration@lic.example.com'), PermissionSetId: psId('Lead_Intake') },
        { attributes: { type: 'PermissionSetAssignment' }, AssigneeId: userId('sam@lic.example.com'), PermissionSetId: psId('Lead_Intake') },
      ];
      const results = (await admin('POST', '/composite/sobjects', { allOrNone: false, records })).body as Array<{ success: boolean; errors: Json[] }>;
      expect(results[0].success).to.equal(false);
      expect(results[0].errors[0]).to.include({ statusCode: 'FIELD_INTEGRITY_EXCEPTION' });
      expect(String(results[0].errors[0].message)).to.contain('Read Leads');
      expect(results[1].success).to.equal(true);
      const composite = (await admin('POST', '/composite', {
        allOrNone: false,
        compositeRequest: [
          {
            method: 'POST',
            url: '/services/data/v66.0/sobjects/PermissionSetAssignment',
            referenceId: 'a',
            body: { AssigneeId: userId('integration2@lic.example.com'), PermissionSetId: psId('Contact_Reader') },
          },
        ],
      })).body as { compositeResponse: Array<{ httpStatusCode: number; body: Json[] }> };
      expect(composite.compositeResponse[0].httpStatusCode).to.equal(400);
      expect(composite.compositeResponse[0].body[0]).to.include({ errorCode: 'FIELD_INTEGRITY_EXCEPTION' });
    });

    it('is enforced in Bulk API 2.0 ingest, per row', async () => {
      const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
      const input = `AssigneeId,PermissionSetId\n${userId('integration@lic.example.com')},${psId('Lead_Intake')}\n${userId('sam@lic.example.com')},${psId('Lead_Intake')}\n`;
      const results = (await conn.bulk2.loadAndWaitForResults({ object: 'PermissionSetAssignment', operation: 'insert', input, pollInterval: 5, pollTimeout: 10_000 })) as unknown as {
        successfulResults: Array<Record<string, string>>;
        failedResults: Array<Record<string, string>>;
      };
      expect(results.successfulResults).to.have.length(1);
      expect(results.failedResults).to.have.length(1);
      expect(results.failedResults[0].sf__Error).to.contain("FIELD_INTEGRITY_EXCEPTION:Can't assign permission set Lead Intake to user integration@lic.example.com.");
    });
  });

  describe('PermissionSetLicenseAssign', () => {
    it('refuses a permission set licensed by a PSL until the user has the PSL', async () => {
      const licensed = await created(admin('POST', '/sobjects/PermissionSet', { Name: 'Api_Integration', Label: 'API Integration', LicenseId: pslId() }));
      const refused = await admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('integration@lic.example.com'), PermissionSetId: licensed });
      expect(error(refused)).to.include({
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: "Can't assign permission set API Integration to user integration@lic.example.com. The user doesn't have the permission set license: Salesforce API Integration.",
      });
      await created(assignPsl('integration@lic.example.com'));
      await created(admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('integration@lic.example.com'), PermissionSetId: licensed }));
    });

    it('counts seats over active assignees: over TotalLicenses is LICENSE_LIMIT_EXCEEDED', async () => {
      await created(assignPsl('integration@lic.example.com'));
      const full = await assignPsl('integration2@lic.example.com');
      expect(full.status).to.equal(400);
      expect(error(full)).to.include({ errorCode: 'LICENSE_LIMIT_EXCEEDED', message: 'License Limit Exceeded' });
      expect((await admin('PATCH', `/sobjects/User/${userId('integration@lic.example.com')}`, { IsActive: false })).status).to.equal(204);
      expect(await usedSeats()).to.equal(0);
      await created(assignPsl('integration2@lic.example.com'));
      expect(await usedSeats()).to.equal(1);
    });

    it('refuses a second assignment of the same PSL (DUPLICATE_VALUE) and a user on another licence', async () => {
      await created(assignPsl('integration@lic.example.com'));
      expect(error(await assignPsl('integration@lic.example.com')).errorCode).to.equal('DUPLICATE_VALUE');
      const other = await assignPsl('sam@lic.example.com');
      expect(error(other).errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(String(error(other).message)).to.contain('Salesforce API Integration');
    });

    it('cannot be removed while an assigned permission set needs it; can once the permission set is gone', async () => {
      const psla = await created(assignPsl('integration@lic.example.com'));
      const psa = await created(assign('integration@lic.example.com', 'Lead_Intake'));
      const refused = await admin('DELETE', `/sobjects/PermissionSetLicenseAssign/${psla}`);
      expect(refused.status).to.equal(400);
      expect(error(refused).errorCode).to.equal('DELETE_FAILED');
      expect(String(error(refused).message)).to.contain('Read Leads');
      expect((await admin('DELETE', `/sobjects/PermissionSetAssignment/${psa}`)).status).to.equal(204);
      expect((await admin('DELETE', `/sobjects/PermissionSetLicenseAssign/${psla}`)).status).to.equal(204);
      expect(await usedSeats()).to.equal(0);
    });

    it('is readable with Assign Permission Sets and written with Manage Users only', async () => {
      const assigner = await created(admin('POST', '/sobjects/PermissionSet', { Name: 'Assigner', Label: 'Assigner', PermissionsAssignPermissionSets: true }));
      await created(admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('sam@lic.example.com'), PermissionSetId: assigner }));
      const t = tokenOf('sam@lic.example.com');
      expect((await call(t, 'GET', q('SELECT Id FROM PermissionSetLicenseAssign'))).status).to.equal(200);
      const refused = await call(t, 'POST', '/sobjects/PermissionSetLicenseAssign', { AssigneeId: userId('integration@lic.example.com'), PermissionSetLicenseId: pslId() });
      expect(error(refused).errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
      expect((await call(tokenOf('platform@lic.example.com'), 'GET', q('SELECT Id FROM PermissionSetLicenseAssign'))).status).to.equal(400);
    });
  });

  describe('the Salesforce Platform licence', () => {
    it('refuses Lead access and allows Contact access', async () => {
      const refused = await assign('platform@lic.example.com', 'Lead_Intake');
      expect(error(refused)).to.include({
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: "Can't assign permission set Lead Intake to user platform@lic.example.com. The user license doesn't allow the permission: Read Leads",
      });
      await created(assign('platform@lic.example.com', 'Contact_Reader'));
    });
  });

  describe('saving a permission set that is already assigned', () => {
    it('refuses object permissions the assignee licence does not allow (REST ObjectPermissions)', async () => {
      await created(assign('integration@lic.example.com', 'Api_Only'));
      const refused = await admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId('Api_Only'), SobjectType: 'Lead', PermissionsRead: true });
      expect(refused.status).to.equal(400);
      expect(error(refused)).to.include({
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message:
          "Can't save permission set Api Only, which is assigned to a user with user license Salesforce Integration. The user license doesn't allow the permission: Read Leads",
      });
      // An existing record raised beyond the licence is refused too.
      await created(assign('platform@lic.example.com', 'Contact_Reader'));
      const op = emu.store.find('ObjectPermissions', (r) => r.ParentId === psId('Contact_Reader'))!;
      expect((await admin('PATCH', `/sobjects/ObjectPermissions/${op.Id}`, { PermissionsEdit: true })).status).to.equal(204);
      await created(admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId('Contact_Reader'), SobjectType: 'Account', PermissionsRead: true }));
      expect(error(await admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId('Contact_Reader'), SobjectType: 'Lead', PermissionsRead: true })).message).to.contain(
        'user license Salesforce Platform'
      );
    });

    it('refuses the same for a group: a new member, or more access in a member', async () => {
      const group = await created(admin('POST', '/sobjects/PermissionSetGroup', { DeveloperName: 'Integrations', MasterLabel: 'Integrations' }));
      await created(admin('POST', '/sobjects/PermissionSetGroupComponent', { PermissionSetGroupId: group, PermissionSetId: psId('Api_Only') }));
      await created(admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('integration@lic.example.com'), PermissionSetGroupId: group }));
      const member = await admin('POST', '/sobjects/PermissionSetGroupComponent', { PermissionSetGroupId: group, PermissionSetId: psId('Contact_Reader') });
      expect(error(member)).to.include({
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message:
          "Can't save permission set group Integrations, which is assigned to a user with user license Salesforce Integration. The user license doesn't allow the permission: Read Contacts",
      });
      const more = await admin('POST', '/sobjects/ObjectPermissions', { ParentId: psId('Api_Only'), SobjectType: 'Account', PermissionsRead: true });
      expect(String(error(more).message)).to.equal(
        "Can't save permission set Api Only, which is assigned to a user with user license Salesforce Integration. The user license doesn't allow the permission: Read Accounts"
      );
    });

    it('refuses the same through the Metadata API (update of the PermissionSet)', async () => {
      await created(assign('integration@lic.example.com', 'Api_Only'));
      const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
      const result = (await conn.metadata.update('PermissionSet', {
        fullName: 'Api_Only',
        label: 'Api Only',
        objectPermissions: [
          { allowCreate: true, allowDelete: false, allowEdit: true, allowRead: true, modifyAllRecords: false, object: 'Lead', viewAllRecords: false },
        ],
        userPermissions: [{ enabled: true, name: 'ApiEnabled' }],
      } as never)) as unknown as { success: boolean; errors: Json[] };
      expect(result.success, JSON.stringify(result)).to.equal(false);
      expect(result.errors[0].statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(result.errors[0].message).to.equal(
        "Can't save permission set Api Only, which is assigned to a user with user license Salesforce Integration. The user license doesn't allow the permission: Read Leads"
      );
      expect(emu.store.records('ObjectPermissions').filter((r) => r.ParentId === psId('Api_Only'))).to.have.length(0);
      // With the PSL on the user, the same update is saved.
      await created(assignPsl('integration@lic.example.com'));
      const ok = (await conn.metadata.update('PermissionSet', {
        fullName: 'Api_Only',
        label: 'Api Only',
        objectPermissions: [
          { allowCreate: true, allowDelete: false, allowEdit: true, allowRead: true, modifyAllRecords: false, object: 'Lead', viewAllRecords: false },
        ],
      } as never)) as unknown as { success: boolean };
      expect(ok.success).to.equal(true);
    });
  });

  describe('effective permissions', () => {
    it('ignore what the licence does not allow, however the permission set came to the user', async () => {
      // Platform-internal write, no rules: the access computation still cuts Lead access for an integration user.
      emu.store.createSystem('PermissionSetAssignment', { AssigneeId: userId('integration@lic.example.com'), PermissionSetId: psId('Lead_Intake'), IsActive: true });
      expect((await call(tokenOf('integration@lic.example.com'), 'GET', '/sobjects/Lead/describe')).status).to.equal(404);
      const viewAll = await created(admin('POST', '/sobjects/PermissionSet', { Name: 'Viewer', Label: 'Viewer', PermissionsViewAllData: true }));
      await created(admin('POST', '/sobjects/PermissionSetAssignment', { AssigneeId: userId('platform@lic.example.com'), PermissionSetId: viewAll }));
      const t = tokenOf('platform@lic.example.com');
      expect((await call(t, 'GET', '/sobjects/Lead/describe')).status).to.equal(404);
      expect((await call(t, 'GET', '/sobjects/Contact/describe')).status).to.equal(200);
    });
  });

  describe('seeds', () => {
    it('refuse to assign an object-granting permission set to an integration user without the PSL, and accept it with one', async () => {
      const bad: Seed = { ...seed, assignments: [{ user: 'integration@lic.example.com', permissionSet: 'Lead_Intake' }] };
      const failure = await emu.reset(bad).then(
        () => undefined,
        (e: Error) => e
      );
      expect(failure?.message).to.contain("The user license doesn't allow the permission: Read Leads");
      const users = seed.users!.map((u) => (u.username === 'integration@lic.example.com' ? { ...u, permissionSetLicences: ['Salesforce API Integration'] } : u));
      await emu.reset({ ...bad, users });
      expect(emu.store.records('PermissionSetLicenseAssign')).to.have.length(1);
      expect((await call(tokenOf('integration@lic.example.com'), 'GET', '/sobjects/Lead/describe')).status).to.equal(200);
    });
  });
});
