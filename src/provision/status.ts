/*
 * A read-only summary of an org's identity setup: SAML single sign-on, its configurations, certificates,
 * OAuth apps, State/Country picklists and the daily API allocation.
 */
import type { OrgClient } from './client.js';
import { readCertificates, type CertificateState } from './resources/certificate.js';
import { readOAuthApps, type OAuthAppSummary } from './resources/oauth-app.js';
import { readPicklistsEnabled } from './resources/picklists.js';
import { readSamlConfigs, type SamlConfigState } from './resources/saml-config.js';
import { readSsoSettings, type SsoSettingsState } from './resources/sso-settings.js';

export type OrgStatus = {
  org: { id: string; name?: string; edition?: string; instanceUrl: string; username?: string; isSandbox?: boolean };
  sso: SsoSettingsState;
  samlConfigs: SamlConfigState[];
  certificates: CertificateState[];
  apps: OAuthAppSummary[];
  picklists: { stateCountryEnabled: boolean };
  api: { dailyMax: number; dailyRemaining: number; dailyUsed: number };
};

export const readOrgStatus = async (client: OrgClient, now = new Date()): Promise<OrgStatus> => {
  const [orgRows, sso, samlConfigs, certificates, apps, picklists, limits] = await Promise.all([
    client.query<{ Id: string; Name: string; OrganizationType: string; IsSandbox: boolean }>(
      'SELECT Id, Name, OrganizationType, IsSandbox FROM Organization'
    ),
    readSsoSettings(client),
    readSamlConfigs(client),
    readCertificates(client, now),
    readOAuthApps(client),
    readPicklistsEnabled(client),
    client.limits(),
  ]);
  const org = orgRows[0];
  const daily = limits.DailyApiRequests ?? { Max: 0, Remaining: 0 };
  return {
    org: {
      id: org?.Id ?? '',
      name: org?.Name,
      edition: org?.OrganizationType,
      isSandbox: org?.IsSandbox,
      instanceUrl: client.conn.instanceUrl,
      username: client.conn.getUsername(),
    },
    sso,
    samlConfigs,
    certificates,
    apps,
    picklists: { stateCountryEnabled: picklists.enabled },
    api: { dailyMax: daily.Max, dailyRemaining: daily.Remaining, dailyUsed: daily.Max - daily.Remaining },
  };
};
