import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import {
  certificateNameFromLabel,
  certificateNameProblem,
  describeUse,
  CertificateLookupError,
  findCertificate,
  needsFingerprints,
  planCertificate,
  resolveCertificateUses,
  type CertificateDesired,
  type CertificateReference,
  type CertificateState,
} from '../../src/provision/resources/certificate.js';
import { certificatesIn, expiresSoonWarning, expiryState, isSigningRequest, parseCertificateValue, toPem } from '../../src/provision/x509.js';
import { generateKeyPairAndCertificate } from '../../src/provision/certs/generate.js';

const cert = (over: Partial<CertificateState> = {}): CertificateState => ({
  id: '0P1000000000001AAA',
  name: 'JumpCloud_SAML',
  label: 'JumpCloud SAML',
  keySize: 2048,
  expirationDate: '2027-01-01T00:00:00.000Z',
  daysLeft: 100,
  exportable: false,
  caSigned: false,
  ...over,
});

const desired = (over: Partial<CertificateDesired> = {}): CertificateDesired => ({
  name: 'JumpCloud_SAML',
  label: 'JumpCloud SAML',
  keySize: 2048,
  exportable: false,
  ...over,
});

describe('certificate names', () => {
  it('derives the API name from the label the way Setup suggests it', () => {
    expect(certificateNameFromLabel('JumpCloud SAML')).to.equal('JumpCloud_SAML');
    expect(certificateNameFromLabel('  Okta -- signing (2026)! ')).to.equal('Okta_signing_2026');
    expect(certificateNameFromLabel('2026 Entra')).to.equal('X2026_Entra');
    expect(certificateNameFromLabel('Société Générale')).to.equal('Societe_Generale');
    expect(certificateNameFromLabel('---')).to.equal(undefined);
    expect(certificateNameFromLabel('日本')).to.equal(undefined);
    const long = certificateNameFromLabel(`${'a'.repeat(79)} b`);
    expect(long).to.equal('a'.repeat(79));
    for (const label of ['JumpCloud SAML', '2026 Entra', `${'ab '.repeat(40)}`, 'a_b__c_']) {
      const name = certificateNameFromLabel(label);
      expect(name && certificateNameProblem(name), label).to.equal(undefined);
    }
  });

  it('says why an API name is invalid', () => {
    expect(certificateNameProblem('JumpCloud_SAML')).to.equal(undefined);
    expect(certificateNameProblem('')).to.match(/empty/);
    expect(certificateNameProblem('1Cert')).to.match(/begin with a letter/);
    expect(certificateNameProblem('Jump Cloud')).to.match(/other than letters/);
    expect(certificateNameProblem('Jump-Cloud')).to.match(/other than letters/);
    expect(certificateNameProblem('Jump__Cloud')).to.match(/two consecutive underscores/);
    expect(certificateNameProblem('JumpCloud_')).to.match(/ends with an underscore/);
    expect(certificateNameProblem('a'.repeat(81))).to.match(/81 characters, more than 80/);
    expect(certificateNameProblem('a'.repeat(80))).to.equal(undefined);
  });

  it('finds a certificate by API name (case-insensitive) before its label', () => {
    const certs = [cert(), cert({ id: '0P1000000000002AAA', name: 'Other', label: 'jumpcloud_saml' })];
    expect(findCertificate(certs, 'jumpcloud_saml').name).to.equal('JumpCloud_SAML');
    expect(findCertificate(certs, 'JumpCloud SAML').name).to.equal('JumpCloud_SAML');
    expect(findCertificate(certs, 'other').name).to.equal('Other');
  });

  it('refuses a label several certificates share, listing their API names, and says which certificates exist', () => {
    const certs = [cert(), cert({ id: '0P1000000000002AAA', name: 'JumpCloud_SAML_2', label: 'JumpCloud SAML' })];
    const lookup = (nameOrLabel: string, list: CertificateState[] = certs): CertificateLookupError => {
      try {
        findCertificate(list, nameOrLabel);
      } catch (e) {
        if (e instanceof CertificateLookupError) return e;
        throw e;
      }
      throw new Error(`found ${nameOrLabel}`);
    };
    const ambiguous = lookup('jumpcloud saml');
    expect(ambiguous.code).to.equal('AMBIGUOUS_CERTIFICATE');
    expect(ambiguous.values).to.deep.equal(['jumpcloud saml', 'JumpCloud_SAML, JumpCloud_SAML_2']);
    // The API name still picks one.
    expect(findCertificate(certs, 'JumpCloud_SAML_2').name).to.equal('JumpCloud_SAML_2');
    const missing = lookup('Nope');
    expect(missing.code).to.equal('UNKNOWN_CERTIFICATE');
    expect(missing.values).to.deep.equal(['Nope', 'JumpCloud_SAML (JumpCloud SAML), JumpCloud_SAML_2 (JumpCloud SAML)']);
    expect(lookup('Nope', []).values).to.deep.equal(['Nope', '(none)']);
  });
});

