/*
 * Tests of parseIdpMetadata against vendor-shaped metadata (JumpCloud, Okta, Entra ID, ADFS, PingOne, Keycloak),
 * hostile and broken files, hand-made variants for each rule, and mutated inputs that must never crash with
 * anything but an IdpMetadataError.
 */
import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import {
  IdpMetadataError,
  parseIdpMetadata,
  type IdpMetadata,
  type IdpMetadataErrorCode,
} from '../../../src/provision/saml/idp-metadata.js';
import { toBase64Der } from '../../../src/provision/x509.js';
import { DS, MD, NOW, fixture, fixtureText, fp } from './fixtures.js';

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/** Runs parseIdpMetadata expecting an IdpMetadataError with the code; returns it. */
function failure(input: string | Buffer, code: IdpMetadataErrorCode, opts: { now?: Date; maxBytes?: number } = { now: NOW }): IdpMetadataError {
  try {
    parseIdpMetadata(input, opts);
  } catch (e) {
    expect(e).not.to.be.instanceOf(TypeError);
    expect(e, (e as Error).message).to.be.instanceOf(IdpMetadataError);
    expect((e as IdpMetadataError).code, (e as Error).message).to.equal(code);
    expect((e as Error).message.length).to.be.greaterThan(40);
    return e as IdpMetadataError;
  }
  expect.fail(`expected IdpMetadataError ${code}`);
}

const parse = (name: string, now = NOW): IdpMetadata => parseIdpMetadata(fixture(name), { now });

// Certificates to build variants with, taken from the fixtures.
const entraCerts = parse('entra.xml').certificates;
const CERT_EXPIRED = entraCerts[0].base64Der;
const CERT_SOON = entraCerts[1].base64Der;
const CERT_LATER = entraCerts[2].base64Der;
const CERT_IDP = toBase64Der(fixtureText('idp-cert.pem'));
const CERT_NEXT = parse('pingone.xml').certificates[1].base64Der;

const kd = (b64: string, use?: string): string =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const sso = (binding = POST, location = 'https://idp.example/sso'): string =>
  `<md:SingleSignOnService Binding="${binding}" Location="${location}"/>`;
const idpXml = (
  inner: string,
  { entity = 'entityID="https://idp.example/saml"', idp = 'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"' } = {}
): string =>
  `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="${MD}" xmlns:ds="${DS}" ${entity}><md:IDPSSODescriptor ${idp}>${inner}</md:IDPSSODescriptor></md:EntityDescriptor>`;

