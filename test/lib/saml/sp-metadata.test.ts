/*
 * Tests of the metadata generators: SP metadata for Salesforce as service provider (buildSpMetadata), IdP metadata
 * for Salesforce as identity provider (buildIdpMetadata), and the Salesforce endpoint helpers. Generated XML is
 * parsed back with the safe parser: schema element order, escaping, and certificate round-trips are checked.
 */
import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { childrenNamed, firstChild, parseXml, type XNode } from '../../../src/provision/xml.js';
import { toBase64Der } from '../../../src/provision/x509.js';
import { IdpMetadataError, parseIdpMetadata } from '../../../src/provision/saml/idp-metadata.js';
import {
  SamlMetadataBuildError,
  buildSpMetadata,
  normalizeMyDomainUrl,
  orgId15,
  salesforceSpEndpoints,
} from '../../../src/provision/saml/sp-metadata.js';
import { NAMEID_UNSPECIFIED, buildIdpMetadata, salesforceIdpEndpoints } from '../../../src/provision/saml/idp-own-metadata.js';
import { DS, MD, NOW, fixtureText, fp } from './fixtures.js';

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const CERT = toBase64Der(fixtureText('idp-cert.pem'));
const ORG = '00D5g000004AbCdEAF';

/** SPSSODescriptorType / IDPSSODescriptorType element order from the SAML 2.0 metadata schema. */
const SP_ORDER = [
  'Signature',
  'Extensions',
  'KeyDescriptor',
  'Organization',
  'ContactPerson',
  'ArtifactResolutionService',
  'SingleLogoutService',
  'ManageNameIDService',
  'NameIDFormat',
  'AssertionConsumerService',
  'AttributeConsumingService',
];
const IDP_ORDER = [
  'Signature',
  'Extensions',
  'KeyDescriptor',
  'Organization',
  'ContactPerson',
  'ArtifactResolutionService',
  'SingleLogoutService',
  'ManageNameIDService',
  'NameIDFormat',
  'SingleSignOnService',
  'NameIDMappingService',
  'AssertionIDRequestService',
  'AttributeProfile',
  'Attribute',
];

function expectSchemaOrder(descriptor: XNode, order: string[]): void {
  const positions = descriptor.children.map((c) => {
    expect(c.ns).to.equal(MD);
    const i = order.indexOf(c.name);
    expect(i, `unexpected element ${c.name}`).to.be.at.least(0);
    return i;
  });
  expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
}

const certOf = (descriptor: XNode): string => {
  const kd = firstChild(descriptor, 'KeyDescriptor', MD);
  const value = firstChild(firstChild(firstChild(kd, 'KeyInfo', DS), 'X509Data', DS), 'X509Certificate', DS);
  return value?.text ?? '';
};

