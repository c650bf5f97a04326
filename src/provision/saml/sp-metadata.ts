/*
 * SAML 2.0 service-provider metadata for Salesforce acting as the service provider (the side an identity provider
 * imports), and the Salesforce SP endpoint URLs for an org's My Domain.
 *
 * Element order follows the SAML 2.0 metadata schema (SPSSODescriptorType): KeyDescriptor*, [Organization?,
 * ContactPerson*,] [ArtifactResolutionService*,] SingleLogoutService*, [ManageNameIDService*,] NameIDFormat*,
 * AssertionConsumerService+ [, AttributeConsumingService*]. Every value is escaped.
 */
import { NS, renderXml, xmlElement, type XmlElement } from '../xml.js';
import { describeCertificate, toBase64Der } from '../x509.js';
import { BINDING_POST, BINDING_REDIRECT, SAML2_PROTOCOL } from './idp-metadata.js';

/** Invalid input to one of the metadata builders or endpoint helpers. */
export class SamlMetadataBuildError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'SamlMetadataBuildError';
  }
}

export type SpMetadataInput = {
  entityId: string;
  /** Where the identity provider posts its SAML response (HTTP-POST binding, index 0, the default). */
  acsUrl: string;
  sloUrl?: string;
  /** Binding of the SingleLogoutService. Default 'post'. */
  sloBinding?: 'post' | 'redirect';
  /** The SP's request-signing certificate (base64 DER; PEM is accepted too). */
  signingCertBase64Der?: string;
  /** The certificate the identity provider encrypts assertions for (base64 DER; PEM is accepted too). */
  encryptionCertBase64Der?: string;
  nameIdFormat?: string;
  /** Default true. */
  wantAssertionsSigned?: boolean;
  /** Default: true when a signing certificate is given, false otherwise. */
  authnRequestsSigned?: boolean;
};

/** Checks that a value is an absolute http(s) URL; returns it trimmed. */
export function requireUrl(value: string | undefined, what: string): string {
  const v = (value ?? '').trim();
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new SamlMetadataBuildError(`The ${what} must be an absolute http(s) URL; got "${v.slice(0, 200)}".`);
  }
  return v;
}

/** Validates a certificate given as base64 DER or PEM and returns its canonical base64 DER. */
export function requireCertificate(value: string, what: string): string {
  try {
    const b64 = toBase64Der(value);
    describeCertificate(Buffer.from(b64, 'base64'));
    return b64;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new SamlMetadataBuildError(`The ${what} is not a usable X.509 certificate: ${reason}`);
  }
}

/** `<ds:KeyInfo>` with one certificate, wrapped in a KeyDescriptor of the given use. */
export function keyDescriptor(base64Der: string, use: 'signing' | 'encryption'): XmlElement {
  return xmlElement('md:KeyDescriptor', { use }, [
    xmlElement('ds:KeyInfo', { 'xmlns:ds': NS.ds }, [
      xmlElement('ds:X509Data', {}, [xmlElement('ds:X509Certificate', {}, base64Der)]),
    ]),
  ]);
}

/** SAML 2.0 SP metadata (UTF-8 XML text) for a Salesforce SAML single sign-on configuration. */
export function buildSpMetadata(input: SpMetadataInput): string {
  const entityId = (input.entityId ?? '').trim();
  if (!entityId) throw new SamlMetadataBuildError('The service provider entity ID is empty.');
  const acsUrl = requireUrl(input.acsUrl, 'assertion consumer service (ACS) URL');
  const sloUrl = input.sloUrl === undefined || input.sloUrl.trim() === '' ? undefined : requireUrl(input.sloUrl, 'single logout URL');
  const cert = input.signingCertBase64Der?.trim()
    ? requireCertificate(input.signingCertBase64Der, 'request-signing certificate')
    : undefined;
  const encryptionCert = input.encryptionCertBase64Der?.trim()
    ? requireCertificate(input.encryptionCertBase64Der, 'assertion encryption certificate')
    : undefined;
  const authnRequestsSigned = input.authnRequestsSigned ?? cert !== undefined;
  if (authnRequestsSigned && !cert) {
    throw new SamlMetadataBuildError(
      'AuthnRequestsSigned is true but no request-signing certificate was given: the identity provider could not check the signatures. Pass the certificate, or set authnRequestsSigned to false.'
    );
  }
  const nameIdFormat = input.nameIdFormat?.trim();

  const descriptor = xmlElement(
    'md:SPSSODescriptor',
    {
      AuthnRequestsSigned: authnRequestsSigned,
      WantAssertionsSigned: input.wantAssertionsSigned ?? true,
      protocolSupportEnumeration: SAML2_PROTOCOL,
    },
    [
      cert !== undefined && keyDescriptor(cert, 'signing'),
      encryptionCert !== undefined && keyDescriptor(encryptionCert, 'encryption'),
      sloUrl !== undefined &&
        xmlElement('md:SingleLogoutService', {
          Binding: input.sloBinding === 'redirect' ? BINDING_REDIRECT : BINDING_POST,
          Location: sloUrl,
        }),
      nameIdFormat ? xmlElement('md:NameIDFormat', {}, nameIdFormat) : undefined,
      xmlElement('md:AssertionConsumerService', { Binding: BINDING_POST, Location: acsUrl, index: 0, isDefault: true }),
    ]
  );
  return renderXml(xmlElement('md:EntityDescriptor', { 'xmlns:md': NS.md, entityID: entityId }, [descriptor]));
}

