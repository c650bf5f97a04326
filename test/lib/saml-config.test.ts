/* The SamlSsoConfig resource: pure planning (no org), input helpers, and the certificate readers with a fake client. */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { OrgClient } from '../../src/provision/client.js';
import { orgSpecificFileWarning } from '../../src/provision/sso-files.js';
import {
  chooseLoginUrl,
  desiredFromIdpMetadata,
  isValidSamlConfigName,
  nameIdFormatFor,
  planSamlConfig,
  readDecryptionCertificate,
  readRequestSigningCertificate,
  resolveCertificates,
  SAML_SSO_CONFIG_FIELDS,
  SamlConfigError,
  type SamlSsoConfigContent,
} from '../../src/provision/resources/saml-config.js';

const pemFile = (name: string): string => readFileSync(join(process.cwd(), 'test', 'fixtures', 'saml', name), 'utf8');
const PEM = pemFile('idp-cert.pem');
const ROTATED_PEM = pemFile('idp-cert-rotated.pem');
const DER = new X509Certificate(PEM).raw.toString('base64');
const ROTATED_DER = new X509Certificate(ROTATED_PEM).raw.toString('base64');
const FP = new X509Certificate(PEM).fingerprint256.toUpperCase();
const ROTATED_FP = new X509Certificate(ROTATED_PEM).fingerprint256.toUpperCase();

const existing = (extra: Partial<SamlSsoConfigContent> = {}): SamlSsoConfigContent => ({
  fullName: 'Okta',
  identityLocation: 'SubjectNameId',
  identityMapping: 'FederationId',
  issuer: 'http://www.okta.com/exk1',
  loginUrl: 'https://acme.okta.com/sso',
  name: 'Okta',
  redirectBinding: false,
  samlEntityId: 'https://acme.my.salesforce.com',
  samlVersion: 'SAML2_0',
  userProvisioning: true,
  validationCert: DER,
  ...extra,
});

const errorOf = (fn: () => unknown): SamlConfigError => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(SamlConfigError);
    return e as SamlConfigError;
  }
  throw new Error('expected a SamlConfigError');
};