describe('planCertificate', () => {
  it('plans a self-signed certificate with an empty .crt and its fields in WSDL order', () => {
    const change = planCertificate([], desired({ keySize: 4096, exportable: true }));
    expect(change).to.deep.include({ resource: 'Certificate', name: 'JumpCloud_SAML', action: 'create', status: 'planned' });
    expect(change.metadata?.type).to.equal('Certificate');
    expect(change.metadata?.body).to.equal('');
    expect(Object.keys(change.metadata?.content ?? {})).to.deep.equal(['fullName', 'caSigned', 'keySize', 'masterLabel', 'privateKeyExportable']);
    expect(change.metadata?.content).to.deep.equal({
      fullName: 'JumpCloud_SAML',
      caSigned: false,
      keySize: 4096,
      masterLabel: 'JumpCloud SAML',
      privateKeyExportable: true,
    });
    expect(change.fields).to.deep.equal([
      { field: 'caSigned', to: false },
      { field: 'keySize', to: 4096 },
      { field: 'masterLabel', to: 'JumpCloud SAML' },
      { field: 'privateKeyExportable', to: true },
    ]);
  });

  it('never sets expirationDate: Salesforce chooses the expiry of a generated certificate', () => {
    const change = planCertificate([cert({ name: 'Other', label: 'Other' })], desired());
    expect(change.action).to.equal('create');
    expect(change.fields.map((f) => f.field)).to.deep.equal(['caSigned', 'keySize', 'masterLabel', 'privateKeyExportable']);
    expect(change.metadata?.content).not.to.have.property('expirationDate');
  });

  it('changes nothing for a certificate that exists as asked, found by API name or by label', () => {
    for (const existing of [cert(), cert({ name: 'jumpcloud_saml' })]) {
      const change = planCertificate([existing], desired());
      expect(change).to.deep.equal({ resource: 'Certificate', name: existing.name, action: 'none', fields: [], status: 'unchanged' });
    }
    const byLabel = planCertificate([cert({ name: 'JC_Signing' })], desired());
    expect(byLabel).to.deep.include({ action: 'none', status: 'unchanged', name: 'JC_Signing' });
    expect(byLabel.note).to.contain('API name JC_Signing, not JumpCloud_SAML');
    expect(byLabel.metadata).to.equal(undefined);
  });

  it('never plans to change a generated key: another key size or exportability is a note with the fix', () => {
    const change = planCertificate([cert({ keySize: 2048, exportable: true })], desired({ keySize: 4096 }));
    expect(change).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(change.metadata).to.equal(undefined);
    expect(change.note).to.contain('its key has 2048 bits, not 4096');
    expect(change.note).to.contain('an exportable private key, not a non-exportable private key');
    expect(change.note).to.contain('Salesforce cannot change the key of a generated certificate');
    expect(change.note).to.contain('sf provision cert create --label "JumpCloud SAML 2"');
    expect(change.note).to.contain('sf provision cert list');
  });

  it('notes a CA-signed certificate and another label, never the expiry', () => {
    const ca = planCertificate([cert({ caSigned: true })], desired());
    expect(ca.note).to.contain('CA-signed');
    const label = planCertificate([cert({ label: 'JC' })], desired());
    expect(label.note).to.contain('its label is "JC", not "JumpCloud SAML"');
    expect(label.note).not.to.contain('cannot change the key');
    // An expiry other than Salesforce's default is no difference: nothing can ask for another one.
    const expiry = planCertificate([cert({ expirationDate: '2030-01-01T00:00:00.000Z' })], desired());
    expect(expiry).to.deep.equal({ resource: 'Certificate', name: 'JumpCloud_SAML', action: 'none', fields: [], status: 'unchanged' });
  });
});

