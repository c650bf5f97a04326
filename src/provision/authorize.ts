/*
 * The OAuth 2.0 web server flow (authorization code with PKCE) for `sf provision connection authorize`: the refresh
 * token an identity provider such as PingOne asks for beside the client ID and secret.
 *
 * What was confirmed from Salesforce's documentation, @salesforce/core's own web login and reports of real orgs:
 * - GET <domain>/services/oauth2/authorize with response_type=code, client_id, redirect_uri, scope, state,
 *   code_challenge (BASE64URL(SHA-256(verifier))) and code_challenge_method=S256; the answer comes back to the
 *   redirect_uri as ?code=...&state=... or ?error=...&error_description=...&state=... (access_denied "end-user denied
 *   authorization" when the user presses Deny).
 * - `sf org login web` listens on port 1717 (oauthLocalPort) with redirect_uri http://localhost:<port>/OauthRedirect.
 * - An unknown client_id or a redirect_uri that is not one of the app's callback URLs (exact match) is shown on
 *   Salesforce's error page and never reaches the redirect_uri (error=redirect_uri_mismatch, "redirect_uri must match
 *   configuration"): this command then sees nothing and times out, which is why the timeout error names those causes.
 * - POST <domain>/services/oauth2/token with grant_type=authorization_code, code, client_id, redirect_uri,
 *   code_verifier and client_secret (required unless the app turns off "Require Secret for Web Server Flow",
 *   isConsumerSecretOptional). The answer has access_token, refresh_token (only with the refresh_token scope),
 *   signature, scope, instance_url, id (<instance>/id/<orgId>/<userId>), token_type and issued_at.
 * - Errors seen from real orgs: invalid_grant "invalid code verifier", invalid_grant "expired authorization code"
 *   (also for a code used twice), invalid_client "invalid client credentials".
 * - Salesforce rejects verifiers that contain "~" (reported by users; RFC 7636 allows it): the verifier here is
 *   base64url of 32 random bytes, which never contains it.
 * Not confirmed: prompt=login consent forcing the login page even when the browser has a session (documented for the
 * authorize endpoint, not tried here against a real org); the exact answer to a redirect_uri at the token endpoint
 * that differs from the authorize request's (treated like redirect_uri_mismatch).
 *
 * Secrets (client secret, code, verifier, access and refresh tokens) leave this module only through the 0600 file.
 */
/* eslint-disable camelcase -- OAuth's wire names */
import { createHash, randomBytes } from 'node:crypto';
import { access, stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { Messages, SfError } from '@salesforce/core';
import type { Duration } from '@salesforce/kit';
import type { OrgClient } from './client.js';
import { answerOf, connectionError, normalizeDomain, readJson, redact, str, type OAuthErrorAnswer } from './connection.js';
import { writeSecretFile } from './secrets.js';
import { describeConnectedApp, readConnectedApps } from './resources/connected-app.js';
import { describeExternalClientApp, readExternalClientApps } from './resources/external-client-app.js';
import { scopeToMetadata, type OAuthAppType } from './resources/oauth-app.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.connection.authorize');

export type AuthorizeOptions = {
  /** My Domain host or URL, as the user gave it. */
  domain: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  port: number;
  timeout: Duration;
  /** Absolute path of the new token file. */
  outputFile: string;
  /** Called once the callback server listens: show the URL (and open a browser). */
  onUrl: (url: string) => Promise<void> | void;
  /** The org where the app is defined: its callback URLs are checked first, its refresh token policy after. */
  adminOrg?: { client: OrgClient; name: string };
  fetchImpl?: typeof fetch;
};

export type AuthorizedApp = { name: string; type: OAuthAppType; refreshTokenPolicy: string };

export type AuthorizeResult = {
  domain: string;
  instanceUrl: string;
  username?: string;
  userId: string;
  orgId: string;
  scopes: string[];
  refreshTokenIssued: boolean;
  outputFile: string;
  /** With --target-org: the app as the org defines it. */
  app?: AuthorizedApp;
};

export type AuthorizeOutcome = { result: AuthorizeResult; warnings: string[] };

/** An app of the admin org, as far as this flow needs it. */
type AppInfo = AuthorizedApp & { callbackUrls: string[]; scopes: string[]; infinite: boolean };

export const redirectUriFor = (port: number): string => `http://localhost:${port}/OauthRedirect`;

/** PKCE (RFC 7636, S256): a 43-character verifier of [A-Za-z0-9_-] and its challenge. */
export const pkcePair = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

