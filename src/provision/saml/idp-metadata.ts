/*
 * Reads a SAML 2.0 identity provider's metadata (what Okta, Entra ID, ADFS, JumpCloud, PingOne, Keycloak… export)
 * and extracts what a Salesforce SAML single sign-on configuration needs: entity ID, SSO/SLO URLs, NameID formats
 * and the signing certificate to trust.
 *
 * Only the IDPSSODescriptor's own KeyDescriptors are considered: the metadata's ds:Signature (its KeyInfo),
 * WS-Federation RoleDescriptors and SPSSODescriptors carry certificates that are not the IdP's SAML signing keys.
 * Input is untrusted: parsed with the safe parser in ../xml.js, and every failure is an IdpMetadataError.
 */
import {
  UnsafeXmlError,
  XmlParseError,
  attr,
  childrenNamed,
  firstChild,
  parseXml,
  NS,
  type XNode,
} from '../xml.js';
import { describeCertificateText, expiresSoonWarning, type IdpCertificate } from '../x509.js';

export type { IdpCertificate } from '../x509.js';

export const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export type IdpMetadata = {
  entityId: string;
  ssoUrls: { post?: string; redirect?: string };
  sloUrls: { post?: string; redirect?: string };
  /** NameIDFormat values in document order, without duplicates. */
  nameIdFormats: string[];
  /** Every signing certificate (use="signing" or no use), expired ones included, deduplicated by fingerprint. */
  certificates: IdpCertificate[];
  /** The certificate to trust: valid now and expiring last. */
  signingCertificate: IdpCertificate;
  /** WantAuthnRequestsSigned="true" on the IDPSSODescriptor. */
  wantAuthnRequestsSigned: boolean;
  warnings: string[];
};

export type IdpMetadataErrorCode =
  | 'NOT_XML'
  | 'UNSAFE_XML'
  | 'TOO_LARGE'
  | 'NOT_METADATA'
  | 'NO_IDP_DESCRIPTOR'
  | 'NO_ENTITY_ID'
  | 'NO_SSO_URL'
  | 'NO_CERTIFICATE'
  | 'INVALID_CERTIFICATE'
  | 'ALL_EXPIRED'
  | 'NO_VALID_CERTIFICATE';

export class IdpMetadataError extends Error {
  public constructor(message: string, public readonly code: IdpMetadataErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IdpMetadataError';
  }
}

export type ParseIdpMetadataOptions = {
  /** The moment certificates are judged at. Default: now. */
  now?: Date;
  /** Largest accepted input in bytes. Default 5 MB. */
  maxBytes?: number;
};

const EXPORT_AGAIN = 'Download the SAML 2.0 identity-provider metadata (XML) again from the identity provider’s admin console.';

const day = (iso: string): string => iso.slice(0, 10);
const short = (c: IdpCertificate): string => `${c.subject || 'no subject'}, SHA-256 ${c.sha256Fingerprint.slice(0, 23)}…`;

function parseDocument(xml: string | Buffer, maxBytes?: number): XNode {
  if (typeof xml !== 'string' && !Buffer.isBuffer(xml)) {
    throw new IdpMetadataError(`No metadata was given. ${EXPORT_AGAIN}`, 'NOT_XML');
  }
  const head = (typeof xml === 'string' ? xml.slice(0, 512) : xml.subarray(0, 512).toString('utf8')).trimStart();
  if (/^(\uFEFF)?\s*(<!DOCTYPE\s+html|<html[\s>])/i.test(head)) {
    throw new IdpMetadataError(
      'This is a web page (HTML), not SAML metadata. The metadata URL probably needs a sign-in or points to the wrong page. ' +
        EXPORT_AGAIN,
      'NOT_XML'
    );
  }
  if (/^https?:\/\/\S+\s*$/i.test(head) && head.length < 500) {
    throw new IdpMetadataError(
      `The file contains a web address (${head.trim().slice(0, 200)}), not the metadata itself. Open that address (signing in if asked), save the XML it returns, and use the saved file.`,
      'NOT_XML'
    );
  }
  try {
    return parseXml(xml, maxBytes === undefined ? {} : { maxBytes });
  } catch (e) {
    if (e instanceof UnsafeXmlError) {
      throw new IdpMetadataError(e.message, e.reason === 'TOO_LARGE' ? 'TOO_LARGE' : 'UNSAFE_XML', { cause: e });
    }
    if (e instanceof XmlParseError) {
      throw new IdpMetadataError(`${e.message} ${EXPORT_AGAIN}`, 'NOT_XML', { cause: e });
    }
    throw new IdpMetadataError(`The metadata could not be read: ${e instanceof Error ? e.message : String(e)}`, 'NOT_XML', {
      cause: e,
    });
  }
}

