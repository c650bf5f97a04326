/*
 * IdentityProviderSettings (IdentityProvider.settings): Salesforce as SAML identity provider (Setup > Identity
 * Provider), with the certificate that signs its assertions (looked up and read through ./certificate.js).
 */
import type { OrgClient } from '../client.js';
import { metadataChange, type Change } from '../plan.js';
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
