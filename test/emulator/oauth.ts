/*
 * OAuth 2.0 of the emulated org: /services/oauth2/token (client credentials, refresh token, JWT bearer),
 * userinfo, revoke, and the session table every other API checks access tokens against.
 * Apps are read from the org's metadata (ConnectedApp, External Client App settings), so a deployed app
 * is the app the token endpoint knows.
 */
import { createPublicKey, createVerify, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
import { randomBase62 } from './ids.js';
import type { OrgStore } from './store.js';
import type { EmuRequest, EmuResponse, MetadataComponent, SObjectRecord } from './types.js';

export type Session = {
  token: string;
  userId: string;
  expiresAt: number;
  scopes: string[];
  /** Consumer key of the app that issued it, if any. */
  clientId?: string;
};

export type OAuthApp = {
  kind: 'ConnectedApp' | 'ExternalClientApplication';
  name: string;
  consumerKey: string;
  consumerSecret?: string;
  certificate?: string;
  scopes: string[];
  clientCredentialsEnabled: boolean;
  clientCredentialsUser?: string;
  adminApproved: boolean;
  permissionSets: string[];
  profiles: string[];
  refreshTokenPolicy?: string;
  /** When the app's credentials were saved (ms): the start of its propagation delay. */
  savedAt?: number;
  /** False when its plugin switches (ExtlClntAppConfigurablePolicies) turn the OAuth plugin off. */
  oauthEnabled?: boolean;
  /**
   * The app's IP relaxation policy, normalised: 'bypass' (Relax IP restrictions), 'relax_refresh' (enforced, but not for
   * the refresh token grant), 'enforce' (the default; Bypass_2factor counts as enforce, API flows have no second factor).
   */
  ipRelaxation: 'enforce' | 'bypass' | 'relax_refresh';
};

const text = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v as string));
const truthy = (v: unknown): boolean => v === true || v === 'true';
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const csv = (v: unknown): string[] => (text(v) ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Scope names of ConnectedAppOauthAccessScope enum values and of ECA comma-separated scopes. */
const SCOPE_NAMES: Record<string, string> = {
  Api: 'api',
  Web: 'web',
  Full: 'full',
  Chatter: 'chatter_api',
  CustomApplications: 'visualforce',
  RefreshToken: 'refresh_token',
  OpenID: 'openid',
  Profile: 'profile',
  Email: 'email',
  Address: 'address',
  Phone: 'phone',
  OfflineAccess: 'offline_access',
  CustomPermissions: 'custom_permissions',
  Wave: 'wave_api',
  Eclair: 'eclair_api',
  Pardot: 'pardot_api',
  Lightning: 'lightning',
  Content: 'content',
  Cdp: 'cdp_api',
  Refresh: 'refresh_token',
  Forgot: 'forgot_password',
  UserRegistration: 'user_registration_api',
  Sfap: 'sfap_api',
  ApiAuthorizationPolicyBypass: 'api',
  Id: 'id',
};
const scopeName = (s: string): string => SCOPE_NAMES[s] ?? s.charAt(0).toLowerCase() + s.slice(1);

/** ConnectedApp oauthPolicy.ipRelaxation (ENFORCE, BYPASS, ...) and ECA ipRelaxationPolicyType (Enforce, Bypass, Bypass_2factor, Enforce_RelaxRefresh). */
const ipRelaxationOf = (v: unknown): OAuthApp['ipRelaxation'] => {
  const value = (text(v) ?? '').toLowerCase();
  if (value === 'bypass') return 'bypass';
  if (value === 'enforce_relaxrefresh') return 'relax_refresh';
  return 'enforce';
};

/** An IPv4 address as a number, or undefined (IPv4-mapped IPv6 addresses are read as IPv4; ::1 as 127.0.0.1). */
const ipv4 = (address: string): number | undefined => {
  const a = address.trim().replace(/^::ffff:/i, '');
  const parts = (a === '::1' ? '127.0.0.1' : a).split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

/** Whether an address lies in one of the ranges (inclusive); unreadable addresses lie in none. */
export const inIpRanges = (address: string, ranges: Array<{ start: string; end: string }>): boolean => {
  const ip = ipv4(address);
  if (ip === undefined) return false;
  return ranges.some((r) => {
    const start = ipv4(r.start);
    const end = ipv4(r.end);
    return start !== undefined && end !== undefined && ip >= start && ip <= end;
  });
};

/** OAuth apps of the org, from its ConnectedApp and External Client App metadata. */
export const oauthApps = (components: Map<string, Map<string, MetadataComponent>>): OAuthApp[] => {
  const apps: OAuthApp[] = [];
  for (const c of components.get('ConnectedApp')?.values() ?? []) {
    const oc = c.content.oauthConfig as Record<string, unknown> | undefined;
    const key = text(oc?.consumerKey);
    if (!oc || !key) continue;
    const policy = c.content.oauthPolicy as Record<string, unknown> | undefined;
    apps.push({
      kind: 'ConnectedApp',
      name: c.fullName,
      consumerKey: key,
      consumerSecret: text(oc.consumerSecret),
      certificate: text(oc.certificate),
      scopes: list(oc.scopes).map((s) => scopeName(String(s))),
      clientCredentialsEnabled: truthy(oc.isClientCredentialEnabled),
      clientCredentialsUser: text(oc.oauthClientCredentialUser),
      adminApproved: truthy(oc.isAdminApproved) || text(policy?.isAdminApproved) === 'true',
      permissionSets: list(c.content.permissionSetName).map(String),
      profiles: list(c.content.profileName).map(String),
      refreshTokenPolicy: text(policy?.refreshTokenPolicy),
      savedAt: Date.parse(c.lastModifiedDate),
      ipRelaxation: ipRelaxationOf(policy?.ipRelaxation),
    });
  }
  const byApp = (type: string): Map<string, Record<string, unknown>> => {
    const out = new Map<string, Record<string, unknown>>();
    for (const c of components.get(type)?.values() ?? []) {
      const app = text(c.content.externalClientApplication);
      if (app) out.set(app.toLowerCase(), c.content);
    }
    return out;
  };
  const globals = byApp('ExtlClntAppGlobalOauthSettings');
  const settings = byApp('ExtlClntAppOauthSettings');
  const policies = byApp('ExtlClntAppOauthConfigurablePolicies');
  const plugins = byApp('ExtlClntAppConfigurablePolicies');
  // isEnabled=false turns every plugin off, isOauthPluginEnabled=false the OAuth plugin; both default to true
  // (Metadata API Developer Guide, ExtlClntAppConfigurablePolicies). A missing component gets the defaults.
  const off = (v: unknown): boolean => v === false || v === 'false';
  for (const c of components.get('ExternalClientApplication')?.values() ?? []) {
    const g = globals.get(c.fullName.toLowerCase());
    const key = text(g?.consumerKey);
    if (!g || !key) continue;
    const s = settings.get(c.fullName.toLowerCase());
    const p = policies.get(c.fullName.toLowerCase());
    const plug = plugins.get(c.fullName.toLowerCase());
    const globalComponent = [...(components.get('ExtlClntAppGlobalOauthSettings')?.values() ?? [])].find((x) => x.content === g);
    apps.push({
      kind: 'ExternalClientApplication',
      name: c.fullName,
      consumerKey: key,
      consumerSecret: text(g.consumerSecret),
      certificate: text(g.certificate),
      scopes: csv(s?.commaSeparatedOauthScopes).map(scopeName),
      clientCredentialsEnabled: truthy(g.isClientCredentialsFlowEnabled) && (p === undefined || p.isClientCredentialsFlowEnabled === undefined || truthy(p.isClientCredentialsFlowEnabled)),
      clientCredentialsUser: text(p?.clientCredentialsFlowUser),
      adminApproved: text(p?.permittedUsersPolicyType) === 'AdminApprovedPreAuthorized',
      permissionSets: csv(p?.commaSeparatedPermissionSet),
      profiles: csv(p?.commaSeparatedProfile),
      refreshTokenPolicy: text(p?.refreshTokenPolicyType),
      savedAt: globalComponent ? Date.parse(globalComponent.lastModifiedDate) : undefined,
      oauthEnabled: !(off(plug?.isEnabled) || off(plug?.isOauthPluginEnabled)),
      ipRelaxation: ipRelaxationOf(p?.ipRelaxationPolicyType),
    });
  }
  return apps;
};

const oauthError = (error: string, description: string, status = 400): EmuResponse => ({
  status,
  body: { error, error_description: description },
});

const safeEqual = (a: string, b: string): boolean => {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
};

const b64urlJson = (part: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

export class OAuthServer {
  private sessions = new Map<string, Session>();
  private refreshTokens = new Map<string, { userId: string; clientId: string; scopes: string[] }>();

  public constructor(
    private readonly deps: {
      orgId: string;
      instanceUrl: () => string;
      store: OrgStore;
      components: Map<string, Map<string, MetadataComponent>>;
      sessionLifetimeMs: number;
    }
  ) {}

  public reset(): void {
    this.sessions.clear();
    this.refreshTokens.clear();
  }

  /** A new access token in Salesforce's shape: <orgId>!<opaque>. */
  public issueToken(userId: string, scopes: string[] = ['api', 'web', 'full'], clientId?: string, lifetimeMs?: number): Session {
    const token = `${this.deps.orgId}!AQ${randomBase62(4, randomBytes(4))}.${randomBase62(96, randomBytes(96))}`;
    const session = { token, userId, scopes, clientId, expiresAt: Date.now() + (lifetimeMs ?? this.deps.sessionLifetimeMs) };
    this.sessions.set(token, session);
    return session;
  }

  /** A refresh token for a user and app (what a completed web-server flow would have left). */
  public issueRefreshToken(userId: string, clientId: string, scopes: string[] = ['api', 'refresh_token']): string {
    const token = `5Aep${randomBase62(83, randomBytes(83))}`;
    this.refreshTokens.set(token, { userId, clientId, scopes });
    return token;
  }

  public revokeRefreshToken(token: string): void {
    this.refreshTokens.delete(token);
  }

  /** Ends a session now (tests of expired sessions). */
  public expire(token: string): void {
    const s = this.sessions.get(token);
    if (s) s.expiresAt = 0;
  }

  public expireAll(): void {
    for (const s of this.sessions.values()) s.expiresAt = 0;
  }

  /** The live session of an access token, or undefined. */
  public session(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.sessions.get(token);
    if (!s || s.expiresAt <= Date.now()) return undefined;
    const user = this.deps.store.get('User', s.userId);
    if (!user || user.IsActive !== true) return undefined;
    return s;
  }

  public bearer(req: EmuRequest): string | undefined {
    const h = req.headers.authorization;
    const m = h ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(h) : null;
    return m?.[1]?.trim();
  }

  public handle(req: EmuRequest, rest: string): EmuResponse {
    switch (rest) {
      case 'token':
        return req.method === 'POST' ? this.token(req) : oauthError('invalid_request', 'must use HTTP POST', 400);
      case 'userinfo':
        return this.userinfo(req);
      case 'revoke': {
        const params = this.params(req);
        const token = params.get('token') ?? '';
        if (this.sessions.delete(token) || this.refreshTokens.delete(token)) return { status: 200, body: '' };
        return oauthError('unsupported_token_type', 'this token type is not supported', 400);
      }
      default:
        return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] };
    }
  }

  private params(req: EmuRequest): URLSearchParams {
    const body = new URLSearchParams(req.body.toString('utf8'));
    for (const [k, v] of req.query) if (!body.has(k)) body.set(k, v);
    return body;
  }

  private token(req: EmuRequest): EmuResponse {
    const p = this.params(req);
    let clientId = p.get('client_id') ?? undefined;
    let clientSecret = p.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = clientId ?? decodeURIComponent(id);
      clientSecret = clientSecret ?? decodeURIComponent(secret ?? '');
    }
    const grant = p.get('grant_type');
    const from = req.remoteAddress ?? '127.0.0.1';
    switch (grant) {
      case 'client_credentials':
        return this.clientCredentials(clientId, clientSecret, p.get('scope') ?? undefined, from);
      case 'refresh_token':
        return this.refresh(clientId, clientSecret, p.get('refresh_token') ?? undefined, from);
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
        return this.jwtBearer(p.get('assertion') ?? undefined);
      case null:
        return oauthError('unsupported_grant_type', 'grant type not supported');
      default:
        return oauthError('unsupported_grant_type', 'grant type not supported');
    }
  }

  /**
   * The app of a consumer key, as the token endpoint sees it: an app whose OAuth plugin is off is unknown to it, and
   * so is one saved less than OrgFlags.oauthAppActivationDelayMs ago (new or changed credentials take minutes to
   * propagate in a real org).
   */
  private app(clientId: string | undefined): OAuthApp | undefined {
    if (!clientId) return undefined;
    const app = oauthApps(this.deps.components).find((a) => a.consumerKey === clientId);
    if (!app || app.oauthEnabled === false) return undefined;
    const delay = this.deps.store.flags.oauthAppActivationDelayMs ?? 0;
    if (delay > 0 && app.savedAt !== undefined && Date.now() < app.savedAt + delay) return undefined;
    return app;
  }

  private user(username: string | undefined): SObjectRecord | undefined {
    if (!username) return undefined;
    const lower = username.toLowerCase();
    return this.deps.store.find('User', (u) => String(u.Username).toLowerCase() === lower);
  }

  /** Whether the user has the API Enabled permission through the profile or a permission set. */
  private apiEnabled(user: SObjectRecord): boolean {
    const profile = this.deps.store.get('Profile', String(user.ProfileId));
    if (profile?.PermissionsApiEnabled === true) return true;
    const assigned = this.deps.store
      .records('PermissionSetAssignment')
      .filter((a) => a.AssigneeId === user.Id)
      .map((a) => this.deps.store.get('PermissionSet', String(a.PermissionSetId ?? '')));
    // The profile's own permission set mirrors the profile, which was checked above.
    return assigned.some((ps) => ps?.IsOwnedByProfile !== true && ps?.PermissionsApiEnabled === true);
  }

  /** For admin-approved apps: the user's profile or one of its permission sets must be on the app. */
  private preAuthorized(app: OAuthApp, user: SObjectRecord): boolean {
    if (!app.adminApproved) return true;
    const profile = this.deps.store.get('Profile', String(user.ProfileId));
    if (profile && app.profiles.some((p) => p.toLowerCase() === String(profile.Name).toLowerCase())) return true;
    const psNames = this.deps.store
      .records('PermissionSetAssignment')
      .filter((a) => a.AssigneeId === user.Id)
      .map((a) => String(this.deps.store.get('PermissionSet', String(a.PermissionSetId ?? ''))?.Name ?? '').toLowerCase());
    return app.permissionSets.some((n) => psNames.includes(n.toLowerCase()));
  }

  /**
   * Login IP Ranges (OrgFlags.loginIpRanges) of the user's profile: a request from outside them is refused with
   * invalid_grant "ip restricted" (what Salesforce answers; Login History says "Restricted IP"), unless the app
   * relaxes IP restrictions for this grant.
   */
  private ipRestricted(app: OAuthApp, user: SObjectRecord, from: string, grant: 'client_credentials' | 'refresh_token'): EmuResponse | undefined {
    if (app.ipRelaxation === 'bypass' || (app.ipRelaxation === 'relax_refresh' && grant === 'refresh_token')) return undefined;
    const profile = String(this.deps.store.get('Profile', String(user.ProfileId))?.Name ?? '').toLowerCase();
    const ranges = (this.deps.store.flags.loginIpRanges ?? []).filter((r) => r.profile === undefined || r.profile.toLowerCase() === profile);
    if (ranges.length === 0 || inIpRanges(from, ranges)) return undefined;
    return oauthError('invalid_grant', 'ip restricted');
  }

  private userChecks(app: OAuthApp, user: SObjectRecord | undefined): EmuResponse | undefined {
    if (!user) return oauthError('invalid_grant', 'user hasn\'t approved this consumer');
    if (user.IsActive !== true) return oauthError('invalid_grant', 'inactive user');
    const login = this.deps.store.find('UserLogin', (l) => l.UserId === user.Id);
    if (login?.IsFrozen === true) return oauthError('invalid_grant', 'user is frozen');
    if (!this.deps.store.flags.apiEnabled) return oauthError('invalid_grant', 'API is not enabled for this Salesforce Edition');
    if (!this.apiEnabled(user)) return oauthError('invalid_grant', 'API is disabled for this user');
    if (!this.preAuthorized(app, user)) return oauthError('invalid_app_access', 'user is not admin approved to access this app');
    return undefined;
  }

  private success(app: OAuthApp, userId: string, scopes: string[], refreshToken?: string): EmuResponse {
    const session = this.issueToken(userId, scopes, app.consumerKey);
    const instance = this.deps.instanceUrl();
    const issuedAt = String(Date.now());
    const body: Record<string, unknown> = {
      access_token: session.token,
      signature: randomBytes(32).toString('base64'),
      scope: scopes.join(' '),
      instance_url: instance,
      id: `${instance}/id/${this.deps.orgId}/${userId}`,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
    if (refreshToken) body.refresh_token = refreshToken;
    return { status: 200, body };
  }

  private clientCredentials(clientId?: string, secret?: string, requested?: string, from = '127.0.0.1'): EmuResponse {
    const app = this.app(clientId);
    if (!app) return oauthError('invalid_client_id', 'client identifier invalid');
    if (!secret || !app.consumerSecret || !safeEqual(secret, app.consumerSecret)) return oauthError('invalid_client', 'invalid client credentials');
    // Salesforce answers a disabled flow as it answers a missing Run As user: no user is enabled for the flow.
    if (!app.clientCredentialsEnabled) return oauthError('invalid_grant', 'no client credentials user enabled');
    if (!app.clientCredentialsUser) return oauthError('invalid_grant', 'no client credentials user enabled');
    const user = this.user(app.clientCredentialsUser);
    if (!user) return oauthError('invalid_grant', 'no client credentials user enabled');
    // The run-as user is exempt from the permitted-users policy in this flow.
    const failed = this.userChecks({ ...app, adminApproved: false }, user) ?? this.ipRestricted(app, user, from, 'client_credentials');
    if (failed) return failed;
    // refresh_token, offline_access and full are not issued in this flow.
    const unsupported = new Set(['refresh_token', 'offline_access', 'full']);
    let scopes = app.scopes.filter((s) => !unsupported.has(s));
    if (requested) scopes = scopes.filter((s) => requested.split(/\s+/).includes(s));
    if (scopes.length === 0) return oauthError('invalid_grant', 'no valid scopes defined');
    return this.success(app, user.Id, scopes);
  }

  private refresh(clientId?: string, secret?: string, refreshToken?: string, from = '127.0.0.1'): EmuResponse {
    const app = this.app(clientId);
    if (!app) return oauthError('invalid_client_id', 'client identifier invalid');
    if (secret !== undefined && (!app.consumerSecret || !safeEqual(secret, app.consumerSecret))) {
      return oauthError('invalid_client', 'invalid client credentials');
    }
    const grant = refreshToken ? this.refreshTokens.get(refreshToken) : undefined;
    if (!grant || grant.clientId !== app.consumerKey) return oauthError('invalid_grant', 'expired access/refresh token');
    if (app.refreshTokenPolicy === 'Zero' || app.refreshTokenPolicy === 'zero') {
      return oauthError('invalid_grant', 'expired access/refresh token');
    }
    const user = this.deps.store.get('User', grant.userId);
    const failed = this.userChecks(app, user) ?? (user ? this.ipRestricted(app, user, from, 'refresh_token') : undefined);
    if (failed) return failed;
    return this.success(app, grant.userId, grant.scopes.filter((s) => s !== 'refresh_token'));
  }

  private jwtBearer(assertion?: string): EmuResponse {
    const parts = assertion?.split('.') ?? [];
    if (parts.length !== 3) return oauthError('invalid_grant', 'invalid assertion');
    const header = b64urlJson(parts[0]);
    const claims = b64urlJson(parts[1]);
    if (!header || !claims || header.alg !== 'RS256') return oauthError('invalid_grant', 'invalid assertion');
    const app = this.app(text(claims.iss));
    if (!app) return oauthError('invalid_client_id', 'client identifier invalid');
    if (!app.certificate) return oauthError('invalid_grant', 'invalid assertion');
    let verified = false;
    try {
      const key = createPublicKey(new X509Certificate(app.certificate.includes('BEGIN') ? app.certificate : Buffer.from(app.certificate, 'base64')).publicKey.export({ type: 'spki', format: 'pem' }));
      verified = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(key, Buffer.from(parts[2], 'base64url'));
    } catch {
      verified = false;
    }
    if (!verified) return oauthError('invalid_grant', 'invalid assertion');
    const exp = Number(claims.exp);
    if (!exp || exp * 1000 < Date.now()) return oauthError('invalid_grant', 'expired authorization code');
    const aud = text(claims.aud) ?? '';
    const instance = this.deps.instanceUrl();
    const audiences = ['https://login.salesforce.com', 'https://test.salesforce.com', instance];
    if (!audiences.some((a) => aud.replace(/\/$/, '') === a.replace(/\/$/, ''))) return oauthError('invalid_grant', 'audience is invalid');
    const user = this.user(text(claims.sub));
    if (!user) return oauthError('invalid_grant', 'user hasn\'t approved this consumer');
    // JWT bearer has no consent screen: where users self-authorize, the user must have approved the app before
    // (a web-server or user-agent flow, which left a refresh token); admin-approved apps check the profile instead.
    if (!app.adminApproved && ![...this.refreshTokens.values()].some((r) => r.clientId === app.consumerKey && r.userId === user.Id)) {
      return oauthError('invalid_grant', 'user hasn\'t approved this consumer');
    }
    const failed = this.userChecks(app, user);
    if (failed) return failed;
    return this.success(app, user.Id, app.scopes.filter((s) => s !== 'refresh_token'));
  }

  private userinfo(req: EmuRequest): EmuResponse {
    const session = this.session(this.bearer(req));
    if (!session) return { status: 403, headers: { 'content-type': 'text/plain' }, body: 'Bad_OAuth_Token' };
    const user = this.deps.store.get('User', session.userId)!;
    const instance = this.deps.instanceUrl();
    const v = '66.0';
    const base = `${instance}/services/data/v${v}`;
    return {
      status: 200,
      body: {
        sub: `${instance}/id/${this.deps.orgId}/${user.Id}`,
        user_id: user.Id,
        organization_id: this.deps.orgId,
        preferred_username: user.Username,
        nickname: user.CommunityNickname,
        name: user.Name,
        email: user.Email,
        email_verified: true,
        given_name: user.FirstName,
        family_name: user.LastName,
        zoneinfo: user.TimeZoneSidKey,
        photos: {},
        profile: `${instance}/${user.Id}`,
        picture: null,
        address: {},
        is_salesforce_integration_user: false,
        urls: {
          enterprise: `${instance}/services/Soap/c/${v}/${this.deps.orgId}`,
          metadata: `${instance}/services/Soap/m/${v}/${this.deps.orgId}`,
          partner: `${instance}/services/Soap/u/${v}/${this.deps.orgId}`,
          rest: `${base}/`,
          sobjects: `${base}/sobjects/`,
          search: `${base}/search/`,
          query: `${base}/query/`,
          recent: `${base}/recent/`,
          tooling_soap: `${instance}/services/Soap/T/${v}/${this.deps.orgId}`,
          tooling_rest: `${base}/tooling/`,
          profile: `${instance}/${user.Id}`,
          custom_domain: instance,
        },
        active: true,
        user_type: user.UserType === 'Standard' ? 'STANDARD' : String(user.UserType).toUpperCase(),
        language: user.LanguageLocaleKey,
        locale: user.LocaleSidKey,
        utcOffset: 0,
        updated_at: user.LastModifiedDate,
        is_app_installed: session.clientId !== undefined,
      },
    };
  }
}
