/*
 * IdentityProviderSettings (IdentityProvider.settings): Salesforce as SAML identity provider (Setup > Identity
 * Provider), with the certificate that signs its assertions. Also the certificate's body, for the IdP metadata.
 */
import type { OrgClient } from '../client.js';
import { metadataChange, type Change } from '../plan.js';
import type { CertificateState } from './certificate.js';
import { asBool, asString } from './values.js';

/** The settings as the Metadata API holds them (WSDL order: certificateName, enableIdentityProvider). */
export type IdentityProviderRaw = {
  certificateName: string;
  enableIdentityProvider: boolean;
};

export type IdentityProviderDesired = {
  enabled: boolean;
  /** The certificate's API name (DeveloperName); required to enable. */
  certificateName?: string;
};

export const IDENTITY_PROVIDER_TYPE = 'IdentityProviderSettings';
export const IDENTITY_PROVIDER_NAME = 'IdentityProvider';

/** The org's identity-provider settings; a never-configured org reads as disabled with no certificate. */
export const readIdentityProvider = async (client: OrgClient): Promise<IdentityProviderRaw> => {
  const [settings] = await client.readMetadata<{ fullName?: string; certificateName?: unknown; enableIdentityProvider?: unknown }>(
    IDENTITY_PROVIDER_TYPE,
    [IDENTITY_PROVIDER_NAME]
  );
  return { certificateName: asString(settings?.certificateName) ?? '', enableIdentityProvider: asBool(settings?.enableIdentityProvider) };
};

/**
 * Plans IdentityProvider.settings so that the identity provider is on with the named certificate, or off.
 * Turning it off keeps the certificate name (the WSDL requires the element, and Setup keeps it too).
 */
export const planIdentityProvider = (current: IdentityProviderRaw, desired: IdentityProviderDesired): Change => {
  const wanted: Partial<IdentityProviderRaw> = { enableIdentityProvider: desired.enabled };
  if (desired.enabled) {
    if (!desired.certificateName) throw new Error('Enabling the identity provider needs a certificate name.');
    wanted.certificateName = desired.certificateName;
  }
  const content = {
    fullName: IDENTITY_PROVIDER_NAME,
    certificateName: wanted.certificateName ?? current.certificateName,
    enableIdentityProvider: desired.enabled,
  };
  // certificateName is compared exactly: the org stores the API name as given, and a case change is a change.
  return metadataChange({ type: IDENTITY_PROVIDER_TYPE, fullName: IDENTITY_PROVIDER_NAME, content }, current, wanted, { exists: true });
};

/** The outcome of looking a certificate up by API name or label. */
export type CertificateMatch = { found: CertificateState } | { ambiguous: CertificateState[] } | { missing: true };

/**
 * Finds a certificate by its API name (DeveloperName, case-insensitive) or, failing that, by its label. Several
 * certificates with the same label are reported as ambiguous rather than guessed.
 */
export const findCertificate = (certs: CertificateState[], nameOrLabel: string): CertificateMatch => {
  const wanted = nameOrLabel.trim().toLowerCase();
  const byName = certs.find((c) => c.name.toLowerCase() === wanted);
  if (byName) return { found: byName };
  const byLabel = certs.filter((c) => c.label.toLowerCase() === wanted);
  if (byLabel.length === 1) return { found: byLabel[0] };
  if (byLabel.length > 1) return { ambiguous: byLabel };
  return { missing: true };
};

/** "API name (label)" for messages, or just the name when both are the same. */
export const describeCertificateName = (c: CertificateState): string => (c.label && c.label !== c.name ? `${c.name} (${c.label})` : c.name);

/**
 * The certificate's body as the Metadata API returns it (the .crt file: PEM text, or DER), or undefined when the
 * org has no certificate by that name. Never a private key: Salesforce does not export keys through this API.
 */
export const readCertificateBody = async (client: OrgClient, name: string): Promise<Buffer | undefined> => {
  const [cert] = await client.readMetadata<{ fullName?: string; content?: unknown }>('Certificate', [name]);
  const content = asString(cert?.content);
  return content ? Buffer.from(content, 'base64') : undefined;
};
