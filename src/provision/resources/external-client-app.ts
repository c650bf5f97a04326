/*
 * External Client Apps with OAuth: the app (ExternalClientApplication, .eca) and its OAuth plugin, spread over
 * ExtlClntAppOauthSettings (scopes), ExtlClntAppGlobalOauthSettings (callback URL, consumer key and secret, flows)
 * and ExtlClntAppOauthConfigurablePolicies (run-as user, permitted users, refresh tokens). The org refuses children
 * of a missing app, so plans list the app first (and delete it last).
 *
 * Plans never hold the consumer secret: a plan shows "(secret, not shown)" and `withSecret` puts the secret into
 * the global settings component only on the way to the Metadata API.
 */
import type { OrgClient } from '../client.js';
import { metadataChange, type Change } from '../plan.js';
import { SECRET_PLACEHOLDER } from '../secrets.js';
import { ecaSamlDetails, scopeToMetadata, type RefreshTokenPolicy, type AppDetails } from './oauth-app.js';
import { asBool, asString } from './values.js';

export const ECA = 'ExternalClientApplication';
export const ECA_OAUTH = 'ExtlClntAppOauthSettings';
export const ECA_GLOBAL = 'ExtlClntAppGlobalOauthSettings';
export const ECA_POLICIES = 'ExtlClntAppOauthConfigurablePolicies';
/** Which plugins of the app are on (isEnabled for all, isOauthPluginEnabled, isSamlPluginEnabled, ...). */
export const ECA_PLUGINS = 'ExtlClntAppConfigurablePolicies';
/** Salesforce as SAML identity provider for the app (its service provider's ACS URL, entity id, subject, signing). */
export const ECA_SAML = 'ExtlClntAppSamlConfigurablePolicies';
export const ECA_CHILDREN = [ECA_PLUGINS, ECA_OAUTH, ECA_GLOBAL, ECA_POLICIES, ECA_SAML] as const;

/** The WSDL's element order of each type (v66). */
const ORDER: Record<string, string[]> = {
  [ECA]: ['contactEmail', 'contactPhone', 'description', 'distributionState', 'iconUrl', 'infoUrl', 'isProtected', 'label', 'logoUrl', 'managedType', 'orgScopedExternalApp'],
  [ECA_OAUTH]: [
    'areAttributesIncludedInAssetToken', 'areCustomPermsIncludedInAssetToken', 'assetTokenAudiences', 'assetTokenSigningCertificate', 'assetTokenValidity',
    'clientAssertionCertificate', 'commaSeparatedCustomScopes', 'commaSeparatedOauthScopes', 'customAttributes', 'externalClientApplication',
    'isFirstPartyAppEnabled', 'label', 'oauthLink', 'singleLogoutUrl', 'trustedIpRanges',
  ],
  [ECA_GLOBAL]: [
    'callbackUrl', 'certificate', 'consumerKey', 'consumerSecret', 'externalClientApplication', 'idTokenConfig', 'isClientCredentialsFlowEnabled',
    'isCodeCredFlowEnabled', 'isCodeCredPostOnly', 'isConsumerSecretOptional', 'isDeviceFlowEnabled', 'isIntrospectAllTokens', 'isNamedUserJwtEnabled',
    'isPkceRequired', 'isRefreshTokenRotationEnabled', 'isSecretRequiredForRefreshToken', 'isSecretRequiredForTokenExchange', 'isTokenExchangeEnabled',
    'label', 'shouldRotateConsumerKey', 'shouldRotateConsumerSecret',
  ],
  [ECA_POLICIES]: [
    'apexHandler', 'clientCredentialsFlowUser', 'commaSeparatedCustomScopes', 'commaSeparatedPermissionSet', 'commaSeparatedProfile', 'customAttributes',
    'executeHandlerAs', 'externalClientApplication', 'guestJwtSessionTimeoutType', 'guestJwtTimeout', 'ipRelaxationPolicyType', 'isClientCredentialsFlowEnabled',
    'isGuestCodeCredFlowEnabled', 'isTokenExchangeFlowEnabled', 'label', 'namedUserJwtSessionTimeoutType', 'namedUserJwtTimeout', 'permittedUsersPolicyType',
    'policyAction', 'refreshTokenPolicyType', 'refreshTokenValidityPeriod', 'refreshTokenValidityUnit', 'requiredSessionLevel', 'sessionTimeoutInMinutes',
    'singleLogoutUrl', 'startUrl',
  ],
  [ECA_PLUGINS]: [
    'externalClientApplication', 'isCanvasPluginEnabled', 'isEnabled', 'isMobilePluginEnabled', 'isNotificationPluginEnabled', 'isOauthPluginEnabled',
    'isPushPluginEnabled', 'isSamlPluginEnabled', 'label', 'startPage', 'startUrl',
  ],
  [ECA_SAML]: [
    'acsUrl', 'certificate', 'commaSeparatedPermissionSet', 'commaSeparatedProfile', 'customAttributes', 'encryptionCertificate', 'encryptionType',
    'entityUrl', 'externalClientApplication', 'issuer', 'label', 'nameIdFormat', 'signingAlgorithmType', 'singleLogoutBindingType', 'singleLogoutUrl',
    'subjectCustomAttribute', 'subjectType',
  ],
};

