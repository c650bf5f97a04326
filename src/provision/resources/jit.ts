/*
 * Just-in-Time (JIT) user provisioning on a SAML single sign-on configuration (Salesforce as service provider).
 *
 * JIT lives on the SamlSsoConfig itself: userProvisioning=true turns it on ("User Provisioning Enabled" in Setup);
 * samlJitHandlerId (an ApexClass id) with executionUserId (the User that runs it) selects "Custom SAML JIT with Apex
 * handler" instead of "Standard". The Metadata API's update replaces the whole component, so the plan carries the
 * full configuration back, in WSDL order, with only the JIT fields changed.
 *
 * SecuritySettings.singleSignOnSettings.enableSamlJitProvisioning: Salesforce Help's "Enable Just-in-Time
 * Provisioning" (xcloud.sso_jit_enable_jit) lists only per-configuration steps (edit the SAML configuration, select
 * "User Provisioning Enabled", pick a User Provisioning Type), and the Single Sign-On guide (since at least Winter '16,
 * sso_saml.htm) has the org-level page hold only "SAML Enabled", with JIT set in each configuration. The org-level
 * flag is read here as the "User Provisioning Enabled" checkbox of orgs that still run the single legacy SAML
 * configuration (enableMultipleSamlConfigs=false), from before multiple configurations existed. So it is planned only
 * for such orgs (`planLegacyJitSetting`); orgs with multiple SAML configurations (the default) get the SamlSsoConfig
 * change alone. No Salesforce document found states the org-level flag's meaning outright: this is inferred.
 */
import type { OrgClient } from '../client.js';
import { diffFields, type Change } from '../plan.js';
import { orderSamlContent, type SamlSsoConfigContent } from './saml-config.js';
import { planSsoSettings } from './sso-settings.js';
import { asBool, asString, sameId, soqlString } from './values.js';

export type JitDesired = {
  enabled: boolean;
  /** ApexClass id of a class implementing Auth.SamlJitHandler; absent = standard JIT (or off). */
  handlerId?: string;
  /** User id of the user that runs the handler; required with handlerId. */
  executionUserId?: string;
};

export type JitState = {
  enabled: boolean;
  mode: 'off' | 'standard' | 'apex';
  handlerId?: string;
  executionUserId?: string;
};

export const JIT_FIELDS = ['userProvisioning', 'samlJitHandlerId', 'executionUserId'] as const;

export const jitStateOf = (c: SamlSsoConfigContent): JitState => {
  const enabled = asBool(c.userProvisioning);
  const handlerId = asString(c.samlJitHandlerId);
  const executionUserId = asString(c.executionUserId);
  return {
    enabled,
    mode: !enabled ? 'off' : handlerId ? 'apex' : 'standard',
    ...(handlerId ? { handlerId } : {}),
    ...(executionUserId ? { executionUserId } : {}),
  };
};

/**
 * Plans the JIT fields of one SAML configuration. Enabling without a handler means standard JIT (a handler that was
 * set is cleared); disabling clears the handler and its execution user too. Ids equal to the org's on their first 15
 * characters are kept as the org has them, so a second run plans no change.
 */
export const planJit = (current: SamlSsoConfigContent, desired: JitDesired): Change => {
  if (desired.enabled && Boolean(desired.handlerId) !== Boolean(desired.executionUserId)) {
    throw new Error('planJit: a JIT handler needs an execution user, and an execution user needs a handler.');
  }
  const now = jitStateOf(current);
  const keepOr = (cur: string | undefined, want: string | undefined): string | undefined => (sameId(cur, want) ? cur : want);
  const handlerId = desired.enabled ? keepOr(now.handlerId, desired.handlerId) : undefined;
  const executionUserId = desired.enabled ? keepOr(now.executionUserId, desired.executionUserId) : undefined;

  const wanted: Record<string, unknown> = { userProvisioning: desired.enabled, samlJitHandlerId: handlerId, executionUserId };
  const currentJit: Record<string, unknown> = {
    userProvisioning: asBool(current.userProvisioning),
    samlJitHandlerId: now.handlerId,
    executionUserId: now.executionUserId,
  };
  // diffFields skips desired values that are undefined; a cleared id is a change all the same.
  const fields = [
    ...diffFields(currentJit, { userProvisioning: desired.enabled }),
    ...(['samlJitHandlerId', 'executionUserId'] as const)
      .filter((f) => !sameId(currentJit[f] as string | undefined, wanted[f] as string | undefined))
      .map((field) => ({ field, from: currentJit[field], to: wanted[field] })),
  ].sort((a, b) => JIT_FIELDS.indexOf(a.field as (typeof JIT_FIELDS)[number]) - JIT_FIELDS.indexOf(b.field as (typeof JIT_FIELDS)[number]));

  const rest: Record<string, unknown> = { ...current };
  for (const f of JIT_FIELDS) delete rest[f];
  const content = orderSamlContent(current.fullName, { ...rest, ...wanted });
  const action = fields.length ? 'update' : 'none';
  let note: string | undefined;
  if (action === 'update' && desired.enabled && !handlerId && now.mode === 'apex') {
    note = 'Switches from the Apex JIT handler to standard provisioning: the handler and its execution user are cleared.';
  }
  return {
    resource: 'SamlSsoConfig',
    name: current.fullName,
    action,
    fields,
    status: action === 'none' ? 'unchanged' : 'planned',
    metadata: { type: 'SamlSsoConfig', fullName: current.fullName, content },
    ...(note ? { note } : {}),
  };
};

