import { expect } from 'chai';
import { parseRefreshTokenPolicy, scopesToMetadata, scopeToToken } from '../../src/provision/resources/oauth-app.js';
import { planExternalClientApp, planExternalClientAppDelete, planSecretRotation, withSecret, type EcaCurrent } from '../../src/provision/resources/external-client-app.js';
import { planConnectedApp, withConnectedAppSecret } from '../../src/provision/resources/connected-app.js';
import { SECRET_PLACEHOLDER } from '../../src/provision/secrets.js';

const KEY = `3MVG${'a'.repeat(81)}`;

const existing = (): EcaCurrent => ({
  name: 'App',
  app: { fullName: 'App', content: { fullName: 'App', contactEmail: 'a@b.c', distributionState: 'Local', isProtected: 'false', label: 'App' } },
  oauth: { fullName: 'App_oauth', content: { fullName: 'App_oauth', commaSeparatedOauthScopes: 'RefreshToken, Api', externalClientApplication: 'App', label: 'App_oauth' } },
  global: {
    fullName: 'App_glbloauth',
    content: { fullName: 'App_glbloauth', callbackUrl: 'https://x/cb', consumerKey: 'OLDKEY', externalClientApplication: 'App', isClientCredentialsFlowEnabled: 'true', label: 'g' },
  },
  policies: {
    fullName: 'App_oauthPlcy',
    content: { fullName: 'App_oauthPlcy', clientCredentialsFlowUser: 'u@x', externalClientApplication: 'App', isClientCredentialsFlowEnabled: 'true', permittedUsersPolicyType: 'AllSelfAuthorized', label: 'p' },
  },
});

describe('OAuth app plans (pure)', () => {
  it('maps scopes both ways and refuses unknown ones', () => {
    expect(scopesToMetadata(['api', 'refresh_token', 'offline_access', 'OpenID'])).to.deep.equal(['Api', 'RefreshToken', 'OpenID']);
    expect(() => scopesToMetadata(['apii'])).to.throw('Unknown OAuth scope "apii"');
    expect(scopeToToken('RefreshToken')).to.equal('refresh_token');
  });

  it('parses refresh token policies', () => {
    expect(parseRefreshTokenPolicy('infinite')).to.deep.equal({ type: 'Infinite' });
    expect(parseRefreshTokenPolicy('90-days')).to.deep.equal({ type: 'SpecificLifetime', period: 90, unit: 'Days' });
    expect(parseRefreshTokenPolicy('inactive-1-month')).to.deep.equal({ type: 'SpecificInactivity', period: 1, unit: 'Months' });
    expect(parseRefreshTokenPolicy('0-days')).to.equal(undefined);
    expect(parseRefreshTokenPolicy('forever')).to.equal(undefined);
  });

  it('plans a new External Client App parent first, with the secret only as a placeholder', () => {
    const plan = planExternalClientApp(undefined, { name: 'App', scopes: ['Api'], clientCredentialsUser: 'u@x' }, { consumerKey: KEY, newSecret: true });
    expect(plan.map((c) => [c.resource, c.name, c.action])).to.deep.equal([
      ['ExternalClientApplication', 'App', 'create'],
      ['ExtlClntAppOauthSettings', 'App_oauth', 'create'],
      ['ExtlClntAppGlobalOauthSettings', 'App_glbloauth', 'create'],
      ['ExtlClntAppOauthConfigurablePolicies', 'App_oauthPlcy', 'create'],
    ]);
    const global = plan[2];
    expect(Object.keys(global.metadata!.content)).to.deep.equal(['fullName', 'callbackUrl', 'consumerKey', 'externalClientApplication', 'isClientCredentialsFlowEnabled', 'label']);
    expect(global.fields).to.deep.include({ field: 'consumerSecret', to: SECRET_PLACEHOLDER });
    expect(JSON.stringify(plan)).not.to.contain('SECRETVALUE');
    const applied = withSecret(plan, 'SECRETVALUE');
    expect(applied[2].metadata!.content.consumerSecret).to.equal('SECRETVALUE');
    expect(Object.keys(applied[2].metadata!.content).indexOf('consumerSecret')).to.equal(3);
    expect(JSON.stringify(applied[2].fields)).not.to.contain('SECRETVALUE');
    expect(plan[3].metadata!.content).to.deep.include({ clientCredentialsFlowUser: 'u@x', isClientCredentialsFlowEnabled: true, permittedUsersPolicyType: 'AllSelfAuthorized' });
  });

  it('re-plans an existing app as no change, keeping its key, comparing scopes as a set', () => {
    const plan = planExternalClientApp(existing(), { name: 'App', scopes: ['Api', 'RefreshToken'], clientCredentialsUser: 'u@x' }, { consumerKey: KEY, newSecret: false });
    expect(plan.map((c) => c.action)).to.deep.equal(['none', 'none', 'none', 'none']);
    const upd = planExternalClientApp(existing(), { name: 'App', adminApproved: true, permissionSets: ['Ps'] }, { consumerKey: KEY, newSecret: false });
    expect(upd[3].action).to.equal('update');
    expect(upd[3].fields.map((f) => f.field)).to.deep.equal(['commaSeparatedPermissionSet', 'permittedUsersPolicyType']);
    expect(upd[2].metadata!.content.consumerKey).to.equal('OLDKEY');
  });

  it('leaves the secret out of files', () => {
    const plan = planExternalClientApp(undefined, { name: 'App' }, { consumerKey: KEY, newSecret: false, forFiles: true });
    expect(plan[2].fields.map((f) => f.field)).not.to.include('consumerSecret');
    expect(plan[2].note).to.contain('consumerSecret is left out');
  });

  it('rotates a secret and deletes children before the app', () => {
    const rot = planSecretRotation(existing());
    expect(rot).to.deep.include({ action: 'update', fields: [{ field: 'consumerSecret', to: SECRET_PLACEHOLDER }] });
    expect(rot.metadata!.content.consumerKey).to.equal('OLDKEY');
    expect(planExternalClientAppDelete(existing(), 'App').map((c) => c.resource)).to.deep.equal([
      'ExtlClntAppOauthConfigurablePolicies',
      'ExtlClntAppGlobalOauthSettings',
      'ExtlClntAppOauthSettings',
      'ExternalClientApplication',
    ]);
    expect(planExternalClientAppDelete(undefined, 'App')[0].action).to.equal('none');
  });

  it('plans connected apps with nested fields and keeps their key', () => {
    const create = planConnectedApp(undefined, { name: 'Ca', contactEmail: 'a@b.c', clientCredentialsUser: 'u@x' }, { consumerKey: KEY, newSecret: true });
    expect(create.action).to.equal('create');
    expect(Object.keys(create.metadata!.content)).to.deep.equal(['fullName', 'contactEmail', 'label', 'oauthConfig']);
    expect(create.fields).to.deep.include({ field: 'oauthConfig.consumerSecret', to: SECRET_PLACEHOLDER });
    const withS = withConnectedAppSecret([create], 'S3CRET')[0];
    expect(Object.keys(withS.metadata!.content.oauthConfig as object)).to.deep.equal(['callbackUrl', 'consumerKey', 'consumerSecret', 'isClientCredentialEnabled', 'oauthClientCredentialUser', 'scopes']);
    const current = { name: 'Ca', content: { ...create.metadata!.content, oauthConfig: { ...(create.metadata!.content.oauthConfig as object), consumerKey: 'K' } } };
    const same = planConnectedApp(current, { name: 'Ca', clientCredentialsUser: 'u@x', scopes: ['api'] }, { consumerKey: KEY, newSecret: false });
    expect(same.action).to.equal('none');
  });
});
