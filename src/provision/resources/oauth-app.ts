/* OAuth apps of the org: External Client Apps (the default since Spring '26) and connected apps. */
import type { OrgClient } from '../client.js';

export type OAuthAppType = 'ExternalClientApplication' | 'ConnectedApp';

export type OAuthAppSummary = {
  name: string;
  type: OAuthAppType;
};

export const readOAuthApps = async (client: OrgClient): Promise<OAuthAppSummary[]> => {
  const props = await client.listMetadata(['ExternalClientApplication', 'ConnectedApp']);
  return props
    .filter((p) => p.type === 'ExternalClientApplication' || p.type === 'ConnectedApp')
    .map((p) => ({ name: p.fullName, type: p.type as OAuthAppType }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
};

/**
 * OAuth scopes: the names admins and OAuth requests use (api, refresh_token, ...) and the Metadata API's
 * ConnectedAppOauthAccessScope values (Api, RefreshToken, ...), which External Client Apps also use in
 * commaSeparatedOauthScopes.
 */
const SCOPES: Array<[token: string, metadata: string]> = [
  ['id', 'Basic'],
  ['api', 'Api'],
  ['web', 'Web'],
  ['full', 'Full'],
  ['chatter_api', 'Chatter'],
  ['visualforce', 'CustomApplications'],
  ['refresh_token', 'RefreshToken'],
  ['offline_access', 'RefreshToken'],
  ['openid', 'OpenID'],
  ['profile', 'Profile'],
  ['email', 'Email'],
  ['address', 'Address'],
  ['phone', 'Phone'],
  ['custom_permissions', 'CustomPermissions'],
  ['wave_api', 'Wave'],
  ['eclair_api', 'Eclair'],
  ['pardot_api', 'Pardot'],
  ['lightning', 'Lightning'],
  ['content', 'Content'],
  ['cdp_api', 'CDP'],
  ['cdp_ingest_api', 'CDPIngest'],
  ['cdp_profile_api', 'CDPProfile'],
  ['cdp_query_api', 'CDPQuery'],
  ['cdp_segment_api', 'CDPSegment'],
  ['cdp_identityresolution_api', 'CDPIdentityResolution'],
  ['cdp_calculated_insight_api', 'CDPCalculatedInsight'],
  ['chatbot_api', 'Chatbot'],
  ['forgot_password', 'ForgotPassword'],
  ['user_registration_api', 'UserRegistration'],
  ['sfap_api', 'SFAP'],
  ['interaction_api', 'Interaction'],
  ['einstein_gpt_api', 'EinsteinGPT'],
  ['pwdless_login_api', 'PwdlessLogin'],
  ['mcp_api', 'MCP'],
  ['scrt_api', 'SCRT'],
];

export const KNOWN_SCOPES = [...new Set(SCOPES.map(([t]) => t))];

/** The metadata value of a scope given as a token (api) or already as a metadata value (Api); undefined if unknown. */
export const scopeToMetadata = (scope: string): string | undefined => {
  const s = scope.trim();
  const byToken = SCOPES.find(([t]) => t === s.toLowerCase());
  if (byToken) return byToken[1];
  return SCOPES.find(([, m]) => m.toLowerCase() === s.toLowerCase())?.[1];
};

/** The token of a metadata scope value (Api → api), for display. */
export const scopeToToken = (metadata: string): string => SCOPES.find(([, m]) => m.toLowerCase() === metadata.trim().toLowerCase())?.[0] ?? metadata.trim();

/** Metadata scope values for the given scopes, without duplicates, in the given order; throws on unknown ones. */
export const scopesToMetadata = (scopes: string[]): string[] => {
  const out: string[] = [];
  for (const s of scopes.map((x) => x.trim()).filter(Boolean)) {
    const m = scopeToMetadata(s);
    if (!m) throw new Error(`Unknown OAuth scope "${s}". Known scopes: ${KNOWN_SCOPES.join(', ')}.`);
    if (!out.includes(m)) out.push(m);
  }
  return out;
};

/** Refresh token policy of an External Client App (ExtlClntAppOauthConfigurablePolicies). */
export type RefreshTokenPolicy = {
  type: 'Infinite' | 'Zero' | 'SpecificLifetime' | 'SpecificInactivity';
  period?: number;
  unit?: 'Hours' | 'Days' | 'Months';
};

/**
 * Parses --refresh-token-policy: "infinite" (valid until revoked), "zero" (expire immediately), "<n>-hours|days|months"
 * (expire after a lifetime), "inactive-<n>-hours|days|months" (expire after that long unused).
 */
export const parseRefreshTokenPolicy = (value: string): RefreshTokenPolicy | undefined => {
  const v = value.trim().toLowerCase();
  if (v === 'infinite') return { type: 'Infinite' };
  if (v === 'zero') return { type: 'Zero' };
  const m = /^(inactive-)?(\d{1,4})-(hour|day|month)s?$/.exec(v);
  if (!m || Number(m[2]) < 1) return undefined;
  const unit = `${m[3].charAt(0).toUpperCase()}${m[3].slice(1)}s` as RefreshTokenPolicy['unit'];
  return { type: m[1] ? 'SpecificInactivity' : 'SpecificLifetime', period: Number(m[2]), unit };
};

/** The connected app form of a refresh token policy (ConnectedAppOauthPolicy.refreshTokenPolicy). */
export const connectedAppRefreshPolicy = (p: RefreshTokenPolicy): string =>
  p.type === 'Infinite' ? 'infinite' : p.type === 'Zero' ? 'zero' : p.type === 'SpecificLifetime' ? 'specific_lifetime' : 'specific_inactivity';

/** The OAuth flows an app allows, as words for tables. */
export const flowNames = (f: { clientCredentials: boolean; jwtBearer: boolean; webServer: boolean }): string[] => [
  ...(f.clientCredentials ? ['client credentials'] : []),
  ...(f.jwtBearer ? ['JWT bearer'] : []),
  ...(f.webServer ? ['authorization code'] : []),
];

/**
 * What `app show` and `app list` tell about an app's SAML service provider (Salesforce as identity provider): from an
 * External Client App's ExtlClntAppSamlConfigurablePolicies or a connected app's samlConfig. Values as the org
 * stores them (a missing one means the org's default); the certificate is the API name of the org's signing
 * certificate, never key material.
 */
export type SamlDetails = {
  acsUrl?: string;
  entityId?: string;
  issuer?: string;
  subjectType?: string;
  /** A custom attribute's name when subjectType is CustomAttribute. */
  subjectCustomAttribute?: string;
  /** Metadata value (Unspecified, EmailAddress, Persistent, Transient). */
  nameIdFormat?: string;
  signingAlgorithm?: string;
  certificate?: string;
};

/** What `app show` and `app list` tell about an app, of either kind. Never the secret. */
export type AppDetails<T extends OAuthAppType> = {
  name: string;
  type: T;
  label?: string;
  contactEmail?: string;
  consumerKey?: string;
  callbackUrl?: string;
  scopes: string[];
  flows: { clientCredentials: boolean; jwtBearer: boolean; webServer: boolean };
  runAsUser?: string;
  permittedUsers?: string;
  refreshTokenPolicy?: string;
  permissionSets: string[];
  profiles: string[];
  /** The SAML service provider, when the app has one (ExtlClntAppSamlConfigurablePolicies or samlConfig). */
  saml?: SamlDetails;
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** Drops the keys whose value is undefined, so --json shows only what the org has. */
const compact = (d: SamlDetails): SamlDetails => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as SamlDetails;

/** SAML details of ExtlClntAppSamlConfigurablePolicies content. */
export const ecaSamlDetails = (c: Record<string, unknown>): SamlDetails =>
  compact({
    acsUrl: text(c.acsUrl),
    entityId: text(c.entityUrl),
    issuer: text(c.issuer),
    subjectType: text(c.subjectType),
    subjectCustomAttribute: text(c.subjectCustomAttribute),
    nameIdFormat: text(c.nameIdFormat),
    signingAlgorithm: text(c.signingAlgorithmType),
    certificate: text(c.certificate),
  });

/** SAML details of a connected app's samlConfig (ConnectedAppSamlConfig). */
export const connectedAppSamlDetails = (c: Record<string, unknown>): SamlDetails =>
  compact({
    acsUrl: text(c.acsUrl),
    entityId: text(c.entityUrl),
    issuer: text(c.issuer),
    subjectType: text(c.samlSubjectType),
    subjectCustomAttribute: text(c.samlSubjectCustomAttr),
    nameIdFormat: text(c.samlNameIdFormat),
    signingAlgorithm: text(c.samlSigningAlgoType),
    certificate: text(c.certificate),
  });