/**
 * The base URL of an org's My Domain: scheme and host, no path or trailing slash. A bare host gets https://.
 *
 * @throws SamlMetadataBuildError for something that is not a URL, or a Lightning (*.lightning.force.com) address.
 */
export function normalizeMyDomainUrl(myDomainUrl: string): string {
  let v = (myDomainUrl ?? '').trim();
  if (v && !/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) v = `https://${v}`;
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) {
    throw new SamlMetadataBuildError(
      `"${(myDomainUrl ?? '').slice(0, 200)}" is not a My Domain URL. Use the org's My Domain login URL, for example https://acme.my.salesforce.com.`
    );
  }
  if (url.hostname.endsWith('.lightning.force.com')) {
    throw new SamlMetadataBuildError(
      `${url.hostname} is a Lightning address, not the My Domain URL. Use the org's My Domain login URL (Setup > My Domain), for example https://acme.my.salesforce.com.`
    );
  }
  return `${url.protocol}//${url.host}`;
}

/** The 15-character form of an org ID (18-character IDs are accepted). */
export function orgId15(orgId: string): string {
  const id = (orgId ?? '').trim();
  if (!/^00D[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/.test(id)) {
    throw new SamlMetadataBuildError(`"${id.slice(0, 40)}" is not a Salesforce org ID (15 or 18 characters starting with 00D).`);
  }
  return id.slice(0, 15);
}

/**
 * Salesforce's service-provider endpoints for a SAML single sign-on configuration in an org with My Domain.
 *
 * acsUrl is `https://<mydomain>?so=<15-character org ID>`, the "Login URL" Salesforce shows under Endpoints on the
 * SAML single sign-on setting. Corroborated by published integrations that use `https://<x>.my.salesforce.com?so=00D…`
 * as ACS/recipient; not found verbatim in the Salesforce documentation searched.
 *
 * sloUrl is `https://<mydomain>/services/auth/sp/saml2/logout`. Confirmed by Salesforce Help ("Configure SAML Single
 * Logout with Salesforce as the Service Provider" gives that format for the SP SLO endpoint).
 *
 * entityId is the My Domain URL, Salesforce's default Entity ID for orgs with My Domain (older orgs may use
 * https://saml.salesforce.com; callers override it then). Not confirmed in the documentation searched.
 *
 * `samlConfigDeveloperName` does not change the URLs: Salesforce serves every SAML configuration of an org from the
 * same Login URL and tells them apart by the Issuer of the incoming response (unconfirmed for orgs with several
 * configurations). It is only checked to be a valid API name.
 */
export function salesforceSpEndpoints(
  myDomainUrl: string,
  orgId: string,
  samlConfigDeveloperName?: string
): { entityId: string; acsUrl: string; sloUrl: string } {
  if (samlConfigDeveloperName !== undefined && !/^[A-Za-z][A-Za-z0-9_]*$/.test(samlConfigDeveloperName)) {
    throw new SamlMetadataBuildError(`"${samlConfigDeveloperName.slice(0, 80)}" is not a valid SAML configuration API name.`);
  }
  const base = normalizeMyDomainUrl(myDomainUrl);
  return {
    entityId: base,
    acsUrl: `${base}?so=${orgId15(orgId)}`,
    sloUrl: `${base}/services/auth/sp/saml2/logout`,
  };
}