export const authorizeUrl = (domain: string, p: { clientId: string; redirectUri: string; scopes: string[]; state: string; challenge: string }): string => {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: p.scopes.join(' '),
    state: p.state,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
    // Ask for the login and the Allow page even when the browser has a session: the tokens are for the integration
    // user, not for whoever happens to be logged in.
    prompt: 'login consent',
  });
  return `${domain}/services/oauth2/authorize?${q.toString()}`;
};

type AuthorizeCause = 'RedirectUriMismatch' | 'AccessDenied' | 'InvalidScope' | 'InvalidCode' | 'PkceFailed' | 'SecretRequired';

/** The causes particular to this flow; everything else is classified as `connection test` does. */
const causeOf = (a: OAuthErrorAnswer, hadSecret: boolean): AuthorizeCause | undefined => {
  const error = (a.error ?? '').toLowerCase();
  const text = (a.error_description ?? '').toLowerCase();
  if (error === 'invalid_client' && !hadSecret) return 'SecretRequired';
  if (error === 'access_denied') return 'AccessDenied';
  if (error === 'redirect_uri_mismatch') return 'RedirectUriMismatch';
  if (error === 'invalid_scope') return 'InvalidScope';
  if (text.includes('code verifier') || text.includes('code challenge') || text.includes('code_challenge')) return 'PkceFailed';
  if (text.includes('authorization code')) return 'InvalidCode';
  return undefined;
};

type Context = { clientId: string; domain: string; redirectUri: string; hadSecret: boolean; secrets: Array<string | undefined> };

/** A classified failure with its fix; secrets scrubbed from every part. */
export const authorizeError = (answer: OAuthErrorAnswer, ctx: Context): SfError => {
  const cause = causeOf(answer, ctx.hadSecret);
  if (!cause) return connectionError(answer, { clientId: ctx.clientId, domain: ctx.domain }, ctx.secrets);
  const answered = [answer.error, answer.error_description].filter(Boolean).join(': ') || `HTTP ${String(answer.status ?? '?')}`;
  const fill = (s: string): string =>
    redact(s.replaceAll('{clientId}', ctx.clientId).replaceAll('{domain}', ctx.domain).replaceAll('{redirectUri}', ctx.redirectUri).replaceAll('{answer}', answered), ctx.secrets);
  const err = new SfError(fill(messages.getMessage(`cause.${cause}`)), cause, messages.getMessages(`cause.${cause}.actions`).map(fill), 1);
  err.setData({ cause, status: answer.status, error: answer.error ? fill(answer.error) : undefined, errorDescription: answer.error_description ? fill(answer.error_description) : undefined });
  return err;
};

const splitUrls = (v: string | undefined): string[] => (v ?? '').split(/[\r\n,]+/).map((s) => s.trim()).filter(Boolean);

/** Refresh token policy in words: "valid until revoked", "expire immediately", "expire after 30 Days", ... */
const policyText = (p: string | undefined): { text: string; infinite: boolean } => {
  // No policy stored: the app has the default, "Refresh token is valid until revoked".
  if (!p || p.toLowerCase() === 'infinite') return { text: 'valid until revoked', infinite: true };
  if (p.toLowerCase() === 'zero') return { text: 'expire immediately', infinite: false };
  const m = /^(SpecificLifetime|SpecificInactivity)\s*(.*)$/i.exec(p);
  if (m) return { text: `expire after ${m[2] || 'a set time'}${m[1].toLowerCase() === 'specificinactivity' ? ' unused' : ''}`, infinite: false };
  return { text: p.replaceAll('_', ' '), infinite: false };
};

/** The app with this consumer key in the admin org (External Client Apps first, then connected apps). */
export const findAppByClientId = async (client: OrgClient, clientId: string): Promise<AppInfo | undefined> => {
  const byKey = <T extends { consumerKey?: string }>(apps: T[]): T | undefined => apps.find((a) => a.consumerKey === clientId);
  const details = byKey((await readExternalClientApps(client)).map(describeExternalClientApp)) ?? byKey((await readConnectedApps(client)).map(describeConnectedApp));
  if (!details) return undefined;
  const policy = policyText(details.refreshTokenPolicy);
  return { name: details.name, type: details.type, refreshTokenPolicy: policy.text, infinite: policy.infinite, callbackUrls: splitUrls(details.callbackUrl), scopes: details.scopes };
};

/** Whether the app (its metadata scope values) gives every requested scope; unknown scope names are left to the org. */
const grantsScopes = (appScopes: string[], requested: string[]): boolean => {
  const have = new Set(appScopes.map((s) => s.toLowerCase()));
  return requested.every((s) => {
    const m = scopeToMetadata(s)?.toLowerCase();
    return !m || have.has(m) || (have.has('full') && m !== 'refreshtoken') || (m === 'basic' && have.size > 0);
  });
};

