/*
 * OAuth 2.0 of the emulated org: /services/oauth2/authorize (the web-server flow's login and consent pages, with
 * PKCE), /services/oauth2/token (authorization code, client credentials, refresh token, JWT bearer), userinfo,
 * revoke, and the session table every other API checks access tokens against.
 * Apps are read from the org's metadata (ConnectedApp, External Client App settings), so a deployed app
 * is the app the token endpoint knows.
 */
import { createHash, createHmac, createPublicKey, createVerify, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
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
  /** SpecificLifetime / SpecificInactivity: refreshTokenValidityPeriod and refreshTokenValidityUnit, in ms (ECA only). */
  refreshTokenValidityMs?: number;
  /** When the app's credentials were saved (ms): the start of its propagation delay. */
  savedAt?: number;
  /** False when its plugin switches (ExtlClntAppConfigurablePolicies) turn the OAuth plugin off. */
  oauthEnabled?: boolean;
  /**
   * The app's IP relaxation policy, normalised: 'bypass' (Relax IP restrictions), 'relax_refresh' (enforced, but not for
   * the refresh token grant), 'enforce' (the default; Bypass_2factor counts as enforce, API flows have no second factor).
   */
  ipRelaxation: 'enforce' | 'bypass' | 'relax_refresh';
  /**
   * The callback URLs of the web-server flow: callbackUrl holds one per line (Salesforce's Setup field takes several,
   * one a line; commas are read as separators too). redirect_uri must equal one of them exactly.
   */
  callbackUrls: string[];
  /** "Require Secret for Web Server Flow" off (isConsumerSecretOptional=true); by default the secret is required. */
  consumerSecretOptional: boolean;
  /** "Require Proof Key for Code Exchange (PKCE)" (isPkceRequired). */
  pkceRequired: boolean;
};

const text = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v as string));
const truthy = (v: unknown): boolean => v === true || v === 'true';
const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const csv = (v: unknown): string[] => (text(v) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const HOUR_MS = 60 * 60 * 1000;
/** A refresh token validity period in ms (Hours, Days, Months; a month counted as 30 days). */
const validityMs = (period: unknown, unit: unknown): number | undefined => {
  const n = Number(period);
  const per: Record<string, number> = { hours: HOUR_MS, days: 24 * HOUR_MS, months: 30 * 24 * HOUR_MS };
  const ms = per[(text(unit) ?? '').toLowerCase()];
  return Number.isFinite(n) && n > 0 && ms ? n * ms : undefined;
};
const callbackUrls = (v: unknown): string[] => (text(v) ?? '').split(/[\r\n,]+/).map((s) => s.trim()).filter(Boolean);

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
      callbackUrls: callbackUrls(oc.callbackUrl),
      consumerSecretOptional: truthy(oc.isConsumerSecretOptional),
      pkceRequired: truthy(oc.isPkceRequired),
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
      refreshTokenValidityMs: validityMs(p?.refreshTokenValidityPeriod, p?.refreshTokenValidityUnit),
      savedAt: globalComponent ? Date.parse(globalComponent.lastModifiedDate) : undefined,
      oauthEnabled: !(off(plug?.isEnabled) || off(plug?.isOauthPluginEnabled)),
      ipRelaxation: ipRelaxationOf(p?.ipRelaxationPolicyType),
      callbackUrls: callbackUrls(g.callbackUrl),
      consumerSecretOptional: truthy(g.isConsumerSecretOptional),
      pkceRequired: truthy(g.isPkceRequired),
    });
  }
  return apps;
};

const oauthError = (error: string, description: string, status = 400): EmuResponse => ({
  status,
  body: { error, error_description: description },
});

/**
 * The password of every seeded user that has none of its own (seed `users[].password`): the emulator's login page
 * accepts it for the web-server flow. Salesforce never exposes passwords through an API; this is the emulator's only one.
 */
export const DEFAULT_USER_PASSWORD = 'Emulator-Passw0rd';