/**
 * The org-level JIT flag, planned only where it still governs JIT: orgs on the single legacy SAML configuration
 * (enableMultipleSamlConfigs=false). Undefined for every other org. See the comment at the top of this file.
 */
export const planLegacyJitSetting = (ssoSettings: Record<string, boolean>, enabled: boolean): Change | undefined => {
  if (ssoSettings.enableMultipleSamlConfigs !== false) return undefined;
  const change = planSsoSettings(ssoSettings, { jitProvisioningEnabled: enabled });
  return {
    ...change,
    note: 'This org still uses the single legacy SAML configuration, whose Just-in-Time setting is the org-wide "User Provisioning Enabled".',
  };
};

// ---------------------------------------------------------------------------------------------- lookups

export type ApexClassRef = { id: string; name: string; namespace?: string; body?: string };

/** Apex classes with this name; "ns.Class" names a class of a managed package's namespace. */
export const readApexClasses = async (client: OrgClient, qualifiedName: string): Promise<ApexClassRef[]> => {
  const dot = qualifiedName.indexOf('.');
  const namespace = dot > 0 ? qualifiedName.slice(0, dot) : undefined;
  const name = dot > 0 ? qualifiedName.slice(dot + 1) : qualifiedName;
  const rows = await client.query<Record<string, unknown>>(
    `SELECT Id, Name, NamespacePrefix, Body FROM ApexClass WHERE Name = ${soqlString(name)}${namespace ? ` AND NamespacePrefix = ${soqlString(namespace)}` : ''}`
  );
  return rows.map((r) => ({
    id: String(r.Id),
    name: String(r.Name),
    ...(asString(r.NamespacePrefix) ? { namespace: String(r.NamespacePrefix) } : {}),
    ...(typeof r.Body === 'string' ? { body: r.Body } : {}),
  }));
};

/**
 * Picks the class a name means: the one without a namespace when there is one, else the only match. Undefined when
 * none or several (in different namespaces) match.
 */
export const pickApexClass = (matches: ApexClassRef[]): ApexClassRef | undefined =>
  matches.find((c) => !c.namespace) ?? (matches.length === 1 ? matches[0] : undefined);

/**
 * Whether an Apex class body declares that it implements Auth.SamlJitHandler. Undefined when the body cannot tell:
 * absent, or hidden (managed-package classes read as "(hidden)").
 */