/** Keys in WSDL order, fullName first; unknown keys and empty values dropped. */
const ordered = (type: string, content: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { fullName: content.fullName };
  for (const k of ORDER[type]) if (content[k] !== undefined && content[k] !== null && content[k] !== '') out[k] = content[k];
  return out;
};

export type Component = { fullName: string; content: Record<string, unknown> };

/** An External Client App as the org has it. Never holds the consumer secret (dropped when read). */
export type EcaCurrent = {
  name: string;
  app: Component;
  oauth?: Component;
  global?: Component;
  policies?: Component;
  /** ExtlClntAppConfigurablePolicies: which plugins are on. */
  plugins?: Component;
  /** ExtlClntAppSamlConfigurablePolicies. */
  saml?: Component;
};

/** Subject types of a SAML assertion (ExtlClntAppSamlSubjectType = SamlSubjectType, WSDL v66). */
export const SAML_SUBJECT_TYPES = ['Username', 'FederationId', 'UserId', 'SpokeId', 'CustomAttribute', 'PersistentId'] as const;
export type SamlSubjectType = (typeof SAML_SUBJECT_TYPES)[number];
/** Name ID formats (ExtlClntAppNameIdFormatType = SamlNameIdFormatType) and the URNs they stand for. */
export const SAML_NAME_ID_FORMATS: Record<'Unspecified' | 'EmailAddress' | 'Persistent' | 'Transient', string> = {
  Unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  EmailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  Persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  Transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
};
export type SamlNameIdFormat = keyof typeof SAML_NAME_ID_FORMATS;
export const SAML_SIGNING_ALGORITHMS = ['SHA1', 'SHA256'] as const;
export type SamlSigningAlgorithm = (typeof SAML_SIGNING_ALGORITHMS)[number];

/** The metadata value of a name ID format given as a URN or as the value itself (any case); undefined if unknown. */
export const parseNameIdFormat = (v: string): SamlNameIdFormat | undefined => {
  const s = v.trim().toLowerCase();
  const entry = Object.entries(SAML_NAME_ID_FORMATS).find(([k, urn]) => k.toLowerCase() === s || urn.toLowerCase() === s);
  return entry?.[0] as SamlNameIdFormat | undefined;
};

/** Salesforce as SAML identity provider for one service provider. */
export type SamlDesired = {
  /** Where the service provider takes assertions (ACS URL). */
  acsUrl: string;
  /** The service provider's entity id (the assertion's audience). */
  entityId: string;
  subjectType?: SamlSubjectType;
  nameIdFormat?: SamlNameIdFormat;
  signingAlgorithm?: SamlSigningAlgorithm;
  /** API name of the org's certificate that signs the assertions (default: the identity provider's). */
  certificate?: string;
};

