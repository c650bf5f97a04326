import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import PermsetCreate, { type PermsetCreateResult } from '../../../../src/commands/provision/permset/create.js';
import PermsetAssign, { type PermsetAssignmentResult } from '../../../../src/commands/provision/permset/assign.js';
import PermsetUnassign from '../../../../src/commands/provision/permset/unassign.js';
import { loadSeed, type Seed } from '../../../emulator/seed.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';

const CREATE = ['--target-org', 'emu', '--name', 'Lead_Sync', '--api-enabled', '--object', 'Lead:create,edit', '--field', 'Lead.Email:edit'];

const seedWith = async (extra: Partial<Seed>): Promise<Seed> => {
  const base = await loadSeed();
  return {
    ...base,
    ...extra,
    users: [...(base.users ?? []), ...(extra.users ?? [])],
    permissionSets: [...(base.permissionSets ?? []), ...(extra.permissionSets ?? [])],
  };
};

const assignedTo = (t: TestOrg, permset: string): string[] => {
  const ps = t.emu.store.records('PermissionSet').find((p) => p.Name === permset)!;
  return t.emu.store
    .records('PermissionSetAssignment')
    .filter((a) => a.PermissionSetId === ps.Id)
    .map((a) => String(t.emu.store.get('User', String(a.AssigneeId))?.Username))
    .sort();
};

