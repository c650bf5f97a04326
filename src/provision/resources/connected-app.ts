/*
 * Connected apps (ConnectedApp metadata). Since Spring '26 orgs refuse new connected apps, through the Metadata API
 * too, unless Salesforce Support allows them; existing ones can still be edited. Plans never hold the consumer
 * secret: `withConnectedAppSecret` adds it only on the way to the Metadata API.
 */
import type { OrgClient } from '../client.js';
import { diffFields, type Change, type FieldChange } from '../plan.js';
import { SECRET_PLACEHOLDER } from '../secrets.js';
import { connectedAppRefreshPolicy, connectedAppSamlDetails, scopeToMetadata, type RefreshTokenPolicy, type AppDetails } from './oauth-app.js';
import { SAML_DEFAULTS, type EcaDesired, type SamlDesired } from './external-client-app.js';
import { asArray, asBool, asString, soqlString } from './values.js';

export const CONNECTED_APP = 'ConnectedApp';

const APP_ORDER = [
  'attributes', 'canvas', 'canvasConfig', 'contactEmail', 'contactPhone', 'description', 'iconUrl', 'infoUrl', 'ipRanges', 'label', 'logoUrl',
  'mobileAppConfig', 'mobileStartUrl', 'oauthConfig', 'oauthPolicy', 'permissionSetName', 'plugin', 'pluginExecutionUser', 'profileName', 'samlConfig',
  'sessionPolicy', 'startUrl',
];
const OAUTH_ORDER = [
  'assetTokenConfig', 'callbackUrl', 'certificate', 'consumerKey', 'consumerSecret', 'idTokenConfig', 'isAdminApproved', 'isClientCredentialEnabled',
  'isCodeCredentialEnabled', 'isCodeCredentialPostOnly', 'isConsumerSecretOptional', 'isIntrospectAllTokens', 'isNamedUserJwtEnabled', 'isPkceRequired',
  'isRefreshTokenRotationEnabled', 'isSecretRequiredForRefreshToken', 'isSecretRequiredForTokenExchange', 'isTokenExchangeEnabled',
  'oauthClientCredentialUser', 'scopes', 'singleLogoutUrl',
];
const POLICY_ORDER = ['ipRelaxation', 'isTokenExchangeFlowEnabled', 'refreshTokenPolicy', 'singleLogoutUrl'];
/** ConnectedAppSamlConfig in WSDL order (v66); acsUrl, entityUrl and samlSubjectType are required. */
const SAML_ORDER = [
  'acsUrl', 'certificate', 'encryptionCertificate', 'encryptionType', 'entityUrl', 'issuer', 'samlIdpSLOBindingEnum', 'samlNameIdFormat',
  'samlSigningAlgoType', 'samlSloUrl', 'samlSubjectCustomAttr', 'samlSubjectType',
];

const pick = (order: string[], o: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const k of order) if (o[k] !== undefined && o[k] !== null && o[k] !== '') out[k] = o[k];
  return out;
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export type ConnectedAppCurrent = { name: string; content: Record<string, unknown> };

/** What an app should be: the same desired state drives External Client Apps and connected apps. */
export type ConnectedAppDesired = EcaDesired;

const stripSecret = (content: Record<string, unknown>): Record<string, unknown> => {
  if (!isObj(content.oauthConfig)) return content;
  const oc = { ...content.oauthConfig };
  delete oc.consumerSecret;
  return { ...content, oauthConfig: oc };
};

/** Connected apps (all, or the named ones), without their secrets. */
export const readConnectedApps = async (client: OrgClient, names?: string[]): Promise<ConnectedAppCurrent[]> => {
  const listed = (await client.listMetadata([CONNECTED_APP])).filter((p) => p.type === CONNECTED_APP).map((p) => p.fullName);
  const wanted = names ? listed.filter((n) => names.some((x) => x.toLowerCase() === n.toLowerCase())) : listed;
  if (!wanted.length) return [];
  const read = await client.readMetadata<{ fullName: string }>(CONNECTED_APP, wanted);
  return read.map((r) => ({ name: r.fullName, content: stripSecret(r as Record<string, unknown>) })).sort((a, b) => a.name.localeCompare(b.name));
};

/** The email of the user the connection runs as (User.Email is required, so every user has one). */
export const readRunningUserEmail = async (client: OrgClient): Promise<string | undefined> => {
  const username = client.conn.getUsername();
  if (!username) return undefined;
  const rows = await client.query<{ Email?: string }>(`SELECT Email FROM User WHERE Username = ${soqlString(username)}`);
  return asString(rows[0]?.Email);
};