function expectWellFormedCertificate(m: IdpMetadata): void {
  const c = m.signingCertificate;
  expect(c.base64Der).to.match(/^[A-Za-z0-9+/]+=*$/);
  expect(c.pem).to.match(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
  expect(new X509Certificate(Buffer.from(c.base64Der, 'base64')).fingerprint256).to.equal(c.sha256Fingerprint);
  expect(c.sha256Fingerprint).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  expect(c.notBefore).to.match(/^\d{4}-\d\d-\d\dT00:00:00\.000Z$/);
  expect(c.expired).to.equal(false);
  expect(c.notYetValid).to.equal(false);
  expect(m.certificates.map((x) => x.sha256Fingerprint)).to.include(c.sha256Fingerprint);
}

describe('parseIdpMetadata: vendor exports', () => {
  it('JumpCloud: md: prefix, one signing certificate, emailAddress, SSO POST and Redirect', () => {
    const m = parse('jumpcloud.xml');
    expect(m.entityId).to.equal('JumpCloud');
    expect(m.ssoUrls).to.deep.equal({
      post: 'https://sso.jumpcloud.com/saml2/salesforce-acme',
      redirect: 'https://sso.jumpcloud.com/saml2/salesforce-acme',
    });
    expect(m.sloUrls).to.deep.equal({});
    expect(m.nameIdFormats).to.deep.equal([EMAIL]);
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('jumpcloud'));
    expect(m.signingCertificate).to.include({
      subject: 'CN=JumpCloud, O=JumpCloud, L=Louisville, ST=Colorado, C=US',
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2030-01-01T00:00:00.000Z',
      use: 'signing',
    });
    expect(m.certificates).to.have.length(1);
    expect(m.wantAuthnRequestsSigned).to.equal(false);
    expect(m.warnings).to.deep.equal([]);
    expectWellFormedCertificate(m);
  });

  it('Okta: mixed md: and unprefixed elements, a certificate wrapped at 64 characters, two NameID formats', () => {
    expect(fixtureText('okta.xml')).to.match(/<ds:X509Certificate>[A-Za-z0-9+/]{64}\n/);
    const m = parse('okta.xml');
    expect(m.entityId).to.equal('http://www.okta.com/exk1abcd2EFGH3ijk4l5');
    expect(m.ssoUrls.post).to.equal('https://acme.okta.com/app/salesforce/exk1abcd2EFGH3ijk4l5/sso/saml');
    expect(m.ssoUrls.redirect).to.equal(m.ssoUrls.post);
    expect(m.nameIdFormats).to.deep.equal([UNSPECIFIED, EMAIL]);
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('okta'));
    expect(m.signingCertificate.base64Der).not.to.match(/\s/);
    expect(m.warnings).to.deep.equal([]);
    expectWellFormedCertificate(m);
  });

  it('Entra ID: ignores the metadata Signature and the WS-Federation RoleDescriptors; picks the valid certificate that expires last', () => {
    const m = parse('entra.xml');
    expect(m.entityId).to.equal('https://sts.windows.net/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/');
    const saml2 = 'https://login.microsoftonline.com/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/saml2';
    expect(m.ssoUrls).to.deep.equal({ post: saml2, redirect: saml2 });
    expect(m.sloUrls).to.deep.equal({ redirect: saml2 });
    expect(m.nameIdFormats).to.deep.equal([]);
    expect(m.certificates.map((c) => c.sha256Fingerprint)).to.deep.equal([fp('entraExpired'), fp('entraSoon'), fp('entraLater')]);
    expect(m.certificates.map((c) => c.expired)).to.deep.equal([true, false, false]);
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('entraLater'));
    const all = m.certificates.map((c) => c.sha256Fingerprint);
    expect(all).not.to.include(fp('entraMetadataSigner'));
    expect(all).not.to.include(fp('entraWsFed'));
    expect(m.warnings).to.have.length(2);
    expect(m.warnings[0]).to.match(/^Ignored an expired signing certificate .*expired 2021-01-01/);
    expect(m.warnings[1]).to.match(/lists 2 valid signing certificates; using the one that expires last .*expires 2030-01-01/);
    expect(m.warnings[1]).to.contain('expires 2027-06-01');
    expectWellFormedCertificate(m);
  });

  it('Entra ID: the choice holds on every day from November 2026 to May 2027', () => {
    for (let t = Date.parse('2026-11-01'); t < Date.parse('2027-06-01'); t += 86_400_000) {
      const now = new Date(t);
      const m = parseIdpMetadata(fixture('entra.xml'), { now });
      expect(m.signingCertificate.sha256Fingerprint, now.toISOString()).to.equal(fp('entraLater'));
    }
  });

  it('ADFS: takes the IDPSSODescriptor signing key, not its encryption key, the SPSSODescriptor, RoleDescriptors or Signature', () => {
    const m = parse('adfs.xml');
    expect(m.entityId).to.equal('http://adfs.acme.example/adfs/services/trust');
    expect(m.ssoUrls).to.deep.equal({ post: 'https://adfs.acme.example/adfs/ls/', redirect: 'https://adfs.acme.example/adfs/ls/' });
    expect(m.sloUrls).to.deep.equal({ post: 'https://adfs.acme.example/adfs/ls/', redirect: 'https://adfs.acme.example/adfs/ls/' });
    expect(m.nameIdFormats).to.deep.equal([
      EMAIL,
      'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    ]);
    expect(m.certificates.map((c) => c.sha256Fingerprint)).to.deep.equal([fp('adfsSigning')]);
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('adfsSigning'));
    expect(m.signingCertificate.use).to.equal('signing');
    expect(m.warnings).to.deep.equal([]);
  });

  it('PingOne: uses the current certificate and warns about the pre-published one that is not valid yet', () => {
    const m = parse('pingone.xml');
    expect(m.entityId).to.equal('https://auth.pingone.com/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    expect(m.ssoUrls.post).to.equal('https://auth.pingone.com/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/saml20/idp/sso');
    expect(m.sloUrls.redirect).to.equal('https://auth.pingone.com/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/saml20/idp/slo');
    expect(m.nameIdFormats).to.deep.equal([UNSPECIFIED]);
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('pingone'));
    expect(m.certificates[1]).to.include({ sha256Fingerprint: fp('pingoneNext'), notYetValid: true, expired: false });
    expect(m.warnings).to.have.length(1);
    expect(m.warnings[0]).to.match(/not valid yet .*valid from 2028-01-01/);
  });

  it('Keycloak: EntitiesDescriptor, default namespace, KeyDescriptor without use, certificate with CRLF and spaces', () => {
    const text = fixtureText('keycloak.xml');
    expect(text).to.contain('\r\n');
    expect(text).to.match(/<dsig:X509Certificate>\r\n {14}[A-Za-z0-9+/]+ [A-Za-z0-9+/]/);
    const m = parse('keycloak.xml');
    expect(m.entityId).to.equal('https://id.acme.example/realms/acme');
    const proto = 'https://id.acme.example/realms/acme/protocol/saml';
    expect(m.ssoUrls).to.deep.equal({ post: proto, redirect: proto });
    expect(m.sloUrls).to.deep.equal({ post: proto, redirect: proto });
    expect(m.nameIdFormats).to.have.length(4);
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('keycloak'));
    expect(m.signingCertificate.use).to.equal(undefined);
    expect(m.wantAuthnRequestsSigned).to.equal(true);
    expect(m.warnings).to.have.length(1);
    expect(m.warnings[0]).to.match(/WantAuthnRequestsSigned="true".*request-signing certificate/);
    expectWellFormedCertificate(m);
  });

  it('accepts a string as well as bytes, and judges validity at the real date by default', () => {
    const fromString = parseIdpMetadata(fixtureText('jumpcloud.xml'));
    expect(fromString.signingCertificate.sha256Fingerprint).to.equal(fp('jumpcloud'));
  });
});

