/*
 * What the audit reads, once, in a number of calls that does not grow with the users: the SSO settings, the SAML
 * configurations (metadata read 10 a call), the certificates, the identity provider settings, the login page, the
 * OAuth apps, the API usage, and about users only aggregates (a COUNT of active users without a Federation ID, a
 * GROUP BY of Federation IDs held twice, a sample of five). A read the running user may not make becomes a note in
 * `unreadable`, and the checks that need it say so instead of guessing.
 */
import type { OrgClient } from '../client.js';
import { readCertificates, type CertificateState } from '../resources/certificate.js';
import { readIdentityProvider, type IdentityProviderRaw } from '../resources/identity-provider.js';
import { readProvisioningAppFacts, type ProvisioningAppFacts } from '../resources/jit.js';
import { readLoginPageContext, type LoginPageContext } from '../resources/login-page.js';
import { readSamlConfigsRaw, type SamlSsoConfigContent } from '../resources/saml-config.js';
import { readSsoSettingsRaw } from '../resources/sso-settings.js';
import { soqlList } from '../resources/values.js';
import { readAddressSettings, readPicklistsEnabled } from '../resources/picklists.js';
import { describeExternalClientApp, readExternalClientApps } from '../resources/external-client-app.js';
import { describeConnectedApp, readConnectedApps } from '../resources/connected-app.js';
import type { AppDetails, OAuthAppType } from '../resources/oauth-app.js';

export type AuditContext = {
  now: Date;
  expiryDays: number;
  sso?: Record<string, boolean>;
  configs: SamlSsoConfigContent[];
  certificates: CertificateState[];
  identityProvider?: IdentityProviderRaw;
  loginPage?: LoginPageContext;
  apps: ProvisioningAppFacts[];
  users?: {
    activeWithoutFederationId: number;
    sampleWithoutFederationId: string[];
    /** Federation IDs held by several users, case-insensitively grouped: the ID and how many hold it. */
    duplicateFederationIds: Array<{ federationId: string; count: number }>;
  };
  apiUsage?: { used: number; max: number };
  /** The org's edition (Organization.OrganizationType). */
  edition?: string;
  /** State/Country picklists: on or off, and the countries and states whose integration value is not their ISO code. */
  picklists?: { enabled: boolean; notIso: string[] };
  /** The client-credentials run-as users' powers, from all their permission sets (profile's included), by username. */
  runAs?: Record<string, { modifyAllData: boolean; viewAllData: boolean; apiOnly: boolean; writable: string[] }>;
  /** Every OAuth and SAML app, as `app show` describes it (metadata read in batches). */
  appDetails: Array<AppDetails<OAuthAppType>>;
  /** JIT handlers and execution users the configurations name: which exist, and which users are active. */
  jitRefs?: { classes: string[]; activeUsers: string[]; inactiveUsers: string[] };
  /** What could not be read, and why (the checks that need it are skipped with a note). */
  unreadable: Record<string, string>;
};

const safely = async <T>(unreadable: Record<string, string>, what: string, fn: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await fn();
  } catch (e) {
    unreadable[what] = e instanceof Error ? e.message : String(e);
    return undefined;
  }
};

/** The users facts, in three queries whatever the number of users. */
const readUserFacts = async (client: OrgClient): Promise<NonNullable<AuditContext['users']>> => {
  const missing = await client.call(
    async () => (await client.conn.query('SELECT COUNT() FROM User WHERE IsActive = true AND FederationIdentifier = null')).totalSize
  );
  // Always asked (five at most), so that the number of calls never depends on the users.
  const sample = (
    await client.call(async () => (await client.conn.query<{ Username: string }>('SELECT Username FROM User WHERE IsActive = true AND FederationIdentifier = null ORDER BY Username LIMIT 5')).records)
  ).map((u) => u.Username);
  // Grouped as SOQL groups text: case-insensitively, the way Federation IDs match when the org says so.
  const groups = await client.call(
    async () =>
      (
        await client.conn.query<{ FederationIdentifier: string; c: number }>(
          'SELECT FederationIdentifier, COUNT(Id) c FROM User WHERE FederationIdentifier != null GROUP BY FederationIdentifier HAVING COUNT(Id) > 1 LIMIT 200'
        )
      ).records
  );
  return { activeWithoutFederationId: missing, sampleWithoutFederationId: sample, duplicateFederationIds: groups.map((g) => ({ federationId: g.FederationIdentifier, count: Number(g.c) })) };
};

/** Whether the picklists are on, and the values whose integration value is not the ISO code (two calls). */
const readPicklistFacts = async (client: OrgClient): Promise<NonNullable<AuditContext['picklists']>> => {
  const [{ enabled }, countries] = await Promise.all([readPicklistsEnabled(client), readAddressSettings(client)]);
  const notIso = countries.flatMap((c) => [
    ...(c.active && c.integrationValue !== c.isoCode ? [c.isoCode] : []),
    ...c.states.filter((st) => st.active && st.integrationValue !== st.isoCode).map((st) => `${c.isoCode}-${st.isoCode}`),
  ]);
  return { enabled, notIso };
};