/**
 * A new connected app's contact email when none is given: the running user's. The Metadata WSDL (v66) requires
 * ConnectedApp.contactEmail and label (no minOccurs="0"; the Metadata API Developer Guide marks both "Required"), so an
 * app without them is refused with REQUIRED_FIELD_MISSING; the label defaults to the name in `planConnectedApp`.
 * That Setup's New Connected App form pre-fills Contact Email with the admin's own email is unconfirmed (no source
 * found); it is the default the flag's help promises. Existing apps keep theirs.
 */
export const withDefaultContactEmail = async (
  client: OrgClient,
  desired: ConnectedAppDesired,
  current: ConnectedAppCurrent | undefined
): Promise<ConnectedAppDesired> =>
  current !== undefined || desired.contactEmail ? desired : { ...desired, contactEmail: await readRunningUserEmail(client) };

const sortedLower = (v: unknown[]): string[] => [...new Set(v.map((s) => String(s).toLowerCase()))].sort();
const sameSet = (a: unknown[], b: unknown[]): boolean => JSON.stringify(sortedLower(a)) === JSON.stringify(sortedLower(b));

const listIfChanged = (want: string[] | undefined, have: unknown): string[] | undefined =>
  want && !sameSet(asArray(have as unknown[]), want) ? want : undefined;

const desiredOauth = (exists: boolean, curOauth: Record<string, unknown>, desired: ConnectedAppDesired, consumerKey: string): Record<string, unknown> => {
  const scopes = desired.scopes?.map((s) => scopeToMetadata(s) ?? s) ?? (exists ? undefined : ['Api']);
  const cc = desired.clientCredentialsUser !== undefined ? true : undefined;
  return {
    callbackUrl: desired.callbackUrl ?? (exists ? undefined : 'https://login.salesforce.com/services/oauth2/success'),
    certificate: desired.certificate,
    consumerKey: asString(curOauth.consumerKey) ? undefined : consumerKey,
    isAdminApproved: desired.adminApproved,
    isClientCredentialEnabled: cc,
    oauthClientCredentialUser: desired.clientCredentialsUser,
    scopes: listIfChanged(scopes, curOauth.scopes),
  };
};

const desiredTop = (exists: boolean, cur: Record<string, unknown>, desired: ConnectedAppDesired): Record<string, unknown> => ({
  contactEmail: desired.contactEmail,
  description: desired.description,
  label: desired.label ?? (exists ? undefined : desired.name),
  permissionSetName: listIfChanged(desired.permissionSets, cur.permissionSetName),
  profileName: listIfChanged(desired.profiles, cur.profileName),
});

/** samlConfig fields the desired state names; Setup's defaults for a new SAML configuration. */
const desiredSaml = (cur: Record<string, unknown> | undefined, saml: SamlDesired | undefined): Record<string, unknown> => {
  if (!saml) return {};
  const dflt = <T>(v: T): T | undefined => (cur ? undefined : v);
  return {
    acsUrl: saml.acsUrl,
    certificate: saml.certificate,
    entityUrl: saml.entityId,
    samlNameIdFormat: saml.nameIdFormat ?? dflt(SAML_DEFAULTS.nameIdFormat),
    samlSigningAlgoType: saml.signingAlgorithm ?? dflt(SAML_DEFAULTS.signingAlgorithm),
    samlSubjectType: saml.subjectType ?? dflt(SAML_DEFAULTS.subjectType),
  };
};

const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** One nested element (oauthConfig, oauthPolicy, samlConfig): its changed fields and its new value (undefined: left out). */
const nestedPart = (
  prefix: string,
  order: string[],
  exists: boolean,
  cur: Record<string, unknown> | undefined,
  want: Record<string, unknown>,
  present: boolean
): { fields: FieldChange[]; value?: Record<string, unknown> } => ({
  fields: diffFields(exists ? cur ?? {} : undefined, want).map((f) => ({ ...f, field: `${prefix}.${f.field}` })),
  value: present ? pick(order, { ...(cur ?? {}), ...defined(want) }) : undefined,
});

const desiredPolicy = (cur: Record<string, unknown> | undefined, refresh: RefreshTokenPolicy | undefined): Record<string, unknown> =>
  refresh ? { ipRelaxation: asString(cur?.ipRelaxation) ?? 'ENFORCE', refreshTokenPolicy: connectedAppRefreshPolicy(refresh) } : {};

const actionOf = (exists: boolean, changed: boolean): 'create' | 'update' | 'none' => (!exists ? 'create' : changed ? 'update' : 'none');

