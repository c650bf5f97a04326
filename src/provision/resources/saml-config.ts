/* SamlSsoConfig: one SAML single sign-on configuration (Salesforce as service provider). */
import type { OrgClient } from '../client.js';
import { asBool, asString } from './values.js';

/** SamlSsoConfig's elements in the WSDL's order (Metadata API v66.0); a real org rejects them out of order. */
export const SAML_SSO_CONFIG_FIELDS = [
  'attributeName',
  'attributeNameIdFormat',
  'decryptionCertificate',
  'errorUrl',
  'executionUserId',
  'identityLocation',
  'identityMapping',
  'issuer',
  'loginUrl',
  'logoutUrl',
  'name',
  'oauthTokenEndpoint',
  'redirectBinding',
  'requestSignatureMethod',
  'requestSigningCertId',
  'salesforceLoginUrl',
  'samlEntityId',
  'samlJitHandlerId',
  'samlVersion',
  'singleLogoutBinding',
  'singleLogoutUrl',
  'useConfigRequestMethod',
  'useSameDigestAlgoForSigning',
  'userProvisioning',
  'validationCert',
] as const;

export type SamlSsoConfigField = (typeof SAML_SSO_CONFIG_FIELDS)[number];

/** A SamlSsoConfig as the Metadata API holds it: fullName, then the fields in WSDL order (absent ones left out). */
export type SamlSsoConfigContent = { fullName: string } & Partial<Record<SamlSsoConfigField, string | boolean>>;

const BOOLEAN_FIELDS = new Set<string>(['redirectBinding', 'useConfigRequestMethod', 'useSameDigestAlgoForSigning', 'userProvisioning']);

/** Puts fields in WSDL order, drops empty ones, and reads 'true'/'false' back as booleans. */
export const orderSamlContent = (fullName: string, fields: Record<string, unknown>): SamlSsoConfigContent => {
  const out: SamlSsoConfigContent = { fullName };
  for (const f of SAML_SSO_CONFIG_FIELDS) {
    const v = fields[f];
    if (v === undefined || v === null || v === '' || (typeof v === 'object' && !Array.isArray(v))) continue;
    out[f] = BOOLEAN_FIELDS.has(f) ? asBool(v) : String(v as string);
  }
  return out;
};

export type SamlConfigState = {
  name: string;
  label: string;
  issuer?: string;
  loginUrl?: string;
  logoutUrl?: string;
  entityId?: string;
  identityMapping?: string;
  identityLocation?: string;
  attributeName?: string;
  samlVersion?: string;
  binding: 'post' | 'redirect';
  jitEnabled: boolean;
  jitHandlerId?: string;
  executionUserId?: string;
  requestSigningCertId?: string;
  decryptionCertificate?: string;
};

export const toSamlConfigState = (c: SamlSsoConfigContent): SamlConfigState => ({
  name: c.fullName,
  label: asString(c.name) ?? c.fullName,
  issuer: asString(c.issuer),
  loginUrl: asString(c.loginUrl),
  logoutUrl: asString(c.logoutUrl),
  entityId: asString(c.samlEntityId),
  identityMapping: asString(c.identityMapping),
  identityLocation: asString(c.identityLocation),
  attributeName: asString(c.attributeName),
  samlVersion: asString(c.samlVersion),
  binding: asBool(c.redirectBinding) ? 'redirect' : 'post',
  jitEnabled: asBool(c.userProvisioning),
  jitHandlerId: asString(c.samlJitHandlerId),
  executionUserId: asString(c.executionUserId),
  requestSigningCertId: asString(c.requestSigningCertId),
  decryptionCertificate: asString(c.decryptionCertificate),
});

/** The named configurations as the Metadata API returns them (missing names are left out), in WSDL order. */
export const readSamlConfigsRaw = async (client: OrgClient, names?: string[]): Promise<SamlSsoConfigContent[]> => {
  const all = names ?? (await client.listMetadata(['SamlSsoConfig'])).map((p) => p.fullName).sort();
  if (all.length === 0) return [];
  const configs = await client.readMetadata<Record<string, unknown> & { fullName?: string }>('SamlSsoConfig', all);
  return configs.map((c) => orderSamlContent(String(c.fullName), c)).sort((a, b) => a.fullName.localeCompare(b.fullName));
};

/** One configuration by its API name (fullName), or undefined. */
export const readSamlConfigRaw = async (client: OrgClient, name: string): Promise<SamlSsoConfigContent | undefined> =>
  (await readSamlConfigsRaw(client, [name]))[0];

export const readSamlConfigs = async (client: OrgClient): Promise<SamlConfigState[]> => (await readSamlConfigsRaw(client)).map(toSamlConfigState);
