/*
 * The My Domain login page: its AuthConfig (Type 'Org') and the identity-provider buttons on it, which are
 * AuthConfigProviders records (AuthConfigId = the page, AuthProviderId = a SamlSsoConfig or AuthProvider id).
 * AuthConfig itself is read-only through every API: whether the username/password form shows
 * (AuthOptionsUsernamePassword) can only be changed in Setup.
 */
import type { OrgClient } from '../client.js';
import type { Change, ChangeRef } from '../plan.js';
import { readSsoSettings } from './sso-settings.js';
import { asBool, asString, matchNameOrLabel, nameAndLabel, sameId, soqlString } from './values.js';

export type LoginPageProvider = {
  /** The AuthConfigProviders record. */
  id: string;
  /** The SamlSsoConfig or AuthProvider it shows. */
  authProviderId: string;
};

export type LoginPageState = {
  authConfigId: string;
  developerName: string;
  label: string;
  /** The login page's address (the My Domain login URL). */
  url?: string;
  /** The username and password form shows on the page. */
  loginForm: boolean;
  /** At least one SAML configuration shows (as Salesforce reports it). */
  samlOption: boolean;
  providers: LoginPageProvider[];
};

/** An identity provider that can have a button: a SAML configuration or an Auth. Provider. */
export type IdentityProviderRef = {
  /** The org id; for a SAML configuration the same plan creates, a reference to it (filled in by apply). */
  id: string | ChangeRef;
  /** API name (DeveloperName). */
  name: string;
  label: string;
  kind: 'SamlSsoConfig' | 'AuthProvider';
};

/** The My Domain login page (the active AuthConfig of Type 'Org') and its providers, or undefined when the org has none. */
export const readLoginPage = async (client: OrgClient): Promise<LoginPageState | undefined> => {
  const configs = await client.query<Record<string, unknown>>(
    "SELECT Id, DeveloperName, MasterLabel, Url, IsActive, AuthOptionsUsernamePassword, AuthOptionsSaml FROM AuthConfig WHERE Type = 'Org'"
  );
  const config = configs.find((c) => asBool(c.IsActive)) ?? configs[0];
  if (!config) return undefined;
  const id = String(config.Id);
  const rows = await client.query<Record<string, unknown>>(`SELECT Id, AuthProviderId FROM AuthConfigProviders WHERE AuthConfigId = ${soqlString(id)}`);
  return {
    authConfigId: id,
    developerName: String(config.DeveloperName ?? ''),
    label: String(config.MasterLabel ?? config.DeveloperName ?? ''),
    url: asString(config.Url),
    loginForm: asBool(config.AuthOptionsUsernamePassword),
    samlOption: asBool(config.AuthOptionsSaml),
    providers: rows.map((r) => ({ id: String(r.Id), authProviderId: String(r.AuthProviderId ?? '') })),
  };
};

/** The org's SAML single sign-on configurations (sObject SamlSsoConfig), by API name. */
export const readSamlSsoConfigRefs = async (client: OrgClient): Promise<IdentityProviderRef[]> =>
  (await client.query<Record<string, unknown>>('SELECT Id, DeveloperName, MasterLabel FROM SamlSsoConfig ORDER BY DeveloperName')).map((r) => ({
    id: String(r.Id),
    name: String(r.DeveloperName),
    label: String(r.MasterLabel ?? r.DeveloperName),
    kind: 'SamlSsoConfig' as const,
  }));

/** The org's Auth. Providers (OpenID Connect, social sign-on), by API name: only to name buttons they own. */
export const readAuthProviderRefs = async (client: OrgClient): Promise<IdentityProviderRef[]> =>
  (await client.query<Record<string, unknown>>('SELECT Id, DeveloperName, FriendlyName FROM AuthProvider ORDER BY DeveloperName')).map((r) => ({
    id: String(r.Id),
    name: String(r.DeveloperName),
    label: String(r.FriendlyName ?? r.DeveloperName),
    kind: 'AuthProvider' as const,
  }));

/** A SAML configuration by API name, else by label (both case-insensitive); undefined when none matches. */
export const findSamlSsoConfig = (configs: IdentityProviderRef[], nameOrLabel: string): IdentityProviderRef | undefined => {
  const match = matchNameOrLabel(configs, nameOrLabel);
  return 'found' in match ? match.found : undefined;
};

/**
 * Plans the provider's button on the login page: present → one AuthConfigProviders record to create unless it is
 * there; absent → the records that show it to delete (normally one). A button already as wanted plans no change.
 */