const isMd = (n: XNode, local: string): boolean => n.name === local && n.ns === NS.md;

/** EntityDescriptors in document order, looking through nested EntitiesDescriptors. */
function entityDescriptors(root: XNode): XNode[] {
  if (isMd(root, 'EntityDescriptor')) return [root];
  const out: XNode[] = [];
  for (const c of root.children) {
    if (isMd(c, 'EntityDescriptor')) out.push(c);
    else if (isMd(c, 'EntitiesDescriptor')) out.push(...entityDescriptors(c));
  }
  return out;
}

const supportsSaml2 = (descriptor: XNode): boolean =>
  (attr(descriptor, 'protocolSupportEnumeration') ?? SAML2_PROTOCOL).split(/\s+/).includes(SAML2_PROTOCOL);

function findIdpDescriptor(root: XNode, warnings: string[]): { entity: XNode; idp: XNode } {
  if (!isMd(root, 'EntityDescriptor') && !isMd(root, 'EntitiesDescriptor')) {
    const what = root.ns ? `<${root.name}> in namespace ${root.ns}` : `<${root.name}> (no namespace)`;
    throw new IdpMetadataError(
      `This XML is not SAML 2.0 metadata: its root element is ${what}, where an EntityDescriptor or EntitiesDescriptor in namespace ${NS.md} is expected. ${EXPORT_AGAIN}`,
      'NOT_METADATA'
    );
  }
  const entities = entityDescriptors(root);
  const withIdp = entities
    .map((entity) => ({ entity, idps: childrenNamed(entity, 'IDPSSODescriptor', NS.md) }))
    .filter((e) => e.idps.length > 0);
  if (withIdp.length === 0) {
    const hasSp = entities.some((e) => firstChild(e, 'SPSSODescriptor', NS.md));
    throw new IdpMetadataError(
      hasSp
        ? `The metadata describes a service provider (SPSSODescriptor), not an identity provider. This is probably the metadata of Salesforce or of another application; use the identity provider’s metadata instead. ${EXPORT_AGAIN}`
        : `The metadata has no identity-provider section (IDPSSODescriptor). ${EXPORT_AGAIN}`,
      'NO_IDP_DESCRIPTOR'
    );
  }
  if (withIdp.length > 1) {
    warnings.push(
      `The metadata describes ${withIdp.length} identity providers; using the first one (${attr(withIdp[0].entity, 'entityID') ?? 'no entityID'}).`
    );
  }
  const { entity, idps } = withIdp[0];
  const idp = idps.find(supportsSaml2);
  if (!idp) {
    throw new IdpMetadataError(
      `The identity provider does not declare SAML 2.0 support (protocolSupportEnumeration="${attr(idps[0], 'protocolSupportEnumeration') ?? ''}"). Salesforce needs SAML 2.0; configure the identity provider’s application for SAML 2.0 and export its metadata again.`,
      'NO_IDP_DESCRIPTOR'
    );
  }
  return { entity, idp };
}