describe('parseIdpMetadata: hostile and broken files', () => {
  it('dtd.xml: refuses the DOCTYPE (UNSAFE_XML)', () => {
    const e = failure(fixture('dtd.xml'), 'UNSAFE_XML');
    expect(e.message).to.match(/DTD \(<!DOCTYPE>\).*entity-expansion.*Export the metadata again/);
  });

  it('billion-laughs.xml: refuses it at once, without expanding anything (UNSAFE_XML)', () => {
    const started = Date.now();
    failure(fixture('billion-laughs.xml'), 'UNSAFE_XML');
    expect(Date.now() - started).to.be.lessThan(1000);
  });

  it('refuses entity declarations without a DOCTYPE (UNSAFE_XML)', () => {
    const e = failure(idpXml(`<!ENTITY x "y">${sso()}`), 'UNSAFE_XML');
    expect(e.message).to.match(/<!ENTITY>/);
  });

  it('no-idp-descriptor.xml: service-provider metadata is recognised as such (NO_IDP_DESCRIPTOR)', () => {
    const e = failure(fixture('no-idp-descriptor.xml'), 'NO_IDP_DESCRIPTOR');
    expect(e.message).to.match(/describes a service provider.*identity provider’s metadata/);
  });

  it('no-certificate.xml: NO_CERTIFICATE says how to supply the certificate', () => {
    const e = failure(fixture('no-certificate.xml'), 'NO_CERTIFICATE');
    expect(e.message).to.match(/no signing certificate.*certificate file/);
  });

  it('not-xml.txt: a file holding the metadata URL (NOT_XML) says to download it', () => {
    const e = failure(fixture('not-xml.txt'), 'NOT_XML');
    expect(e.message).to.match(/web address \(https:\/\/acme\.okta\.com.*\), not the metadata itself/);
  });

  it('all-expired.xml: ALL_EXPIRED names every expiry date', () => {
    const e = failure(fixture('all-expired.xml'), 'ALL_EXPIRED');
    expect(e.message).to.contain('expired 2021-01-01');
    expect(e.message).to.contain('expired 2022-06-01');
    expect(e.message).to.match(/download fresh metadata/);
  });

  it('two-roots.xml: two documents pasted together (NOT_XML)', () => {
    const e = failure(fixture('two-roots.xml'), 'NOT_XML');
    expect(e.message).to.match(/root/i);
  });

  it('a 6 MB input is refused before parsing (TOO_LARGE), and maxBytes is honoured', () => {
    const huge = idpXml(`${sso()}<!--${'x'.repeat(6 * 1024 * 1024)}-->`);
    const e = failure(huge, 'TOO_LARGE');
    expect(e.message).to.match(/limit is 5242880 bytes/);
    failure(fixture('jumpcloud.xml'), 'TOO_LARGE', { now: NOW, maxBytes: 1000 });
    expect(parseIdpMetadata(fixture('jumpcloud.xml'), { now: NOW, maxBytes: 10_000 }).entityId).to.equal('JumpCloud');
  });

  it('an HTML page (a metadata URL that needed a sign-in) is NOT_XML with a hint', () => {
    const e = failure('<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>', 'NOT_XML');
    expect(e.message).to.match(/web page \(HTML\)/);
    failure('<html><body>Sign in</body></html>', 'NOT_XML');
  });

  it('malformed, empty, binary and non-text inputs are NOT_XML', () => {
    failure(fixtureText('jumpcloud.xml').slice(0, 700), 'NOT_XML');
    failure('', 'NOT_XML');
    failure(Buffer.from([0x30, 0x82, 0x03, 0x00, 0x00, 0x01]), 'NOT_XML');
    for (const bad of [undefined, null, 42, {}, []]) failure(bad as unknown as string, 'NOT_XML');
  });

  it('XML that is not SAML metadata is NOT_METADATA', () => {
    const e = failure('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>', 'NOT_METADATA');
    expect(e.message).to.match(/root element is <Response> in namespace urn:oasis:names:tc:SAML:2.0:protocol/);
    failure('<EntityDescriptor entityID="x"><IDPSSODescriptor/></EntityDescriptor>', 'NOT_METADATA');
  });
});

