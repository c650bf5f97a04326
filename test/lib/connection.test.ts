/* eslint-disable camelcase */
/* The pure parts of src/provision/connection.ts: error classification, domain rules, secrets from the environment. */
import { expect } from 'chai';
import {
  answerOf,
  classifyOAuthError,
  connectionError,
  normalizeDomain,
  redact,
  secretFromEnv,
  type OAuthCause,
} from '../../src/provision/connection.js';
import { credentialsFromFlags, tokenRequestFromFlags } from '../../src/provision/connection-flags.js';

describe('connection: classifyOAuthError', () => {
  // What Salesforce answers for each cause (error / error_description), and the cause it must map to.
  const cases: Array<[OAuthCause, { status?: number; error?: string; error_description?: string }, RegExp]> = [
    ['InvalidClientId', { status: 400, error: 'invalid_client_id', error_description: 'client identifier invalid' }, /Consumer Key/],
    ['InvalidClientSecret', { status: 400, error: 'invalid_client', error_description: 'invalid client credentials' }, /--client-secret-env/],
    ['InvalidClientSecret', { status: 400, error: 'invalid_client_credentials', error_description: 'client secret invalid' }, /rotate/],
    ['ClientCredentialsNotConfigured', { status: 400, error: 'invalid_grant', error_description: 'no client credentials user enabled' }, /sf provision app create --name <app> --client-credentials-user <username>/],
    ['FlowNotEnabled', { status: 400, error: 'unsupported_grant_type', error_description: 'grant type not supported' }, /OAuth settings/],
    ['WrongDomain', { status: 400, error: 'invalid_request', error_description: 'request not supported on this domain' }, /my\.salesforce\.com/],
    ['ExpiredRefreshToken', { status: 400, error: 'invalid_grant', error_description: 'expired access/refresh token' }, /Refresh Token Policy/],
    ['NotApproved', { status: 400, error: 'invalid_grant', error_description: "user hasn't approved this consumer" }, /sf provision permset assign/],
    ['NotPreAuthorized', { status: 400, error: 'invalid_app_access', error_description: 'user is not admin approved to access this app' }, /sf provision permset assign --name <permission set> --users <username>/],
    ['ApiDisabledForUser', { status: 400, error: 'invalid_grant', error_description: 'API is disabled for this user' }, /API Enabled/],
    ['ApiDisabledForUser', { status: 403, error: 'API_CURRENTLY_DISABLED', error_description: 'API is disabled for this User' }, /API Enabled/],
    ['ApiDisabledForOrg', { status: 400, error: 'invalid_grant', error_description: 'API is not enabled for this Salesforce Edition' }, /edition with API access/],
    ['ApiDisabledForOrg', { status: 403, error: 'API_DISABLED_FOR_ORG', error_description: 'The REST API is not enabled for this Organization.' }, /edition/],
    ['IpRestricted', { status: 400, error: 'invalid_grant', error_description: 'ip restricted' }, /Login IP Ranges/],
    ['IpRestricted', { status: 400, error: 'invalid_grant', error_description: 'IP restricted or invalid login hours' }, /Relax IP restrictions/],
    ['InactiveUser', { status: 400, error: 'invalid_grant', error_description: 'inactive user' }, /IsActive=true/],
    ['InactiveUser', { status: 400, error: 'inactive_user', error_description: 'The user has been set to inactive' }, /IsActive=true/],
    ['FrozenUser', { status: 400, error: 'invalid_grant', error_description: 'user is frozen' }, /IsFrozen=false/],
    ['InactiveOrg', { status: 400, error: 'inactive_org', error_description: 'organization is locked' }, /org's status/],
    ['RateLimited', { status: 400, error: 'rate_limit_exceeded', error_description: 'rate limit exceeded' }, /later/],
    ['NoScopes', { status: 400, error: 'invalid_grant', error_description: 'no valid scopes defined' }, /api scope/],
    ['InvalidSession', { status: 401, error: 'INVALID_SESSION_ID', error_description: 'Session expired or invalid' }, /session policies/],
    ['Unknown', { status: 500, error: 'server_error', error_description: 'something else' }, /Login History/],
  ];

  for (const [cause, answer, fix] of cases) {
    it(`${answer.error ?? ''} "${answer.error_description ?? ''}" → ${cause}`, () => {
      const c = classifyOAuthError(answer, { clientId: '3MVGclient', domain: 'https://acme.my.salesforce.com' });
      expect(c.cause).to.equal(cause);
      expect(c.fix.length).to.be.greaterThan(0);
      expect(c.fix.join('\n')).to.match(fix);
      expect(c.message).to.not.match(/\{(clientId|domain|answer)\}/);
      expect(c.fix.join('\n')).to.not.match(/\{(clientId|domain|answer)\}/);
      if (cause !== 'Unknown' && answer.error_description) expect(c.message).to.contain(answer.error_description);
    });
  }

  it('names the client and the domain in the message', () => {
    expect(classifyOAuthError({ error: 'invalid_client_id', error_description: 'client identifier invalid' }, { clientId: '3MVGabc' }).message).to.contain('3MVGabc');
    expect(classifyOAuthError({ error: 'unreachable', error_description: 'ECONNREFUSED' }, { domain: 'https://x.my.salesforce.com' }).message).to.contain('https://x.my.salesforce.com');
  });

  it('reads REST error arrays and OAuth error objects alike', () => {
    expect(answerOf(403, [{ errorCode: 'API_DISABLED_FOR_ORG', message: 'nope' }])).to.deep.equal({ status: 403, error: 'API_DISABLED_FOR_ORG', error_description: 'nope' });
    expect(answerOf(400, { error: 'invalid_grant', error_description: 'inactive user' })).to.deep.equal({ status: 400, error: 'invalid_grant', error_description: 'inactive user' });
    expect(answerOf(403, 'Bad_OAuth_Token')).to.deep.equal({ status: 403, error: 'Bad_OAuth_Token' });
    expect(classifyOAuthError(answerOf(403, 'Bad_OAuth_Token')).cause).to.equal('InvalidSession');
  });

  it('scrubs secrets from the error it builds', () => {
    const secret = 'S3cr3tValue0123456789';
    const err = connectionError({ status: 400, error: 'invalid_grant', error_description: `weird ${secret}` }, { clientId: 'c' }, [secret]);
    expect(JSON.stringify({ message: err.message, actions: err.actions, data: err.data })).to.not.contain(secret);
    expect(err.name).to.equal('Unknown');
    expect(redact(`a ${secret} b ${secret}`, [secret, undefined])).to.equal('a *** b ***');
  });
});

describe('connection: normalizeDomain', () => {
  it('takes a host or URL and gives its https origin', () => {
    expect(normalizeDomain('acme.my.salesforce.com')).to.equal('https://acme.my.salesforce.com');
    expect(normalizeDomain('https://acme.my.salesforce.com/')).to.equal('https://acme.my.salesforce.com');
    expect(normalizeDomain(' https://acme.my.salesforce.com/services/oauth2/token ')).to.equal('https://acme.my.salesforce.com');
  });
  it('allows http only for the loopback address', () => {
    expect(normalizeDomain('http://127.0.0.1:4000')).to.equal('http://127.0.0.1:4000');
    expect(normalizeDomain('http://localhost:4000/')).to.equal('http://localhost:4000');
    expect(normalizeDomain('127.0.0.1:4000')).to.equal('http://127.0.0.1:4000');
    for (const bad of ['http://acme.my.salesforce.com', 'ftp://acme.my.salesforce.com', '', 'http://127.0.0.2:4000']) {
      let err: (Error & { actions?: string[] }) | undefined;
      try {
        normalizeDomain(bad);
      } catch (e) {
        err = e as Error & { actions?: string[] };
      }
      expect(err?.name, bad).to.equal('InvalidDomain');
      expect(err?.actions?.join(' ')).to.contain('My Domain');
    }
  });
});

describe('connection: secretFromEnv', () => {
  it('reads the named variable and never echoes a value', () => {
    expect(secretFromEnv('MY_SECRET', '--client-secret-env', { MY_SECRET: ' abc ' })).to.equal('abc');
    expect(secretFromEnv(undefined, '--client-secret-env', {})).to.equal(undefined);
    expect(() => secretFromEnv('MISSING', '--client-secret-env', {})).to.throw(/MISSING.*not set/);
    // A secret pasted where the variable name goes is refused, and the message does not repeat it.
    let err: (Error & { actions?: string[] }) | undefined;
    try {
      secretFromEnv('s3cr3t-pasted.value', '--client-secret-env', {});
    } catch (e) {
      err = e as Error & { actions?: string[] };
    }
    expect(err?.message).to.match(/NAME of an environment variable/);
    expect(JSON.stringify({ m: err?.message, a: err?.actions })).to.not.contain('s3cr3t-pasted.value');
  });
});

describe('connection: flags to a token request', () => {
  const env = { MY_SECRET: ' s3cr3t-value ', MY_REFRESH: '5Aep-refresh' };

  it('normalises the domain and reads the secrets from the variables the flags name', () => {
    expect(tokenRequestFromFlags({ domain: 'acme.my.salesforce.com', 'client-id': '3MVGabc', 'client-secret-env': 'MY_SECRET' }, env)).to.deep.equal({
      domain: 'https://acme.my.salesforce.com',
      clientId: '3MVGabc',
      clientSecret: 's3cr3t-value',
      refreshToken: undefined,
    });
    expect(credentialsFromFlags({ 'refresh-token-env': 'MY_REFRESH' }, env)).to.deep.equal({ clientSecret: undefined, refreshToken: '5Aep-refresh' });
  });

  it('needs one of the secrets, and checks the domain before reading them', () => {
    expect(() => credentialsFromFlags({}, env)).to.throw().with.property('name', 'NoCredentialsError');
    expect(() => tokenRequestFromFlags({ domain: 'http://acme.my.salesforce.com', 'client-id': 'x' }, env)).to.throw().with.property('name', 'InvalidDomain');
  });
});