export const planLoginPageProvider = (page: LoginPageState, provider: IdentityProviderRef, present: boolean): Change[] => {
  const rows = typeof provider.id === 'string' ? page.providers.filter((p) => sameId(p.authProviderId, provider.id as string)) : [];
  const base = { resource: 'AuthConfigProviders', name: provider.name };
  if (present) {
    if (rows.length > 0) {
      return [{ ...base, action: 'none', fields: [], status: 'unchanged', note: `already on the login page ${page.label}` }];
    }
    return [
      {
        ...base,
        action: 'create',
        fields: [
          { field: 'AuthConfigId', to: page.authConfigId },
          { field: 'AuthProviderId', to: provider.id },
        ],
        status: 'planned',
        record: { sobject: 'AuthConfigProviders', operation: 'create', values: { AuthConfigId: page.authConfigId, AuthProviderId: provider.id } },
      },
    ];
  }
  if (rows.length === 0) return [{ ...base, action: 'none', fields: [], status: 'unchanged', note: `not on the login page ${page.label}` }];
  return rows.map(
    (row): Change => ({
      ...base,
      action: 'delete',
      fields: [{ field: 'AuthProviderId', from: provider.id }],
      status: 'planned',
      record: { sobject: 'AuthConfigProviders', operation: 'delete', id: row.id },
    })
  );
};

/**
 * The names of the buttons on the page once the changes have run: applied and planned (dry-run) changes count,
 * failed ones do not. Buttons whose provider is not among `known` show by their id.
 */
export const providersAfter = (page: LoginPageState, changes: Array<Pick<Change, 'action' | 'status' | 'name'>>, known: IdentityProviderRef[]): string[] => {
  const nameOf = (id: string): string => known.find((k) => typeof k.id === 'string' && sameId(k.id, id))?.name ?? id;
  const names = new Set(page.providers.map((p) => nameOf(p.authProviderId)));
  for (const c of changes) {
    if (c.status !== 'applied' && c.status !== 'planned') continue;
    if (c.action === 'create') names.add(c.name);
    if (c.action === 'delete') names.delete(c.name);
  }
  return [...names].sort((a, b) => a.localeCompare(b));
};

// ---------------------------------------------------------------------------------------------- add / remove a button

/** Everything `login-page add` and `remove` need: the page, the buttons' possible owners, and whether SAML is on. */
export type LoginPageContext = {
  page?: LoginPageState;
  configs: IdentityProviderRef[];
  authProviders: IdentityProviderRef[];
  samlEnabled: boolean;
};

export const readLoginPageContext = async (client: OrgClient): Promise<LoginPageContext> => {
  const [page, configs, authProviders, sso] = await Promise.all([
    readLoginPage(client),
    readSamlSsoConfigRefs(client),
    // Auth. Providers only name existing buttons; an org that hides them from the API still works.
    readAuthProviderRefs(client).catch((): IdentityProviderRef[] => []),
    readSsoSettings(client),
  ]);
  return { page, configs, authProviders, samlEnabled: sso.samlEnabled };
};

/** Why a button cannot be planned; the command's `error.<problem>` message says it, with `values`. */
export type LoginPageProblem = { problem: 'NoLoginPage' | 'NoSsoConfigs' | 'UnknownSso'; values: string[] };

/**
 * Plans the button of the SAML configuration `sso` (API name or label) on the login page: shown (`present`) or
 * removed. A problem instead when the org has no login page or no such configuration.
 */
export const planLoginPageButton = (
  ctx: LoginPageContext,
  sso: string,
  present: boolean
): { page: LoginPageState; target: IdentityProviderRef; changes: Change[] } | LoginPageProblem => {
  if (!ctx.page) return { problem: 'NoLoginPage', values: [] };
  const target = findSamlSsoConfig(ctx.configs, sso);
  if (!target) {
    return ctx.configs.length === 0
      ? { problem: 'NoSsoConfigs', values: [sso] }
      : { problem: 'UnknownSso', values: [sso, ctx.configs.map(nameAndLabel).join(', ')] };
  }
  return { page: ctx.page, target, changes: planLoginPageProvider(ctx.page, target, present) };
};

/** The login page as `login-page add` and `remove` report it. */
export type LoginPageSummary = {
  /** DeveloperName of the login page's AuthConfig. */
  name: string;
  url?: string;
  /** The username and password form shows (changeable in Setup only). */
  loginForm: boolean;
  /** SAML single sign-on is on for the org (buttons of SAML configurations show only then). */
  samlEnabled: boolean;
  /** API names of the identity providers on the page after the command (as planned with --dry-run). */
  providers: string[];
};

/** The page once the changes have run (or would have, with --dry-run). */
export const loginPageAfter = (ctx: LoginPageContext, page: LoginPageState, changes: Array<Pick<Change, 'action' | 'status' | 'name'>>): LoginPageSummary => ({
  name: page.developerName,
  url: page.url,
  loginForm: page.loginForm,
  samlEnabled: ctx.samlEnabled,
  providers: providersAfter(page, changes, [...ctx.configs, ...ctx.authProviders]),
});
