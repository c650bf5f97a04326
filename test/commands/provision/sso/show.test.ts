import { createHash, X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import SsoShow from '../../../../src/commands/provision/sso/show.js';
import { orderSamlContent } from '../../../../src/provision/resources/saml-config.js';
import { DEFAULT_SEED } from '../../../emulator/seed.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

const DEMO_SEED = DEFAULT_SEED.replace(/default\.json$/, 'demo.json');

describe('sf provision sso show', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let oktaCert: string;

  beforeEach(async () => {
    t = await setupTestOrg({ seed: DEMO_SEED });
    oktaCert = String(t.emu.components.get('SamlSsoConfig')!.get('Okta')!.content.validationCert);
  });
  afterEach(async () => {
    await t?.close();
  });

  /** Puts Okta on the login page, gives it signing and decryption certificates and an Apex JIT handler. */
  const dressUpOkta = async (): Promise<{ classId: string; adminId: string; signingId: string }> => {
    const classId = t.emu.store.createSystem('ApexClass', {
      Name: 'OktaJitHandler',
      Status: 'Active',
      ApiVersion: 66,
      IsValid: true,
      Body: 'global class OktaJitHandler implements Auth.SamlJitHandler {}',
    }).Id;
    const adminId = t.emu.store.records('User').find((u) => u.Username === 'admin@acme.example.com')!.Id;
    const signing = t.emu.components.get('Certificate')!.get('Okta_Legacy_Signing')!;
    const content = { ...t.emu.components.get('SamlSsoConfig')!.get('Okta')!.content };
    delete content.fullName;
    const ordered: Record<string, unknown> = orderSamlContent('Okta', {
      ...content,
      decryptionCertificate: 'Okta_Legacy_Signing',
      executionUserId: adminId,
      requestSigningCertId: signing.id.slice(0, 15),
      samlJitHandlerId: classId,
    });
    delete ordered.fullName;
    await putComponent(t.emu.metadataContext, 'SamlSsoConfig', 'Okta', ordered);
    const page = t.emu.store.records('AuthConfig').find((r) => r.Type === 'Org')!;
    const record = t.emu.store.records('SamlSsoConfig').find((r) => r.DeveloperName === 'Okta')!;
    t.emu.store.create('AuthConfigProviders', { AuthConfigId: page.Id, AuthProviderId: record.Id });
    return { classId, adminId, signingId: signing.id.slice(0, 15) };
  };

  it('shows the IdP certificate (subject, SHA-256, expiry), JIT, certificates, login page and SP endpoints, changing nothing', async () => {
    const { classId, adminId, signingId } = await dressUpOkta();
    const before = orgFingerprint(t.emu);
    const { result, exitCode, ux } = await runCommand(SsoShow, ['--target-org', 'emu', '--name', 'Okta']);
    expect(exitCode).to.equal(0);
    expect(orgFingerprint(t.emu)).to.equal(before);

    const x509 = new X509Certificate(Buffer.from(oktaCert, 'base64'));
    const sha256 = createHash('sha256')
      .update(Buffer.from(oktaCert, 'base64'))
      .digest('hex')
      .toUpperCase()
      .match(/../g)!
      .join(':');
    expect(result).to.deep.include({ name: 'Okta', label: 'Okta', samlEnabled: true, onLoginPage: true, binding: 'post', samlVersion: 'SAML2_0' });
    expect(result.idpCertificate).to.deep.include({
      subject: 'CN=JumpCloud, O=JumpCloud, C=US',
      issuer: 'CN=JumpCloud, O=JumpCloud, C=US',
      sha256Fingerprint: sha256,
      notAfter: new Date(x509.validTo).toISOString(),
      expired: false,
    });
    expect(result.jit).to.deep.equal({
      enabled: true,
      mode: 'apex',
      handlerId: classId,
      executionUserId: adminId,
      handlerName: 'OktaJitHandler',
      executionUsername: 'admin@acme.example.com',
    });
    expect(result.requestSigningCertificate).to.deep.equal({ id: signingId, name: 'Okta_Legacy_Signing', label: 'Okta Legacy Signing' });
    expect(result.decryptionCertificate).to.deep.equal({ name: 'Okta_Legacy_Signing', label: 'Okta Legacy Signing' });
    expect(result.serviceProvider).to.deep.equal({
      entityId: 'https://acme.my.salesforce.com',
      acsUrl: `${t.emu.instanceUrl}?so=${t.emu.orgId.slice(0, 15)}`,
      sloUrl: `${t.emu.instanceUrl}/services/auth/sp/saml2/logout`,
    });
    expect(result.id?.startsWith('0LE')).to.equal(true);
    expect(result.warnings).to.deep.equal([]);

    const rows = ux.table.args.flatMap((a) => (a[0] as { data: Array<{ setting: string; value: string }> }).data);
    const value = (setting: string): string | undefined => rows.find((r) => r.setting === setting)?.value;
    expect(value('IdP certificate SHA-256')).to.equal(sha256);
    expect(value('IdP certificate subject')).to.equal('CN=JumpCloud, O=JumpCloud, C=US');
    expect(value('User provisioning')).to.equal('on with handler OktaJitHandler');
    expect(value('Execution user')).to.equal('admin@acme.example.com');
    expect(value('Request signing certificate')).to.equal('Okta Legacy Signing (Okta_Legacy_Signing)');
    expect(value('On the login page')).to.equal('yes');
    expect(value('ACS URL (Salesforce login URL)')).to.equal(`${t.emu.instanceUrl}?so=${t.emu.orgId.slice(0, 15)}`);
    expect(value('Entity ID')).to.equal('https://acme.my.salesforce.com');
  });

  it('shows standard JIT, no login-page button and no certificates of the org for the plain demo configuration', async () => {
    const { result } = await runCommand(SsoShow, ['--target-org', 'emu', '--name', 'okta']);
    expect(result.name).to.equal('Okta');
    expect(result.jit).to.deep.equal({ enabled: true, mode: 'standard' });
    expect(result.onLoginPage).to.equal(false);
    expect(result).not.to.have.any.keys('requestSigningCertificate', 'decryptionCertificate');
  });

  it('refuses an unknown name and lists the configurations that exist', async () => {
    const e = await runCommandError(SsoShow, ['--target-org', 'emu', '--name', 'Entra']);
    expect(e.name).to.equal('UnknownConfigError');
    expect(e.message).to.equal('There is no SAML single sign-on configuration named "Entra" in the org. The org has: Okta.');
    expect(e.actions?.join('\n')).to.contain('sf provision sso list');
  });

  it('runs as a subprocess with --json (bin/run.js)', async () => {
    const r = await t.runJson<{ name: string; idpCertificate: { sha256Fingerprint: string }; serviceProvider: { acsUrl: string } }>([
      'provision',
      'sso',
      'show',
      '--name',
      'Okta',
      '--target-org',
      'emu',
    ]);
    expect(r.code).to.equal(0);
    expect(r.json.result.name).to.equal('Okta');
    expect(r.json.result.idpCertificate.sha256Fingerprint).to.match(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(r.json.result.serviceProvider.acsUrl).to.equal(`${t.emu.instanceUrl}?so=${t.emu.orgId.slice(0, 15)}`);
    const bad = await t.runJson(['provision', 'sso', 'show', '--name', 'Nope', '--target-org', 'emu']);
    expect(bad.code).to.equal(1);
    expect(bad.json.name).to.equal('UnknownConfigError');
  });
});