/** Authorization codes live this long (Salesforce: 15 minutes; see authorizationCode below). */
export const AUTHORIZATION_CODE_LIFETIME_MS = 15 * 60 * 1000;

/** An authorization started at /services/oauth2/authorize, between the login page and the consent page. */
type PendingAuthorization = {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  userId?: string;
  expiresAt: number;
};

/** An issued authorization code (single use). */
type AuthorizationCode = Omit<PendingAuthorization, 'state' | 'userId'> & { userId: string; used: boolean };

const escapeHtml = (v: string): string =>
  v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const htmlPage = (title: string, body: string, status = 200): EmuResponse => ({
  status,
  headers: { 'Content-Type': 'text/html;charset=UTF-8', 'Cache-Control': 'no-store' },
  body: `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>\n${body}\n</body></html>\n`,
});

/**
 * Salesforce's answer to an authorize request it cannot send back to the client (unknown client_id, a redirect_uri
 * that is not a callback URL of the app, a scope the app does not have): its own error page, never a redirect to the
 * redirect_uri. Salesforce redirects to /setup/secur/RemoteAccessErrorPage.apexp?error=...&error_description=...
 * (seen in reports of real orgs); the emulator shows that page in place, with the same error and description.
 */
const authorizeErrorPage = (error: string, description: string): EmuResponse =>
  htmlPage(
    'Error',
    "<p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.</p>\n" +
      `<p id="error" data-error="${escapeHtml(error)}">${escapeHtml(error)}: ${escapeHtml(description)}</p>`,
    400
  );

/** A 302 to the client's redirect_uri with the given parameters added to its query. */
const redirectTo = (redirectUri: string, params: Record<string, string | undefined>): EmuResponse => {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { status: 302, headers: { Location: url.toString(), 'Cache-Control': 'no-store' }, body: '' };
};

