import { expect } from 'chai';
import { connectedAppSamlDetails, ecaSamlDetails, parseRefreshTokenPolicy, scopesToMetadata, scopeToToken } from '../../src/provision/resources/oauth-app.js';
import {
  describeExternalClientApp,
  parseNameIdFormat,
  planExternalClientApp,
  planExternalClientAppDelete,
  planSecretRotation,
  withSecret,
  type EcaCurrent,
} from '../../src/provision/resources/external-client-app.js';
import { describeConnectedApp, planConnectedApp, withConnectedAppSecret } from '../../src/provision/resources/connected-app.js';
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
  plugins: { fullName: 'App_plcy', content: { fullName: 'App_plcy', externalClientApplication: 'App', isEnabled: 'true', isOauthPluginEnabled: 'true', label: 'App_plcy' } },
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
      ['ExtlClntAppConfigurablePolicies', 'App_plcy', 'create'],
      ['ExtlClntAppOauthSettings', 'App_oauth', 'create'],
      ['ExtlClntAppGlobalOauthSettings', 'App_glbloauth', 'create'],
      ['ExtlClntAppOauthConfigurablePolicies', 'App_oauthPlcy', 'create'],
    ]);
    expect(plan[1].metadata!.content).to.deep.equal({ fullName: 'App_plcy', externalClientApplication: 'App', isEnabled: true, isOauthPluginEnabled: true, label: 'App_plcy' });
    const global = plan[3];
    expect(Object.keys(global.metadata!.content)).to.deep.equal(['fullName', 'callbackUrl', 'consumerKey', 'externalClientApplication', 'isClientCredentialsFlowEnabled', 'label']);
    expect(global.fields).to.deep.include({ field: 'consumerSecret', to: SECRET_PLACEHOLDER });
    expect(JSON.stringify(plan)).not.to.contain('SECRETVALUE');
    const applied = withSecret(plan, 'SECRETVALUE');
    expect(applied[3].metadata!.content.consumerSecret).to.equal('SECRETVALUE');
    expect(Object.keys(applied[3].metadata!.content).indexOf('consumerSecret')).to.equal(3);
    expect(JSON.stringify(applied[3].fields)).not.to.contain('SECRETVALUE');
    expect(plan[4].metadata!.content).to.deep.include({ clientCredentialsFlowUser: 'u@x', isClientCredentialsFlowEnabled: true, permittedUsersPolicyType: 'AllSelfAuthorized' });
  });

  it('re-plans an existing app as no change, keeping its key, comparing scopes as a set', () => {
    const plan = planExternalClientApp(existing(), { name: 'App', scopes: ['Api', 'RefreshToken'], clientCredentialsUser: 'u@x' }, { consumerKey: KEY, newSecret: false });
    expect(plan.map((c) => c.action)).to.deep.equal(['none', 'none', 'none', 'none', 'none']);
    const upd = planExternalClientApp(existing(), { name: 'App', adminApproved: true, permissionSets: ['Ps'] }, { consumerKey: KEY, newSecret: false });
    expect(upd[4].action).to.equal('update');
    expect(upd[4].fields.map((f) => f.field)).to.deep.equal(['commaSeparatedPermissionSet', 'permittedUsersPolicyType']);
    expect(upd[3].metadata!.content.consumerKey).to.equal('OLDKEY');
  });

  it('leaves the secret out of files', () => {
    const plan = planExternalClientApp(undefined, { name: 'App' }, { consumerKey: KEY, newSecret: false, forFiles: true });
    expect(plan[3].fields.map((f) => f.field)).not.to.include('consumerSecret');
    expect(plan[3].note).to.contain('consumerSecret is left out');
  });

  it('rotates a secret and deletes children before the app', () => {
    const rot = planSecretRotation(existing());
    expect(rot).to.deep.include({ action: 'update', fields: [{ field: 'consumerSecret', to: SECRET_PLACEHOLDER }] });
    expect(rot.metadata!.content.consumerKey).to.equal('OLDKEY');
    const saml = { fullName: 'App_samlPlcy', content: { fullName: 'App_samlPlcy', acsUrl: 'https://sp/acs', entityUrl: 'sp', externalClientApplication: 'App' } };
    expect(planExternalClientAppDelete({ ...existing(), saml }, 'App').map((c) => c.resource)).to.deep.equal([
      'ExtlClntAppSamlConfigurablePolicies',
      'ExtlClntAppOauthConfigurablePolicies',
      'ExtlClntAppGlobalOauthSettings',
      'ExtlClntAppOauthSettings',
      'ExtlClntAppConfigurablePolicies',
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

  it('turns the plugins on for an existing app whose configurable policies are missing or off', () => {
    const noPlugins = { ...existing(), plugins: undefined };
    const plan = planExternalClientApp(noPlugins, { name: 'App' }, { consumerKey: KEY, newSecret: false });
    expect(plan.map((c) => [c.resource, c.action])).to.deep.include(['ExtlClntAppConfigurablePolicies', 'create']);
    const off = existing();
    off.plugins!.content.isOauthPluginEnabled = 'false';
    const upd = planExternalClientApp(off, { name: 'App' }, { consumerKey: KEY, newSecret: false });
    expect(upd[1]).to.deep.include({ action: 'update', fields: [{ field: 'isOauthPluginEnabled', from: 'false', to: true }] });
  });

  it('plans a SAML-only External Client App: app, plugins with SAML on, SAML policies in WSDL order; no OAuth, no secret', () => {
    const saml = { acsUrl: 'https://sp.example.com/acs', entityId: 'https://sp.example.com', certificate: 'Idp_Cert', nameIdFormat: parseNameIdFormat('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress') };
    const plan = planExternalClientApp(undefined, { name: 'Wiki', oauth: false, saml }, { consumerKey: KEY, newSecret: false });
    expect(plan.map((c) => [c.resource, c.name, c.action])).to.deep.equal([
      ['ExternalClientApplication', 'Wiki', 'create'],
      ['ExtlClntAppConfigurablePolicies', 'Wiki_plcy', 'create'],
      ['ExtlClntAppSamlConfigurablePolicies', 'Wiki_samlPlcy', 'create'],
    ]);
    expect(plan[0].metadata!.content.distributionState).to.equal('Local');
    expect(plan[1].metadata!.content).to.deep.equal({ fullName: 'Wiki_plcy', externalClientApplication: 'Wiki', isEnabled: true, isSamlPluginEnabled: true, label: 'Wiki_plcy' });
    expect(plan[2].metadata!.content).to.deep.equal({
      fullName: 'Wiki_samlPlcy',
      acsUrl: 'https://sp.example.com/acs',
      certificate: 'Idp_Cert',
      entityUrl: 'https://sp.example.com',
      externalClientApplication: 'Wiki',
      label: 'Wiki_samlPlcy',
      nameIdFormat: 'EmailAddress',
      signingAlgorithmType: 'SHA256',
      subjectType: 'Username',
    });
    const current: EcaCurrent = {
      name: 'Wiki',
      app: { fullName: 'Wiki', content: plan[0].metadata!.content },
      plugins: { fullName: 'Wiki_plcy', content: plan[1].metadata!.content },
      saml: { fullName: 'Wiki_samlPlcy', content: plan[2].metadata!.content },
    };
    expect(planExternalClientApp(current, { name: 'Wiki', oauth: false, saml }, { consumerKey: KEY, newSecret: false }).map((c) => c.action)).to.deep.equal(['none', 'none', 'none']);
    const moved = planExternalClientApp(current, { name: 'Wiki', oauth: false, saml: { ...saml, acsUrl: 'https://sp2/acs', subjectType: 'FederationId' } }, { consumerKey: KEY, newSecret: false });
    expect(moved[2].fields.map((f) => f.field)).to.deep.equal(['acsUrl', 'subjectType']);
  });

  it('maps name ID formats from URNs and names; unknown ones are undefined', () => {
    expect(parseNameIdFormat('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')).to.equal('Persistent');
    expect(parseNameIdFormat('transient')).to.equal('Transient');
    expect(parseNameIdFormat('urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos')).to.equal(undefined);
  });

  it('plans a SAML-only connected app with samlConfig in WSDL order and no oauthConfig', () => {
    const saml = { acsUrl: 'https://sp/acs', entityId: 'sp-entity', signingAlgorithm: 'SHA1' as const, certificate: 'Idp_Cert' };
    const create = planConnectedApp(undefined, { name: 'Ca', contactEmail: 'a@b.c', oauth: false, saml }, { consumerKey: KEY, newSecret: false });
    expect(Object.keys(create.metadata!.content)).to.deep.equal(['fullName', 'contactEmail', 'label', 'samlConfig']);
    expect(create.metadata!.content.samlConfig).to.deep.equal({
      acsUrl: 'https://sp/acs',
      certificate: 'Idp_Cert',
      entityUrl: 'sp-entity',
      samlNameIdFormat: 'Unspecified',
      samlSigningAlgoType: 'SHA1',
      samlSubjectType: 'Username',
    });
    expect(create.fields.map((f) => f.field)).not.to.include('oauthConfig.consumerSecret');
    const same = planConnectedApp({ name: 'Ca', content: create.metadata!.content }, { name: 'Ca', oauth: false, saml }, { consumerKey: KEY, newSecret: false });
    expect(same.action).to.equal('none');
    const upd = planConnectedApp({ name: 'Ca', content: create.metadata!.content }, { name: 'Ca', oauth: false, saml: { ...saml, entityId: 'other' } }, { consumerKey: KEY, newSecret: false });
    expect(upd.fields).to.deep.equal([{ field: 'samlConfig.entityUrl', from: 'sp-entity', to: 'other' }]);
  });
});

describe('SAML details of OAuth apps (app show / app list)', () => {
  it('reads an External Client App\'s ExtlClntAppSamlConfigurablePolicies, leaving out what is not set', () => {
    const app: EcaCurrent = {
      name: 'Wiki',
      app: { fullName: 'Wiki', content: { fullName: 'Wiki', label: 'Wiki' } },
      saml: {
        fullName: 'Wiki_samlPlcy',
        content: { acsUrl: 'https://w/acs', entityUrl: 'https://w', subjectType: 'CustomAttribute', subjectCustomAttribute: 'Employee_Id__c', nameIdFormat: 'Persistent', signingAlgorithmType: 'SHA1', certificate: 'Idp_Cert', issuer: '' },
      },
    };
    expect(describeExternalClientApp(app).saml).to.deep.equal({
      acsUrl: 'https://w/acs',
      entityId: 'https://w',
      subjectType: 'CustomAttribute',
      subjectCustomAttribute: 'Employee_Id__c',
      nameIdFormat: 'Persistent',
      signingAlgorithm: 'SHA1',
      certificate: 'Idp_Cert',
    });
    expect(describeExternalClientApp({ ...app, saml: undefined })).not.to.have.property('saml');
  });

  it('reads a connected app\'s samlConfig with its own field names', () => {
    const saml = { acsUrl: 'https://w/acs', entityUrl: 'https://w', issuer: 'https://acme.my.salesforce.com', samlNameIdFormat: 'EmailAddress', samlSigningAlgoType: 'SHA256', samlSubjectType: 'FederationId', certificate: 'Idp_Cert' };
    expect(connectedAppSamlDetails(saml)).to.deep.equal({
      acsUrl: 'https://w/acs',
      entityId: 'https://w',
      issuer: 'https://acme.my.salesforce.com',
      subjectType: 'FederationId',
      nameIdFormat: 'EmailAddress',
      signingAlgorithm: 'SHA256',
      certificate: 'Idp_Cert',
    });
    expect(describeConnectedApp({ name: 'Sp', content: { label: 'Sp', samlConfig: saml } }).saml?.entityId).to.equal('https://w');
    expect(describeConnectedApp({ name: 'Sp', content: { label: 'Sp' } })).not.to.have.property('saml');
    expect(ecaSamlDetails({})).to.deep.equal({});
  });
});