/** A usable endpoint URL (absolute http/https), trimmed; otherwise undefined with a warning. */
function endpointUrl(service: XNode, kind: string, warnings: string[]): string | undefined {
  const location = (attr(service, 'Location') ?? '').trim();
  if (!location) {
    warnings.push(`Ignored a ${kind} endpoint without a Location.`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    warnings.push(`Ignored a ${kind} endpoint whose Location is not a URL: "${location.slice(0, 100)}".`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    warnings.push(`Ignored a ${kind} endpoint that is not a web address: "${location.slice(0, 100)}".`);
    return undefined;
  }
  if (url.protocol === 'http:') {
    warnings.push(`The ${kind} URL ${location} uses http, not https: SAML messages would travel unencrypted.`);
  }
  return location;
}

function endpoints(idp: XNode, element: string, kind: string, warnings: string[]): { post?: string; redirect?: string; others: string[] } {
  const out: { post?: string; redirect?: string; others: string[] } = { others: [] };
  for (const service of childrenNamed(idp, element, NS.md)) {
    const binding = (attr(service, 'Binding') ?? '').trim();
    if (binding === BINDING_POST || binding === BINDING_REDIRECT) {
      const key = binding === BINDING_POST ? 'post' : 'redirect';
      if (out[key] !== undefined) continue;
      const url = endpointUrl(service, `${kind} (${key === 'post' ? 'HTTP-POST' : 'HTTP-Redirect'})`, warnings);
      if (url) out[key] = url;
    } else if (binding) {
      out.others.push(binding.replace(/^urn:oasis:names:tc:SAML:2\.0:bindings:/, ''));
    }
  }
  return out;
}

type KeyScan = {
  /** Signing-capable certificates (use="signing" or no use), in document order, deduplicated by fingerprint. */
  signing: IdpCertificate[];
  /** How many readable encryption-only certificates were seen. */
  encryptionOnly: number;
  /** Why signing-capable certificates could not be read. */
  unreadable: string[];
};

function keyDescriptorCertificates(idp: XNode, now: Date, warnings: string[]): KeyScan {
  const scan: KeyScan = { signing: [], encryptionOnly: 0, unreadable: [] };
  const seen = new Set<string>();
  for (const kd of childrenNamed(idp, 'KeyDescriptor', NS.md)) {
    const rawUse = (attr(kd, 'use') ?? '').trim();
    if (rawUse !== '' && rawUse !== 'signing' && rawUse !== 'encryption') {
      warnings.push(`Ignored a KeyDescriptor with an unknown use="${rawUse.slice(0, 40)}".`);
      continue;
    }
    const use = rawUse === '' ? undefined : rawUse;
    const values = childrenNamed(firstChild(kd, 'KeyInfo', NS.ds), 'X509Data', NS.ds).flatMap((d) =>
      childrenNamed(d, 'X509Certificate', NS.ds)
    );
    for (const value of values) {
      let cert: IdpCertificate;
      try {
        cert = describeCertificateText(value.text, now, use);
      } catch (e) {
        if (use !== 'encryption') scan.unreadable.push(e instanceof Error ? e.message : String(e));
        continue;
      }
      if (use === 'encryption') scan.encryptionOnly++;
      else if (!seen.has(cert.sha256Fingerprint)) {
        seen.add(cert.sha256Fingerprint);
        scan.signing.push(cert);
      }
    }
  }
  return scan;
}

function chooseSigningCertificate(certs: IdpCertificate[], now: Date, warnings: string[]): IdpCertificate {
  const valid = certs.filter((c) => !c.expired && !c.notYetValid);
  const expired = certs.filter((c) => c.expired);
  const future = certs.filter((c) => c.notYetValid);
  if (valid.length === 0) {
    const list = certs
      .map((c) => (c.expired ? `${short(c)}: expired ${day(c.notAfter)}` : `${short(c)}: valid from ${day(c.notBefore)} to ${day(c.notAfter)}`))
      .join('; ');
    if (future.length === 0) {
      throw new IdpMetadataError(
        `Every signing certificate in the metadata has expired (${list}). The identity provider has probably rotated its certificate: download fresh metadata, or renew the certificate in the identity provider first.`,
        'ALL_EXPIRED'
      );
    }
    throw new IdpMetadataError(
      `No signing certificate in the metadata is valid on ${day(now.toISOString())} (${list}). Check the computer’s clock, or wait until the new certificate becomes valid, or download current metadata.`,
      'NO_VALID_CERTIFICATE'
    );
  }
  // Valid now and expiring last; on a tie the first in document order.
  const chosen = valid.reduce((best, c) => (Date.parse(c.notAfter) > Date.parse(best.notAfter) ? c : best));
  for (const c of expired) warnings.push(`Ignored an expired signing certificate (${short(c)}, expired ${day(c.notAfter)}).`);
  for (const c of future) {
    warnings.push(
      `Ignored a signing certificate that is not valid yet (${short(c)}, valid from ${day(c.notBefore)}). When the identity provider switches to it, update the certificate in Salesforce.`
    );
  }
  if (valid.length > 1) {
    const others = valid.filter((c) => c !== chosen).map((c) => `${short(c)}, expires ${day(c.notAfter)}`);
    warnings.push(
      `The metadata lists ${valid.length} valid signing certificates; using the one that expires last (${short(chosen)}, expires ${day(chosen.notAfter)}). Salesforce trusts one certificate per SAML configuration: if the identity provider still signs with the other (${others.join('; ')}), logins fail until it switches.`
    );
  }
  const soon = expiresSoonWarning(chosen, now, 'The signing certificate');
  if (soon) warnings.push(soon);
  return chosen;
}

/**
 * Parses identity-provider metadata.
 *
 * @throws IdpMetadataError with a `code` saying what is wrong; the message says what to do.
 */
export function parseIdpMetadata(xml: string | Buffer, opts: ParseIdpMetadataOptions = {}): IdpMetadata {
  const now = opts.now ?? new Date();
  const warnings: string[] = [];
  const root = parseDocument(xml, opts.maxBytes);
  const { entity, idp } = findIdpDescriptor(root, warnings);

  const entityId = (attr(entity, 'entityID') ?? '').trim();
  if (!entityId) {
    throw new IdpMetadataError(`The metadata’s EntityDescriptor has no entityID, which identifies the identity provider. ${EXPORT_AGAIN}`, 'NO_ENTITY_ID');
  }

  const sso = endpoints(idp, 'SingleSignOnService', 'single sign-on', warnings);
  if (!sso.post && !sso.redirect) {
    throw new IdpMetadataError(
      sso.others.length > 0
        ? `The identity provider offers single sign-on only over ${sso.others.join(', ')}; Salesforce needs an HTTP-POST or HTTP-Redirect SingleSignOnService. Enable one of those bindings in the identity provider and export the metadata again.`
        : `The metadata has no usable single sign-on URL (SingleSignOnService with the HTTP-POST or HTTP-Redirect binding). ${EXPORT_AGAIN}`,
      'NO_SSO_URL'
    );
  }
  const slo = endpoints(idp, 'SingleLogoutService', 'single logout', warnings);

  const nameIdFormats = [
    ...new Set(childrenNamed(idp, 'NameIDFormat', NS.md).map((n) => n.text.trim()).filter((t) => t.length > 0)),
  ];

  const { signing, encryptionOnly, unreadable } = keyDescriptorCertificates(idp, now, warnings);
  if (signing.length === 0) {
    if (unreadable.length > 0) {
      throw new IdpMetadataError(
        `The identity provider’s signing certificate could not be read (${unreadable[0]}). The metadata may have been truncated or edited. ${EXPORT_AGAIN}`,
        'INVALID_CERTIFICATE'
      );
    }
    throw new IdpMetadataError(
      encryptionOnly > 0
        ? 'The metadata has only an encryption certificate (KeyDescriptor use="encryption"), no signing certificate. Salesforce needs the certificate the identity provider signs assertions with: download it from the identity provider and pass it as a certificate file.'
        : 'The metadata has no signing certificate (KeyDescriptor with an X509Certificate) for the identity provider. Download the signing certificate from the identity provider and pass it as a certificate file, or export metadata that includes it.',
      'NO_CERTIFICATE'
    );
  }
  for (const reason of unreadable) warnings.push(`Ignored a signing certificate that could not be read (${reason}).`);
  const signingCertificate = chooseSigningCertificate(signing, now, warnings);

  const wantSigned = (attr(idp, 'WantAuthnRequestsSigned') ?? '').trim();
  const wantAuthnRequestsSigned = wantSigned === 'true' || wantSigned === '1';
  if (wantAuthnRequestsSigned) {
    warnings.push(
      'The identity provider requires signed authentication requests (WantAuthnRequestsSigned="true"): give the Salesforce SAML configuration a request-signing certificate and register that certificate with the identity provider.'
    );
  }

  const pick = (e: { post?: string; redirect?: string }): { post?: string; redirect?: string } => ({
    ...(e.post ? { post: e.post } : {}),
    ...(e.redirect ? { redirect: e.redirect } : {}),
  });
  return {
    entityId,
    ssoUrls: pick(sso),
    sloUrls: pick(slo),
    nameIdFormats,
    certificates: signing,
    signingCertificate,
    wantAuthnRequestsSigned,
    warnings,
  };
}
