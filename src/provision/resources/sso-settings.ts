/* SecuritySettings.singleSignOnSettings: whether SAML single sign-on is on for the org. */
import type { OrgClient } from '../client.js';
import { asBool } from './values.js';

export type SsoSettingsState = {
  samlEnabled: boolean;
  jitProvisioningEnabled: boolean;
  multipleConfigsEnabled: boolean;
  federationIdCaseInsensitive: boolean;
  loginWithSalesforceCredentialsDisabled: boolean;
};

export const readSsoSettings = async (client: OrgClient): Promise<SsoSettingsState> => {
  const [settings] = await client.readMetadata<{ fullName?: string; singleSignOnSettings?: Record<string, unknown> }>('SecuritySettings', ['Security']);
  const sso = settings?.singleSignOnSettings ?? {};
  return {
    samlEnabled: asBool(sso.enableSamlLogin),
    jitProvisioningEnabled: asBool(sso.enableSamlJitProvisioning),
    multipleConfigsEnabled: asBool(sso.enableMultipleSamlConfigs),
    federationIdCaseInsensitive: asBool(sso.enableCaseInsensitiveFederationID),
    loginWithSalesforceCredentialsDisabled: asBool(sso.isLoginWithSalesforceCredentialsDisabled),
  };
};