describe('parseIdpMetadata: rules', () => {
  it('requires an entityID (NO_ENTITY_ID)', () => {
    failure(idpXml(kd(CERT_IDP, 'signing') + sso(), { entity: '' }), 'NO_ENTITY_ID');
    failure(idpXml(kd(CERT_IDP, 'signing') + sso(), { entity: 'entityID="  "' }), 'NO_ENTITY_ID');
  });

  it('requires an HTTP-POST or HTTP-Redirect SingleSignOnService (NO_SSO_URL), naming the bindings offered', () => {
    const soap = 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP';
    const e = failure(idpXml(kd(CERT_IDP, 'signing') + sso(soap)), 'NO_SSO_URL');
    expect(e.message).to.match(/only over SOAP/);
    failure(idpXml(kd(CERT_IDP, 'signing')), 'NO_SSO_URL');
    failure(idpXml(kd(CERT_IDP, 'signing') + sso(POST, 'not a url')), 'NO_SSO_URL');
    failure(idpXml(kd(CERT_IDP, 'signing') + sso(POST, 'javascript:alert(1)')), 'NO_SSO_URL');
  });

  it('skips a broken endpoint when another one works, and warns about http', () => {
    const m = parseIdpMetadata(
      idpXml(kd(CERT_IDP, 'signing') + sso(POST, '') + sso(POST, 'https://ok.example/sso') + sso(REDIRECT, 'http://plain.example/sso')),
      { now: NOW }
    );
    expect(m.ssoUrls).to.deep.equal({ post: 'https://ok.example/sso', redirect: 'http://plain.example/sso' });
    expect(m.warnings.join('\n')).to.match(/without a Location/);
    expect(m.warnings.join('\n')).to.match(/uses http, not https/);
  });

  it('decodes &amp; in endpoint URLs and trims whitespace', () => {
    const m = parseIdpMetadata(idpXml(kd(CERT_IDP) + sso(POST, ' https://idp.example/sso?a=1&amp;b=2 ')), { now: NOW });
    expect(m.ssoUrls.post).to.equal('https://idp.example/sso?a=1&b=2');
  });

  it('an encryption-only KeyDescriptor is not a signing certificate (NO_CERTIFICATE)', () => {
    const e = failure(idpXml(kd(CERT_IDP, 'encryption') + sso()), 'NO_CERTIFICATE');
    expect(e.message).to.match(/only an encryption certificate/);
  });

  it('a KeyDescriptor without use serves for signing; duplicates are merged by fingerprint', () => {
    const m = parseIdpMetadata(idpXml(kd(CERT_IDP, 'signing') + kd(CERT_IDP) + kd(CERT_IDP, 'encryption') + sso()), { now: NOW });
    expect(m.certificates).to.have.length(1);
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('idpCert'));
    expect(m.warnings).to.deep.equal([]);
  });

  it('ignores certificates outside the IDPSSODescriptor KeyDescriptors (Signature, stray KeyInfo, SPSSODescriptor)', () => {
    const stray = `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${CERT_LATER}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
    const xml = `<md:EntityDescriptor xmlns:md="${MD}" xmlns:ds="${DS}" entityID="x"><ds:Signature><ds:SignedInfo/>${stray}</ds:Signature><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${kd(CERT_LATER, 'signing')}</md:SPSSODescriptor><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${stray}${sso()}</md:IDPSSODescriptor></md:EntityDescriptor>`;
    failure(xml, 'NO_CERTIFICATE');
  });

  it('a certificate in the wrong namespace is not read', () => {
    const xml = idpXml(
      `<md:KeyDescriptor use="signing"><KeyInfo><X509Data><X509Certificate>${CERT_IDP}</X509Certificate></X509Data></KeyInfo></md:KeyDescriptor>${sso()}`
    );
    failure(xml, 'NO_CERTIFICATE');
  });

  it('tolerates PEM armour inside X509Certificate', () => {
    const pem = fixtureText('idp-cert.pem');
    const m = parseIdpMetadata(idpXml(kd(pem, 'signing') + sso()), { now: NOW });
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('idpCert'));
  });

  it('unreadable certificates: INVALID_CERTIFICATE when none is readable, a warning when another one is', () => {
    const e = failure(idpXml(kd('MIIBnotacertificate', 'signing') + sso()), 'INVALID_CERTIFICATE');
    expect(e.message).to.match(/could not be read/);
    failure(idpXml(kd('***', 'signing') + sso()), 'INVALID_CERTIFICATE');
    const m = parseIdpMetadata(idpXml(kd('MIIBnotacertificate', 'signing') + kd(CERT_IDP, 'signing') + sso()), { now: NOW });
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('idpCert'));
    expect(m.warnings.join('\n')).to.match(/Ignored a signing certificate that could not be read/);
    const withBadEncryption = parseIdpMetadata(idpXml(kd('MIIBnotacertificate', 'encryption') + kd(CERT_IDP, 'signing') + sso()), { now: NOW });
    expect(withBadEncryption.warnings).to.deep.equal([]);
    const unknownUse = parseIdpMetadata(idpXml(kd(CERT_LATER, 'verification') + kd(CERT_IDP, 'signing') + sso()), { now: NOW });
    expect(unknownUse.signingCertificate.sha256Fingerprint).to.equal(fp('idpCert'));
    expect(unknownUse.warnings).to.deep.equal(['Ignored a KeyDescriptor with an unknown use="verification".']);
  });

  it('only not-yet-valid certificates: NO_VALID_CERTIFICATE with the validity window', () => {
    const e = failure(idpXml(kd(CERT_NEXT, 'signing') + sso()), 'NO_VALID_CERTIFICATE');
    expect(e.message).to.match(/valid from 2028-01-01 to 2033-01-01/);
    const mixed = failure(idpXml(kd(CERT_EXPIRED, 'signing') + kd(CERT_NEXT, 'signing') + sso()), 'NO_VALID_CERTIFICATE');
    expect(mixed.message).to.contain('expired 2021-01-01');
  });

  it('warns when the chosen certificate expires within 30 days', () => {
    const m = parseIdpMetadata(idpXml(kd(CERT_SOON, 'signing') + sso()), { now: new Date('2027-05-20T00:00:00Z') });
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('entraSoon'));
    expect(m.warnings).to.deep.equal([
      'The signing certificate expires in 12 day(s), on 2027-06-01. Plan the rotation with the identity provider now.',
    ]);
  });

  it('EntitiesDescriptor: takes the first entity with an IDPSSODescriptor, nested groups included, and warns when there are several', () => {
    const entity = (id: string, cert: string): string =>
      `<md:EntityDescriptor entityID="${id}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${kd(cert)}${sso()}</md:IDPSSODescriptor></md:EntityDescriptor>`;
    const xml = `<md:EntitiesDescriptor xmlns:md="${MD}" xmlns:ds="${DS}"><md:EntityDescriptor entityID="sp"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor><md:EntitiesDescriptor>${entity('first', CERT_IDP)}</md:EntitiesDescriptor>${entity('second', CERT_LATER)}</md:EntitiesDescriptor>`;
    const m = parseIdpMetadata(xml, { now: NOW });
    expect(m.entityId).to.equal('first');
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('idpCert'));
    expect(m.warnings).to.deep.equal(['The metadata describes 2 identity providers; using the first one (first).']);
  });

  it('an identity provider without SAML 2.0 in protocolSupportEnumeration is NO_IDP_DESCRIPTOR', () => {
    const e = failure(
      idpXml(kd(CERT_IDP) + sso(), { idp: 'protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol"' }),
      'NO_IDP_DESCRIPTOR'
    );
    expect(e.message).to.match(/SAML 2\.0/);
  });

  it('NameIDFormat values are trimmed and deduplicated; WantAuthnRequestsSigned="1" counts as true', () => {
    const m = parseIdpMetadata(
      idpXml(`${kd(CERT_IDP)}<md:NameIDFormat> ${EMAIL} </md:NameIDFormat><md:NameIDFormat>${EMAIL}</md:NameIDFormat><md:NameIDFormat/>${sso()}`, {
        idp: 'WantAuthnRequestsSigned="1" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"',
      }),
      { now: NOW }
    );
    expect(m.nameIdFormats).to.deep.equal([EMAIL]);
    expect(m.wantAuthnRequestsSigned).to.equal(true);
  });
});