/** What Setup fills in for a new SAML service provider when nothing else is said. */
export const SAML_DEFAULTS = { subjectType: 'Username', nameIdFormat: 'Unspecified', signingAlgorithm: 'SHA256' } as const;

export type EcaDesired = {
  name: string;
  label?: string;
  contactEmail?: string;
  description?: string;
  /** Metadata scope values (Api, RefreshToken, ...). */
  scopes?: string[];
  callbackUrl?: string;
  /** PEM certificate for the JWT bearer flow. */
  certificate?: string;
  /** Run-as user of the client credentials flow; setting it turns the flow on. */
  clientCredentialsUser?: string;
  adminApproved?: boolean;
  permissionSets?: string[];
  profiles?: string[];
  refreshTokenPolicy?: RefreshTokenPolicy;
  /** Plan the OAuth plugin (default true). False: a SAML-only app; OAuth components the app already has are left alone. */
  oauth?: boolean;
  /** Salesforce as SAML identity provider for the app. */
  saml?: SamlDesired;
};

const stripSecret = (c: Record<string, unknown>): Record<string, unknown> => {
  const rest = { ...c };
  delete rest.consumerSecret;
  return rest;
};

/** Reads External Client Apps (all, or the named ones) with their OAuth components. */
export const readExternalClientApps = async (client: OrgClient, names?: string[]): Promise<EcaCurrent[]> => {
  const listed = await client.listMetadata([ECA, ...ECA_CHILDREN]);
  const appNames = listed.filter((p) => p.type === ECA).map((p) => p.fullName);
  const wanted = names ? appNames.filter((n) => names.some((x) => x.toLowerCase() === n.toLowerCase())) : appNames;
  if (wanted.length === 0) return [];
  const apps = await client.readMetadata<{ fullName: string }>(ECA, wanted);
  const children = new Map<string, Component[]>();
  for (const type of ECA_CHILDREN) {
    const childNames = listed.filter((p) => p.type === type).map((p) => p.fullName);
    // eslint-disable-next-line no-await-in-loop
    const read = childNames.length ? await client.readMetadata<{ fullName: string }>(type, childNames) : [];
    children.set(type, read.map((r) => ({ fullName: r.fullName, content: stripSecret(r as Record<string, unknown>) })));
  }
  const childOf = (type: string, app: string): Component | undefined =>
    children.get(type)?.find((c) => asString(c.content.externalClientApplication)?.toLowerCase() === app.toLowerCase());
  return apps
    .map((a) => ({
      name: a.fullName,
      app: { fullName: a.fullName, content: a as Record<string, unknown> },
      oauth: childOf(ECA_OAUTH, a.fullName),
      global: childOf(ECA_GLOBAL, a.fullName),
      policies: childOf(ECA_POLICIES, a.fullName),
      plugins: childOf(ECA_PLUGINS, a.fullName),
      saml: childOf(ECA_SAML, a.fullName),
    }))
    .sort((x, y) => x.name.localeCompare(y.name));
};

export const readExternalClientApp = async (client: OrgClient, name: string): Promise<EcaCurrent | undefined> =>
  (await readExternalClientApps(client, [name]))[0];

/** Scope values of a comma-separated list, normalized to metadata values, sorted (for comparing). */
export const parseScopeList = (v: unknown): string[] =>
  (asString(v) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => scopeToMetadata(s) ?? s);

