/*
 * Connection tests for OAuth clients (identity brokers, token brokers): the token exchange against
 * <my-domain>/services/oauth2/token (client_credentials or refresh_token grant), one probe of the API with the
 * token (userinfo, limits, the Organization record), and a PURE classification of every failure into a cause,
 * a message and the fix.
 *
 * No logged-in org is used: this talks OAuth directly with fetch. Secrets (client secret, refresh token,
 * access token) are passed in by the caller, never logged, and scrubbed from every message this module builds.
 */
/* eslint-disable camelcase -- error, error_description, grant_type, client_id are OAuth's wire names */
import { Messages, SfError } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.connection.test');

export type GrantType = 'client_credentials' | 'refresh_token';

export type TokenRequest = {
  /** Origin of the org's My Domain (from normalizeDomain). */
  domain: string;
  clientId: string;
  clientSecret?: string;
  refreshToken?: string;
};

export type TokenGrant = {
  grantType: GrantType;
  accessToken: string;
  instanceUrl: string;
  /** The identity URL: <instance>/id/<orgId>/<userId>. */
  idUrl?: string;
  scopes: string[];
  tokenType: string;
  /** Milliseconds since the epoch, as Salesforce answers it. */
  issuedAt?: string;
  /** Seconds; Salesforce sends expires_in only for some apps (token lifetime policies), so it may be absent. */
  expiresIn?: number;
};

export type Identity = { username: string; userId: string; orgId: string; name?: string; email?: string };

export type ProbeResult = {
  apiVersion: string;
  identity: Identity;
  edition: string;
  orgName: string;
  isSandbox: boolean;
  dailyApiRequests: { max: number; remaining: number };
};

/** What the OAuth server (or the API) answered: the classifier's input. */
export type OAuthErrorAnswer = { status?: number; error?: string; error_description?: string };

export type OAuthCause =
  | 'InvalidDomain'
  | 'Unreachable'
  | 'WrongDomain'
  | 'InvalidClientId'
  | 'InvalidClientSecret'
  | 'ClientCredentialsNotConfigured'
  | 'FlowNotEnabled'
  | 'ExpiredRefreshToken'
  | 'NotApproved'
  | 'NotPreAuthorized'
  | 'ApiDisabledForUser'
  | 'ApiDisabledForOrg'
  | 'IpRestricted'
  | 'InactiveUser'
  | 'FrozenUser'
  | 'InactiveOrg'
  | 'RateLimited'
  | 'NoScopes'
  | 'InvalidSession'
  | 'Unknown';

export type Classification = { cause: OAuthCause; message: string; fix: string[] };

/** Placeholders of the messages: what the command knows about the attempt. */
export type ClassifyContext = { clientId?: string; domain?: string; grantType?: GrantType };

type Rule = { cause: OAuthCause; errors?: string[]; texts?: string[] };

/** In order: the first rule whose error code or description text matches is the cause. */
const RULES: Rule[] = [
  { cause: 'InvalidDomain', errors: ['invalid_domain'] },
  { cause: 'Unreachable', errors: ['unreachable'] },
  { cause: 'InvalidClientId', errors: ['invalid_client_id'], texts: ['client identifier invalid'] },
  { cause: 'InvalidClientSecret', errors: ['invalid_client', 'invalid_client_credentials'], texts: ['invalid client credentials'] },
  { cause: 'WrongDomain', texts: ['request not supported on this domain'] },
  { cause: 'ClientCredentialsNotConfigured', texts: ['no client credentials user enabled'] },
  { cause: 'FlowNotEnabled', errors: ['unsupported_grant_type', 'unauthorized_client'], texts: ['grant type not supported', 'flow is not enabled', 'flow not enabled'] },
  { cause: 'ExpiredRefreshToken', texts: ['expired access/refresh token'] },
  { cause: 'NotPreAuthorized', errors: ['invalid_app_access'], texts: ['not admin approved'] },
  { cause: 'NotApproved', texts: ["user hasn't approved this consumer", 'user has not approved this consumer'] },
  { cause: 'ApiDisabledForUser', errors: ['api_currently_disabled'], texts: ['api is disabled for this user'] },
  { cause: 'ApiDisabledForOrg', errors: ['api_disabled_for_org'], texts: ['api is not enabled for this salesforce edition', 'api is not enabled for this organization'] },
  { cause: 'IpRestricted', texts: ['ip restricted', 'login hours'] },
  { cause: 'FrozenUser', texts: ['frozen'] },
  { cause: 'InactiveUser', errors: ['inactive_user'], texts: ['inactive user', 'user is inactive'] },
  { cause: 'InactiveOrg', errors: ['inactive_org'], texts: ['inactive org', 'organization is locked'] },
  { cause: 'RateLimited', errors: ['rate_limit_exceeded', 'request_limit_exceeded'], texts: ['rate limit'] },
  { cause: 'NoScopes', texts: ['no valid scopes'] },
  { cause: 'InvalidSession', errors: ['invalid_session_id', 'bad_oauth_token'] },
];