/**
 * Plans a connected app: create (where the org still allows it) or update. Pure. Fields are compared one level deep
 * (oauthConfig.callbackUrl, ...); scope, permission set and profile lists as sets.
 */
export const planConnectedApp = (
  current: ConnectedAppCurrent | undefined,
  desired: ConnectedAppDesired,
  opts: { consumerKey: string; newSecret: boolean; forFiles?: boolean }
): Change => {
  const exists = current !== undefined;
  const cur = current ? stripSecret(current.content) : {};
  const curOauth = isObj(cur.oauthConfig) ? cur.oauthConfig : undefined;
  const curPolicy = isObj(cur.oauthPolicy) ? cur.oauthPolicy : undefined;
  const curSaml = isObj(cur.samlConfig) ? cur.samlConfig : undefined;
  const oauthWanted = desired.oauth !== false || curOauth !== undefined;
  const wantOauth = oauthWanted ? desiredOauth(curOauth !== undefined, curOauth ?? {}, desired, opts.consumerKey) : {};
  const wantPolicy = desiredPolicy(curPolicy, desired.refreshTokenPolicy);
  const wantTop = desiredTop(exists, cur, desired);
  const oauth = nestedPart('oauthConfig', OAUTH_ORDER, exists, curOauth, wantOauth, oauthWanted);
  const policy = nestedPart('oauthPolicy', POLICY_ORDER, exists, curPolicy, wantPolicy, curPolicy !== undefined || Object.keys(wantPolicy).length > 0);
  const saml = nestedPart('samlConfig', SAML_ORDER, exists, curSaml, desiredSaml(curSaml, desired.saml), Boolean(curSaml ?? desired.saml));
  const fields: FieldChange[] = [...diffFields(exists ? cur : undefined, wantTop), ...oauth.fields, ...policy.fields, ...saml.fields];
  const content = {
    fullName: current?.name ?? desired.name,
    ...pick(APP_ORDER, { ...cur, ...defined(wantTop), oauthConfig: oauth.value, oauthPolicy: policy.value, samlConfig: saml.value }),
  };
  if (opts.newSecret && !opts.forFiles && oauthWanted) fields.push({ field: 'oauthConfig.consumerSecret', to: SECRET_PLACEHOLDER });
  const action = actionOf(current !== undefined, fields.length > 0);
  return {
    resource: CONNECTED_APP,
    name: current?.name ?? desired.name,
    action,
    fields,
    status: action === 'none' ? 'unchanged' : 'planned',
    metadata: { type: CONNECTED_APP, fullName: current?.name ?? desired.name, content },
    ...(opts.forFiles ? { note: 'oauthConfig.consumerSecret is left out of the file: a pipeline must set it another way.' } : {}),
  };
};

export const withConnectedAppSecret = (changes: Change[], secret: string): Change[] =>
  changes.map((c) => {
    if (c.resource !== CONNECTED_APP || !c.metadata || c.action === 'none') return c;
    const content = c.metadata.content;
    const oauthConfig = pick(OAUTH_ORDER, { ...(isObj(content.oauthConfig) ? content.oauthConfig : {}), consumerSecret: secret });
    return { ...c, metadata: { ...c.metadata, content: { ...content, oauthConfig } } };
  });

export type ConnectedAppDetails = AppDetails<'ConnectedApp'>;

export const describeConnectedApp = (c: ConnectedAppCurrent): ConnectedAppDetails => {
  const oc = isObj(c.content.oauthConfig) ? c.content.oauthConfig : {};
  const op = isObj(c.content.oauthPolicy) ? c.content.oauthPolicy : {};
  return {
    name: c.name,
    type: 'ConnectedApp',
    label: asString(c.content.label),
    contactEmail: asString(c.content.contactEmail),
    consumerKey: asString(oc.consumerKey),
    callbackUrl: asString(oc.callbackUrl),
    scopes: asArray(oc.scopes as unknown[]).map(String),
    flows: { clientCredentials: asBool(oc.isClientCredentialEnabled), jwtBearer: Boolean(asString(oc.certificate)), webServer: Boolean(asString(oc.callbackUrl)) },
    runAsUser: asString(oc.oauthClientCredentialUser),
    permittedUsers: asBool(oc.isAdminApproved) ? 'AdminApprovedPreAuthorized' : 'AllSelfAuthorized',
    refreshTokenPolicy: asString(op.refreshTokenPolicy),
    permissionSets: asArray(c.content.permissionSetName as unknown[]).map(String),
    profiles: asArray(c.content.profileName as unknown[]).map(String),
    ...(isObj(c.content.samlConfig) ? { saml: connectedAppSamlDetails(c.content.samlConfig) } : {}),
  };
};