describe('buildSpMetadata', () => {
  const sp = salesforceSpEndpoints('https://acme.my.salesforce.com', ORG);

  it('writes SAML 2.0 SP metadata in schema order that the safe parser reads back', () => {
    const xml = buildSpMetadata({ ...sp, signingCertBase64Der: CERT, nameIdFormat: EMAIL });
    expect(xml).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https:\/\/acme.my.salesforce.com">/);
    const root = parseXml(xml);
    expect(root).to.include({ name: 'EntityDescriptor', ns: MD });
    expect(root.attrs.entityID).to.equal('https://acme.my.salesforce.com');
    const descriptor = firstChild(root, 'SPSSODescriptor', MD) as XNode;
    expect(descriptor.attrs).to.deep.include({ AuthnRequestsSigned: 'true', WantAssertionsSigned: 'true', protocolSupportEnumeration: PROTOCOL });
    expect(descriptor.children.map((c) => c.name)).to.deep.equal(['KeyDescriptor', 'SingleLogoutService', 'NameIDFormat', 'AssertionConsumerService']);
    expectSchemaOrder(descriptor, SP_ORDER);
    expect(firstChild(descriptor, 'KeyDescriptor', MD)?.attrs.use).to.equal('signing');
    expect(firstChild(descriptor, 'SingleLogoutService', MD)?.attrs).to.deep.include({
      Binding: POST,
      Location: 'https://acme.my.salesforce.com/services/auth/sp/saml2/logout',
    });
    expect(firstChild(descriptor, 'NameIDFormat', MD)?.text).to.equal(EMAIL);
    expect(firstChild(descriptor, 'AssertionConsumerService', MD)?.attrs).to.deep.include({
      Binding: POST,
      Location: 'https://acme.my.salesforce.com?so=00D5g000004AbCd',
      index: '0',
      isDefault: 'true',
    });
  });

  it('adds the encryption certificate as a KeyDescriptor use="encryption", after the signing one', () => {
    const ENC = toBase64Der(fixtureText('idp-cert-rotated.pem'));
    const descriptor = firstChild(
      parseXml(buildSpMetadata({ ...sp, signingCertBase64Der: CERT, encryptionCertBase64Der: fixtureText('idp-cert-rotated.pem'), nameIdFormat: EMAIL })),
      'SPSSODescriptor',
      MD
    ) as XNode;
    expectSchemaOrder(descriptor, SP_ORDER);
    const kds = childrenNamed(descriptor, 'KeyDescriptor', MD);
    expect(kds.map((k) => k.attrs.use)).to.deep.equal(['signing', 'encryption']);
    const certIn = (kd: XNode): string | undefined =>
      firstChild(firstChild(firstChild(kd, 'KeyInfo', DS), 'X509Data', DS), 'X509Certificate', DS)?.text;
    expect(kds.map(certIn)).to.deep.equal([CERT, ENC]);
    // Encryption alone: requests are not signed.
    const encOnly = firstChild(parseXml(buildSpMetadata({ ...sp, encryptionCertBase64Der: ENC })), 'SPSSODescriptor', MD) as XNode;
    expect(encOnly.attrs.AuthnRequestsSigned).to.equal('false');
    expect(childrenNamed(encOnly, 'KeyDescriptor', MD).map((k) => k.attrs.use)).to.deep.equal(['encryption']);
    expect(() => buildSpMetadata({ ...sp, encryptionCertBase64Der: 'AAAA' })).to.throw(SamlMetadataBuildError, /assertion encryption certificate/);
  });

  it('the certificate round-trips through X509Certificate', () => {
    const descriptor = firstChild(parseXml(buildSpMetadata({ ...sp, signingCertBase64Der: CERT })), 'SPSSODescriptor', MD) as XNode;
    const text = certOf(descriptor);
    expect(text).to.equal(CERT);
    expect(new X509Certificate(Buffer.from(text, 'base64')).fingerprint256).to.equal(fp('idpCert'));
  });

  it('accepts a PEM certificate and writes it as bare base64', () => {
    const descriptor = firstChild(parseXml(buildSpMetadata({ ...sp, signingCertBase64Der: fixtureText('idp-cert.pem') })), 'SPSSODescriptor', MD) as XNode;
    expect(certOf(descriptor)).to.equal(CERT);
  });

  it('escapes & and quotes in URLs and the entity ID', () => {
    const acsUrl = 'https://acme.my.salesforce.com/login?so=00D5g000004AbCd&sc="x"<y>';
    const xml = buildSpMetadata({ entityId: 'urn:acme:sp&"1"', acsUrl, wantAssertionsSigned: false });
    expect(xml).to.contain('Location="https://acme.my.salesforce.com/login?so=00D5g000004AbCd&amp;sc=&quot;x&quot;&lt;y&gt;"');
    expect(xml).to.contain('entityID="urn:acme:sp&amp;&quot;1&quot;"');
    const root = parseXml(xml);
    expect(root.attrs.entityID).to.equal('urn:acme:sp&"1"');
    expect(firstChild(firstChild(root, 'SPSSODescriptor', MD), 'AssertionConsumerService', MD)?.attrs.Location).to.equal(acsUrl);
  });

  it('minimal input: no KeyDescriptor, no SLO, no NameIDFormat; AuthnRequestsSigned false', () => {
    const descriptor = firstChild(parseXml(buildSpMetadata({ entityId: sp.entityId, acsUrl: sp.acsUrl })), 'SPSSODescriptor', MD) as XNode;
    expect(descriptor.attrs.AuthnRequestsSigned).to.equal('false');
    expect(descriptor.attrs.WantAssertionsSigned).to.equal('true');
    expect(descriptor.children.map((c) => c.name)).to.deep.equal(['AssertionConsumerService']);
  });

  it('honours the flags and the SLO binding', () => {
    const descriptor = firstChild(
      parseXml(buildSpMetadata({ ...sp, signingCertBase64Der: CERT, authnRequestsSigned: false, wantAssertionsSigned: false, sloBinding: 'redirect' })),
      'SPSSODescriptor',
      MD
    ) as XNode;
    expect(descriptor.attrs).to.deep.include({ AuthnRequestsSigned: 'false', WantAssertionsSigned: 'false' });
    expect(firstChild(descriptor, 'SingleLogoutService', MD)?.attrs.Binding).to.equal(REDIRECT);
  });

  it('is not mistaken for IdP metadata', () => {
    try {
      parseIdpMetadata(buildSpMetadata({ ...sp, signingCertBase64Der: CERT }), { now: NOW });
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(IdpMetadataError);
      expect((e as IdpMetadataError).code).to.equal('NO_IDP_DESCRIPTOR');
    }
  });

  it('refuses bad input with SamlMetadataBuildError', () => {
    expect(() => buildSpMetadata({ entityId: ' ', acsUrl: sp.acsUrl })).to.throw(SamlMetadataBuildError, /entity ID is empty/);
    expect(() => buildSpMetadata({ entityId: 'x', acsUrl: '/relative' })).to.throw(SamlMetadataBuildError, /ACS\) URL must be an absolute/);
    expect(() => buildSpMetadata({ entityId: 'x', acsUrl: 'ftp://x.example/' })).to.throw(SamlMetadataBuildError);
    expect(() => buildSpMetadata({ entityId: 'x', acsUrl: sp.acsUrl, sloUrl: 'nope' })).to.throw(SamlMetadataBuildError, /single logout URL/);
    expect(() => buildSpMetadata({ entityId: 'x', acsUrl: sp.acsUrl, signingCertBase64Der: 'AAAA' })).to.throw(
      SamlMetadataBuildError,
      /not a usable X\.509 certificate/
    );
    expect(() => buildSpMetadata({ entityId: 'x', acsUrl: sp.acsUrl, authnRequestsSigned: true })).to.throw(
      SamlMetadataBuildError,
      /no request-signing certificate/
    );
  });
});