describe('parseIdpMetadata: never crashes on mutated input', () => {
  /** Small deterministic PRNG (mulberry32) so failures are reproducible. */
  const rng = (seed: number): (() => number) => {
    let a = seed;
    return (): number => {
      a = (a + 0x6d_2b_79_f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
  };
  const tokens = ['<', '>', '&', '"', "'", '/', '=', ' ', ':', 'x', '\n', '<!--', ']]>', '&amp;', '&#0;', 'xmlns:md=""', '</md:IDPSSODescriptor>'];

  for (const name of ['jumpcloud.xml', 'okta.xml', 'entra.xml', 'adfs.xml', 'pingone.xml', 'keycloak.xml']) {
    it(`${name}: truncations and random edits give a result or an IdpMetadataError`, () => {
      const source = fixtureText(name);
      const next = rng(name.length * 7919);
      const inputs: string[] = [];
      for (let i = 1; i <= 60; i++) inputs.push(source.slice(0, Math.floor((source.length * i) / 61)));
      for (let i = 0; i < 300; i++) {
        let s = source;
        for (let k = 0; k < 1 + Math.floor(next() * 3); k++) {
          const at = Math.floor(next() * s.length);
          const cut = Math.floor(next() * 12);
          s = s.slice(0, at) + tokens[Math.floor(next() * tokens.length)] + s.slice(at + cut);
        }
        inputs.push(s);
      }
      for (const input of inputs) {
        try {
          parseIdpMetadata(input, { now: NOW });
        } catch (e) {
          if (!(e instanceof IdpMetadataError)) {
            expect.fail(`${(e as Error)?.name ?? typeof e}: ${(e as Error)?.message} for input:\n${input}`);
          }
        }
      }
    });
  }
});
