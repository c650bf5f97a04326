/*
 * The pure parts of Just-in-Time provisioning and of the SAML configuration details, without an org: planJit,
 * the legacy org-level JIT flag, the SCIM-conflict heuristics, the Apex handler check, and the joins and certificate
 * parsing behind `sso list` / `sso show`.
 */
import { expect } from 'chai';
import { SAML_SSO_CONFIG_FIELDS, type SamlSsoConfigContent } from '../../src/provision/resources/saml-config.js';
import {
  implementsSamlJitHandler,
  jitStateOf,
  pickApexClass,
  planJit,
  planLegacyJitSetting,
  provisioningConflicts,
} from '../../src/provision/resources/jit.js';
import { sameId, soqlString } from '../../src/provision/resources/values.js';
import {
  describeIdpCertificate,
  jitLabel,
  toSamlConfigDetails,
  toSamlConfigSummary,
  type Lookups,
} from '../../src/provision/resources/saml-details.js';
import { generateSelfSigned } from '../emulator/metadata/components.js';
import { derBase64 } from '../emulator/metadata/harness.js';

const HANDLER = '01p5g00000AbCdEAAZ';
const USER = '0055g00000XyZabAAB';

const okta = (extra: Partial<SamlSsoConfigContent> = {}): SamlSsoConfigContent => ({
  fullName: 'Okta',
  identityLocation: 'SubjectNameId',
  identityMapping: 'FederationId',
  issuer: 'http://www.okta.com/exk1',
  loginUrl: 'https://acme.okta.com/sso',
  name: 'Okta',
  redirectBinding: false,
  samlEntityId: 'https://acme.my.salesforce.com',
  samlVersion: 'SAML2_0',
  validationCert: 'MIIB',
  ...extra,
});

/** The keys of a content object must follow the WSDL's sequence. */
const inWsdlOrder = (content: Record<string, unknown>): boolean => {
  const keys = Object.keys(content).filter((k) => k !== 'fullName');
  const idx = keys.map((k) => (SAML_SSO_CONFIG_FIELDS as readonly string[]).indexOf(k));
  return idx.every((i, n) => i >= 0 && (n === 0 || i > idx[n - 1]));
};

describe('planJit', () => {
  it('turns standard JIT on: one field, the full configuration written back in WSDL order', () => {
    const c = planJit(okta(), { enabled: true });
    expect(c).to.deep.include({ resource: 'SamlSsoConfig', name: 'Okta', action: 'update', status: 'planned' });
    expect(c.fields).to.deep.equal([{ field: 'userProvisioning', from: false, to: true }]);
    expect(c.metadata?.type).to.equal('SamlSsoConfig');
    expect(c.metadata?.content).to.deep.include({ fullName: 'Okta', issuer: 'http://www.okta.com/exk1', validationCert: 'MIIB', userProvisioning: true });
    expect(Object.keys(c.metadata!.content)[0]).to.equal('fullName');
    expect(inWsdlOrder(c.metadata!.content)).to.equal(true);
  });

  it('plans no change when JIT is already as wanted (and keeps the ids the org has in their 15-character form)', () => {
    expect(planJit(okta({ userProvisioning: true }), { enabled: true })).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    const apex = okta({ userProvisioning: true, samlJitHandlerId: HANDLER.slice(0, 15), executionUserId: USER.slice(0, 15) });
    const c = planJit(apex, { enabled: true, handlerId: HANDLER, executionUserId: USER });
    expect(c.action).to.equal('none');
    expect(c.metadata?.content).to.include({ samlJitHandlerId: HANDLER.slice(0, 15), executionUserId: USER.slice(0, 15) });
    expect(planJit(okta(), { enabled: false })).to.deep.include({ action: 'none', fields: [] });
  });

  it('sets an Apex handler and its execution user, in WSDL order', () => {
    const c = planJit(okta({ userProvisioning: true }), { enabled: true, handlerId: HANDLER, executionUserId: USER });
    expect(c.fields).to.deep.equal([
      { field: 'samlJitHandlerId', from: undefined, to: HANDLER },
      { field: 'executionUserId', from: undefined, to: USER },
    ]);
    const keys = Object.keys(c.metadata!.content);
    expect(keys.indexOf('executionUserId')).to.be.lessThan(keys.indexOf('samlJitHandlerId'));
    expect(keys.indexOf('samlJitHandlerId')).to.be.lessThan(keys.indexOf('userProvisioning'));
    expect(inWsdlOrder(c.metadata!.content)).to.equal(true);
  });

  it('switching from an Apex handler to standard JIT clears the handler, with a note', () => {
    const c = planJit(okta({ userProvisioning: true, samlJitHandlerId: HANDLER, executionUserId: USER }), { enabled: true });
    expect(c.fields.map((f) => [f.field, f.to])).to.deep.equal([
      ['samlJitHandlerId', undefined],
      ['executionUserId', undefined],
    ]);
    expect(c.note).to.match(/standard provisioning/);
    expect(c.metadata?.content).not.to.have.any.keys('samlJitHandlerId', 'executionUserId');
  });

  it('disabling turns userProvisioning off and clears the handler; other fields are kept', () => {
    const c = planJit(okta({ errorUrl: 'https://x/err', userProvisioning: true, samlJitHandlerId: HANDLER, executionUserId: USER }), { enabled: false });
    expect(c.fields.map((f) => f.field)).to.deep.equal(['userProvisioning', 'samlJitHandlerId', 'executionUserId']);
    expect(c.metadata?.content).to.include({ userProvisioning: false, errorUrl: 'https://x/err' });
    expect(c.metadata?.content).not.to.have.any.keys('samlJitHandlerId', 'executionUserId');
  });

  it('refuses a handler without an execution user (the platform needs both)', () => {
    expect(() => planJit(okta(), { enabled: true, handlerId: HANDLER })).to.throw(/execution user/);
  });

  it('reads the JIT state of a configuration', () => {
    expect(jitStateOf(okta())).to.deep.equal({ enabled: false, mode: 'off' });
    expect(jitStateOf(okta({ userProvisioning: true }))).to.deep.equal({ enabled: true, mode: 'standard' });
    expect(jitStateOf(okta({ userProvisioning: true, samlJitHandlerId: HANDLER, executionUserId: USER }))).to.deep.equal({
      enabled: true,
      mode: 'apex',
      handlerId: HANDLER,
      executionUserId: USER,
    });
  });
});