describe('salesforceSpEndpoints', () => {
  it('builds the ACS (Login URL with ?so=<15-character org ID>), SLO and entity ID from the My Domain', () => {
    expect(salesforceSpEndpoints('https://acme.my.salesforce.com', ORG, 'Okta_SSO')).to.deep.equal({
      entityId: 'https://acme.my.salesforce.com',
      acsUrl: 'https://acme.my.salesforce.com?so=00D5g000004AbCd',
      sloUrl: 'https://acme.my.salesforce.com/services/auth/sp/saml2/logout',
    });
  });

  it('normalises the My Domain URL', () => {
    expect(normalizeMyDomainUrl('acme.my.salesforce.com')).to.equal('https://acme.my.salesforce.com');
    expect(normalizeMyDomainUrl(' https://acme--dev.sandbox.my.salesforce.com/some/path?x=1 ')).to.equal('https://acme--dev.sandbox.my.salesforce.com');
    expect(normalizeMyDomainUrl('http://127.0.0.1:8443/')).to.equal('http://127.0.0.1:8443');
    expect(() => normalizeMyDomainUrl('https://acme.lightning.force.com')).to.throw(SamlMetadataBuildError, /Lightning address/);
    expect(() => normalizeMyDomainUrl('')).to.throw(SamlMetadataBuildError, /not a My Domain URL/);
    expect(() => normalizeMyDomainUrl('ftp://acme.example')).to.throw(SamlMetadataBuildError);
  });

  it('validates the org ID and the configuration name', () => {
    expect(orgId15('00D5g000004AbCd')).to.equal('00D5g000004AbCd');
    expect(orgId15(ORG)).to.equal('00D5g000004AbCd');
    expect(() => orgId15('005000000000001')).to.throw(SamlMetadataBuildError, /not a Salesforce org ID/);
    expect(() => salesforceSpEndpoints('acme.my.salesforce.com', ORG, 'bad name')).to.throw(SamlMetadataBuildError, /API name/);
  });
});

