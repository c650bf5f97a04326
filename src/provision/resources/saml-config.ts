/* SamlSsoConfig: one SAML single sign-on configuration (Salesforce as service provider). */
import type { OrgClient } from '../client.js';
import { asBool, asString } from './values.js';

export type SamlConfigState = {
  name: string;
  label: string;
  issuer?: string;
  loginUrl?: string;
  identityMapping?: string;
  identityLocation?: string;
  attributeName?: string;
  samlVersion?: string;
  jitEnabled: boolean;
  jitHandlerId?: string;
  requestSigningCertId?: string;
};

export const readSamlConfigs = async (client: OrgClient): Promise<SamlConfigState[]> => {
  const names = (await client.listMetadata(['SamlSsoConfig'])).map((p) => p.fullName).sort();
  if (names.length === 0) return [];
  const configs = await client.readMetadata<Record<string, unknown> & { fullName?: string }>('SamlSsoConfig', names);
  return configs.map((c) => ({
    name: String(c.fullName),
    label: asString(c.name) ?? String(c.fullName),
    issuer: asString(c.issuer),
    loginUrl: asString(c.loginUrl),
    identityMapping: asString(c.identityMapping),
    identityLocation: asString(c.identityLocation),
    attributeName: asString(c.attributeName),
    samlVersion: asString(c.samlVersion),
    jitEnabled: asBool(c.userProvisioning),
    jitHandlerId: asString(c.samlJitHandlerId),
    requestSigningCertId: asString(c.requestSigningCertId),
  }));
};
