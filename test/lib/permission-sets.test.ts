/* permset create without the command: flags to spec, checking a spec, and planning from a spec against the emulated org. */
import { expect } from 'chai';
import { OrgClient } from '../../src/provision/client.js';
import { checkPermissionSetSpec, permissionSetSpec, planPermissionSetSpec } from '../../src/provision/permission-sets.js';
import { loadSeed } from '../emulator/seed.js';
import { orgFingerprint } from '../helpers/plan.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { refusal } from '../helpers/library.js';

const FLAGS = { name: 'Lead_Sync', 'api-enabled': false, 'api-only': false };

describe('permission set spec', () => {
  it('maps the flags to a spec, one grant per entry of "Lead:read;Account:read" and space-separated values', () => {
    const spec = permissionSetSpec({ ...FLAGS, 'api-enabled': true, object: ['Lead:create,read;Account:read', 'Contact:read Case:read'], field: ['Lead.Email:edit'], app: 'Sync', license: 'Salesforce Integration' });
    expect(spec).to.deep.equal({
      name: 'Lead_Sync',
      label: undefined,
      description: undefined,
      apiEnabled: true,
      apiOnly: false,
      objects: ['Lead:create,read', 'Account:read', 'Contact:read', 'Case:read'],
      fields: ['Lead.Email:edit'],
      app: 'Sync',
      license: 'Salesforce Integration',
    });
    expect(permissionSetSpec(FLAGS)).to.include({ name: 'Lead_Sync' }).and.deep.include({ objects: [], fields: [] });
  });

  it('parses grants given as text or as parsed grants, and refuses bad names and access with the fix', () => {
    const grants = checkPermissionSetSpec({ name: 'Lead_Sync', objects: ['Lead:create', { object: 'Account', access: ['read'] }], fields: [{ field: 'Lead.Email', access: ['edit'] }] });
    expect(grants).to.deep.equal({
      objects: [{ object: 'Lead', access: ['create'] }, { object: 'Account', access: ['read'] }],
      fields: [{ field: 'Lead.Email', access: ['edit'] }],
    });
    for (const name of ['Bad Name', 'Two__Underscores', 'Trailing_', '1st']) {
      expect(() => checkPermissionSetSpec({ name })).to.throw().with.property('name', 'InvalidNameError');
    }
    expect(() => checkPermissionSetSpec({ name: 'Lead_Sync', objects: ['Lead:write'] })).to.throw('Invalid object access "Lead:write".');
    expect(() => checkPermissionSetSpec({ name: 'Lead_Sync', fields: ['Email:read'] }))
      .to.throw('Invalid field access "Email:read".')
      .with.property('actions')
      .that.satisfies((a: string[]) => a[0].includes('Object.Field:access'));
    // @ts-expect-error a grant from a file may name access that does not exist
    expect(() => checkPermissionSetSpec({ name: 'Lead_Sync', objects: [{ object: 'Lead', access: ['write'] }] })).to.throw('Invalid object access "Lead:write".');
  });
});

describe('planning a permission set from a spec, without a command', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;

  before(async () => {
    const base = await loadSeed();
    const metadata = [{ type: 'ConnectedApp', fullName: 'Lead_Sync_App', content: { contactEmail: 'a@acme.example.com', label: 'Lead Sync App' } }];
    t = await setupTestOrg({ seed: { ...base, metadata: [...(base.metadata ?? []), ...metadata] } });
    client = new OrgClient(t.org.getConnection());
  });
  after(async () => {
    await t?.close();
  });

  it('plans a new permission set with its default label and implied access, then the app access; the org is unchanged', async () => {
    const before = orgFingerprint(t.emu);
    const changes = await planPermissionSetSpec(client, { name: 'Lead_Sync', apiOnly: true, objects: ['Lead:edit'], app: 'Lead_Sync_App', license: 'Salesforce Integration' });
    expect(changes.map((c) => [c.resource, c.action, c.status])).to.deep.equal([
      ['PermissionSet', 'create', 'planned'],
      ['SetupEntityAccess', 'create', 'planned'],
    ]);
    const content = changes[0].metadata!.content;
    expect(content).to.include({ fullName: 'Lead_Sync', label: 'Lead Sync', license: 'Salesforce Integration' });
    expect(content.userPermissions).to.deep.equal([{ enabled: true, name: 'ApiEnabled' }, { enabled: true, name: 'ApiUserOnly' }]);
    expect(changes[0].note).to.contain('API Only User needs API Enabled');
    expect(changes[1].record?.values?.ParentId).to.deep.equal({ ref: 'PermissionSet:Lead_Sync', field: 'id' });
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('adds only what the seeded permission set lacks', async () => {
    const [change] = await planPermissionSetSpec(client, { name: 'Integration_API', objects: [{ object: 'Contact', access: ['read'] }] });
    expect(change).to.deep.include({ action: 'update', fields: [{ field: 'objectPermissions.Contact', from: undefined, to: 'read' }] });
  });

  it('refuses a new permission set that asks for nothing, an unknown licence or app, and app access that cannot be a file', async () => {
    expect((await refusal(planPermissionSetSpec(client, { name: 'Empty_Set' }))).name).to.equal('NothingAskedError');
    expect((await refusal(planPermissionSetSpec(client, { name: 'X_Y', apiEnabled: true, license: 'Nope' }))).name).to.equal('UnknownLicenseError');
    expect((await refusal(planPermissionSetSpec(client, { name: 'X_Y', apiEnabled: true, app: 'Nope' }))).name).to.equal('AppNotFoundError');
    const toFiles = await refusal(planPermissionSetSpec(client, { name: 'X_Y', apiEnabled: true, app: 'Lead_Sync_App' }, undefined, { toFiles: true }));
    expect(toFiles.name).to.equal('ConnectedAppOutputDirError');
  });
});
