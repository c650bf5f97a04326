/* eslint-disable camelcase */
/*
 * The emulator's web-server flow: /services/oauth2/authorize (login and consent pages, Salesforce's error page) and
 * the authorization_code grant (single-use codes, redirect_uri, PKCE, client secret), then the refresh token it leaves.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { authorizeInBrowser, open } from '../helpers/browser.js';
import { OrgEmulator } from './server.js';
import { putComponent } from './metadata/soap.js';
import { DEFAULT_USER_PASSWORD } from './oauth.js';

type TokenAnswer = { status: number; body: Record<string, string> };

const CALLBACK = 'http://localhost:1717/OauthRedirect';

describe('emulator: web-server flow (authorize + authorization_code)', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;
  let n = 0;
  const secret = 'A1'.repeat(32);

  const createApp = async (opts: { scopes?: string; callbackUrl?: string; secretOptional?: boolean; pkceRequired?: boolean; adminApproved?: boolean; permissionSets?: string; profiles?: string; refreshPolicy?: string; refreshHours?: number } = {}): Promise<string> => {
    n += 1;
    const name = `Web_App_${n}`;
    const key = `3MVG9web${n}${'W'.repeat(40)}`;
    const ctx = emu.metadataContext;
    await putComponent(ctx, 'ExternalClientApplication', name, { distributionState: 'Local', isProtected: false, label: name });
    await putComponent(ctx, 'ExtlClntAppOauthSettings', `${name}_oauth`, { commaSeparatedOauthScopes: opts.scopes ?? 'Api,RefreshToken', externalClientApplication: name, label: `${name}_oauth` });
    const global: Record<string, unknown> = { callbackUrl: opts.callbackUrl ?? `https://app.example.com/cb\n${CALLBACK}`, consumerKey: key, consumerSecret: secret, externalClientApplication: name };
    if (opts.secretOptional) global.isConsumerSecretOptional = true;
    if (opts.pkceRequired) global.isPkceRequired = true;
    global.label = `${name}_glbloauth`;
    await putComponent(ctx, 'ExtlClntAppGlobalOauthSettings', `${name}_glbloauth`, global);
    const policy: Record<string, unknown> = {};
    if (opts.permissionSets) policy.commaSeparatedPermissionSet = opts.permissionSets;
    if (opts.profiles) policy.commaSeparatedProfile = opts.profiles;
    Object.assign(policy, { externalClientApplication: name, label: `${name}_oauthPlcy`, permittedUsersPolicyType: opts.adminApproved ? 'AdminApprovedPreAuthorized' : 'AllSelfAuthorized' });
    if (opts.refreshPolicy) policy.refreshTokenPolicyType = opts.refreshPolicy;
    if (opts.refreshHours) Object.assign(policy, { refreshTokenValidityPeriod: opts.refreshHours, refreshTokenValidityUnit: 'Hours' });
    await putComponent(ctx, 'ExtlClntAppOauthConfigurablePolicies', `${name}_oauthPlcy`, policy);
    return key;
  };

  const pkce = (): { verifier: string; challenge: string } => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };

  const authorizeUrl = (params: Record<string, string | undefined>): string => {
    const url = new URL(`${emu.instanceUrl}/services/oauth2/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', redirect_uri: CALLBACK, ...params })) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  };

  const token = async (params: Record<string, string | undefined>): Promise<TokenAnswer> => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, v);
    const res = await fetch(`${emu.instanceUrl}/services/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };

  /** Logs the admin in, allows, and returns the code (and the redirect's state). */
  const getCode = async (key: string, extra: Record<string, string | undefined> = {}): Promise<{ code: string; state: string | null }> => {
    const step = await authorizeInBrowser(authorizeUrl({ client_id: key, state: 'st-1', ...extra }), { username: emu.adminUsername, password: DEFAULT_USER_PASSWORD });
    expect(step.status, step.html).to.equal(302);
    const back = new URL(step.location!);
    expect(`${back.origin}${back.pathname}`).to.equal(CALLBACK);
    return { code: back.searchParams.get('code')!, state: back.searchParams.get('state') };
  };

  before(async () => {
    emu = await OrgEmulator.start({
      seed: {
        users: [
          { username: 'admin@acme.example.com', lastName: 'Admin', profile: 'System Administrator' },
          { username: 'pat@acme.example.com', lastName: 'Pat', profile: 'System Administrator', password: 'pat-s3cret' },
        ],
      },
    });
  });
  after(async () => {
    await emu.stop();
  });

  it('login page, consent page, code with state; the code grant returns tokens, the refresh token works and the signature checks', async () => {
    const key = await createApp();
    const first = await open(authorizeUrl({ client_id: key, scope: 'api refresh_token', state: 'xyz' }));
    expect(first.status).to.equal(200);
    expect(first.html).to.contain('name="pw"');
    const { verifier, challenge } = pkce();
    const { code, state } = await getCode(key, { scope: 'api refresh_token', code_challenge: challenge, code_challenge_method: 'S256' });
    expect(state).to.equal('st-1');
    expect(code).to.match(/^aPrx/);
    const answer = await token({ grant_type: 'authorization_code', code, client_id: key, client_secret: secret, redirect_uri: CALLBACK, code_verifier: verifier });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const b = answer.body;
    expect(b).to.include.keys('access_token', 'refresh_token', 'id', 'instance_url', 'issued_at', 'signature', 'scope', 'token_type');
    expect(b.scope.split(' ').sort()).to.deep.equal(['api', 'refresh_token']);
    expect(b.id).to.equal(`${emu.instanceUrl}/id/${emu.orgId}/${emu.adminUserId}`);
    expect(b.signature).to.equal(createHmac('sha256', secret).update(`${b.id}${b.issued_at}`).digest('base64'));
    const info = await fetch(`${emu.instanceUrl}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${b.access_token}` } });
    expect(((await info.json()) as { preferred_username: string }).preferred_username).to.equal(emu.adminUsername);
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: b.refresh_token, client_id: key, client_secret: secret });
    expect(refreshed.status).to.equal(200);
    expect(refreshed.body.refresh_token).to.equal(undefined);
  });

  it('a seeded user logs in with the seed password; a wrong password shows the login page again', async () => {
    const key = await createApp();
    const wrong = await authorizeInBrowser(authorizeUrl({ client_id: key }), { username: 'pat@acme.example.com', password: DEFAULT_USER_PASSWORD });
    expect(wrong.status).to.equal(200);
    expect(wrong.html).to.contain('Please check your username and password');
    const right = await authorizeInBrowser(authorizeUrl({ client_id: key }), { username: 'pat@acme.example.com', password: 'pat-s3cret' });
    expect(right.status).to.equal(302);
    expect(new URL(right.location!).searchParams.get('code')).to.match(/^aPrx/);
  });

  it('an unknown client id and a redirect_uri that is not a callback URL are shown on the error page, not redirected', async () => {
    const key = await createApp();
    const unknown = await open(authorizeUrl({ client_id: '3MVG9nope' + 'X'.repeat(40) }));
    expect(unknown.status).to.equal(400);
    expect(unknown.location).to.equal(undefined);
    expect(unknown.html).to.contain('invalid_client_id: client identifier invalid');
    for (const redirect of ['http://localhost:1718/OauthRedirect', 'http://127.0.0.1:1717/OauthRedirect', `${CALLBACK}/`]) {
      // eslint-disable-next-line no-await-in-loop
      const mismatch = await open(authorizeUrl({ client_id: key, redirect_uri: redirect }));
      expect(mismatch.status).to.equal(400);
      expect(mismatch.location).to.equal(undefined);
      expect(mismatch.html).to.contain('redirect_uri_mismatch: redirect_uri must match configuration');
    }
    const scope = await open(authorizeUrl({ client_id: key, scope: 'api full' }));
    expect(scope.html).to.contain('invalid_scope');
  });

  it('Deny redirects with access_denied and the state', async () => {
    const key = await createApp();
    const step = await authorizeInBrowser(authorizeUrl({ client_id: key, state: 'abc' }), { username: emu.adminUsername, password: DEFAULT_USER_PASSWORD, decision: 'deny' });
    expect(step.status).to.equal(302);
    const back = new URL(step.location!);
    expect(Object.fromEntries(back.searchParams)).to.deep.equal({ error: 'access_denied', error_description: 'end-user denied authorization', state: 'abc' });
  });

  it('PKCE: a wrong or missing verifier is refused, plain works, and an app that requires PKCE refuses requests without it', async () => {
    const key = await createApp();
    const { verifier, challenge } = pkce();
    const { code } = await getCode(key, { code_challenge: challenge, code_challenge_method: 'S256' });
    const base = { grant_type: 'authorization_code', code, client_id: key, client_secret: secret, redirect_uri: CALLBACK };
    expect((await token({ ...base, code_verifier: pkce().verifier })).body).to.deep.equal({ error: 'invalid_grant', error_description: 'invalid code verifier' });
    expect((await token(base)).body.error).to.equal('invalid_grant');
    expect((await token({ ...base, code_verifier: verifier })).status).to.equal(200);

    const plain = randomBytes(40).toString('base64url');
    const p = await getCode(key, { code_challenge: plain, code_challenge_method: 'plain' });
    expect((await token({ ...base, code: p.code, code_verifier: plain })).status).to.equal(200);

    const strict = await createApp({ pkceRequired: true });
    const refused = await authorizeInBrowser(authorizeUrl({ client_id: strict, state: 's' }), { username: emu.adminUsername, password: DEFAULT_USER_PASSWORD });
    expect(new URL(refused.location!).searchParams.get('error')).to.equal('invalid_request');
  });

  it('a code works once, only before it expires, only with the authorize request\'s redirect_uri, and only with the secret unless it is optional', async () => {
    const key = await createApp();
    const { code } = await getCode(key);
    const base = { grant_type: 'authorization_code', code, client_id: key, client_secret: secret, redirect_uri: CALLBACK };
    expect((await token({ ...base, redirect_uri: 'https://app.example.com/cb' })).body.error).to.equal('redirect_uri_mismatch');
    expect((await token({ ...base, client_secret: undefined })).body).to.deep.equal({ error: 'invalid_client', error_description: 'invalid client credentials' });
    expect((await token({ ...base, client_secret: 'wrong' })).body.error).to.equal('invalid_client');
    expect((await token({ ...base, client_id: '3MVG9nope' + 'X'.repeat(40) })).body.error).to.equal('invalid_client_id');
    expect((await token(base)).status).to.equal(200);
    expect((await token(base)).body).to.deep.equal({ error: 'invalid_grant', error_description: 'expired authorization code' });
    expect((await token({ ...base, code: 'aPrxnot-a-code' })).body).to.deep.equal({ error: 'invalid_grant', error_description: 'invalid authorization code' });

    const late = await getCode(key);
    emu.oauth.expireAuthorizationCode(late.code);
    expect((await token({ ...base, code: late.code })).body.error_description).to.equal('expired authorization code');

    const optional = await createApp({ secretOptional: true });
    const c = await getCode(optional);
    expect((await token({ grant_type: 'authorization_code', code: c.code, client_id: optional, redirect_uri: CALLBACK })).status).to.equal(200);
  });

  it('no refresh token without the refresh_token scope; the app\'s refresh token policy then applies to the refresh token', async () => {
    const key = await createApp();
    const { code } = await getCode(key, { scope: 'api' });
    const answer = await token({ grant_type: 'authorization_code', code, client_id: key, client_secret: secret, redirect_uri: CALLBACK });
    expect(answer.status).to.equal(200);
    expect(answer.body.scope).to.equal('api');
    expect(answer.body.refresh_token).to.equal(undefined);

    const zero = await createApp({ refreshPolicy: 'Zero' });
    const z = await getCode(zero, { scope: 'api refresh_token' });
    const issued = await token({ grant_type: 'authorization_code', code: z.code, client_id: zero, client_secret: secret, redirect_uri: CALLBACK });
    expect(issued.body.refresh_token).to.be.a('string');
    expect((await token({ grant_type: 'refresh_token', refresh_token: issued.body.refresh_token, client_id: zero, client_secret: secret })).body.error_description).to.equal('expired access/refresh token');
  });

  it('refresh token policies: a lifetime ends the token that long after it was issued, inactivity that long after its last use', async () => {
    const refreshOf = async (key: string): Promise<string> => {
      const { code } = await getCode(key, { scope: 'api refresh_token' });
      return (await token({ grant_type: 'authorization_code', code, client_id: key, client_secret: secret, redirect_uri: CALLBACK })).body.refresh_token;
    };
    const use = async (key: string, refresh: string): Promise<number> => (await token({ grant_type: 'refresh_token', refresh_token: refresh, client_id: key, client_secret: secret })).status;
    const hour = 60 * 60 * 1000;

    const lifetime = await createApp({ refreshPolicy: 'SpecificLifetime', refreshHours: 2 });
    const l = await refreshOf(lifetime);
    emu.oauth.ageRefreshToken(l, hour);
    expect(await use(lifetime, l)).to.equal(200);
    emu.oauth.ageRefreshToken(l, 2 * hour);
    expect(await use(lifetime, l)).to.equal(400);

    const inactivity = await createApp({ refreshPolicy: 'SpecificInactivity', refreshHours: 2 });
    const i = await refreshOf(inactivity);
    emu.oauth.ageRefreshToken(i, 1.5 * hour);
    expect(await use(inactivity, i)).to.equal(200);
    emu.oauth.ageRefreshToken(i, 1.5 * hour);
    expect(await use(inactivity, i)).to.equal(200);
    emu.oauth.ageRefreshToken(i, 3 * hour);
    expect(await use(inactivity, i)).to.equal(400);
  });

  it('admin-approved apps: pre-authorised users get a code without the consent page, others are sent back with the error', async () => {
    const key = await createApp({ adminApproved: true, permissionSets: 'Web_Users' });
    const refused = await authorizeInBrowser(authorizeUrl({ client_id: key, state: 'q' }), { username: emu.adminUsername, password: DEFAULT_USER_PASSWORD });
    expect(refused.status).to.equal(302);
    expect(new URL(refused.location!).searchParams.get('error')).to.equal('invalid_app_access');
    const approved = await createApp({ adminApproved: true, profiles: 'System Administrator' });
    const ok = await authorizeInBrowser(authorizeUrl({ client_id: approved }), { username: emu.adminUsername, password: DEFAULT_USER_PASSWORD });
    expect(ok.status).to.equal(302);
    expect(new URL(ok.location!).searchParams.get('code')).to.match(/^aPrx/);
  });
});