type Callback = { code: string } | { error: OAuthErrorAnswer } | { stateMismatch: true } | { timeout: true };

const escapeHtml = (v: string): string => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const sendPage = (res: ServerResponse, status: number, text: string, done: () => void): void => {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
  res.end(`<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>sf provision connection authorize</title></head><body><p>${escapeHtml(text)}</p></body></html>\n`, done);
};

/** The one-shot callback server on 127.0.0.1:<port>: the first /OauthRedirect request settles it. */
const startCallbackServer = async (port: number, state: string, timeoutMs: number): Promise<{ answer: Promise<Callback>; close: () => void }> => {
  let settle: (c: Callback) => void = () => {};
  const answer = new Promise<Callback>((resolve) => (settle = resolve));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/OauthRedirect') {
      res.writeHead(404, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Not found');
      return;
    }
    const q = url.searchParams;
    if (q.get('state') !== state) return sendPage(res, 400, messages.getMessage('page.error', ['state mismatch']), () => settle({ stateMismatch: true }));
    const error = q.get('error');
    if (error) {
      const description = q.get('error_description') ?? undefined;
      return sendPage(res, 400, messages.getMessage('page.error', [error]), () => settle({ error: { error, error_description: description } }));
    }
    const code = q.get('code');
    if (!code) return sendPage(res, 400, messages.getMessage('page.error', ['no code']), () => settle({ error: { error: 'invalid_request', error_description: 'no authorization code in the callback' } }));
    sendPage(res, 200, messages.getMessage('page.success'), () => settle({ code }));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' || (e as NodeJS.ErrnoException).code === 'EACCES') throw messages.createError('error.PortInUse', [String(port)]);
    throw e;
  }
  const timer = setTimeout(() => settle({ timeout: true }), timeoutMs);
  return {
    answer,
    close: (): void => {
      clearTimeout(timer);
      server.close();
      server.closeIdleConnections();
    },
  };
};

/** The output file must be new, in an existing folder: checked before anyone logs in. */
const checkOutputFile = async (file: string): Promise<void> => {
  const exists = await access(file).then(
    () => true,
    () => false
  );
  if (exists) throw messages.createError('error.OutputFileExists', [file]);
  const dir = await stat(dirname(file)).catch(() => undefined);
  if (!dir?.isDirectory()) throw messages.createError('error.OutputDirMissing', [file]);
};

/** With --target-org: the app, and what Salesforce would show on its error page, said before anyone logs in. */
const preflightApp = async (opts: AuthorizeOptions, ctx: Context, warnings: string[]): Promise<AppInfo | undefined> => {
  if (!opts.adminOrg) return undefined;
  let app: AppInfo | undefined;
  try {
    app = await findAppByClientId(opts.adminOrg.client, opts.clientId);
    if (!app) warnings.push(messages.getMessage('warning.AppNotFound', [opts.clientId, opts.adminOrg.name]));
  } catch (e) {
    warnings.push(messages.getMessage('warning.AppUnreadable', [opts.adminOrg.name, redact(e instanceof Error ? e.message : String(e), ctx.secrets)]));
  }
  if (app && !app.callbackUrls.includes(ctx.redirectUri)) {
    throw authorizeError({ error: 'redirect_uri_mismatch', error_description: `the callback URLs of ${app.name} are: ${app.callbackUrls.join(' ') || '(none)'}` }, ctx);
  }
  if (app && !grantsScopes(app.scopes, opts.scopes)) throw authorizeError({ error: 'invalid_scope', error_description: `${app.name} has the scopes ${app.scopes.join(', ')}` }, ctx);
  return app;
};

/** Starts the callback server, shows the URL, and waits for the browser to come back with a code. */
const waitForCode = async (opts: AuthorizeOptions, ctx: Context, state: string, challenge: string): Promise<string> => {
  const server = await startCallbackServer(opts.port, state, opts.timeout.milliseconds);
  let callback: Callback;
  try {
    await opts.onUrl(authorizeUrl(ctx.domain, { clientId: opts.clientId, redirectUri: ctx.redirectUri, scopes: opts.scopes, state, challenge }));
    callback = await server.answer;
  } finally {
    server.close();
  }
  if ('timeout' in callback) throw messages.createError('error.Timeout', [ctx.redirectUri, opts.timeout.toString()], [ctx.redirectUri, ctx.redirectUri]);
  if ('stateMismatch' in callback) throw messages.createError('error.StateMismatch', [ctx.redirectUri]);
  if ('error' in callback) throw authorizeError(callback.error, ctx);
  return callback.code;
};