/** The Apex classes and users the configurations' JIT names (two queries at most, whatever the configurations). */
const readJitRefs = async (client: OrgClient, configs: SamlSsoConfigContent[]): Promise<NonNullable<AuditContext['jitRefs']>> => {
  const ids = (f: 'samlJitHandlerId' | 'executionUserId'): string[] => [...new Set(configs.map((c) => String(c[f] ?? '')).filter(Boolean))];
  const handlers = ids('samlJitHandlerId');
  const users = ids('executionUserId');
  const classes = handlers.length ? (await client.query<{ Id: string }>(`SELECT Id FROM ApexClass WHERE Id IN (${soqlList(handlers)})`)).map((c) => c.Id.slice(0, 15)) : [];
  const found = users.length ? await client.query<{ Id: string; IsActive: boolean }>(`SELECT Id, IsActive FROM User WHERE Id IN (${soqlList(users)})`) : [];
  return {
    classes,
    activeUsers: found.filter((u) => u.IsActive).map((u) => u.Id.slice(0, 15)),
    inactiveUsers: found.filter((u) => !u.IsActive).map((u) => u.Id.slice(0, 15)),
  };
};

/** What the run-as users may do, from every permission set they hold (their profile's included): one query. */
const readRunAs = async (client: OrgClient, usernames: string[]): Promise<NonNullable<AuditContext['runAs']>> => {
  const out: NonNullable<AuditContext['runAs']> = {};
  const names = [...new Set(usernames)];
  if (!names.length) return out;
  type Row = {
    PermissionSetId: string;
    Assignee?: { Username?: string };
    PermissionSet?: { PermissionsModifyAllData?: boolean; PermissionsViewAllData?: boolean; PermissionsApiUserOnly?: boolean };
  };
  const rows = await client.query<Row>(
    `SELECT PermissionSetId, Assignee.Username, PermissionSet.PermissionsModifyAllData, PermissionSet.PermissionsViewAllData, PermissionSet.PermissionsApiUserOnly FROM PermissionSetAssignment WHERE Assignee.Username IN (${soqlList(names)})`
  );
  // Which of the objects provisioning writes each permission set may create or edit: one more query.
  const setIds = [...new Set(rows.map((r) => r.PermissionSetId))];
  const perms = setIds.length
    ? await client.query<{ ParentId: string; SobjectType: string; PermissionsCreate: boolean; PermissionsEdit: boolean }>(
        `SELECT ParentId, SobjectType, PermissionsCreate, PermissionsEdit FROM ObjectPermissions WHERE SobjectType IN ('Lead', 'Contact', 'User') AND ParentId IN (${soqlList(setIds)})`
      )
    : [];
  for (const r of rows) {
    const u = String(r.Assignee?.Username ?? '').toLowerCase();
    const cur = out[u] ?? { modifyAllData: false, viewAllData: false, apiOnly: false, writable: [] };
    const writable = perms.filter((p) => p.ParentId.slice(0, 15) === r.PermissionSetId.slice(0, 15) && (p.PermissionsCreate || p.PermissionsEdit)).map((p) => p.SobjectType);
    out[u] = {
      modifyAllData: cur.modifyAllData || r.PermissionSet?.PermissionsModifyAllData === true,
      viewAllData: cur.viewAllData || r.PermissionSet?.PermissionsViewAllData === true,
      apiOnly: cur.apiOnly || r.PermissionSet?.PermissionsApiUserOnly === true,
      writable: [...new Set([...cur.writable, ...writable])],
    };
  }
  return out;
};

export const readAuditContext = async (client: OrgClient, opts: { expiryDays: number; now?: Date }): Promise<AuditContext> => {
  const unreadable: Record<string, string> = {};
  const [sso, configs, certificates, identityProvider, loginPage, apps, users, limits] = await Promise.all([
    safely(unreadable, 'single sign-on settings', () => readSsoSettingsRaw(client)),
    safely(unreadable, 'SAML configurations', () => readSamlConfigsRaw(client)),
    safely(unreadable, 'certificates', () => readCertificates(client)),
    safely(unreadable, 'identity provider settings', () => readIdentityProvider(client)),
    safely(unreadable, 'login page', () => readLoginPageContext(client)),
    safely(unreadable, 'OAuth apps', () => readProvisioningAppFacts(client)),
    safely(unreadable, 'users (needs Manage Users)', () => readUserFacts(client)),
    safely(unreadable, 'API limits', () => client.limits()),
  ]);
  const [edition, picklists, jitRefs, appDetails] = await Promise.all([
    safely(unreadable, 'organization', async () => (await client.query<{ OrganizationType?: string }>('SELECT OrganizationType FROM Organization'))[0]?.OrganizationType),
    safely(unreadable, 'State/Country picklists', () => readPicklistFacts(client)),
    safely(unreadable, 'JIT handlers and users', () => readJitRefs(client, configs ?? [])),
    safely(unreadable, 'app details', async () => [
      ...(await readExternalClientApps(client)).map(describeExternalClientApp),
      ...(await readConnectedApps(client)).map(describeConnectedApp),
    ]),
  ]);
  const runAs = await safely(unreadable, "run-as users' permissions", () => readRunAs(client, (apps ?? []).map((a) => a.runAsUser).filter((u): u is string => Boolean(u))));
  const daily = limits?.DailyApiRequests;
  return {
    now: opts.now ?? new Date(),
    expiryDays: opts.expiryDays,
    ...(sso ? { sso } : {}),
    configs: configs ?? [],
    certificates: certificates ?? [],
    ...(identityProvider ? { identityProvider } : {}),
    ...(loginPage ? { loginPage } : {}),
    apps: apps ?? [],
    ...(users ? { users } : {}),
    ...(daily ? { apiUsage: { used: daily.Max - daily.Remaining, max: daily.Max } } : {}),
    ...(edition ? { edition } : {}),
    ...(picklists ? { picklists } : {}),
    ...(jitRefs ? { jitRefs } : {}),
    appDetails: (appDetails ?? []) as Array<AppDetails<OAuthAppType>>,
    ...(runAs ? { runAs } : {}),
    unreadable,
  };
};
