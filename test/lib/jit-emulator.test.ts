/*
 * The emulator's Just-in-Time rules on SamlSsoConfig that `sf provision jit` relies on: samlJitHandlerId must be an
 * existing ApexClass id, executionUserId an existing, active User id, and one is not accepted without the other.
 * The rules hold for Metadata API CRUD and for seeding alike. Also: a System Administrator's profile grants
 * "Manage Users", other standard profiles do not.
 */
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from '../emulator/server.js';
import { putComponent } from '../emulator/metadata/soap.js';
import { generateSelfSigned } from '../emulator/metadata/components.js';
import { derBase64 } from '../emulator/metadata/harness.js';

type SaveResult = { success: boolean | string; fullName: string; errors?: { statusCode: string; message: string } | Array<{ statusCode: string; message: string }> };
type Crud = Record<'create' | 'update', (type: string, metadata: unknown) => Promise<unknown>>;

const firstError = (r: SaveResult): { statusCode: string; message: string } => {
  const e = r.errors;
  return (Array.isArray(e) ? e[0] : e) as { statusCode: string; message: string };
};

describe('emulator: SamlSsoConfig Just-in-Time handler rules', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;
  let conn: Connection;
  let cert: string;
  let handlerId: string;
  let adminId: string;
  let inactiveId: string;

  const crud = (): Crud => conn.metadata as unknown as Crud;
  const config = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    fullName: 'Okta',
    ...('executionUserId' in extra ? { executionUserId: extra.executionUserId } : {}),
    identityLocation: 'SubjectNameId',
    identityMapping: 'FederationId',
    issuer: 'http://www.okta.com/exk1',
    name: 'Okta',
    samlEntityId: 'https://acme.my.salesforce.com',
    ...('samlJitHandlerId' in extra ? { samlJitHandlerId: extra.samlJitHandlerId } : {}),
    samlVersion: 'SAML2_0',
    userProvisioning: true,
    validationCert: cert,
  });
  const update = async (extra: Record<string, unknown>): Promise<SaveResult> => (await crud().update('SamlSsoConfig', config(extra))) as SaveResult;

  before(async () => {
    emu = await OrgEmulator.start({
      seed: {
        users: [
          { username: 'admin@jit.example.com', lastName: 'Admin', profile: 'System Administrator' },
          { username: 'gone@jit.example.com', lastName: 'Gone', profile: 'System Administrator', isActive: false },
          { username: 'rep@jit.example.com', lastName: 'Rep', profile: 'Standard User' },
        ],
        apexClasses: [{ name: 'OktaJitHandler', body: 'global class OktaJitHandler implements Auth.SamlJitHandler {}' }],
      },
    });
    conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
    cert = derBase64((await generateSelfSigned('00Dother', 'okta', 2048, new Date(Date.now() + 86_400_000))).pem);
    const q = async (soql: string): Promise<string> => String((await conn.query<{ Id: string }>(soql)).records[0].Id);
    handlerId = await q("SELECT Id FROM ApexClass WHERE Name = 'OktaJitHandler'");
    adminId = await q("SELECT Id FROM User WHERE Username = 'admin@jit.example.com'");
    inactiveId = await q("SELECT Id FROM User WHERE Username = 'gone@jit.example.com'");
    const created = (await crud().create('SamlSsoConfig', config())) as SaveResult;
    expect(String(created.success)).to.equal('true');
  });
  after(() => emu.stop());

  it('accepts a handler with an active execution user (18- or 15-character ids) and mirrors them on the record', async () => {
    expect(String((await update({ samlJitHandlerId: handlerId, executionUserId: adminId })).success)).to.equal('true');
    expect(String((await update({ samlJitHandlerId: handlerId.slice(0, 15), executionUserId: adminId.slice(0, 15) })).success)).to.equal('true');
    const rec = (await conn.query<Record<string, unknown>>("SELECT SamlJitHandlerId, ExecutionUserId, OptionsUserProvisioning FROM SamlSsoConfig WHERE DeveloperName = 'Okta'")).records[0];
    expect(String(rec.SamlJitHandlerId).slice(0, 15)).to.equal(handlerId.slice(0, 15));
    expect(String(rec.ExecutionUserId).slice(0, 15)).to.equal(adminId.slice(0, 15));
    expect(rec.OptionsUserProvisioning).to.equal(true);
  });

  it('refuses a handler without an execution user, and an execution user without a handler (FIELD_INTEGRITY_EXCEPTION)', async () => {
    const noUser = await update({ samlJitHandlerId: handlerId });
    expect(String(noUser.success)).to.equal('false');
    expect(firstError(noUser).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    expect(firstError(noUser).message).to.match(/execution user is required/);
    const noHandler = await update({ executionUserId: adminId });
    expect(firstError(noHandler).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    expect(firstError(noHandler).message).to.match(/together with a SAML JIT handler/);
  });

  it('refuses ids that are no ApexClass or no User (INVALID_CROSS_REFERENCE_KEY)', async () => {
    const badHandler = await update({ samlJitHandlerId: '01p000000000999', executionUserId: adminId });
    expect(firstError(badHandler)).to.deep.include({ statusCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(firstError(badHandler).message).to.equal('In field: samlJitHandlerId - no ApexClass with id 01p000000000999 found');
    const userAsHandler = await update({ samlJitHandlerId: adminId, executionUserId: adminId });
    expect(firstError(userAsHandler).statusCode).to.equal('INVALID_CROSS_REFERENCE_KEY');
    const badUser = await update({ samlJitHandlerId: handlerId, executionUserId: '005000000000999' });
    expect(firstError(badUser)).to.deep.include({ statusCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(firstError(badUser).message).to.equal('In field: executionUserId - no User with id 005000000000999 found');
    const classAsUser = await update({ samlJitHandlerId: handlerId, executionUserId: handlerId });
    expect(firstError(classAsUser).statusCode).to.equal('INVALID_CROSS_REFERENCE_KEY');
  });

  it('refuses an inactive execution user (FIELD_INTEGRITY_EXCEPTION)', async () => {
    const r = await update({ samlJitHandlerId: handlerId, executionUserId: inactiveId });
    expect(firstError(r).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    expect(firstError(r).message).to.equal('The execution user gone@jit.example.com is inactive. Choose an active user.');
  });

  it('applies the same rules to seeded components', async () => {
    let error: Error | undefined;
    try {
      await putComponent(emu.metadataContext, 'SamlSsoConfig', 'Seeded', { ...config({ samlJitHandlerId: '01p000000000999', executionUserId: adminId }), fullName: undefined, name: 'Seeded' });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/no ApexClass with id/);
    expect(emu.components.get('SamlSsoConfig')?.has('Seeded')).to.equal(false);
  });

  it('gives the System Administrator profile "Manage Users" and the Standard User profile not', async () => {
    const rows = (
      await conn.query<{ Assignee: { Username: string } }>(
        'SELECT Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.PermissionsManageUsers = true'
      )
    ).records.map((r) => r.Assignee.Username);
    expect(rows).to.include.members(['admin@jit.example.com', 'gone@jit.example.com']);
    expect(rows).not.to.include('rep@jit.example.com');
  });
});