/** The code for tokens at the token endpoint; Salesforce's answer as it came. */
const exchangeCode = async (opts: AuthorizeOptions, ctx: Context, code: string, verifier: string): Promise<Record<string, unknown>> => {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, client_id: opts.clientId, redirect_uri: ctx.redirectUri, code_verifier: verifier });
  if (opts.clientSecret) form.set('client_secret', opts.clientSecret);
  let res: Response;
  try {
    res = await (opts.fetchImpl ?? fetch)(`${ctx.domain}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form,
      redirect: 'manual',
    });
  } catch (e) {
    throw authorizeError({ error: 'unreachable', error_description: e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e) }, ctx);
  }
  const body = await readJson(res);
  const tokens = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  if (res.status !== 200 || !str(tokens.access_token)) throw authorizeError(answerOf(res.status, body), ctx);
  return tokens;
};

/** The username of the token (userinfo); a warning instead when it cannot be read. */
const readUsername = async (opts: AuthorizeOptions, ctx: Context, instanceUrl: string, accessToken: string, warnings: string[]): Promise<string | undefined> => {
  try {
    const res = await (opts.fetchImpl ?? fetch)(`${normalizeDomain(instanceUrl)}/services/oauth2/userinfo`, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      redirect: 'manual',
    });
    const body = await readJson(res);
    if (res.status !== 200) throw authorizeError(answerOf(res.status, body), ctx);
    return str((body as Record<string, unknown>).preferred_username);
  } catch (e) {
    warnings.push(messages.getMessage('warning.Userinfo', [redact(e instanceof Error ? e.message : String(e), ctx.secrets)]));
    return undefined;
  }
};

/** Runs the whole flow: checks, callback server, browser, code exchange, token file, identity, warnings. */
export const authorizeWebServer = async (opts: AuthorizeOptions): Promise<AuthorizeOutcome> => {
  const domain = normalizeDomain(opts.domain);
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const ctx: Context = { clientId: opts.clientId, domain, redirectUri: redirectUriFor(opts.port), hadSecret: Boolean(opts.clientSecret), secrets: [opts.clientSecret, verifier] };
  const warnings: string[] = [];
  await checkOutputFile(opts.outputFile);
  const app = await preflightApp(opts, ctx, warnings);

  const code = await waitForCode(opts, ctx, state, challenge);
  ctx.secrets.push(code);
  const tokens = await exchangeCode(opts, ctx, code, verifier);
  const accessToken = String(tokens.access_token);
  const refreshToken = str(tokens.refresh_token);
  ctx.secrets.push(accessToken, refreshToken);
  try {
    await writeSecretFile(opts.outputFile, JSON.stringify({ domain, client_id: opts.clientId, ...tokens }, null, 2));
  } catch (e) {
    // Another process created the file since the check: never overwrite it (the tokens are then lost; authorize again).
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw messages.createError('error.OutputFileExists', [opts.outputFile]);
    throw e;
  }

  const instanceUrl = str(tokens.instance_url) ?? domain;
  const ids = /\/id\/(00D\w+)\/(005\w+)/.exec(str(tokens.id) ?? '');
  const scopes = (str(tokens.scope) ?? '').split(/\s+/).filter(Boolean);
  const username = await readUsername(opts, ctx, instanceUrl, accessToken, warnings);
  if (!refreshToken) {
    const asked = opts.scopes.some((s) => s === 'refresh_token' || s === 'offline_access');
    warnings.push(
      asked
        ? messages.getMessage('warning.NoRefreshToken', [scopes.join(' ') || '(none)', app?.name ?? opts.clientId, [...new Set([...opts.scopes, 'refresh_token'])].join(',')])
        : messages.getMessage('warning.NoRefreshTokenScope')
    );
  }
  if (app && !app.infinite) warnings.push(messages.getMessage('warning.RefreshPolicy', [app.name, app.refreshTokenPolicy, app.name, opts.adminOrg?.name ?? '<admin org>']));

  return {
    result: {
      domain,
      instanceUrl,
      username,
      userId: ids?.[2] ?? '',
      orgId: ids?.[1] ?? '',
      scopes,
      refreshTokenIssued: Boolean(refreshToken),
      outputFile: opts.outputFile,
      ...(app ? { app: { name: app.name, type: app.type, refreshTokenPolicy: app.refreshTokenPolicy } } : {}),
    },
    warnings,
  };
};
