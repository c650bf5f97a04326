/*
 * SAML 2.0 identity-provider metadata for Salesforce acting as the identity provider (what a service provider
 * imports to trust the org), and the Salesforce IdP endpoint URLs for an org's My Domain.
 *
 * Element order follows the SAML 2.0 metadata schema (IDPSSODescriptorType): KeyDescriptor*, SingleLogoutService*,
 * NameIDFormat*, SingleSignOnService+. Every value is escaped.
 */
import { NS, renderXml, xmlElement } from '../xml.js';
import { BINDING_POST, BINDING_REDIRECT, SAML2_PROTOCOL } from './idp-metadata.js';
import { SamlMetadataBuildError, keyDescriptor, normalizeMyDomainUrl, requireCertificate, requireUrl } from './sp-metadata.js';

export const NAMEID_UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

export type IdpOwnMetadataInput = {
  entityId: string;
  ssoPostUrl: string;
  ssoRedirectUrl: string;
  sloPostUrl?: string;
  sloRedirectUrl?: string;
  /** The org's IdP signing certificate (base64 DER; PEM is accepted too). */
  signingCertBase64Der: string;
  /** Default: [unspecified], which is what Salesforce publishes. */
  nameIdFormats?: string[];
};

export type SalesforceIdpEndpoints = {
  entityId: string;
  ssoPostUrl: string;
  ssoRedirectUrl: string;
  sloPostUrl: string;
  sloRedirectUrl: string;
};

/**
 * Salesforce's identity-provider endpoints for an org's My Domain.
 *
 * - entityId: the My Domain URL (the default Issuer of Salesforce as identity provider).
 * - SSO: `<mydomain>/idp/endpoint/HttpPost` and `<mydomain>/idp/endpoint/HttpRedirect`.
 * - SLO: `<mydomain>/services/auth/idp/saml2/logout`, for both bindings.
 *
 * Confirmation status: these match the metadata Salesforce publishes as identity provider as it appears in many
 * public integrations (third-party guides and code quoting Salesforce's downloaded IdP metadata), and Salesforce's
 * Apex reference for Site.setExperienceId lists `<community-url>/idp/endpoint/HttpPost` and `…/HttpRedirect`. The SLO
 * path was found only in third-party material, not in Salesforce's own reference pages.
 */
export function salesforceIdpEndpoints(myDomainUrl: string): SalesforceIdpEndpoints {
  const base = normalizeMyDomainUrl(myDomainUrl);
  const slo = `${base}/services/auth/idp/saml2/logout`;
  return {
    entityId: base,
    ssoPostUrl: `${base}/idp/endpoint/HttpPost`,
    ssoRedirectUrl: `${base}/idp/endpoint/HttpRedirect`,
    sloPostUrl: slo,
    sloRedirectUrl: slo,
  };
}

/** SAML 2.0 IdP metadata (UTF-8 XML text) describing Salesforce as identity provider. */
export function buildIdpMetadata(input: IdpOwnMetadataInput): string {
  const entityId = (input.entityId ?? '').trim();
  if (!entityId) throw new SamlMetadataBuildError('The identity provider entity ID is empty.');
  const ssoPost = requireUrl(input.ssoPostUrl, 'single sign-on (HTTP-POST) URL');
  const ssoRedirect = requireUrl(input.ssoRedirectUrl, 'single sign-on (HTTP-Redirect) URL');
  const sloPost = input.sloPostUrl?.trim() ? requireUrl(input.sloPostUrl, 'single logout (HTTP-POST) URL') : undefined;
  const sloRedirect = input.sloRedirectUrl?.trim()
    ? requireUrl(input.sloRedirectUrl, 'single logout (HTTP-Redirect) URL')
    : undefined;
  if (!input.signingCertBase64Der?.trim()) {
    throw new SamlMetadataBuildError('The identity provider signing certificate is missing; service providers need it to check assertions.');
  }
  const cert = requireCertificate(input.signingCertBase64Der, 'identity provider signing certificate');
  const formats = [...new Set((input.nameIdFormats ?? [NAMEID_UNSPECIFIED]).map((f) => f.trim()).filter(Boolean))];

  const descriptor = xmlElement(
    'md:IDPSSODescriptor',
    { WantAuthnRequestsSigned: false, protocolSupportEnumeration: SAML2_PROTOCOL },
    [
      keyDescriptor(cert, 'signing'),
      sloPost !== undefined && xmlElement('md:SingleLogoutService', { Binding: BINDING_POST, Location: sloPost }),
      sloRedirect !== undefined && xmlElement('md:SingleLogoutService', { Binding: BINDING_REDIRECT, Location: sloRedirect }),
      ...formats.map((f) => xmlElement('md:NameIDFormat', {}, f)),
      xmlElement('md:SingleSignOnService', { Binding: BINDING_POST, Location: ssoPost }),
      xmlElement('md:SingleSignOnService', { Binding: BINDING_REDIRECT, Location: ssoRedirect }),
    ]
  );
  return renderXml(xmlElement('md:EntityDescriptor', { 'xmlns:md': NS.md, entityID: entityId }, [descriptor]));
}
