/*
 * The emulator's SamlSsoConfig rules that `sf provision sso configure` relies on: the required fields, the enum
 * values, an attribute name whenever the identity is in an attribute (added here), and update replacing the whole
 * component (which is why the plan writes the full configuration back).
 */
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from '../emulator/server.js';
import { generateSelfSigned, putComponent } from '../emulator/metadata/components.js';
import { derBase64 } from '../emulator/metadata/harness.js';

type SaveResult = { success: boolean | string; fullName: string; errors?: { statusCode: string; message: string } | Array<{ statusCode: string; message: string }> };
type Crud = Record<'create' | 'update', (type: string, metadata: unknown) => Promise<unknown>>;

const firstError = (r: SaveResult): { statusCode: string; message: string } => {
  const e = r.errors;
  return (Array.isArray(e) ? e[0] : e) as { statusCode: string; message: string };
};

describe('emulator: SamlSsoConfig rules', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;
  let conn: Connection;
  let cert: string;

  const crud = (): Crud => conn.metadata as unknown as Crud;
  const config = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    fullName: name,
    ...('attributeName' in extra ? { attributeName: extra.attributeName } : {}),
    identityLocation: extra.identityLocation ?? 'SubjectNameId',
    identityMapping: 'FederationId',
    issuer: 'http://www.okta.com/exk1',
    loginUrl: 'https://acme.okta.com/sso',
    ...('logoutUrl' in extra ? { logoutUrl: extra.logoutUrl } : {}),
    name,
    samlEntityId: 'https://acme.my.salesforce.com',
    samlVersion: 'SAML2_0',
    validationCert: cert,
  });

  before(async () => {
    emu = await OrgEmulator.start();
    conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
    cert = derBase64((await generateSelfSigned('00Dother', 'okta', 2048, new Date(Date.now() + 86_400_000))).pem);
  });
  after(async () => emu.stop());

  it('requires an attribute name when the identity is in an attribute (create, update and seed)', async () => {
    const missing = (await crud().create('SamlSsoConfig', config('Attr', { identityLocation: 'Attribute' }))) as SaveResult;
    expect(String(missing.success)).to.equal('false');
    expect(firstError(missing).statusCode).to.equal('REQUIRED_FIELD_MISSING');
    expect(firstError(missing).message).to.contain('attributeName');
    const blank = (await crud().create('SamlSsoConfig', config('Attr', { identityLocation: 'Attribute', attributeName: ' ' }))) as SaveResult;
    expect(String(blank.success)).to.equal('false');
    expect(emu.components.get('SamlSsoConfig')?.has('Attr')).to.not.equal(true);

    const ok = (await crud().create('SamlSsoConfig', config('Attr', { identityLocation: 'Attribute', attributeName: 'email' }))) as SaveResult;
    expect(String(ok.success)).to.equal('true');
    const dropped = (await crud().update('SamlSsoConfig', config('Attr', { identityLocation: 'Attribute' }))) as SaveResult;
    expect(firstError(dropped).statusCode).to.equal('REQUIRED_FIELD_MISSING');
    expect(emu.components.get('SamlSsoConfig')?.get('Attr')?.content.attributeName).to.equal('email');

    let seedError: Error | undefined;
    await putComponent(emu.metadataContext, 'SamlSsoConfig', 'Seeded', { ...config('Seeded', { identityLocation: 'Attribute' }), fullName: undefined }).catch(
      (e: Error) => (seedError = e)
    );
    expect(seedError?.message).to.contain('attributeName');
  });

  it('keeps the required fields and enum values of the WSDL', async () => {
    const noIssuer = config('NoIssuer');
    delete noIssuer.issuer;
    const res = (await crud().create('SamlSsoConfig', noIssuer)) as SaveResult;
    expect(firstError(res)).to.deep.include({ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required field is missing: issuer' });
    const badEnum = await crud()
      .create('SamlSsoConfig', { ...config('Enum'), identityLocation: 'Header' })
      .then(() => undefined, (e: Error) => e);
    expect(badEnum?.message).to.equal("'Header' is not a valid value for the enum 'SamlIdentityLocationType'");
  });

  it('replaces the whole component on update: a field left out is gone', async () => {
    const created = (await crud().create('SamlSsoConfig', config('Whole', { logoutUrl: 'https://acme.okta.com/bye' }))) as SaveResult;
    expect(String(created.success)).to.equal('true');
    const updated = (await crud().update('SamlSsoConfig', config('Whole'))) as SaveResult;
    expect(String(updated.success)).to.equal('true');
    expect(emu.components.get('SamlSsoConfig')?.get('Whole')?.content).not.to.have.property('logoutUrl');
  });
});