const csv = (v: unknown): string[] =>
  (asString(v) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const sameSet = (a: string[], b: string[]): boolean => {
  const x = [...new Set(a.map((s) => s.toLowerCase()))].sort();
  const y = [...new Set(b.map((s) => s.toLowerCase()))].sort();
  return x.length === y.length && x.every((s, i) => s === y[i]);
};

const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A change for one component: creates it, or updates it with the current content overlaid by the desired fields. */
const componentChange = (type: string, fullName: string, current: Component | undefined, desired: Record<string, unknown>, createDefaults: Record<string, unknown>, note?: string): Change => {
  const want = defined(desired);
  if (!current) {
    const content = ordered(type, { fullName, ...createDefaults, ...want });
    const rest = { ...content };
    delete rest.fullName;
    return metadataChange({ type, fullName, content }, undefined, rest, { note });
  }
  const content = ordered(type, { ...stripSecret(current.content), ...want, fullName: current.fullName });
  return metadataChange({ type, fullName: current.fullName, content }, current.content, want, { exists: true, note });
};

export type EcaPlanOptions = {
  /** The consumer key for a new app (generated by the caller). */
  consumerKey: string;
  /** A new secret will be applied to the global OAuth settings (on create, or rotation). */
  newSecret: boolean;
  /** Leave the secret out: the plan is written as files (a pipeline sets the secret another way). */
  forFiles?: boolean;
};

/** The policy fields the desired state names (lists compared as sets: unchanged lists are left out). */
const desiredPolicies = (current: EcaCurrent | undefined, desired: EcaDesired): Record<string, unknown> => {
  const cur = current?.policies?.content;
  const list = (want: string[] | undefined, have: unknown): string | undefined => (want && !sameSet(csv(have), want) ? want.join(',') : undefined);
  const rt = desired.refreshTokenPolicy;
  const permitted = desired.adminApproved === undefined ? undefined : desired.adminApproved ? 'AdminApprovedPreAuthorized' : 'AllSelfAuthorized';
  return {
    clientCredentialsFlowUser: desired.clientCredentialsUser,
    commaSeparatedPermissionSet: list(desired.permissionSets, cur?.commaSeparatedPermissionSet),
    commaSeparatedProfile: list(desired.profiles, cur?.commaSeparatedProfile),
    isClientCredentialsFlowEnabled: desired.clientCredentialsUser !== undefined ? true : undefined,
    permittedUsersPolicyType: permitted,
    refreshTokenPolicyType: rt?.type,
    refreshTokenValidityPeriod: rt?.period,
    refreshTokenValidityUnit: rt?.unit,
  };
};

/** The OAuth settings (scopes): compared as a set, written in the order given; Api for a new app. */
const planScopes = (current: EcaCurrent | undefined, wanted: string[] | undefined, name: string): Change => {
  const currentScopes = current?.oauth ? parseScopeList(current.oauth.content.commaSeparatedOauthScopes) : undefined;
  const scopes = wanted ?? (current?.oauth ? undefined : ['Api']);
  const changed = scopes !== undefined && (currentScopes === undefined || !sameSet(currentScopes, scopes));
  return componentChange(
    ECA_OAUTH,
    current?.oauth?.fullName ?? `${name}_oauth`,
    current?.oauth,
    { commaSeparatedOauthScopes: changed ? scopes.join(', ') : undefined },
    { externalClientApplication: name, label: `${name}_oauth`, commaSeparatedOauthScopes: (scopes ?? ['Api']).join(', ') }
  );
};

/** The plugin switches (ExtlClntAppConfigurablePolicies): all plugins on, and the OAuth / SAML plugin the app uses. */
const planPlugins = (current: EcaCurrent | undefined, name: string, oauth: boolean, saml: boolean): Change =>
  componentChange(
    ECA_PLUGINS,
    current?.plugins?.fullName ?? `${name}_plcy`,
    current?.plugins,
    { isEnabled: true, isOauthPluginEnabled: oauth ? true : undefined, isSamlPluginEnabled: saml ? true : undefined },
    { externalClientApplication: name, label: `${name}_plcy` }
  );

/** The SAML policies: only the fields the desired state names are compared; Setup's defaults on create. */
const planSaml = (current: EcaCurrent | undefined, name: string, saml: SamlDesired): Change =>
  componentChange(
    ECA_SAML,
    current?.saml?.fullName ?? `${name}_samlPlcy`,
    current?.saml,
    {
      acsUrl: saml.acsUrl,
      certificate: saml.certificate,
      entityUrl: saml.entityId,
      nameIdFormat: saml.nameIdFormat,
      signingAlgorithmType: saml.signingAlgorithm,
      subjectType: saml.subjectType,
    },
    {
      externalClientApplication: name,
      label: `${name}_samlPlcy`,
      nameIdFormat: SAML_DEFAULTS.nameIdFormat,
      signingAlgorithmType: SAML_DEFAULTS.signingAlgorithm,
      subjectType: SAML_DEFAULTS.subjectType,
    }
  );

/** The OAuth plugin: scopes, global OAuth settings (consumer key, callback, flows) and OAuth policies. */
const planOauth = (current: EcaCurrent | undefined, desired: EcaDesired, name: string, opts: EcaPlanOptions): Change[] => {
  const oauth = planScopes(current, desired.scopes, name);
  const cc = desired.clientCredentialsUser !== undefined ? true : undefined;
  const keep = current?.global ? asString(current.global.content.consumerKey) : undefined;
  const global = componentChange(
    ECA_GLOBAL,
    current?.global?.fullName ?? `${name}_glbloauth`,
    current?.global,
    {
      callbackUrl: desired.callbackUrl,
      certificate: desired.certificate,
      consumerKey: keep ? undefined : opts.consumerKey,
      isClientCredentialsFlowEnabled: cc,
    },
    {
      callbackUrl: 'https://login.salesforce.com/services/oauth2/success',
      externalClientApplication: name,
      isClientCredentialsFlowEnabled: false,
      label: `${name}_glbloauth`,
    },
    opts.forFiles ? 'consumerSecret is left out of the file: deploy it, then set or rotate the secret in the org ("sf provision app rotate-secret").' : undefined
  );
  if (opts.newSecret && !opts.forFiles) {
    global.fields = [...global.fields, { field: 'consumerSecret', to: SECRET_PLACEHOLDER }];
    if (global.action === 'none') {
      global.action = 'update';
      global.status = 'planned';
    }
  }
  const policies = componentChange(ECA_POLICIES, current?.policies?.fullName ?? `${name}_oauthPlcy`, current?.policies, desiredPolicies(current, desired), {
    externalClientApplication: name,
    label: `${name}_oauthPlcy`,
    permittedUsersPolicyType: 'AllSelfAuthorized',
    refreshTokenPolicyType: 'Infinite',
    ipRelaxationPolicyType: 'Enforce',
  });
  return [oauth, global, policies];
};

/** Whether a plan for this desired state includes the OAuth plugin: asked for, or already there. */
export const wantsOauth = (current: EcaCurrent | undefined, desired: EcaDesired): boolean =>
  desired.oauth !== false || Boolean(current?.global ?? current?.oauth ?? current?.policies);

/**
 * Plans an External Client App: the app, its plugin switches (ExtlClntAppConfigurablePolicies: all plugins and the
 * OAuth / SAML plugin on), then the OAuth plugin (scopes, global OAuth settings with consumer key, callback and
 * flows, OAuth policies) and the SAML policies. Parents come first: the org refuses children of a missing app, and
 * SAML policies of an app whose SAML plugin is off. Pure. Only fields the desired state names are compared; on
 * create Salesforce's defaults fill the rest (Api scope, the login callback, everyone may self-authorize).
 */
export const planExternalClientApp = (current: EcaCurrent | undefined, desired: EcaDesired, opts: EcaPlanOptions): Change[] => {
  const name = current?.name ?? desired.name;
  const label = desired.label ?? (current ? undefined : desired.name);
  // SAML apps can't be packaged: their app must stay Local (Metadata API, ExtlClntAppSamlConfigurablePolicies).
  const local = desired.saml && current && asString(current.app.content.distributionState) !== 'Local' ? 'Local' : undefined;
  const app = componentChange(
    ECA,
    name,
    current?.app,
    { contactEmail: desired.contactEmail, description: desired.description, distributionState: local, label },
    { distributionState: 'Local', isProtected: false }
  );
  const oauth = wantsOauth(current, desired);
  const plugins = planPlugins(current, name, oauth && desired.oauth !== false, Boolean(desired.saml));
  return [app, plugins, ...(oauth ? planOauth(current, desired, name, opts) : []), ...(desired.saml ? [planSaml(current, name, desired.saml)] : [])];
};

/** Puts the secret into the global OAuth settings component, for the Metadata API call only (never displayed). */
export const withSecret = (changes: Change[], secret: string): Change[] =>
  changes.map((c) =>
    c.resource === ECA_GLOBAL && c.metadata && c.action !== 'none'
      ? { ...c, metadata: { ...c.metadata, content: ordered(ECA_GLOBAL, { ...c.metadata.content, consumerSecret: secret }) } }
      : c
  );

/** Plans a new consumer secret for an existing app (rotation). */
export const planSecretRotation = (current: EcaCurrent): Change => {
  if (!current.global) throw new Error(`The External Client App ${current.name} has no OAuth settings to rotate a secret in.`);
  const content = ordered(ECA_GLOBAL, { ...stripSecret(current.global.content), fullName: current.global.fullName });
  return {
    resource: ECA_GLOBAL,
    name: current.global.fullName,
    action: 'update',
    fields: [{ field: 'consumerSecret', to: SECRET_PLACEHOLDER }],
    status: 'planned',
    metadata: { type: ECA_GLOBAL, fullName: current.global.fullName, content },
  };
};

/** Plans removing an app: its plugins' components first (SAML, OAuth, the plugin switches), then the app. Nothing to do when it does not exist. */
export const planExternalClientAppDelete = (current: EcaCurrent | undefined, name: string): Change[] => {
  if (!current) return [{ resource: ECA, name, action: 'none', fields: [], status: 'unchanged', note: 'No such External Client App: nothing to delete.' }];
  const del = (type: string, c: Component | undefined): Change[] => (c ? [{ resource: type, name: c.fullName, action: 'delete', fields: [], status: 'planned' }] : []);
  return [
    ...del(ECA_SAML, current.saml),
    ...del(ECA_POLICIES, current.policies),
    ...del(ECA_GLOBAL, current.global),
    ...del(ECA_OAUTH, current.oauth),
    ...del(ECA_PLUGINS, current.plugins),
    ...del(ECA, current.app),
  ];
};

export type EcaDetails = AppDetails<'ExternalClientApplication'>;

export const describeExternalClientApp = (c: EcaCurrent): EcaDetails => {
  const g = c.global?.content ?? {};
  const p = c.policies?.content ?? {};
  const rt = asString(p.refreshTokenPolicyType);
  return {
    name: c.name,
    type: 'ExternalClientApplication',
    label: asString(c.app.content.label),
    contactEmail: asString(c.app.content.contactEmail),
    consumerKey: asString(g.consumerKey),
    callbackUrl: asString(g.callbackUrl),
    scopes: c.oauth ? parseScopeList(c.oauth.content.commaSeparatedOauthScopes) : [],
    flows: {
      clientCredentials: asBool(g.isClientCredentialsFlowEnabled) && (p.isClientCredentialsFlowEnabled === undefined || asBool(p.isClientCredentialsFlowEnabled)),
      jwtBearer: Boolean(asString(g.certificate)),
      webServer: Boolean(c.global) && Boolean(asString(g.callbackUrl)),
    },
    runAsUser: asString(p.clientCredentialsFlowUser),
    permittedUsers: asString(p.permittedUsersPolicyType),
    refreshTokenPolicy: rt && (rt === 'SpecificLifetime' || rt === 'SpecificInactivity') ? `${rt} ${String(p.refreshTokenValidityPeriod ?? '')} ${String(p.refreshTokenValidityUnit ?? '')}`.trim() : rt,
    permissionSets: csv(p.commaSeparatedPermissionSet),
    profiles: csv(p.commaSeparatedProfile),
    ...(c.saml ? { saml: ecaSamlDetails(c.saml.content) } : {}),
  };
};