describe('buildIdpMetadata (Salesforce as identity provider)', () => {
  const endpoints = salesforceIdpEndpoints('https://acme.my.salesforce.com/');

  it('salesforceIdpEndpoints gives the My Domain IdP endpoints', () => {
    expect(endpoints).to.deep.equal({
      entityId: 'https://acme.my.salesforce.com',
      ssoPostUrl: 'https://acme.my.salesforce.com/idp/endpoint/HttpPost',
      ssoRedirectUrl: 'https://acme.my.salesforce.com/idp/endpoint/HttpRedirect',
      sloPostUrl: 'https://acme.my.salesforce.com/services/auth/idp/saml2/logout',
      sloRedirectUrl: 'https://acme.my.salesforce.com/services/auth/idp/saml2/logout',
    });
  });

  it('writes IDPSSODescriptor metadata in schema order', () => {
    const root = parseXml(buildIdpMetadata({ ...endpoints, signingCertBase64Der: CERT }));
    expect(root.attrs.entityID).to.equal('https://acme.my.salesforce.com');
    const descriptor = firstChild(root, 'IDPSSODescriptor', MD) as XNode;
    expect(descriptor.attrs).to.deep.include({ WantAuthnRequestsSigned: 'false', protocolSupportEnumeration: PROTOCOL });
    expect(descriptor.children.map((c) => c.name)).to.deep.equal([
      'KeyDescriptor',
      'SingleLogoutService',
      'SingleLogoutService',
      'NameIDFormat',
      'SingleSignOnService',
      'SingleSignOnService',
    ]);
    expectSchemaOrder(descriptor, IDP_ORDER);
    expect(childrenNamed(descriptor, 'SingleLogoutService', MD).map((s) => s.attrs.Binding)).to.deep.equal([POST, REDIRECT]);
    expect(childrenNamed(descriptor, 'SingleSignOnService', MD).map((s) => s.attrs.Binding)).to.deep.equal([POST, REDIRECT]);
    expect(firstChild(descriptor, 'NameIDFormat', MD)?.text).to.equal(NAMEID_UNSPECIFIED);
    expect(new X509Certificate(Buffer.from(certOf(descriptor), 'base64')).fingerprint256).to.equal(fp('idpCert'));
  });

  it('round-trips through parseIdpMetadata', () => {
    const m = parseIdpMetadata(buildIdpMetadata({ ...endpoints, signingCertBase64Der: CERT, nameIdFormats: [EMAIL, EMAIL, NAMEID_UNSPECIFIED] }), { now: NOW });
    expect(m.entityId).to.equal(endpoints.entityId);
    expect(m.ssoUrls).to.deep.equal({ post: endpoints.ssoPostUrl, redirect: endpoints.ssoRedirectUrl });
    expect(m.sloUrls).to.deep.equal({ post: endpoints.sloPostUrl, redirect: endpoints.sloRedirectUrl });
    expect(m.nameIdFormats).to.deep.equal([EMAIL, NAMEID_UNSPECIFIED]);
    expect(m.signingCertificate.sha256Fingerprint).to.equal(fp('idpCert'));
    expect(m.warnings).to.deep.equal([]);
  });

  it('leaves out SLO when not given and escapes URLs', () => {
    const xml = buildIdpMetadata({
      entityId: 'https://acme.my.salesforce.com',
      ssoPostUrl: 'https://acme.my.salesforce.com/idp/endpoint/HttpPost?a=1&b=2',
      ssoRedirectUrl: endpoints.ssoRedirectUrl,
      signingCertBase64Der: CERT,
    });
    expect(xml).to.contain('HttpPost?a=1&amp;b=2');
    const descriptor = firstChild(parseXml(xml), 'IDPSSODescriptor', MD) as XNode;
    expect(childrenNamed(descriptor, 'SingleLogoutService', MD)).to.have.length(0);
    expect(firstChild(descriptor, 'SingleSignOnService', MD)?.attrs.Location).to.equal('https://acme.my.salesforce.com/idp/endpoint/HttpPost?a=1&b=2');
  });

  it('refuses bad input with SamlMetadataBuildError', () => {
    expect(() => buildIdpMetadata({ ...endpoints, signingCertBase64Der: '' })).to.throw(SamlMetadataBuildError, /certificate is missing/);
    expect(() => buildIdpMetadata({ ...endpoints, signingCertBase64Der: 'Zm9v' })).to.throw(SamlMetadataBuildError, /not a usable/);
    expect(() => buildIdpMetadata({ ...endpoints, entityId: '', signingCertBase64Der: CERT })).to.throw(SamlMetadataBuildError, /entity ID is empty/);
    expect(() => buildIdpMetadata({ ...endpoints, ssoPostUrl: 'x', signingCertBase64Der: CERT })).to.throw(SamlMetadataBuildError, /HTTP-POST/);
  });
});