/** The cause of an OAuth (or API) refusal; the texts are Salesforce's error / error_description values. */
export const causeOf = (answer: OAuthErrorAnswer): OAuthCause => {
  const error = (answer.error ?? '').toLowerCase();
  const text = (answer.error_description ?? '').toLowerCase();
  const rule = RULES.find((r) => (r.errors ?? []).includes(error) || (r.texts ?? []).some((t) => text.includes(t)));
  return rule?.cause ?? 'Unknown';
};

/** PURE: what went wrong, said for a person, and the commands or settings that fix it. */
export const classifyOAuthError = (answer: OAuthErrorAnswer, context: ClassifyContext = {}): Classification => {
  const cause = causeOf(answer);
  const answered = [answer.error, answer.error_description].filter(Boolean).join(': ') || `HTTP ${String(answer.status ?? '?')}`;
  const fill = (s: string): string =>
    s
      .replaceAll('{clientId}', context.clientId ?? '<client id>')
      .replaceAll('{domain}', context.domain ?? '<my domain>')
      .replaceAll('{answer}', answered);
  return {
    cause,
    message: fill(messages.getMessage(`cause.${cause}`)),
    fix: messages.getMessages(`cause.${cause}.actions`).map(fill),
  };
};

/** Removes every secret from a text (defence in depth: no message should ever carry one). */
export const redact = (text: string, secrets: Array<string | undefined>): string =>
  secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4).reduce((t, s) => t.split(s).join('***'), text);