export const implementsSamlJitHandler = (body: string | undefined): boolean | undefined => {
  if (!body || body.trim() === '' || body.trim() === '(hidden)') return undefined;
  const code = body.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  return /\bimplements\b[^{]*\bAuth\s*\.\s*SamlJitHandler\b/i.test(code);
};

export type UserRef = { id: string; username: string; isActive: boolean; manageUsers: boolean };

/**
 * A user by username, with whether any of the user's permission sets (the profile's own included) grants
 * "Manage Users", which the Apex handler's execution user needs (SamlJitHandler reference: "Make sure that the user you
 * specify to run the class has 'Manage Users' permission").
 */
export const readUserByUsername = async (client: OrgClient, username: string): Promise<UserRef | undefined> => {
  const [u] = await client.query<Record<string, unknown>>(`SELECT Id, Username, IsActive FROM User WHERE Username = ${soqlString(username)}`);
  if (!u) return undefined;
  const grants = await client.query<Record<string, unknown>>(
    `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(String(u.Id))} AND PermissionSet.PermissionsManageUsers = true LIMIT 1`
  );
  return { id: String(u.Id), username: String(u.Username), isActive: asBool(u.IsActive), manageUsers: grants.length > 0 };
};

// ---------------------------------------------------------------------------------------------- SCIM conflicts

export type ProvisioningAppType = 'ExternalClientApplication' | 'ConnectedApp';

/** What decides whether an OAuth app looks like API/SCIM provisioning. Never holds secrets. */
export type ProvisioningAppFacts = {
  name: string;
  type: ProvisioningAppType;
  label?: string;
  clientCredentials: boolean;
  /** The client-credentials run-as user (a username). */
  runAsUser?: string;
};

export type ProvisioningConflict = ProvisioningAppFacts & { reason: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The org's OAuth apps with what marks provisioning apps: label, and whether the client-credentials flow runs as a
 * user. External Client Apps: ExternalClientApplication (label) and ExtlClntAppOauthConfigurablePolicies
 * (isClientCredentialsFlowEnabled, clientCredentialsFlowUser); ExtlClntAppGlobalOauthSettings is not read because it
 * holds the consumer secret. Connected apps: oauthConfig.isClientCredentialEnabled and oauthClientCredentialUser
 * (only these are kept).
 */
export const readProvisioningAppFacts = async (client: OrgClient): Promise<ProvisioningAppFacts[]> => {
  const props = await client.listMetadata(['ExternalClientApplication', 'ExtlClntAppOauthConfigurablePolicies', 'ConnectedApp']);
  const names = (type: string): string[] => props.filter((p) => p.type === type).map((p) => p.fullName).sort();
  const ecaNames = names('ExternalClientApplication');
  const policyNames = names('ExtlClntAppOauthConfigurablePolicies');
  const caNames = names('ConnectedApp');
  const ecas = ecaNames.length ? await client.readMetadata<Obj & { fullName?: string }>('ExternalClientApplication', ecaNames) : [];
  const policies = policyNames.length ? await client.readMetadata<Obj & { fullName?: string }>('ExtlClntAppOauthConfigurablePolicies', policyNames) : [];
  const cas = caNames.length ? await client.readMetadata<Obj & { fullName?: string }>('ConnectedApp', caNames) : [];

  const out: ProvisioningAppFacts[] = ecas.map((e) => {
    const name = String(e.fullName);
    const policy = policies.find((p) => String(p.externalClientApplication ?? '').toLowerCase() === name.toLowerCase());
    const runAsUser = asString(policy?.clientCredentialsFlowUser);
    return {
      name,
      type: 'ExternalClientApplication' as const,
      ...(asString(e.label) ? { label: String(e.label) } : {}),
      clientCredentials: asBool(policy?.isClientCredentialsFlowEnabled),
      ...(runAsUser ? { runAsUser } : {}),
    };
  });
  for (const c of cas) {
    const oauth = isObj(c.oauthConfig) ? c.oauthConfig : {};
    const runAsUser = asString(oauth.oauthClientCredentialUser);
    out.push({
      name: String(c.fullName),
      type: 'ConnectedApp',
      ...(asString(c.label) ? { label: String(c.label) } : {}),
      clientCredentials: asBool(oauth.isClientCredentialEnabled),
      ...(runAsUser ? { runAsUser } : {}),
    });
  }
  return out;
};

const PROVISIONING_WORDS = /scim|provision/i;

/**
 * The apps that look like API/SCIM user provisioning: a name or label that mentions SCIM or provisioning, or the
 * client-credentials flow with a run-as user (how Okta, JumpCloud, Entra ID and PingOne connectors call the API
 * without a person). Identity providers advise against JIT and SCIM provisioning on the same app: both create and
 * update users, which leads to duplicates and to changes that overwrite each other.
 */
export const provisioningConflicts = (apps: ProvisioningAppFacts[]): ProvisioningConflict[] =>
  apps.flatMap((a) => {
    const reasons: string[] = [];
    const word = PROVISIONING_WORDS.exec(`${a.name} ${a.label ?? ''}`)?.[0];
    if (word) reasons.push(`its name or label mentions "${word.toLowerCase()}"`);
    if (a.clientCredentials && a.runAsUser) reasons.push(`it lets a server log in with the client credentials flow as ${a.runAsUser}`);
    return reasons.length ? [{ ...a, reason: reasons.join(', and ') }] : [];
  });