/** RFC 7636: S256 = BASE64URL(SHA256(verifier)); plain = the verifier itself. */
const pkceMatches = (verifier: string, challenge: string, method: 'S256' | 'plain'): boolean => {
  const computed = method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
  return safeEqual(computed, challenge);
};

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
  private refreshTokens = new Map<string, { userId: string; clientId: string; scopes: string[]; issuedAt: number; lastUsedAt: number }>();
  /** Authorizations between the login page and the consent page, by the id their forms carry. */
  private pending = new Map<string, PendingAuthorization>();
  private codes = new Map<string, AuthorizationCode>();
  /** Passwords of users that have their own (seed `password`); everyone else has DEFAULT_USER_PASSWORD. */
  private passwords = new Map<string, string>();

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
    this.pending.clear();
    this.codes.clear();
    this.passwords.clear();
  }

  /** Sets a user's password for the login page of the web-server flow. */
  public setPassword(userId: string, password: string): void {
    this.passwords.set(userId, password);
  }

  /** Ages an authorization code past its lifetime (tests of expired codes). */
  public expireAuthorizationCode(code: string): void {
    const c = this.codes.get(code);
    if (c) c.expiresAt = 0;
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
    const now = Date.now();
    this.refreshTokens.set(token, { userId, clientId, scopes, issuedAt: now, lastUsedAt: now });
    return token;
  }

  /** Makes a refresh token `ms` older (issued and last used that much earlier): tests of refresh token policies. */
  public ageRefreshToken(token: string, ms: number): void {
    const r = this.refreshTokens.get(token);
    if (r) {
      r.issuedAt -= ms;
      r.lastUsedAt -= ms;
    }
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
      case 'authorize':
        return req.method === 'POST' ? this.authorizeStep(this.params(req)) : this.authorizeStart(req.query);
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
      case 'authorization_code':
        return this.authorizationCode(clientId, clientSecret, p);
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
    const id = `${instance}/id/${this.deps.orgId}/${userId}`;
    const body: Record<string, unknown> = {
      access_token: session.token,
      // Salesforce: Base64 HMAC-SHA256 of the id URL and issued_at, keyed with the consumer secret (a client can check it).
      signature: app.consumerSecret ? createHmac('sha256', app.consumerSecret).update(`${id}${issuedAt}`).digest('base64') : randomBytes(32).toString('base64'),
      scope: scopes.join(' '),
      instance_url: instance,
      id,
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
    // "Expire refresh token after" a lifetime, or after that long unused (ECA refreshTokenValidityPeriod/Unit).
    const validity = app.refreshTokenValidityMs;
    const now = Date.now();
    if (validity !== undefined && ((app.refreshTokenPolicy === 'SpecificLifetime' && now > grant.issuedAt + validity) || (app.refreshTokenPolicy === 'SpecificInactivity' && now > grant.lastUsedAt + validity))) {
      this.refreshTokens.delete(refreshToken!);
      return oauthError('invalid_grant', 'expired access/refresh token');
    }
    const user = this.deps.store.get('User', grant.userId);
    const failed = this.userChecks(app, user) ?? (user ? this.ipRestricted(app, user, from, 'refresh_token') : undefined);
    if (failed) return failed;
    grant.lastUsedAt = now;
    return this.success(app, grant.userId, grant.scopes.filter((s) => s !== 'refresh_token'));
  }

  // ------------------------------------------------------------ web-server flow (authorization code with PKCE)

  /**
   * GET /services/oauth2/authorize: checks the request as Salesforce does, then shows the login page. Errors about the
   * client itself (client_id, redirect_uri, scopes) are shown on Salesforce's error page; once the redirect_uri is
   * known to be the app's, errors go back to it as ?error=...&error_description=...&state=... (RFC 6749 4.1.2.1).
   */
  private authorizeStart(q: URLSearchParams): EmuResponse {
    const app = this.app(q.get('client_id') ?? undefined);
    if (!app) return authorizeErrorPage('invalid_client_id', 'client identifier invalid');
    const redirectUri = q.get('redirect_uri') ?? '';
    // Exact match, character for character, against one of the app's callback URLs (no prefix or pattern matching).
    if (!app.callbackUrls.includes(redirectUri)) return authorizeErrorPage('redirect_uri_mismatch', 'redirect_uri must match configuration');
    // The emulator has only the web-server flow (response_type=code); the wording of this error is not confirmed.
    if (q.get('response_type') !== 'code') return authorizeErrorPage('unsupported_response_type', 'response type not supported');
    const requested = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    // Without a scope parameter Salesforce grants the scopes of the app.
    const scopes = requested.length ? [...new Set(requested)] : app.scopes;
    const allowed = (s: string): boolean =>
      app.scopes.includes(s) ||
      (s === 'offline_access' && app.scopes.includes('refresh_token')) ||
      (s === 'refresh_token' && app.scopes.includes('offline_access')) ||
      (s === 'id' && app.scopes.length > 0) ||
      (app.scopes.includes('full') && s !== 'refresh_token' && s !== 'offline_access');
    // Salesforce shows this on its error page (error=invalid_scope&error_description=the requested scope is not allowed).
    if (!scopes.every(allowed)) return authorizeErrorPage('invalid_scope', 'the requested scope is not allowed');
    const state = q.get('state') ?? undefined;
    const back = (error: string, description: string): EmuResponse => redirectTo(redirectUri, { error, error_description: description, state });
    const challenge = q.get('code_challenge') ?? undefined;
    const method = q.get('code_challenge_method') ?? undefined;
    // Salesforce documents code_challenge as the base64url SHA-256 of the verifier (S256, also when no method is given);
    // 'plain' is RFC 7636's other method, accepted here, but Salesforce's support of it is not confirmed.
    // The error wording for a bad method, a malformed challenge and a missing required challenge is not confirmed.
    if (challenge !== undefined && method !== undefined && method !== 'S256' && method !== 'plain') return back('invalid_request', 'invalid code_challenge_method');
    const challengeMethod = challenge === undefined ? undefined : method === 'plain' ? 'plain' : 'S256';
    if (challenge !== undefined && (challengeMethod === 'S256' ? !/^[A-Za-z0-9_-]{43}$/.test(challenge) : !/^[A-Za-z0-9._~-]{43,128}$/.test(challenge))) {
      return back('invalid_request', 'invalid code challenge');
    }
    if (app.pkceRequired && challenge === undefined) return back('invalid_request', 'missing required code challenge');
    const tx = randomBase62(32, randomBytes(32));
    this.pending.set(tx, {
      clientId: app.consumerKey,
      redirectUri,
      scopes,
      state,
      codeChallenge: challenge,
      codeChallengeMethod: challengeMethod,
      expiresAt: Date.now() + AUTHORIZATION_CODE_LIFETIME_MS,
    });
    return this.loginPage(tx);
  }

  /** POST /services/oauth2/authorize: the login form (step=login) or the consent form (step=consent). */
  private authorizeStep(p: URLSearchParams): EmuResponse {
    const txId = p.get('tx') ?? '';
    const tx = this.pending.get(txId);
    if (!tx || tx.expiresAt <= Date.now()) {
      this.pending.delete(txId);
      return authorizeErrorPage('invalid_request', 'the authorization request expired; start again from the application');
    }
    const app = this.app(tx.clientId);
    if (!app) return authorizeErrorPage('invalid_client_id', 'client identifier invalid');
    const back = (error: string, description: string): EmuResponse => {
      this.pending.delete(txId);
      return redirectTo(tx.redirectUri, { error, error_description: description, state: tx.state });
    };
    if (p.get('step') === 'login') {
      const user = this.user(p.get('username') ?? undefined);
      const password = p.get('pw') ?? '';
      // Inactive users cannot log in at all: the login page says the same as for a wrong password.
      if (!user || user.IsActive !== true || !safeEqual(password, this.passwords.get(user.Id) ?? DEFAULT_USER_PASSWORD)) {
        return this.loginPage(txId, "Please check your username and password. If you still can't log in, contact your Salesforce administrator.");
      }
      // The token endpoint's checks of the user (frozen, API access, pre-authorisation of admin-approved apps). How
      // Salesforce words each of them in the web-server flow is not confirmed; the emulator sends the token
      // endpoint's error and description back to the redirect_uri.
      const refused = this.userChecks(app, user);
      if (refused) {
        const answer = refused.body as { error: string; error_description: string };
        return back(answer.error, answer.error_description);
      }
      tx.userId = user.Id;
      // Users of an admin-approved app are pre-authorised: no consent page.
      if (app.adminApproved) {
        this.pending.delete(txId);
        return this.issueCode(tx);
      }
      return this.consentPage(txId, app, tx.scopes);
    }
    if (p.get('step') === 'consent' && tx.userId) {
      if (p.get('decision') !== 'allow') return back('access_denied', 'end-user denied authorization');
      this.pending.delete(txId);
      return this.issueCode(tx);
    }
    return authorizeErrorPage('invalid_request', 'unexpected form');
  }

  private loginPage(tx: string, error?: string): EmuResponse {
    const instance = this.deps.instanceUrl();
    return htmlPage(
      'Login | Salesforce',
      [
        `<h1>${escapeHtml(new URL(instance).host)}</h1>`,
        error ? `<div id="error" role="alert">${escapeHtml(error)}</div>` : '',
        '<form id="login_form" method="POST" action="/services/oauth2/authorize">',
        `<input type="hidden" name="tx" value="${escapeHtml(tx)}">`,
        '<input type="hidden" name="step" value="login">',
        '<label for="username">Username</label> <input id="username" name="username" type="email">',
        '<label for="password">Password</label> <input id="password" name="pw" type="password">',
        '<input id="Login" type="submit" name="Login" value="Log In">',
        '</form>',
      ].join('\n')
    );
  }

  private consentPage(tx: string, app: OAuthApp, scopes: string[]): EmuResponse {
    return htmlPage(
      'Allow Access?',
      [
        '<h1>Allow Access?</h1>',
        `<p><strong id="app">${escapeHtml(app.name)}</strong> is asking to:</p>`,
        `<ul id="scopes">${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`,
        '<form id="consent_form" method="POST" action="/services/oauth2/authorize">',
        `<input type="hidden" name="tx" value="${escapeHtml(tx)}">`,
        '<input type="hidden" name="step" value="consent">',
        '<button id="oaapprove" type="submit" name="decision" value="allow">Allow</button>',
        '<button id="oadeny" type="submit" name="decision" value="deny">Deny</button>',
        '</form>',
      ].join('\n')
    );
  }

  /** The authorization code, back to the redirect_uri with the client's state. */
  private issueCode(tx: PendingAuthorization): EmuResponse {
    const code = `aPrx${randomBase62(76, randomBytes(76))}`;
    this.codes.set(code, {
      clientId: tx.clientId,
      userId: tx.userId!,
      redirectUri: tx.redirectUri,
      scopes: tx.scopes,
      codeChallenge: tx.codeChallenge,
      codeChallengeMethod: tx.codeChallengeMethod,
      expiresAt: Date.now() + AUTHORIZATION_CODE_LIFETIME_MS,
      used: false,
    });
    return redirectTo(tx.redirectUri, { code, state: tx.state });
  }

  /**
   * grant_type=authorization_code. Confirmed from Salesforce's documentation and reports of real orgs: the secret is
   * required unless the app turns off "Require Secret for Web Server Flow" (isConsumerSecretOptional); a used code
   * answers invalid_grant "expired authorization code"; a verifier that does not match the challenge answers
   * invalid_grant "invalid code verifier" (the documentation says invalid_request; real orgs answer invalid_grant);
   * a missing verifier for a code issued with a challenge answers invalid_grant. Not confirmed: the description of an
   * unknown code ("invalid authorization code"), the answer to a redirect_uri other than the authorize request's
   * (redirect_uri_mismatch, as at the authorize endpoint), and the code lifetime (15 minutes).
   */
  private authorizationCode(clientId: string | undefined, secret: string | undefined, p: URLSearchParams): EmuResponse {
    const app = this.app(clientId);
    if (!app) return oauthError('invalid_client_id', 'client identifier invalid');
    const secretOk = secret !== undefined ? Boolean(app.consumerSecret) && safeEqual(secret, app.consumerSecret ?? '') : app.consumerSecretOptional;
    if (!secretOk) return oauthError('invalid_client', 'invalid client credentials');
    const code = this.codes.get(p.get('code') ?? '');
    if (!code || code.clientId !== app.consumerKey) return oauthError('invalid_grant', 'invalid authorization code');
    if (code.used || code.expiresAt <= Date.now()) return oauthError('invalid_grant', 'expired authorization code');
    if ((p.get('redirect_uri') ?? '') !== code.redirectUri) return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
    if (code.codeChallenge !== undefined) {
      const verifier = p.get('code_verifier');
      if (!verifier || !pkceMatches(verifier, code.codeChallenge, code.codeChallengeMethod ?? 'S256')) return oauthError('invalid_grant', 'invalid code verifier');
    }
    // Single use, whatever follows.
    code.used = true;
    const user = this.deps.store.get('User', code.userId);
    const refused = this.userChecks(app, user);
    if (refused) return refused;
    // A refresh token only with the refresh_token (offline_access) scope; it then works with the refresh_token grant.
    const refresh = code.scopes.includes('refresh_token') || code.scopes.includes('offline_access') ? this.issueRefreshToken(code.userId, app.consumerKey, code.scopes) : undefined;
    return this.success(app, code.userId, code.scopes, refresh);
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