/** The error a command throws for a classified failure; its data carries the cause and what the server answered. */
export const connectionError = (answer: OAuthErrorAnswer, context: ClassifyContext, secrets: Array<string | undefined>): SfError => {
  const c = classifyOAuthError(answer, context);
  const clean = (s: string): string => redact(s, secrets);
  const err = new SfError(clean(c.message), c.cause, c.fix.map(clean), 1);
  err.setData({
    cause: c.cause,
    status: answer.status,
    error: answer.error ? clean(answer.error) : undefined,
    errorDescription: answer.error_description ? clean(answer.error_description) : undefined,
  });
  return err;
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The origin of a My Domain given as a host or a URL: https always, except http for the loopback
 * address (the local emulator). Throws an InvalidDomain classification otherwise.
 */
export const normalizeDomain = (input: string): string => {
  const raw = input.trim();
  const invalid = (): SfError => {
    const c = classifyOAuthError({ error: 'invalid_domain' }, { domain: raw });
    return new SfError(c.message, 'InvalidDomain', c.fix);
  };
  if (!raw) throw invalid();
  let url: URL;
  try {
    const bareHost = /^[^/:]+(:\d+)?$/.test(raw) || /^[^/]+:\d+$/.test(raw);
    const host = raw.replace(/:\d+$/, '');
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${bareHost && LOOPBACK.has(host) ? 'http' : 'https'}://${raw}`);
  } catch {
    throw invalid();
  }
  if (url.protocol === 'https:') return url.origin;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url.origin;
  throw invalid();
};

type FetchLike = typeof fetch;

/** A response's body: parsed JSON, or its text when it is not JSON (an HTML error page, a CSV). */
export const readJson = async (res: Response): Promise<unknown> => {
  const body = await res.text();
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
};

/** A non-empty string value, else undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A REST error answer ([{errorCode, message}]) or an OAuth one ({error, error_description}) as classifier input. */
export const answerOf = (status: number, body: unknown): OAuthErrorAnswer => {
  const first = Array.isArray(body) ? (body[0] as unknown) : body;
  if (first && typeof first === 'object') {
    const o = first as Record<string, unknown>;
    if (str(o.error) ?? str(o.error_description)) return { status, error: str(o.error), error_description: str(o.error_description) };
    if (str(o.errorCode) ?? str(o.message)) return { status, error: str(o.errorCode), error_description: str(o.message) };
  }
  return { status, error: typeof body === 'string' && body.length < 200 ? body.trim() || undefined : undefined };
};

/** Failure of the exchange or the probe: a classified SfError, secrets scrubbed. */
const fail = (answer: OAuthErrorAnswer, context: ClassifyContext, secrets: Array<string | undefined>): never => {
  throw connectionError(answer, context, secrets);
};

const call = async (fetchImpl: FetchLike, url: string, init: RequestInit, context: ClassifyContext, secrets: Array<string | undefined>): Promise<Response> => {
  try {
    return await fetchImpl(url, { ...init, redirect: 'manual' });
  } catch (e) {
    const reason = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    return fail({ error: 'unreachable', error_description: reason }, context, secrets);
  }
};

/** The token exchange: client_credentials when there is no refresh token, refresh_token otherwise. */
export const exchangeToken = async (req: TokenRequest, fetchImpl: FetchLike = fetch): Promise<TokenGrant> => {
  const grantType: GrantType = req.refreshToken ? 'refresh_token' : 'client_credentials';
  const context: ClassifyContext = { clientId: req.clientId, domain: req.domain, grantType };
  const secrets = [req.clientSecret, req.refreshToken];
  const form = new URLSearchParams({ grant_type: grantType, client_id: req.clientId });
  if (req.clientSecret) form.set('client_secret', req.clientSecret);
  if (req.refreshToken) form.set('refresh_token', req.refreshToken);
  const res = await call(
    fetchImpl,
    `${req.domain}/services/oauth2/token`,
    { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body: form },
    context,
    secrets
  );
  const body = await readJson(res);
  if (res.status !== 200 || !body || typeof body !== 'object' || !str((body as Record<string, unknown>).access_token)) {
    if (res.status === 404 || (res.status >= 300 && res.status < 400)) {
      return fail({ status: res.status, error: 'unreachable', error_description: `HTTP ${res.status} from ${req.domain}/services/oauth2/token` }, context, secrets);
    }
    return fail(answerOf(res.status, body), context, secrets);
  }
  const b = body as Record<string, unknown>;
  const expires = Number(b.expires_in);
  return {
    grantType,
    accessToken: String(b.access_token),
    instanceUrl: str(b.instance_url) ?? req.domain,
    idUrl: str(b.id),
    scopes: (str(b.scope) ?? '').split(/\s+/).filter(Boolean),
    tokenType: str(b.token_type) ?? 'Bearer',
    issuedAt: str(b.issued_at),
    expiresIn: Number.isFinite(expires) && expires > 0 ? expires : undefined,
  };
};

/**
 * One probe of the API with the token: who it is (userinfo), the org's edition (Organization) and the
 * remaining daily API requests (limits). Uses the newest API version of the org unless one is given.
 */
export const probeConnection = async (grant: TokenGrant, opts: { apiVersion?: string; clientId?: string; clientSecret?: string; refreshToken?: string }, fetchImpl: FetchLike = fetch): Promise<ProbeResult> => {
  const base = normalizeDomain(grant.instanceUrl);
  const context: ClassifyContext = { clientId: opts.clientId, domain: base, grantType: grant.grantType };
  const secrets = [grant.accessToken, opts.clientSecret, opts.refreshToken];
  const get = async (path: string): Promise<unknown> => {
    const res = await call(fetchImpl, `${base}${path}`, { headers: { Authorization: `Bearer ${grant.accessToken}`, Accept: 'application/json' } }, context, secrets);
    const body = await readJson(res);
    if (res.status !== 200) return fail(answerOf(res.status, body), context, secrets);
    return body;
  };
  let apiVersion = opts.apiVersion;
  if (!apiVersion) {
    const versions = (await get('/services/data')) as Array<{ version?: string }>;
    apiVersion = Array.isArray(versions) ? versions.map((v) => String(v.version)).filter((v) => /^\d+\.\d$/.test(v)).sort((a, b) => Number(a) - Number(b)).at(-1) : undefined;
    apiVersion ??= '66.0';
  }
  const info = (await get('/services/oauth2/userinfo')) as Record<string, unknown>;
  const identity: Identity = {
    username: String(info.preferred_username ?? ''),
    userId: String(info.user_id ?? ''),
    orgId: String(info.organization_id ?? ''),
    name: str(info.name),
    email: str(info.email),
  };
  const limits = (await get(`/services/data/v${apiVersion}/limits`)) as Record<string, { Max?: number; Remaining?: number } | undefined>;
  const soql = encodeURIComponent('SELECT Id, Name, OrganizationType, IsSandbox FROM Organization');
  const org = (await get(`/services/data/v${apiVersion}/query?q=${soql}`)) as { records?: Array<Record<string, unknown>> };
  const record = org.records?.[0] ?? {};
  return {
    apiVersion,
    identity,
    edition: String(record.OrganizationType ?? ''),
    orgName: String(record.Name ?? ''),
    isSandbox: record.IsSandbox === true,
    dailyApiRequests: { max: Number(limits.DailyApiRequests?.Max ?? 0), remaining: Number(limits.DailyApiRequests?.Remaining ?? 0) },
  };
};

/** The secret in the environment variable a flag names; never the value in a message. */
export const secretFromEnv = (variable: string | undefined, flag: string, env: NodeJS.ProcessEnv = process.env): string | undefined => {
  if (variable === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw messages.createError('error.BadEnvName', [flag]);
  }
  const value = env[variable];
  if (value === undefined || value.trim() === '') throw messages.createError('error.EnvNotSet', [variable, flag]);
  return value.trim();
};