describe('what uses a certificate', () => {
  const certs = [cert(), cert({ id: '0P1000000000002AAA', name: 'Idp_Signing', label: 'IdP Signing' }), cert({ id: '0P1000000000003AAA', name: 'Unused', label: 'Unused' })];

  it('matches ids on their first 15 characters, names case-insensitively, and certificates by fingerprint', async () => {
    const { certificatePem, details } = await generateKeyPairAndCertificate({ commonName: 'app' });
    const der = new X509Certificate(certificatePem).raw.toString('base64');
    const refs: CertificateReference[] = [
      { kind: 'SamlSsoConfig', owner: 'Okta', field: 'requestSigningCertId', value: '0P1000000000001' },
      { kind: 'SamlSsoConfig', owner: 'Entra', field: 'requestSigningCertId', value: '0P1000000000001XYZ' },
      { kind: 'SamlSsoConfig', owner: 'Okta', field: 'decryptionCertificate', value: 'jumpcloud_saml' },
      { kind: 'SamlSsoConfig', owner: 'Short', field: 'requestSigningCertId', value: '0P10000' },
      { kind: 'IdentityProvider', owner: 'IdentityProvider', field: 'certificateName', value: 'Idp_Signing', remark: 'identity provider off' },
      { kind: 'ConnectedApp', owner: 'Ci', field: 'oauthConfig.certificate', value: certificatePem },
      { kind: 'ExternalClientApp', owner: 'Eca', field: 'ExtlClntAppGlobalOauthSettings.certificate', value: der },
      { kind: 'ConnectedApp', owner: 'Nobody', field: 'samlConfig.certificate', value: 'Missing_Cert' },
    ];
    expect(needsFingerprints(refs)).to.equal(true);
    expect(needsFingerprints(refs.slice(0, 5))).to.equal(false);
    const uses = resolveCertificateUses(certs, refs, new Map([['idp_signing', details.sha256Fingerprint]]));
    expect(uses.get('JumpCloud_SAML')).to.deep.equal([
      { kind: 'SamlSsoConfig', owner: 'Okta', field: 'requestSigningCertId' },
      { kind: 'SamlSsoConfig', owner: 'Entra', field: 'requestSigningCertId' },
      { kind: 'SamlSsoConfig', owner: 'Okta', field: 'decryptionCertificate' },
    ]);
    expect(uses.get('Idp_Signing')).to.deep.equal([
      { kind: 'IdentityProvider', owner: 'IdentityProvider', field: 'certificateName', remark: 'identity provider off' },
      { kind: 'ConnectedApp', owner: 'Ci', field: 'oauthConfig.certificate' },
      { kind: 'ExternalClientApp', owner: 'Eca', field: 'ExtlClntAppGlobalOauthSettings.certificate' },
    ]);
    expect(uses.get('Unused')).to.deep.equal([]);
    expect(uses.get('Idp_Signing')?.map(describeUse)).to.deep.equal([
      'Identity provider (signing, identity provider off)',
      'Connected app Ci (JWT / digital signatures)',
      'External client app Eca (JWT / digital signatures)',
    ]);
    expect(describeUse({ kind: 'SamlSsoConfig', owner: 'Okta', field: 'requestSigningCertId' })).to.equal('SAML Okta (request signing)');
  });
});

describe('certificate bodies', () => {
  it('reads PEM (with a chain) and DER, keeps certificate blocks only, and knows a signing request', async () => {
    const a = await generateKeyPairAndCertificate({ commonName: 'leaf' });
    const b = await generateKeyPairAndCertificate({ commonName: 'ca' });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const mixed = Buffer.from(`${a.certificatePem}${keyPem}${b.certificatePem}`);
    const chain = certificatesIn(mixed);
    expect(chain.map((x) => x.subject)).to.deep.equal(['CN=leaf', 'CN=ca']);
    expect(chain.map((x) => x.pem).join('')).not.to.contain('PRIVATE KEY');
    expect(chain[0].pem).to.equal(a.certificatePem);
    expect(toPem(chain[0].base64Der)).to.equal(a.certificatePem);
    expect(certificatesIn(Buffer.from(chain[1].base64Der, 'base64'))[0].sha256Fingerprint).to.equal(chain[1].sha256Fingerprint);
    expect(certificatesIn(Buffer.alloc(0))).to.deep.equal([]);
    const csr = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n');
    expect(certificatesIn(csr)).to.deep.equal([]);
    expect(isSigningRequest(csr)).to.equal(true);
    expect(isSigningRequest(mixed)).to.equal(false);
  });

  it('tells a certificate value from a certificate name', async () => {
    const a = await generateKeyPairAndCertificate({ commonName: 'v' });
    const der64 = new X509Certificate(a.certificatePem).raw.toString('base64');
    expect(parseCertificateValue(a.certificatePem)?.subject).to.equal('CN=v');
    expect(parseCertificateValue(der64.replace(/(.{64})/g, '$1\n'))?.subject).to.equal('CN=v');
    expect(parseCertificateValue('JumpCloud_SAML')).to.equal(undefined);
    expect(parseCertificateValue('A'.repeat(100))).to.equal(undefined);
  });
});

describe('certificate expiry', () => {
  it('says expired below 0 days and expiring up to the warning days (30 by default)', () => {
    expect(expiryState(undefined)).to.equal(undefined);
    expect(expiryState(-1)).to.equal('expired');
    expect(expiryState(0)).to.equal('expiring');
    expect(expiryState(30)).to.equal('expiring');
    expect(expiryState(31)).to.equal(undefined);
    expect(expiryState(7, 5)).to.equal(undefined);
  });

  it('warns about a valid certificate that expires in fewer than 30 days, naming it', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    const idp = { subject: 'CN=idp', notAfter: '2026-01-11T00:00:00.000Z', expired: false };
    expect(expiresSoonWarning(idp, now)).to.equal(
      'The certificate (CN=idp) expires in 10 day(s), on 2026-01-11. Plan the rotation with the identity provider now.'
    );
    expect(expiresSoonWarning(idp, now, 'The signing certificate')).to.match(/^The signing certificate expires in 10 day\(s\)/);
    expect(expiresSoonWarning({ ...idp, notAfter: '2026-01-31T00:00:00.000Z' }, now)).to.equal(undefined);
    expect(expiresSoonWarning({ ...idp, expired: true }, now)).to.equal(undefined);
  });
});