describe('planLegacyJitSetting', () => {
  const sso = (multiple: boolean, jit: boolean): Record<string, boolean> => ({
    enableCaseInsensitiveFederationID: false,
    enableForceDelegatedCallout: false,
    enableMultipleSamlConfigs: multiple,
    enableSamlJitProvisioning: jit,
    enableSamlLogin: true,
    isLoginWithSalesforceCredentialsDisabled: false,
  });

  it('plans nothing for orgs with multiple SAML configurations (JIT is per configuration)', () => {
    expect(planLegacyJitSetting(sso(true, false), true)).to.equal(undefined);
    expect(planLegacyJitSetting(sso(true, true), false)).to.equal(undefined);
  });

  it('plans the org-wide flag for orgs on the single legacy configuration, keeping the other settings', () => {
    const c = planLegacyJitSetting(sso(false, false), true)!;
    expect(c).to.deep.include({ resource: 'SecuritySettings', name: 'Security', action: 'update' });
    expect(c.fields).to.deep.equal([{ field: 'singleSignOnSettings.enableSamlJitProvisioning', from: false, to: true }]);
    expect((c.metadata?.content.singleSignOnSettings as Record<string, boolean>).enableSamlLogin).to.equal(true);
    expect(c.note).to.match(/legacy/);
    expect(planLegacyJitSetting(sso(false, true), true)?.action).to.equal('none');
    expect(planLegacyJitSetting(sso(false, true), false)?.fields).to.deep.equal([
      { field: 'singleSignOnSettings.enableSamlJitProvisioning', from: true, to: false },
    ]);
  });
});

describe('JIT helpers', () => {
  it('compares ids on their first 15 characters', () => {
    expect(sameId(HANDLER, HANDLER.slice(0, 15))).to.equal(true);
    expect(sameId(HANDLER, '01p5g00000AbCdFAAZ')).to.equal(false);
    expect(sameId(undefined, undefined)).to.equal(true);
    expect(sameId(HANDLER, undefined)).to.equal(false);
  });

  it('quotes SOQL strings', () => {
    expect(soqlString("o'brien\\x")).to.equal("'o\\'brien\\\\x'");
  });

  it('recognises a class that implements Auth.SamlJitHandler, and cannot tell for hidden bodies', () => {
    expect(implementsSamlJitHandler('global class H implements Auth.SamlJitHandler { }')).to.equal(true);
    expect(implementsSamlJitHandler('global with sharing class H implements Foo, auth . SamlJitHandler {}')).to.equal(true);
    expect(implementsSamlJitHandler('public class H { /* implements Auth.SamlJitHandler */ }')).to.equal(false);
    expect(implementsSamlJitHandler('public class H {} // Auth.SamlJitHandler')).to.equal(false);
    expect(implementsSamlJitHandler('(hidden)')).to.equal(undefined);
    expect(implementsSamlJitHandler(undefined)).to.equal(undefined);
  });

  it('picks the class without a namespace, else the only match', () => {
    const local = { id: '01pA', name: 'H' };
    const managed = { id: '01pB', name: 'H', namespace: 'ns' };
    expect(pickApexClass([managed, local])).to.equal(local);
    expect(pickApexClass([managed])).to.equal(managed);
    expect(pickApexClass([managed, { ...managed, id: '01pC', namespace: 'other' }])).to.equal(undefined);
    expect(pickApexClass([])).to.equal(undefined);
  });

  it('flags OAuth apps that look like API/SCIM provisioning', () => {
    const conflicts = provisioningConflicts([
      { name: 'PingOne_Provisioning', type: 'ExternalClientApplication', label: 'PingOne Provisioning', clientCredentials: false },
      { name: 'Okta_Api', type: 'ConnectedApp', label: 'Okta SCIM connector', clientCredentials: false },
      { name: 'Integration', type: 'ExternalClientApplication', clientCredentials: true, runAsUser: 'scim@acme.com' },
      { name: 'Mobile', type: 'ConnectedApp', clientCredentials: true },
      { name: 'Dashboard', type: 'ExternalClientApplication', label: 'Dashboard', clientCredentials: false },
    ]);
    expect(conflicts.map((c) => c.name)).to.deep.equal(['PingOne_Provisioning', 'Okta_Api', 'Integration']);
    expect(conflicts[0].reason).to.equal('its name or label mentions "provision"');
    expect(conflicts[1].reason).to.equal('its name or label mentions "scim"');
    expect(conflicts[2].reason).to.equal('it lets a server log in with the client credentials flow as scim@acme.com');
  });
});