describe('planSamlConfig (pure)', () => {
  it('refuses values longer than the platform takes (Issuer and Entity ID 255, URLs 1500, Label and API name 80)', () => {
    const desired = { fullName: 'Okta', issuer: 'http://www.okta.com/exk1', loginUrl: 'https://acme.okta.com/sso', validationCert: PEM };
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ issuer: 'i'.repeat(256) }, ['Issuer', '256', '255', 'issuer']],
      [{ samlEntityId: 'e'.repeat(256) }, ['Entity ID', '256', '255', 'samlEntityId']],
      [{ loginUrl: `https://x/${'l'.repeat(1491)}` }, ['Identity Provider Login URL', '1501', '1500', 'loginUrl']],
      [{ logoutUrl: `https://x/${'l'.repeat(1491)}` }, ['Custom Logout URL', '1501', '1500', 'logoutUrl']],
      [{ name: 'n'.repeat(81) }, ['Label', '81', '80', 'name']],
      [{ fullName: 'N'.repeat(81) }, ['API Name', '81', '80', 'fullName']],
    ];
    for (const [over, values] of cases) {
      const e = errorOf(() => planSamlConfig(undefined, { ...desired, ...over }));
      expect(e.code).to.equal('VALUE_TOO_LONG');
      expect(e.values).to.deep.equal(values);
    }
    // Also on an update, and at the limits nothing is refused.
    expect(errorOf(() => planSamlConfig(existing(), { fullName: 'Okta', issuer: 'i'.repeat(256) })).code).to.equal('VALUE_TOO_LONG');
    const atLimits = { issuer: 'i'.repeat(255), samlEntityId: 'e'.repeat(255), loginUrl: `https://x/${'l'.repeat(1490)}`, name: 'n'.repeat(80) };
    expect(planSamlConfig(undefined, { ...desired, ...atLimits }).action).to.equal('create');
  });

  it('says when a file to write holds this org\'s ids or its My Domain as entity ID', () => {
    const change = planSamlConfig(undefined, { fullName: 'Okta', issuer: 'http://www.okta.com/exk1', loginUrl: 'https://acme.okta.com/sso', validationCert: PEM }, {
      myDomainUrl: 'https://acme.my.salesforce.com',
    });
    const myDomain = 'https://acme.my.salesforce.com';
    expect(orgSpecificFileWarning([change], 'out', myDomain)).to.contain("samlEntityId https://acme.my.salesforce.com (this org's My Domain URL)");
    expect(orgSpecificFileWarning([change], undefined, myDomain)).to.equal(undefined);
    const portable = planSamlConfig(undefined, {
      fullName: 'Okta', issuer: 'http://www.okta.com/exk1', loginUrl: 'https://acme.okta.com/sso', validationCert: PEM, samlEntityId: 'https://saml.salesforce.com',
    });
    expect(orgSpecificFileWarning([portable], 'out', myDomain)).to.equal(undefined);
    const withIds = planSamlConfig(existing({ samlEntityId: 'https://saml.salesforce.com' }), { fullName: 'Okta', requestSigningCertId: '0P15g000000AAAA' });
    expect(orgSpecificFileWarning([withIds], 'out', myDomain)).to.match(/^The file for Okta holds this org's ids or addresses: requestSigningCertId 0P15g000000AAAA \(the request-signing certificate\)\./);
  });

  it('creates a configuration with the defaults, the label = API name and the My Domain as entity ID, in WSDL order', () => {
    const change = planSamlConfig(undefined, { fullName: 'Okta', issuer: 'http://www.okta.com/exk1', loginUrl: 'https://acme.okta.com/sso', validationCert: PEM }, {
      myDomainUrl: 'https://acme.my.salesforce.com',
    });
    expect(change).to.deep.include({ resource: 'SamlSsoConfig', name: 'Okta', action: 'create', status: 'planned' });
    expect(change.metadata?.type).to.equal('SamlSsoConfig');
    expect(change.metadata?.content).to.deep.equal({
      fullName: 'Okta',
      identityLocation: 'SubjectNameId',
      identityMapping: 'FederationId',
      issuer: 'http://www.okta.com/exk1',
      loginUrl: 'https://acme.okta.com/sso',
      name: 'Okta',
      redirectBinding: false,
      samlEntityId: 'https://acme.my.salesforce.com',
      samlVersion: 'SAML2_0',
      validationCert: DER,
    });
    const keys = Object.keys(change.metadata?.content ?? {}).slice(1);
    expect(keys).to.deep.equal(SAML_SSO_CONFIG_FIELDS.filter((f) => keys.includes(f)));
    expect(change.fields.map((f) => f.field)).to.deep.equal(keys);
    expect(change.fields.find((f) => f.field === 'validationCert')).to.deep.equal({
      field: 'validationCert',
      to: `SHA-256 ${FP.slice(0, 23)}… (expires 2030-01-01)`,
    });
    expect(change.note).to.contain(FP).and.to.contain('CN=idp.acme.example');
  });

  it('compares only the given fields, writes the whole configuration back, and plans nothing when they hold', () => {
    const current = existing();
    const change = planSamlConfig(current, { fullName: 'Okta', loginUrl: 'https://acme.okta.com/sso2', redirectBinding: true });
    expect(change.action).to.equal('update');
    expect(change.fields).to.deep.equal([
      { field: 'loginUrl', from: 'https://acme.okta.com/sso', to: 'https://acme.okta.com/sso2' },
      { field: 'redirectBinding', from: false, to: true },
    ]);
    expect(change.metadata?.content).to.deep.equal({ ...current, loginUrl: 'https://acme.okta.com/sso2', redirectBinding: true });

    const same = planSamlConfig(current, { fullName: 'Okta', issuer: 'http://www.okta.com/exk1', redirectBinding: false });
    expect(same).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
  });

  it('treats the same certificate as equal whatever its wrapping, and the same certificate id in 15 or 18 characters', () => {
    const wrapped = existing({ validationCert: DER.replace(/(.{64})/g, '$1\n'), requestSigningCertId: '0P15g000000abcDEAA' });
    const change = planSamlConfig(wrapped, { fullName: 'Okta', validationCert: PEM, requestSigningCertId: '0P15g000000abcD' });
    expect(change.action).to.equal('none');
    expect(change.metadata?.content.requestSigningCertId).to.equal('0P15g000000abcDEAA');
  });

  it('shows a certificate change as fingerprints with expiry dates', () => {
    const change = planSamlConfig(existing(), { fullName: 'Okta', validationCert: ROTATED_DER });
    expect(change.fields).to.deep.equal([
      {
        field: 'validationCert',
        from: `SHA-256 ${FP.slice(0, 23)}… (expires 2030-01-01)`,
        to: `SHA-256 ${ROTATED_FP.slice(0, 23)}… (expires 2031-01-01)`,
      },
    ]);
    expect(change.metadata?.content.validationCert).to.equal(ROTATED_DER);
  });

  it('clears the attribute settings when moving off identity location Attribute', () => {
    const current = existing({ attributeName: 'email', attributeNameIdFormat: 'emailAddress', identityLocation: 'Attribute' });
    const change = planSamlConfig(current, { fullName: 'Okta', identityLocation: 'SubjectNameId' });
    expect(change.fields).to.deep.equal([
      { field: 'attributeName', from: 'email', to: '' },
      { field: 'attributeNameIdFormat', from: 'emailAddress', to: '' },
      { field: 'identityLocation', from: 'Attribute', to: 'SubjectNameId' },
    ]);
    expect(change.metadata?.content).not.to.have.any.keys('attributeName', 'attributeNameIdFormat');
  });

  it('refuses what the platform refuses, with codes and the facts for the message', () => {
    expect(errorOf(() => planSamlConfig(undefined, { fullName: 'Bad Name' })).code).to.equal('INVALID_NAME');
    const missing = errorOf(() => planSamlConfig(undefined, { fullName: 'New', loginUrl: 'https://x/sso' }));
    expect(missing.code).to.equal('MISSING_FIELDS');
    expect(missing.values).to.deep.equal(['issuer', 'samlEntityId', 'validationCert']);
    const badEnum = errorOf(() => planSamlConfig(existing(), { fullName: 'Okta', identityMapping: 'Email' }));
    expect(badEnum.code).to.equal('INVALID_VALUE');
    expect(badEnum.values).to.deep.equal(['identityMapping', 'Email', 'Username, FederationId, UserId']);
    expect(errorOf(() => planSamlConfig(existing(), { fullName: 'Okta', attributeName: 'email' })).code).to.equal('ATTRIBUTE_NAME_WITHOUT_ATTRIBUTE');
    expect(errorOf(() => planSamlConfig(existing(), { fullName: 'Okta', identityLocation: 'Attribute' })).code).to.equal('ATTRIBUTE_NAME_REQUIRED');
    expect(errorOf(() => planSamlConfig(existing(), { fullName: 'Okta', validationCert: 'bm90IGEgY2VydA==' })).code).to.equal('INVALID_CERTIFICATE');
    // With the attribute name, identity location Attribute is fine.
    expect(planSamlConfig(existing(), { fullName: 'Okta', identityLocation: 'Attribute', attributeName: 'email' }).action).to.equal('update');
  });

  it('checks API names as Salesforce does', () => {
    expect(['Okta', 'Okta_Prod', 'A1'].every(isValidSamlConfigName)).to.equal(true);
    expect(['1Okta', 'Okta__Prod', 'Okta_', 'Okta Prod', 'O'.repeat(81), ''].some(isValidSamlConfigName)).to.equal(false);
  });
});

