import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { generateSelfSigned, getCertificatePrivateKey, putComponent } from './components.js';
import { derBase64, startEmulator, TOKEN, type Emulator } from './harness.js';

type SaveResult = { success: boolean; fullName: string; created?: boolean; errors?: { statusCode: string; message: string; fields?: string[] } | Array<{ statusCode: string; message: string }> };
type Loose = Record<'create' | 'update' | 'upsert', (type: string, metadata: unknown) => Promise<unknown>>;
/** jsforce's typed overloads want its generated metadata types; the tests send plain objects as jsforce does on the wire. */
const loose = (c: Connection): Loose => c.metadata as unknown as Loose;
const firstError = (r: SaveResult): { statusCode: string; message: string } => {
  const e = r.errors;
  return (Array.isArray(e) ? e[0] : e) as { statusCode: string; message: string };
};

describe('Metadata SOAP API through jsforce (CRUD)', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let conn: Connection;
  let idpCert: string;

  before(async () => {
    emu = await startEmulator();
    conn = new Connection({ instanceUrl: emu.url, accessToken: TOKEN, version: '66.0' });
    idpCert = derBase64((await generateSelfSigned('00Dother', 'okta', 2048, new Date(Date.now() + 86400_000))).pem);
  });
  after(() => emu.close());

  const samlConfig = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    fullName: name,
    ...('decryptionCertificate' in extra ? { decryptionCertificate: extra.decryptionCertificate } : {}),
    identityLocation: 'SubjectNameId',
    identityMapping: 'FederationId',
    issuer: 'http://www.okta.com/exk1',
    loginUrl: 'https://example.okta.com/app/sso/saml',
    name,
    ...('requestSigningCertId' in extra ? { requestSigningCertId: extra.requestSigningCertId } : {}),
    samlEntityId: 'https://acme.my.salesforce.com',
    samlVersion: 'SAML2_0',
    ...(extra.userProvisioning !== undefined ? { userProvisioning: extra.userProvisioning } : {}),
    validationCert: extra.validationCert ?? idpCert,
  });

  it('generates a self-signed certificate for an empty body (default 2048 bits, one year) and never returns a key', async () => {
    const res = (await loose(conn).create('Certificate', { fullName: 'SsoSigning', caSigned: false, masterLabel: 'SSO Signing' })) as SaveResult;
    expect(res).to.include({ success: true, fullName: 'SsoSigning' });
    const read = (await conn.metadata.read('Certificate', 'SsoSigning')) as unknown as Record<string, string>;
    expect(read.fullName).to.equal('SsoSigning');
    expect(Number(read.keySize)).to.equal(2048); // jsforce casts with its own schema
    const pem = Buffer.from(read.content, 'base64').toString('utf8');
    expect(pem).to.match(/^-----BEGIN CERTIFICATE-----/);
    expect(pem).not.to.include('PRIVATE KEY');
    const x = new X509Certificate(pem);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    const days = (new Date(x.validTo).getTime() - Date.now()) / 86400_000;
    expect(days).to.be.within(364, 366);
    expect(x.subject).to.include('CN=SsoSigning');
    expect(x.verify(x.publicKey)).to.equal(true);
    expect(new Date(read.expirationDate).getTime()).to.be.closeTo(new Date(x.validTo).getTime(), 1000);
    expect(getCertificatePrivateKey(emu.ctx, 'SsoSigning')?.asymmetricKeyType).to.equal('rsa');
    expect(emu.ctx.changes).to.deep.include({ type: 'Certificate', fullName: 'SsoSigning', deleted: false });
  });

  it('honours keySize 4096 (two years), sets the expiry itself whatever expirationDate asks, refuses other key sizes', async () => {
    // Metadata API Developer Guide, Certificate.expirationDate: a self-signed certificate expires automatically 1 year
    // (2048 bits) or 2 years (4096 bits) after it is created.
    const asked = new Date(Date.now() + 30 * 86400_000);
    const res = (await loose(conn).create('Certificate', {
      fullName: 'Big',
      caSigned: false,
      expirationDate: asked.toISOString(),
      keySize: 4096,
      masterLabel: 'Big',
    })) as SaveResult;
    expect(res.success).to.equal(true);
    const read = (await conn.metadata.read('Certificate', 'Big')) as unknown as Record<string, string>;
    const x = new X509Certificate(Buffer.from(read.content, 'base64'));
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(4096);
    const days = (new Date(x.validTo).getTime() - Date.now()) / 86400_000;
    expect(days).to.be.within(729, 731);
    expect(new Date(read.expirationDate).getTime()).to.be.closeTo(new Date(x.validTo).getTime(), 1000);
    const bad = (await loose(conn).create('Certificate', { fullName: 'Small', caSigned: false, keySize: 1024, masterLabel: 'Small' })) as SaveResult;
    expect(bad.success).to.equal(false);
    expect(firstError(bad)).to.include({ statusCode: 'FIELD_INTEGRITY_EXCEPTION' });
    expect(firstError(bad).message).to.match(/2048 or 4096/);
  });

  it('creates a SamlSsoConfig whose certificate references exist; rejects bad references with their codes', async () => {
    const certs = (await conn.metadata.list([{ type: 'Certificate' }])) as Array<{ fullName: string; id: string; fileName: string }>;
    const cert = certs.find((c) => c.fullName === 'SsoSigning');
    expect(cert?.fileName).to.equal('certs/SsoSigning.crt');
    const good = (await loose(conn).create(
      'SamlSsoConfig',
      samlConfig('Okta', { decryptionCertificate: 'SsoSigning', requestSigningCertId: cert?.id.slice(0, 15) })
    )) as SaveResult;
    expect(good).to.include({ success: true, fullName: 'Okta' });

    const results = (await loose(conn).create('SamlSsoConfig', [
      samlConfig('BadSigning', { requestSigningCertId: '0P1000000000999' }),
      samlConfig('BadDecryption', { decryptionCertificate: 'Nope' }),
      samlConfig('BadValidation', { validationCert: 'bm90IGEgY2VydA==' }),
      samlConfig('Okta'),
    ])) as SaveResult[];
    expect(results.map((r) => r.success)).to.deep.equal([false, false, false, false]);
    expect(firstError(results[0])).to.deep.include({ statusCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(firstError(results[0]).message).to.include('requestSigningCertId');
    expect(firstError(results[1])).to.deep.include({ statusCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(firstError(results[1]).message).to.include('decryptionCertificate');
    expect(firstError(results[2]).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    expect(firstError(results[3]).statusCode).to.equal('DUPLICATE_DEVELOPER_NAME');
  });

  it("refuses SamlSsoConfig values longer than the object's fields hold (STRING_TOO_LONG)", async () => {
    // Salesforce Field Reference, SamlSsoConfig: Issuer 255, Identity Provider Login URL 1500, Label 80, Name 80,
    // Identity Provider Certificate 4000 characters.
    const long = (n: number): string => `https://idp.example.com/${'a'.repeat(n)}`;
    const results = (await loose(conn).create('SamlSsoConfig', [
      { ...samlConfig('LongIssuer'), issuer: long(240) },
      { ...samlConfig('LongLogin'), loginUrl: long(1480) },
      { ...samlConfig('LongLabel'), name: 'L'.repeat(81) },
      samlConfig(`N${'x'.repeat(80)}`),
      { ...samlConfig('LongCert'), validationCert: `${idpCert}${'A'.repeat(4001 - idpCert.length)}` },
      { ...samlConfig('AtTheLimits'), issuer: long(231), loginUrl: long(1476), name: 'L'.repeat(80) },
    ])) as SaveResult[];
    expect(results.map((r) => r.success)).to.deep.equal([false, false, false, false, false, true]);
    expect(results.slice(0, 5).map((r) => firstError(r).statusCode)).to.deep.equal(Array(5).fill('STRING_TOO_LONG'));
    expect(firstError(results[0]).message).to.match(/^Issuer: data value too large: .*\(max length=255\)$/);
    expect(firstError(results[1]).message).to.contain('(max length=1500)');
    expect(firstError(results[2]).message).to.match(/^Label: .*\(max length=80\)$/);
    expect(firstError(results[3]).message).to.match(/^Name: .*\(max length=80\)$/);
    expect(firstError(results[4]).message).to.match(/^Identity Provider Certificate: .*\(max length=4000\)$/);
    expect(emu.ctx.components.get('SamlSsoConfig')?.has('LongIssuer')).to.equal(false);
    const update = (await loose(conn).update('SamlSsoConfig', { ...samlConfig('AtTheLimits'), issuer: long(232) })) as SaveResult;
    expect(update.success).to.equal(false);
    expect(firstError(update).statusCode).to.equal('STRING_TOO_LONG');
  });

  it('reads with xsi:type and answers a missing name with a nil record', async () => {
    const recs = (await conn.metadata.read('SamlSsoConfig', ['Okta', 'Missing'])) as unknown as Array<Record<string, unknown>>;
    expect(recs).to.have.length(2);
    expect(recs[0]).to.include({ fullName: 'Okta', identityMapping: 'FederationId', decryptionCertificate: 'SsoSigning' });
    expect(recs[1].fullName).to.equal(undefined);
    const raw = await fetch(`${emu.url}/services/Soap/m/66.0`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml', SOAPAction: '""' },
      body: `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><SessionHeader xmlns="http://soap.sforce.com/2006/04/metadata"><sessionId>${TOKEN}</sessionId></SessionHeader></soapenv:Header><soapenv:Body><readMetadata xmlns="http://soap.sforce.com/2006/04/metadata"><type>SamlSsoConfig</type><fullNames>Okta</fullNames><fullNames>Missing</fullNames></readMetadata></soapenv:Body></soapenv:Envelope>`,
    });
    const text = await raw.text();
    expect(raw.headers.get('content-type')).to.match(/^text\/xml/);
    expect(text).to.include('<records xsi:type="SamlSsoConfig"><fullName>Okta</fullName>');
    expect(text).to.include('<records xsi:nil="true"/>');
    expect(text).to.match(/<soapenv:Body><readMetadataResponse>/);
  });

  it('rejects an element out of WSDL sequence, an unknown element and a bad enum with a soapenv:Client fault', async () => {
    const outOfOrder = { fullName: 'Late', issuer: 'x', identityLocation: 'SubjectNameId', identityMapping: 'FederationId', name: 'Late', samlEntityId: 'e', samlVersion: 'SAML2_0', validationCert: idpCert };
    const e1 = await loose(conn).create('SamlSsoConfig', outOfOrder).then(() => undefined, (e: Error & { errorCode?: string }) => e);
    expect(e1?.errorCode).to.equal('soapenv:Client');
    expect(e1?.message).to.equal('Element {http://soap.sforce.com/2006/04/metadata}identityLocation invalid at this location in type SamlSsoConfig');
    const e2 = await loose(conn).create('SamlSsoConfig', { ...samlConfig('Typo'), colour: 'blue' }).then(() => undefined, (e: Error) => e);
    expect(e2?.message).to.equal('Element {http://soap.sforce.com/2006/04/metadata}colour invalid at this location in type SamlSsoConfig');
    const e3 = await loose(conn)
      .create('SamlSsoConfig', { ...samlConfig('Enum'), identityMapping: 'Email' })
      .then(() => undefined, (e: Error) => e);
    expect(e3?.message).to.equal("'Email' is not a valid value for the enum 'SamlIdentityType'");
    const e4 = await loose(conn)
      .create('SamlSsoConfig', samlConfig('Bool', { userProvisioning: 'maybe' }))
      .then(() => undefined, (e: Error) => e);
    expect(e4?.message).to.equal("'maybe' is not valid for the type xsd:boolean");
    expect(emu.ctx.components.get('SamlSsoConfig')?.has('Late')).to.equal(false);
  });

  it('reports a missing required field per component (REQUIRED_FIELD_MISSING)', async () => {
    const { issuer: _drop, ...noIssuer } = samlConfig('NoIssuer');
    const res = (await loose(conn).create('SamlSsoConfig', noIssuer)) as SaveResult;
    expect(res.success).to.equal(false);
    expect(firstError(res)).to.deep.include({ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required field is missing: issuer' });
  });

  it('updateMetadata of a missing component fails, upsert creates then updates', async () => {
    const upd = (await loose(conn).update('SamlSsoConfig', samlConfig('Ghost'))) as SaveResult;
    expect(upd.success).to.equal(false);
    expect(firstError(upd)).to.include({ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'In field: fullName - no SamlSsoConfig named Ghost found' });
    const u1 = (await loose(conn).upsert('SamlSsoConfig', samlConfig('Azure'))) as SaveResult;
    expect(u1).to.include({ success: true, created: true });
    const u2 = (await loose(conn).upsert('SamlSsoConfig', { ...samlConfig('Azure'), issuer: 'https://sts.windows.net/t/' })) as SaveResult;
    expect(u2).to.include({ success: true, created: false });
    const read = (await conn.metadata.read('SamlSsoConfig', 'Azure')) as unknown as Record<string, string>;
    expect(read.issuer).to.equal('https://sts.windows.net/t/');
  });

  it('refuses more than 10 components in one call', async () => {
    const many = Array.from({ length: 11 }, (_, i) => samlConfig(`Many${i}`));
    const e = await loose(conn).create('SamlSsoConfig', many).then(() => undefined, (err: Error & { errorCode?: string }) => err);
    expect(e?.errorCode).to.equal('sf:EXCEEDED_ID_LIMIT');
    expect(e?.message).to.match(/cannot submit more than 10 records/);
    const e2 = await conn.metadata.read('SamlSsoConfig', Array.from({ length: 11 }, (_, i) => `X${i}`)).then(() => undefined, (err: Error) => err);
    expect(e2?.message).to.match(/EXCEEDED_ID_LIMIT/);
  });

  it('refuses to create a ConnectedApp (Spring \'26) but updates an existing one', async () => {
    const app = { fullName: 'Legacy', contactEmail: 'a@b.c', label: 'Legacy', oauthConfig: { callbackUrl: 'https://x/cb', scopes: ['Api'] } };
    const res = (await loose(conn).create('ConnectedApp', app)) as SaveResult;
    expect(res.success).to.equal(false);
    expect(firstError(res).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    expect(firstError(res).message).to.match(/Salesforce Support/);
    await putComponent(emu.ctx, 'ConnectedApp', 'Legacy', { contactEmail: 'a@b.c', label: 'Legacy' });
    const upd = (await loose(conn).update('ConnectedApp', { ...app, label: 'Legacy 2' })) as SaveResult;
    expect(upd.success).to.equal(true);
    const read = (await conn.metadata.read('ConnectedApp', 'Legacy')) as unknown as { label: string; oauthConfig: { scopes: string[] } };
    expect(read.label).to.equal('Legacy 2');
    expect(read.oauthConfig.scopes).to.deep.equal(['Api']);
  });

  it('creates External Client Apps; their settings must reference an existing app', async () => {
    const eca = (await loose(conn).create('ExternalClientApplication', {
      fullName: 'Scim',
      contactEmail: 'ops@acme.test',
      distributionState: 'Local',
      isProtected: false,
      label: 'SCIM',
    })) as SaveResult;
    expect(eca.success).to.equal(true);
    const glbl = (await loose(conn).create('ExtlClntAppGlobalOauthSettings', [
      { fullName: 'Scim_glbloauth', callbackUrl: 'https://localhost/cb', externalClientApplication: 'Scim', isClientCredentialsFlowEnabled: true, label: 'g' },
      { fullName: 'Orphan_glbloauth', callbackUrl: 'https://localhost/cb', externalClientApplication: 'Nope', label: 'g' },
    ])) as SaveResult[];
    expect(glbl[0].success).to.equal(true);
    expect(glbl[1].success).to.equal(false);
    expect(firstError(glbl[1]).statusCode).to.equal('INVALID_CROSS_REFERENCE_KEY');
    const pol = (await loose(conn).create('ExtlClntAppOauthConfigurablePolicies', {
      fullName: 'Scim_oauthPlcy',
      externalClientApplication: 'Scim',
      ipRelaxationPolicyType: 'Enforce',
      isClientCredentialsFlowEnabled: true,
      label: 'p',
      permittedUsersPolicyType: 'AdminApprovedPreAuthorized',
      refreshTokenPolicyType: 'SpecificLifetime',
    })) as SaveResult;
    expect(pol.success).to.equal(true);
    const bad = await loose(conn)
      .create('ExtlClntAppOauthConfigurablePolicies', { fullName: 'P2', externalClientApplication: 'Scim', permittedUsersPolicyType: 'Everyone' })
      .then(() => undefined, (e: Error) => e);
    expect(bad?.message).to.equal("'Everyone' is not a valid value for the enum 'PermittedUsersPolicyType'");
  });

  it('settings always exist: create fails, update merges', async () => {
    const c = (await loose(conn).create('SecuritySettings', { fullName: 'Security' })) as SaveResult;
    expect(firstError(c).statusCode).to.equal('DUPLICATE_DEVELOPER_NAME');
    const u = (await loose(conn).update('SecuritySettings', { fullName: 'Security', singleSignOnSettings: { enableSamlLogin: true } })) as SaveResult;
    expect(u.success).to.equal(true);
    const read = (await conn.metadata.read('SecuritySettings', 'Security')) as unknown as {
      enableRequireHttpsConnection: boolean;
      singleSignOnSettings: Record<string, boolean>;
    };
    expect(read.enableRequireHttpsConnection).to.equal(true);
    expect(read.singleSignOnSettings).to.include({ enableSamlLogin: true, enableMultipleSamlConfigs: true, enableSamlJitProvisioning: false });
    const idp = (await loose(conn).update('IdentityProviderSettings', { fullName: 'IdentityProvider', certificateName: 'Nope', enableIdentityProvider: true })) as SaveResult;
    expect(firstError(idp).statusCode).to.equal('INVALID_CROSS_REFERENCE_KEY');
    const idp2 = (await loose(conn).update('IdentityProviderSettings', { fullName: 'IdentityProvider', certificateName: 'SsoSigning', enableIdentityProvider: true })) as SaveResult;
    expect(idp2.success).to.equal(true);
    const del = (await conn.metadata.delete('SecuritySettings', 'Security')) as SaveResult;
    expect(del.success).to.equal(false);
  });

  it('AddressSettings: no new countries, no deactivation once enabled; edits merge', async () => {
    const country = (iso: string, name: string, active = true): Record<string, unknown> => ({
      active,
      integrationValue: name,
      isoCode: iso,
      label: name,
      orgDefault: false,
      standard: true,
      visible: true,
    });
    const deact = (await loose(conn).update('AddressSettings', { fullName: 'Address', countriesAndStates: { countries: [country('GB', 'United Kingdom', false)] } })) as SaveResult;
    expect(firstError(deact).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    expect(firstError(deact).message).to.match(/deactivate/);
    const create = (await loose(conn).update('AddressSettings', { fullName: 'Address', countriesAndStates: { countries: [country('ZZ', 'Zedland')] } })) as SaveResult;
    expect(firstError(create).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    const edit = (await loose(conn).update('AddressSettings', { fullName: 'Address', countriesAndStates: { countries: [country('DE', 'Deutschland')] } })) as SaveResult;
    expect(edit.success).to.equal(true);
    const read = (await conn.metadata.read('AddressSettings', 'Address')) as unknown as { countriesAndStates: { countries: Array<{ isoCode: string; integrationValue: string; states?: unknown[] }> } };
    const byIso = new Map(read.countriesAndStates.countries.map((c) => [c.isoCode, c]));
    expect(byIso.get('DE')?.integrationValue).to.equal('Deutschland');
    expect(byIso.get('US')?.integrationValue).to.equal('United States');
    expect(byIso.get('US')?.states).to.have.length(51);
    expect(byIso.get('CA')?.states).to.have.length(13);
  });

  it('lists, describes, renames and deletes', async () => {
    const desc = await conn.metadata.describe('66.0');
    expect(desc.metadataObjects.find((o) => o.xmlName === 'Certificate')).to.include({ directoryName: 'certs', suffix: 'crt', metaFile: true });
    const settings = (await conn.metadata.list([{ type: 'Settings' }])) as Array<{ fullName: string; fileName: string }>;
    expect(settings.map((s) => s.fileName)).to.include('settings/Security.settings');
    const ren = (await conn.metadata.rename('SamlSsoConfig', 'Azure', 'AzureAD')) as SaveResult;
    expect(ren.success).to.equal(true);
    const del = (await conn.metadata.delete('SamlSsoConfig', ['AzureAD', 'Azure'])) as SaveResult[];
    expect(del[0].success).to.equal(true);
    expect(firstError(del[1]).statusCode).to.equal('INVALID_CROSS_REFERENCE_KEY');
    const inUse = (await conn.metadata.delete('Certificate', 'SsoSigning')) as SaveResult;
    expect(firstError(inUse).statusCode).to.equal('DELETE_FAILED');
    expect(emu.ctx.changes).to.deep.include({ type: 'SamlSsoConfig', fullName: 'AzureAD', deleted: true });
  });

  it('answers an invalid session with sf:INVALID_SESSION_ID (HTTP 500)', async () => {
    const bad = new Connection({ instanceUrl: emu.url, accessToken: '00D000000000001!wrong', version: '66.0' });
    const e = await bad.metadata.read('SecuritySettings', 'Security').then(() => undefined, (err: Error & { errorCode?: string }) => err);
    expect(e?.errorCode).to.equal('sf:INVALID_SESSION_ID');
    expect(e?.message).to.equal('INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session');
  });

  it('refuses DOCTYPE/entities, several roots and unknown operations', async () => {
    const post = async (body: string): Promise<{ status: number; text: string }> => {
      const r = await fetch(`${emu.url}/services/Soap/m/66.0`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      return { status: r.status, text: await r.text() };
    };
    const env = (op: string): string =>
      `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><SessionHeader xmlns="http://soap.sforce.com/2006/04/metadata"><sessionId>${TOKEN}</sessionId></SessionHeader></soapenv:Header><soapenv:Body>${op}</soapenv:Body></soapenv:Envelope>`;
    const dtd = await post(`<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x "${'a'.repeat(10)}">]>${env('<readMetadata xmlns="http://soap.sforce.com/2006/04/metadata"><type>&x;</type></readMetadata>')}`);
    expect(dtd.status).to.equal(500);
    expect(dtd.text).to.include('<faultcode>soapenv:Client</faultcode>');
    expect(dtd.text).to.include('DOCTYPE is disallowed');
    const two = await post(`${env('')}<x/>`);
    expect(two.status).to.equal(500);
    const unknown = await post(env('<fly xmlns="http://soap.sforce.com/2006/04/metadata"/>'));
    expect(unknown.status).to.equal(500);
    expect(unknown.text).to.include('No operation available for request {http://soap.sforce.com/2006/04/metadata}fly');
    const noType = await post(env('<createMetadata xmlns="http://soap.sforce.com/2006/04/metadata"><metadata><fullName>X</fullName></metadata></createMetadata>'));
    expect(noType.text).to.include('Must specify a {http://www.w3.org/2001/XMLSchema-instance}type attribute value');
  });
});
