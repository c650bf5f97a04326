/*
 * SecuritySettings.singleSignOnSettings: whether SAML single sign-on is on for the org (Setup > Single Sign-On
 * Settings). There is no standalone SingleSignOnSettings type: the block lives in Security.settings.
 */
import type { OrgClient } from '../client.js';
import { metadataChange, type Change } from '../plan.js';
import { asBool } from './values.js';

export type SsoSettingsState = {
  samlEnabled: boolean;
  jitProvisioningEnabled: boolean;
  multipleConfigsEnabled: boolean;
  federationIdCaseInsensitive: boolean;
  loginWithSalesforceCredentialsDisabled: boolean;
};

export type SsoSettingsDesired = Partial<SsoSettingsState>;

/** The WSDL's SingleSignOnSettings elements, in its order. */
const WSDL_ORDER = [
  'enableCaseInsensitiveFederationID',
  'enableForceDelegatedCallout',
  'enableMultipleSamlConfigs',
  'enableSamlJitProvisioning',
  'enableSamlLogin',
  'isLoginWithSalesforceCredentialsDisabled',
] as const;

const WSDL_NAME: Record<keyof SsoSettingsState, (typeof WSDL_ORDER)[number]> = {
  federationIdCaseInsensitive: 'enableCaseInsensitiveFederationID',
  multipleConfigsEnabled: 'enableMultipleSamlConfigs',
  jitProvisioningEnabled: 'enableSamlJitProvisioning',
  samlEnabled: 'enableSamlLogin',
  loginWithSalesforceCredentialsDisabled: 'isLoginWithSalesforceCredentialsDisabled',
};

const toState = (sso: Record<string, unknown>): SsoSettingsState => ({
  samlEnabled: asBool(sso.enableSamlLogin),
  jitProvisioningEnabled: asBool(sso.enableSamlJitProvisioning),
  multipleConfigsEnabled: asBool(sso.enableMultipleSamlConfigs),
  federationIdCaseInsensitive: asBool(sso.enableCaseInsensitiveFederationID),
  loginWithSalesforceCredentialsDisabled: asBool(sso.isLoginWithSalesforceCredentialsDisabled),
});

/** The raw block as the org has it (booleans), for writing it back whole. */
export const readSsoSettingsRaw = async (client: OrgClient): Promise<Record<string, boolean>> => {
  const [settings] = await client.readMetadata<{ fullName?: string; singleSignOnSettings?: Record<string, unknown> }>('SecuritySettings', ['Security']);
  const sso = settings?.singleSignOnSettings ?? {};
  return Object.fromEntries(WSDL_ORDER.map((wsdl) => [wsdl, asBool(sso[wsdl])]));
};

export const readSsoSettings = async (client: OrgClient): Promise<SsoSettingsState> => toState(await readSsoSettingsRaw(client));

/**
 * Plans Security.settings so that the named SSO settings hold. The whole singleSignOnSettings block is written back
 * (the org's other values kept), so a deploy of the file never resets what the command does not manage.
 */
export const planSsoSettings = (current: Record<string, boolean>, desired: SsoSettingsDesired): Change => {
  const wanted: Record<string, boolean> = {};
  for (const [ours, v] of Object.entries(desired) as Array<[keyof SsoSettingsState, boolean | undefined]>) {
    if (v !== undefined) wanted[WSDL_NAME[ours]] = v;
  }
  const ordered = Object.fromEntries(WSDL_ORDER.map((wsdl) => [wsdl, wanted[wsdl] ?? current[wsdl] ?? false]));
  const diff = metadataChange(
    { type: 'SecuritySettings', fullName: 'Security', content: { fullName: 'Security', singleSignOnSettings: ordered } },
    current,
    wanted,
    { exists: true }
  );
  return { ...diff, fields: diff.fields.map((f) => ({ ...f, field: `singleSignOnSettings.${f.field}` })) };
};