describe('sf provision permset create', function () {
  this.timeout(120_000);
  let t: TestOrg;
  beforeEach(async () => {
    t = await setupTestOrg();
  });
  afterEach(async () => {
    await t?.close();
  });

  it('plans without changing the org under --dry-run', async () => {
    const before = orgFingerprint(t.emu);
    const { result } = await runCommand(PermsetCreate, [...CREATE, '--dry-run']);
    expect(result).to.include({ dryRun: true, changed: true });
    expect(result.changes[0]).to.deep.include({ resource: 'PermissionSet', name: 'Lead_Sync', action: 'create', status: 'planned' });
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('creates the permission set with the implied access, mirrors it, and a second run changes nothing', async () => {
    const first = await runCommand(PermsetCreate, [...CREATE, '--license', 'Salesforce Integration', '--api-only']);
    expect(first.exitCode).to.equal(0);
    expect(first.result.changes[0]).to.deep.include({ action: 'create', status: 'applied' });
    expect(first.output).to.contain('Added what the platform requires');
    const content = t.emu.components.get('PermissionSet')!.get('Lead_Sync')!.content;
    expect(content.license).to.equal('Salesforce Integration');
    expect(content.objectPermissions).to.deep.include({ allowCreate: true, allowDelete: false, allowEdit: true, allowRead: true, modifyAllRecords: false, object: 'Lead', viewAllRecords: false });
    expect(content.fieldPermissions).to.deep.include({ editable: true, field: 'Lead.Email', readable: true });
    const sobject = t.emu.store.records('PermissionSet').find((p) => p.Name === 'Lead_Sync')!;
    expect(sobject).to.include({ PermissionsApiEnabled: true, PermissionsApiUserOnly: true });
    expect(sobject.LicenseId).to.equal(t.emu.store.records('UserLicense').find((l) => l.Name === 'Salesforce Integration')!.Id);

    const after = orgFingerprint(t.emu);
    const second = await runCommand(PermsetCreate, [...CREATE, '--license', 'Salesforce Integration', '--api-only']);
    expect(second.result.changed).to.equal(false);
    expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged' });
    expect(orgFingerprint(t.emu)).to.equal(after);

    // Only what is missing is added; nothing is taken away.
    const third = await runCommand(PermsetCreate, ['--target-org', 'emu', '--name', 'Lead_Sync', '--object', 'Account:read']);
    expect(third.result.changes[0].fields).to.deep.equal([{ field: 'objectPermissions.Account', from: undefined, to: 'read' }]);
    const now = t.emu.components.get('PermissionSet')!.get('Lead_Sync')!.content;
    expect((now.objectPermissions as unknown[]).length).to.equal(2);
    expect(now.userPermissions).to.have.length(2);
  });

  it('extends the seeded permission set and refuses a licence change', async () => {
    const r = await runCommand(PermsetCreate, ['--target-org', 'emu', '--name', 'Integration_API', '--object', 'Contact:read']);
    expect(r.result.changes[0]).to.deep.include({ action: 'update', status: 'applied' });
    const err = await runCommandError(PermsetCreate, ['--target-org', 'emu', '--name', 'Integration_API', '--license', 'Salesforce Integration']);
    expect(err.message).to.contain('its license cannot change');
    const unknown = await runCommandError(PermsetCreate, ['--target-org', 'emu', '--name', 'X_Y', '--license', 'Nope', '--api-enabled']);
    expect(unknown.message).to.contain('no user license or permission set license named "Nope"');
    expect(unknown.actions?.[0]).to.contain('Salesforce Integration');
    expect(unknown.actions?.[1]).to.contain('Salesforce API Integration');
  });

  it('ties the permission set to a permission set license (label or API name) and says users need that license assigned', async () => {
    expect(t.emu.store.records('PermissionSetLicense').map((l) => l.MasterLabel)).to.include('Salesforce API Integration');
    const args = ['--target-org', 'emu', '--name', 'Api_Integration', '--api-enabled'];
    const first = await runCommand(PermsetCreate, [...args, '--license', 'SalesforceAPIIntegrationPsl']);
    expect(first.result.changes[0]).to.deep.include({ action: 'create', status: 'applied' });
    expect(t.emu.components.get('PermissionSet')!.get('Api_Integration')!.content.license).to.equal('Salesforce API Integration');
    const psl = t.emu.store.find('PermissionSetLicense', (l) => l.MasterLabel === 'Salesforce API Integration')!;
    expect(t.emu.store.find('PermissionSet', (p) => p.Name === 'Api_Integration')?.LicenseId).to.equal(psl.Id);
    const info = first.ux.info.args.flat().join('\n');
    expect(info).to.contain('permission set license "Salesforce API Integration"');
    expect(info).to.contain('PermissionSetLicenseAssign');

    const after = orgFingerprint(t.emu);
    const second = await runCommand(PermsetCreate, [...args, '--license', 'salesforce api integration']);
    expect(second.result.changed).to.equal(false);
    expect(orgFingerprint(t.emu)).to.equal(after);
    // The user license of a similar name is another license: the permission set's license cannot change to it.
    const err = await runCommandError(PermsetCreate, [...args, '--license', 'Salesforce Integration']);
    expect(err.message).to.contain('"Salesforce API Integration"; its license cannot change to "Salesforce Integration"');
  });

  it('refuses bad names, bad access and unknown apps with the fix', async () => {
    expect((await runCommandError(PermsetCreate, ['--target-org', 'emu', '--name', 'Bad Name', '--api-enabled'])).actions?.[0]).to.contain('letters, digits');
    const bad = await runCommandError(PermsetCreate, ['--target-org', 'emu', '--name', 'Lead_Sync', '--object', 'Lead:write']);
    expect(bad.message).to.equal('Invalid object access "Lead:write".');
    expect(bad.actions?.[0]).to.contain('read, create, edit, delete, viewAll, modifyAll');
    const app = await runCommandError(PermsetCreate, ['--target-org', 'emu', '--name', 'Lead_Sync', '--api-enabled', '--app', 'Nope']);
    expect(app.message).to.contain('No connected app or external client app named "Nope"');
  });

  it('writes permissionsets/<name>.permissionset-meta.xml that validates, and leaves the org alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provision-out-'));
    try {
      const before = orgFingerprint(t.emu);
      const { result } = await runCommand(PermsetCreate, [...CREATE, '--output-dir', dir]);
      expect(result.files).to.deep.equal([join('permissionsets', 'Lead_Sync.permissionset-meta.xml')]);
      expect(orgFingerprint(t.emu)).to.equal(before);
      const xml = await readFile(join(dir, 'permissionsets', 'Lead_Sync.permissionset-meta.xml'), 'utf8');
      expect(xml).to.contain('<name>ApiEnabled</name>');
      const { components, errors } = await validateSourceDir(dir);
      expect(errors).to.deep.equal([]);
      expect(components).to.deep.equal(['PermissionSet:Lead_Sync']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sf provision permset create --app', function () {
  this.timeout(120_000);
  let t: TestOrg;
  afterEach(async () => {
    await t?.close();
  });

  it('adds a SetupEntityAccess record for a connected app once the permission set exists', async () => {
    const seed = await seedWith({
      metadata: [{ type: 'ConnectedApp', fullName: 'Lead_Sync_App', content: { contactEmail: 'a@acme.example.com', label: 'Lead Sync App' } }],
    });
    t = await setupTestOrg({ seed });
    const first = await runCommand(PermsetCreate, [...CREATE, '--app', 'Lead_Sync_App']);
    expect(first.exitCode).to.equal(0);
    expect(first.result.changes.map((c) => [c.resource, c.action, c.status])).to.deep.equal([
      ['PermissionSet', 'create', 'applied'],
      ['SetupEntityAccess', 'create', 'applied'],
    ]);
    const ps = t.emu.store.records('PermissionSet').find((p) => p.Name === 'Lead_Sync')!;
    const app = t.emu.store.records('ConnectedApplication').find((a) => a.Name === 'Lead_Sync_App')!;
    expect(t.emu.store.records('SetupEntityAccess').filter((s) => s.ParentId === ps.Id && s.SetupEntityId === app.Id)).to.have.length(1);
    const again = await runCommand(PermsetCreate, [...CREATE, '--app', 'Lead_Sync_App']);
    expect(again.result.changed).to.equal(false);
  });

  it('adds the permission set to an external client app\'s OAuth policies', async () => {
    const seed = await seedWith({
      metadata: [
        { type: 'ExternalClientApplication', fullName: 'Sync_ECA', content: { contactEmail: 'a@acme.example.com', distributionState: 'Local', isProtected: false, label: 'Sync ECA' } },
        {
          type: 'ExtlClntAppOauthConfigurablePolicies',
          fullName: 'Sync_ECA_oauthPlcy',
          content: { commaSeparatedPermissionSet: 'Integration_API', externalClientApplication: 'Sync_ECA', label: 'Sync ECA', permittedUsersPolicyType: 'AdminApprovedPreAuthorized' },
        },
      ],
    });
    t = await setupTestOrg({ seed });
    const r = await runCommand(PermsetCreate, [...CREATE, '--app', 'Sync_ECA']);
    expect(r.result.changes.map((c) => [c.resource, c.action, c.status])).to.deep.equal([
      ['PermissionSet', 'create', 'applied'],
      ['ExtlClntAppOauthConfigurablePolicies', 'update', 'applied'],
    ]);
    expect(t.emu.components.get('ExtlClntAppOauthConfigurablePolicies')!.get('Sync_ECA_oauthPlcy')!.content.commaSeparatedPermissionSet).to.equal('Integration_API,Lead_Sync');
    expect((await runCommand(PermsetCreate, [...CREATE, '--app', 'Sync_ECA'])).result.changed).to.equal(false);
  });
});

describe('sf provision permset assign | unassign', function () {
  this.timeout(120_000);
  let t: TestOrg;
  beforeEach(async () => {
    const seed = await seedWith({
      users: [
        { username: 'etl@acme.example.com', lastName: 'Etl', profile: 'Minimum Access - API Only Integrations' },
        { username: 'gone@acme.example.com', lastName: 'Gone', profile: 'Standard User', isActive: false },
      ],
      permissionSets: [{ name: 'Integration_Only', licence: 'Salesforce Integration', apiEnabled: true }],
    });
    t = await setupTestOrg({ seed });
  });
  afterEach(async () => {
    await t?.close();
  });

  it('assigns, re-assigns as a no-op, and unassigns; --dry-run changes nothing', async () => {
    const users = ['--users', 'integration@acme.example.com,etl@acme.example.com'];
    const before = orgFingerprint(t.emu);
    const dry = await runCommand(PermsetAssign, ['--target-org', 'emu', '--name', 'Integration_API', ...users, '--dry-run']);
    // Both users are on the Salesforce Integration user licence: the Salesforce API Integration permission set
    // licence is planned before each one's assignment.
    expect(dry.result.users.map((u) => [u.username, u.action, u.status])).to.deep.equal([
      ['integration@acme.example.com', 'assign-licence', 'planned'],
      ['integration@acme.example.com', 'assign', 'planned'],
      ['etl@acme.example.com', 'assign-licence', 'planned'],
      ['etl@acme.example.com', 'assign', 'planned'],
    ]);
    expect(orgFingerprint(t.emu)).to.equal(before);

    const first = await runCommand(PermsetAssign, ['--target-org', 'emu', '--name', 'Integration_API', ...users]);
    expect(first.exitCode).to.equal(0);
    expect(first.result.users).to.deep.equal([
      { username: 'integration@acme.example.com', action: 'assign-licence', licence: 'Salesforce API Integration', status: 'applied' },
      { username: 'integration@acme.example.com', action: 'assign', status: 'applied' },
      { username: 'etl@acme.example.com', action: 'assign-licence', licence: 'Salesforce API Integration', status: 'applied' },
      { username: 'etl@acme.example.com', action: 'assign', status: 'applied' },
    ]);
    expect(assignedTo(t, 'Integration_API')).to.deep.equal(['etl@acme.example.com', 'integration@acme.example.com']);

    const after = orgFingerprint(t.emu);
    const again = await runCommand(PermsetAssign, ['--target-org', 'emu', '--name', 'Integration_API', ...users]);
    expect(again.result.changed).to.equal(false);
    expect(again.result.users.map((u) => u.status)).to.deep.equal(['unchanged', 'unchanged']);
    expect(orgFingerprint(t.emu)).to.equal(after);

    const off = await runCommand(PermsetUnassign, ['--target-org', 'emu', '--name', 'Integration_API', '--users', 'etl@acme.example.com']);
    expect(off.result.users).to.deep.equal([{ username: 'etl@acme.example.com', action: 'unassign', status: 'applied' }]);
    expect(assignedTo(t, 'Integration_API')).to.deep.equal(['integration@acme.example.com']);
    const offAgain = await runCommand(PermsetUnassign, ['--target-org', 'emu', '--name', 'Integration_API', '--users', 'etl@acme.example.com']);
    expect(offAgain.result.changed).to.equal(false);
    expect(offAgain.exitCode).to.equal(0);
  });

  it('exits 68 on partial success: unknown, inactive and licence-mismatched users fail, the others are assigned', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provision-users-'));
    try {
      const file = join(dir, 'users.csv');
      await writeFile(file, 'Name,Username\nIvy,integration@acme.example.com\nSam,sam.sales@acme.example.com\nNo,nobody@acme.example.com\nGone,gone@acme.example.com\n');
      const r = await runCommand(PermsetAssign, ['--target-org', 'emu', '--name', 'Integration_Only', '--users-file', file]);
      expect(r.exitCode).to.equal(68);
      const byUser = Object.fromEntries((r.result as PermsetAssignmentResult).users.map((u) => [u.username, [u.status, u.error?.code]]));
      expect(byUser).to.deep.equal({
        'nobody@acme.example.com': ['failed', 'USER_NOT_FOUND'],
        'integration@acme.example.com': ['applied', undefined],
        'sam.sales@acme.example.com': ['failed', 'FIELD_INTEGRITY_EXCEPTION'],
        'gone@acme.example.com': ['failed', 'INACTIVE_USER'],
      });
      expect(r.output).to.contain('Not found in the org: nobody@acme.example.com');
      expect(r.output).to.contain('Inactive: gone@acme.example.com');
      expect(assignedTo(t, 'Integration_Only')).to.deep.equal(['integration@acme.example.com']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails (exit 1) when every user fails, and names a missing permission set', async () => {
    const err = await runCommandError(PermsetAssign, ['--target-org', 'emu', '--name', 'Integration_API', '--users', 'nobody@acme.example.com']);
    expect(err.message).to.contain('No user could be assigned');
    const missing = await runCommandError(PermsetAssign, ['--target-org', 'emu', '--name', 'Nope', '--users', 'etl@acme.example.com']);
    expect(missing.message).to.contain('No permission set or permission set group named "Nope"');
  });

  it('a permission set licence without seats: the licence fails with its fix and that user\'s assignment is not sent', async () => {
    await t.close();
    t = await setupTestOrg({
      seed: await seedWith({
        users: [{ username: 'etl@acme.example.com', lastName: 'Etl', profile: 'Minimum Access - API Only Integrations' }],
        permissionSetLicences: [{ developerName: 'SalesforceAPIIntegrationPsl', label: 'Salesforce API Integration', key: 'SalesforceAPIIntegrationPsl', total: 1, integrations: true }],
      }),
    });
    const r = await runCommand(PermsetAssign, ['--target-org', 'emu', '--name', 'Integration_API', '--users', 'integration@acme.example.com,etl@acme.example.com']);
    expect(r.exitCode).to.equal(68);
    expect(r.result.users.map((u) => [u.username, u.action, u.status, u.error?.code])).to.deep.equal([
      ['integration@acme.example.com', 'assign-licence', 'applied', undefined],
      ['integration@acme.example.com', 'assign', 'applied', undefined],
      ['etl@acme.example.com', 'assign-licence', 'failed', 'LICENSE_LIMIT_EXCEEDED'],
      ['etl@acme.example.com', 'assign', 'failed', 'LICENSE_NOT_ASSIGNED'],
    ]);
    expect(r.output).to.contain('no seats left');
    expect(assignedTo(t, 'Integration_API')).to.deep.equal(['integration@acme.example.com']);
  });

  it('--dry-run with a user who would fail: counts users (not their licences), says nothing was changed, exit 68', async () => {
    const before = orgFingerprint(t.emu);
    const r = await runCommand(PermsetAssign, ['--target-org', 'emu', '--name', 'Integration_API', '--users', 'etl@acme.example.com,nobody@acme.example.com', '--dry-run']);
    expect(r.exitCode).to.equal(68);
    expect(r.output).to.contain('1 of 2 user(s) would fail');
    expect(r.output).to.not.contain('the others are assigned');
    expect(r.output).to.contain('Salesforce API Integration assigned first');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('runs as a subprocess with --json (bin/run.js)', async () => {
    const r = await t.runJson<PermsetAssignmentResult>(['provision', 'permset', 'assign', '--target-org', 'emu', '--name', 'Integration_API', '--users', 'etl@acme.example.com,nobody@acme.example.com']);
    expect(r.code).to.equal(68);
    expect(r.json.result.users.map((u) => [u.username, u.action, u.status])).to.deep.equal([
      ['nobody@acme.example.com', 'assign', 'failed'],
      ['etl@acme.example.com', 'assign-licence', 'applied'],
      ['etl@acme.example.com', 'assign', 'applied'],
    ]);
  });
});

describe('sf provision permset assign | unassign in batches', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let dir: string;
  const COUNT = 450;
  const usernames = Array.from({ length: COUNT }, (_, i) => `bulk${String(i).padStart(3, '0')}@acme.example.com`);
  before(async () => {
    const seed = await seedWith({ users: usernames.map((username, i) => ({ username, lastName: `Bulk ${i}`, profile: 'Standard User' })) });
    t = await setupTestOrg({ seed });
    dir = await mkdtemp(join(tmpdir(), 'provision-bulk-'));
  });
  after(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const collectionCalls = (from: number, method: string): number =>
    t.emu.requests.slice(from).filter((r) => r.method === method && r.path.endsWith('/composite/sobjects')).length;

  it(`assigns ${COUNT} users in 3 sObject Collections calls, a re-run is a no-op, and unassigns them in 3 calls`, async () => {
    const file = join(dir, 'users.txt');
    await writeFile(file, `${usernames.join('\n')}\n`);
    const args = ['--target-org', 'emu', '--name', 'Integration_API', '--users-file', file];

    const start = t.emu.requests.length;
    const first = await runCommand(PermsetAssign, args);
    expect(first.exitCode).to.equal(0);
    expect(first.result.users).to.have.length(COUNT);
    expect(first.result.users.every((u) => u.action === 'assign' && u.status === 'applied')).to.equal(true);
    expect(collectionCalls(start, 'POST')).to.equal(3);
    expect(assignedTo(t, 'Integration_API')).to.deep.equal([...usernames].sort());

    const after = orgFingerprint(t.emu);
    const again = t.emu.requests.length;
    const second = await runCommand(PermsetAssign, args);
    expect(second.result.changed).to.equal(false);
    expect(second.result.users.every((u) => u.action === 'none' && u.status === 'unchanged')).to.equal(true);
    expect(collectionCalls(again, 'POST')).to.equal(0);
    expect(orgFingerprint(t.emu)).to.equal(after);

    const off = t.emu.requests.length;
    const removed = await runCommand(PermsetUnassign, args);
    expect(removed.result.users.filter((u) => u.status === 'applied')).to.have.length(COUNT);
    expect(collectionCalls(off, 'DELETE')).to.equal(3);
    expect(assignedTo(t, 'Integration_API')).to.deep.equal([]);
  });
});

describe('sf provision permset create (subprocess)', function () {
  this.timeout(180_000);
  let t: TestOrg;
  before(async () => {
    t = await setupTestOrg();
  });
  after(async () => {
    await t?.close();
  });

  it('runs bin/run.js with --json: creates, then reports no changes', async () => {
    const argv = ['provision', 'permset', 'create', '--target-org', 'emu', '--name', 'Lead_Sync', '--api-enabled', '--object', 'Lead:read'];
    const first = await t.runJson<PermsetCreateResult>(argv);
    expect(first.code).to.equal(0);
    expect(first.json.result).to.deep.include({ dryRun: false, changed: true });
    expect(first.json.result.changes[0]).to.deep.include({ resource: 'PermissionSet', name: 'Lead_Sync', action: 'create', status: 'applied' });
    expect(t.emu.store.records('PermissionSet').find((p) => p.Name === 'Lead_Sync')).to.include({ PermissionsApiEnabled: true });
    const second = await t.runJson<PermsetCreateResult>(argv);
    expect(second.code).to.equal(0);
    expect(second.json.result.changed).to.equal(false);
    expect(second.json.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged' });
    const bad = await t.runJson<PermsetCreateResult>(['provision', 'permset', 'create', '--target-org', 'emu', '--name', 'Bad Name', '--api-enabled']);
    expect(bad.code).to.equal(1);
    expect(JSON.stringify(bad.json)).to.contain('letters, digits');
  });
});