describe('login URL and metadata fields', () => {
  const urls = { post: 'https://idp/post', redirect: 'https://idp/redirect' };

  it('chooses the wanted binding, else the current one, falling back to the only one there is', () => {
    expect(chooseLoginUrl(urls, 'redirect')).to.deep.equal({ binding: 'redirect', loginUrl: 'https://idp/redirect', fellBack: false });
    expect(chooseLoginUrl(urls, undefined, 'redirect')).to.deep.equal({ binding: 'redirect', loginUrl: 'https://idp/redirect', fellBack: false });
    expect(chooseLoginUrl(urls, undefined)).to.deep.equal({ binding: 'post', loginUrl: 'https://idp/post', fellBack: false });
    expect(chooseLoginUrl({ redirect: 'https://idp/r' }, undefined)).to.deep.equal({ binding: 'redirect', loginUrl: 'https://idp/r', fellBack: true });
    const e = errorOf(() => chooseLoginUrl({ redirect: 'https://idp/r' }, 'post'));
    expect(e.code).to.equal('NO_SSO_URL_FOR_BINDING');
    expect(e.values).to.deep.equal(['post', 'redirect']);
  });

  it('sets the binding for a new configuration, keeps it for an existing one, and lets a given login URL win', () => {
    const idp = { entityId: 'https://idp', ssoUrls: urls, signingCertificate: { base64Der: DER } } as Parameters<typeof desiredFromIdpMetadata>[0];
    expect(desiredFromIdpMetadata(idp, { isNew: true }).fields).to.deep.equal({ issuer: 'https://idp', loginUrl: 'https://idp/post', redirectBinding: false, validationCert: DER });
    expect(desiredFromIdpMetadata(idp, { isNew: false, currentBinding: 'redirect' }).fields).to.deep.equal({
      issuer: 'https://idp',
      loginUrl: 'https://idp/redirect',
      validationCert: DER,
    });
    expect(desiredFromIdpMetadata(idp, { isNew: false, loginUrl: 'https://other/sso', binding: 'redirect' }).fields).to.include({
      loginUrl: 'https://other/sso',
      redirectBinding: true,
    });
  });

  it('asks for the NameID format that fits the identity type', () => {
    expect(nameIdFormatFor({ identityMapping: 'Username', identityLocation: 'SubjectNameId' })).to.equal('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
    expect(nameIdFormatFor({ identityMapping: 'FederationId', identityLocation: 'SubjectNameId' })).to.equal('urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
    expect(nameIdFormatFor({ identityMapping: 'UserId', identityLocation: 'SubjectNameId' })).to.equal('urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified');
    expect(nameIdFormatFor({ identityMapping: 'FederationId', identityLocation: 'Attribute', attributeNameIdFormat: 'persistent' })).to.equal(
      'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
    );
  });
});

describe('certificate readers (fake client)', () => {
  const rows = [
    { Id: '0P15g000000AAAAEA0', DeveloperName: 'SSO_Signing', MasterLabel: 'SSO Signing', ExpirationDate: '2030-01-01T00:00:00.000Z' },
    { Id: '0P15g000000BBBBEA0', DeveloperName: 'Decrypt_A', MasterLabel: 'Decryption', ExpirationDate: '2030-01-01T00:00:00.000Z' },
    { Id: '0P15g000000CCCCEA0', DeveloperName: 'Decrypt_B', MasterLabel: 'Decryption', ExpirationDate: '2030-01-01T00:00:00.000Z' },
  ];
  const fake = (bodies: Record<string, string> = {}): OrgClient & { queries: string[] } => {
    const queries: string[] = [];
    return {
      queries,
      query: (soql: string): Promise<unknown[]> => {
        queries.push(soql);
        return Promise.resolve(rows);
      },
      readMetadata: (_type: string, names: string[]): Promise<unknown[]> =>
        Promise.resolve(names.filter((n) => bodies[n]).map((n) => ({ fullName: n, content: bodies[n] }))),
    } as unknown as OrgClient & { queries: string[] };
  };

  it('resolves labels and API names, case-insensitively, to the 15-character id and the API name', async () => {
    const client = fake();
    expect(await resolveCertificates(client, { requestSigning: 'sso signing', decryption: 'Decrypt_B' })).to.deep.equal({
      requestSigningCertId: '0P15g000000AAAA',
      decryptionCertificate: 'Decrypt_B',
    });
    expect(client.queries[0]).to.match(/FROM Certificate/);
    const none = fake();
    expect(await resolveCertificates(none, {})).to.deep.equal({});
    expect(none.queries).to.deep.equal([]);
  });

  it('reports an unknown label with the org\'s certificates, and an ambiguous label with the candidates', async () => {
    const unknown = await resolveCertificates(fake(), { requestSigning: 'Nope' }).then(() => undefined, (e: SamlConfigError) => e);
    expect(unknown?.code).to.equal('UNKNOWN_CERTIFICATE');
    expect(unknown?.values).to.deep.equal(['Nope', 'SSO_Signing (SSO Signing), Decrypt_A (Decryption), Decrypt_B (Decryption)']);
    const ambiguous = await resolveCertificates(fake(), { decryption: 'Decryption' }).then(() => undefined, (e: SamlConfigError) => e);
    expect(ambiguous?.code).to.equal('AMBIGUOUS_CERTIFICATE');
    expect(ambiguous?.values).to.deep.equal(['Decryption', 'Decrypt_A, Decrypt_B']);
  });

  it('reads the request-signing certificate body (PEM or DER inside the base64 content)', async () => {
    const pemBody = Buffer.from(PEM).toString('base64');
    const fromPem = await readRequestSigningCertificate(fake({ ['SSO_Signing']: pemBody }), existing({ requestSigningCertId: '0P15g000000AAAA' }));
    expect(fromPem).to.deep.equal({ name: 'SSO_Signing', base64Der: DER });
    const fromDer = await readRequestSigningCertificate(fake({ ['SSO_Signing']: DER }), existing({ requestSigningCertId: '0P15g000000AAAAEA0' }));
    expect(fromDer?.base64Der).to.equal(DER);
    expect(await readRequestSigningCertificate(fake(), existing())).to.equal(undefined);
    const missing = await readRequestSigningCertificate(fake(), existing({ requestSigningCertId: '0P15g000000ZZZZ' })).then(
      () => undefined,
      (e: SamlConfigError) => e
    );
    expect(missing?.code).to.equal('SIGNING_CERTIFICATE_MISSING');
  });

  it('reads the decryption certificate body by its API name, for the encryption key of SP metadata', async () => {
    const pemBody = Buffer.from(ROTATED_PEM).toString('base64');
    const found = await readDecryptionCertificate(fake({ ['Decrypt_A']: pemBody }), existing({ decryptionCertificate: 'Decrypt_A' }));
    expect(found).to.deep.equal({ name: 'Decrypt_A', base64Der: ROTATED_DER });
    expect(await readDecryptionCertificate(fake(), existing())).to.equal(undefined);
    const missing = await readDecryptionCertificate(fake(), existing({ decryptionCertificate: 'Gone' })).then(
      () => undefined,
      (e: SamlConfigError) => e
    );
    expect(missing?.code).to.equal('DECRYPTION_CERTIFICATE_MISSING');
    expect(missing?.values).to.deep.equal(['Gone']);
  });
});