describe('SAML configuration details', () => {
  let cert: string;
  const now = new Date();

  before(async () => {
    cert = derBase64((await generateSelfSigned('00D000000000001', 'idp.example.com', 2048, new Date(now.getTime() + 45 * 86_400_000))).pem);
  });

  const lookups = (extra: Partial<Lookups> = {}): Lookups => ({
    certificates: [
      { id: '0P15g0000000001AAA', name: 'SP_Signing', label: 'SP Signing', exportable: false, caSigned: false },
      { id: '0P15g0000000002AAA', name: 'Decrypt', label: 'Assertion Decryption', exportable: false, caSigned: false },
    ],
    apexClasses: [{ id: HANDLER, name: 'OktaJitHandler' }],
    users: [{ id: USER, username: 'jit.admin@acme.com' }],
    recordIds: [{ id: '0LE5g0000000001AAA', name: 'Okta' }],
    loginPageProviderIds: ['0LE5g0000000001AAA'],
    instanceUrl: 'https://acme.my.salesforce.com',
    orgId: '00D5g000001ABCDEAA',
    ...extra,
  });

  it('describes the identity provider certificate: subject, SHA-256 fingerprint, expiry and days left', () => {
    const { certificate, error } = describeIdpCertificate(cert, now);
    expect(error).to.equal(undefined);
    expect(certificate?.subject).to.match(/^CN=idp\.example\.com, OU=00D000000000001/);
    expect(certificate?.sha256Fingerprint).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(certificate?.daysLeft).to.be.within(44, 45);
    expect(certificate?.expired).to.equal(false);
    expect(describeIdpCertificate('bm90IGEgY2VydA==', now).error).to.match(/not a readable X\.509 certificate/);
    expect(describeIdpCertificate(undefined, now).error).to.match(/no identity provider certificate/);
  });

  it('joins a configuration with the names behind its ids, the login page and the SP endpoints', () => {
    const d = toSamlConfigDetails(
      okta({
        validationCert: cert,
        requestSigningCertId: '0P15g0000000001',
        decryptionCertificate: 'Decrypt',
        userProvisioning: true,
        samlJitHandlerId: HANDLER.slice(0, 15),
        executionUserId: USER,
      }),
      lookups(),
      now
    );
    expect(d).to.deep.include({ name: 'Okta', label: 'Okta', id: '0LE5g0000000001AAA', onLoginPage: true, binding: 'post' });
    expect(d.jit).to.deep.equal({
      enabled: true,
      mode: 'apex',
      handlerId: HANDLER.slice(0, 15),
      executionUserId: USER,
      handlerName: 'OktaJitHandler',
      executionUsername: 'jit.admin@acme.com',
    });
    expect(d.requestSigningCertificate).to.deep.equal({ id: '0P15g0000000001', name: 'SP_Signing', label: 'SP Signing' });
    expect(d.decryptionCertificate).to.deep.equal({ name: 'Decrypt', label: 'Assertion Decryption' });
    expect(d.serviceProvider).to.deep.equal({
      entityId: 'https://acme.my.salesforce.com',
      acsUrl: 'https://acme.my.salesforce.com?so=00D5g000001ABCD',
      sloUrl: 'https://acme.my.salesforce.com/services/auth/sp/saml2/logout',
    });
    expect(d.idpCertificate?.subject).to.match(/idp\.example\.com/);
    expect(jitLabel(d.jit)).to.equal('on with handler OktaJitHandler');
    expect(toSamlConfigSummary(d)).to.deep.include({ jit: 'on with handler OktaJitHandler', jitHandler: 'OktaJitHandler', requestSigningCertificate: 'SP Signing' });
  });

  it('reports a configuration that is not on the login page, has no certificates and JIT off', () => {
    const d = toSamlConfigDetails(okta({ validationCert: cert }), lookups({ loginPageProviderIds: [] }), now);
    expect(d.onLoginPage).to.equal(false);
    expect(d.requestSigningCertificate).to.equal(undefined);
    expect(d.decryptionCertificate).to.equal(undefined);
    expect(jitLabel(d.jit)).to.equal('off');
    expect(jitLabel({ enabled: true, mode: 'standard' })).to.equal('on');
    expect(toSamlConfigSummary(d)).not.to.have.any.keys('jitHandler', 'requestSigningCertificate');
  });
});
