/*
 * The emulator's identity-provider rules the idp commands rely on: enabling needs an existing certificate,
 * disabling works and keeps the certificate name, and a certificate the identity provider signs with cannot be
 * deleted (DELETE_FAILED) until the identity provider is off.
 */
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from '../emulator/server.js';

type SaveResult = { success: boolean; errors?: { statusCode: string; message: string } | Array<{ statusCode: string; message: string }> };
type Loose = Record<'create' | 'update' | 'delete', (type: string, metadata: unknown) => Promise<unknown>>;
const firstError = (r: SaveResult): { statusCode: string; message: string } => (Array.isArray(r.errors) ? r.errors[0] : r.errors) as { statusCode: string; message: string };

describe('emulator: IdentityProviderSettings and its certificate', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;
  let md: Loose;
  let conn: Connection;

  beforeEach(async () => {
    emu = await OrgEmulator.start();
    conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
    md = conn.metadata as unknown as Loose;
    const cert = (await md.create('Certificate', { fullName: 'IdP_Signing', caSigned: false, keySize: 2048, masterLabel: 'IdP Signing', privateKeyExportable: false })) as SaveResult;
    expect(cert.success).to.equal(true);
  });
  afterEach(async () => {
    await emu?.stop();
  });

  const read = async (): Promise<{ certificateName?: unknown; enableIdentityProvider?: unknown }> =>
    (await conn.metadata.read('IdentityProviderSettings' as 'CustomObject', 'IdentityProvider')) as unknown as { certificateName?: unknown; enableIdentityProvider?: unknown };

  it('a new org has the identity provider off', async () => {
    expect(String((await read()).enableIdentityProvider)).to.equal('false');
  });

  it('refuses an unknown certificate, enables with a known one, and disables keeping the name', async () => {
    const bad = (await md.update('IdentityProviderSettings', { fullName: 'IdentityProvider', certificateName: 'Nope', enableIdentityProvider: true })) as SaveResult;
    expect(firstError(bad).statusCode).to.equal('INVALID_CROSS_REFERENCE_KEY');
    const on = (await md.update('IdentityProviderSettings', { fullName: 'IdentityProvider', certificateName: 'IdP_Signing', enableIdentityProvider: true })) as SaveResult;
    expect(on.success).to.equal(true);
    expect(String((await read()).enableIdentityProvider)).to.equal('true');
    const off = (await md.update('IdentityProviderSettings', { fullName: 'IdentityProvider', certificateName: 'IdP_Signing', enableIdentityProvider: false })) as SaveResult;
    expect(off.success).to.equal(true);
    const after = await read();
    expect(String(after.enableIdentityProvider)).to.equal('false');
    expect(after.certificateName).to.equal('IdP_Signing');
  });

  it('refuses to delete the certificate the identity provider signs with (DELETE_FAILED), until it is off', async () => {
    await md.update('IdentityProviderSettings', { fullName: 'IdentityProvider', certificateName: 'IdP_Signing', enableIdentityProvider: true });
    const refused = (await md.delete('Certificate', 'IdP_Signing')) as SaveResult;
    expect(refused.success).to.equal(false);
    expect(firstError(refused).statusCode).to.equal('DELETE_FAILED');
    expect(firstError(refused).message).to.match(/identity provider/);
    expect(emu.components.get('Certificate')?.has('IdP_Signing')).to.equal(true);

    await md.update('IdentityProviderSettings', { fullName: 'IdentityProvider', certificateName: 'IdP_Signing', enableIdentityProvider: false });
    const deleted = (await md.delete('Certificate', 'IdP_Signing')) as SaveResult;
    expect(deleted.success).to.equal(true);
    expect(emu.components.get('Certificate')?.has('IdP_Signing')).to.equal(false);
  });
});
