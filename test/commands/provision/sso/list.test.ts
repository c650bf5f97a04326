import { expect } from 'chai';
import SsoList from '../../../../src/commands/provision/sso/list.js';
import { DEFAULT_SEED } from '../../../emulator/seed.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { generateSelfSigned } from '../../../emulator/metadata/components.js';
import { derBase64 } from '../../../emulator/metadata/harness.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand } from '../../../helpers/plan.js';

const DEMO_SEED = DEFAULT_SEED.replace(/default\.json$/, 'demo.json');

describe('sf provision sso list', function () {
  this.timeout(120_000);
  let t: TestOrg;

  afterEach(async () => {
    await t?.close();
  });

  describe('in the demo org', () => {
    let classId: string;

    beforeEach(async () => {
      t = await setupTestOrg({ seed: DEMO_SEED });
      // A second configuration: Apex JIT handler, request signing with an org certificate, an IdP certificate that expires soon.
      classId = t.emu.store.createSystem('ApexClass', {
        Name: 'EntraJitHandler',
        Status: 'Active',
        ApiVersion: 66,
        IsValid: true,
        Body: 'global class EntraJitHandler implements Auth.SamlJitHandler {}',
      }).Id;
      const admin = t.emu.store.records('User').find((u) => u.Username === 'admin@acme.example.com')!;
      const signing = t.emu.components.get('Certificate')!.get('Okta_Legacy_Signing')!;
      const soon = derBase64((await generateSelfSigned('00Dother', 'sts.windows.net', 2048, new Date(Date.now() + 10 * 86_400_000 + 3_600_000))).pem);
      await putComponent(t.emu.metadataContext, 'SamlSsoConfig', 'Entra', {
        attributeName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
        executionUserId: admin.Id,
        identityLocation: 'Attribute',
        identityMapping: 'Username',
        issuer: 'https://sts.windows.net/acme/',
        loginUrl: 'https://login.microsoftonline.com/acme/saml2',
        name: 'Entra ID',
        requestSigningCertId: signing.id.slice(0, 15),
        samlEntityId: 'https://acme.my.salesforce.com',
        samlJitHandlerId: classId,
        samlVersion: 'SAML2_0',
        userProvisioning: true,
        validationCert: soon,
      });
    });

    it('lists each configuration with JIT, the request-signing certificate and the IdP certificate expiry, changing nothing', async () => {
      const before = orgFingerprint(t.emu);
      const { result, ux, exitCode } = await runCommand(SsoList, ['--target-org', 'emu']);
      expect(exitCode).to.equal(0);
      expect(orgFingerprint(t.emu)).to.equal(before);
      expect(result.samlEnabled).to.equal(true);
      expect(result.configs.map((c) => c.name)).to.deep.equal(['Entra', 'Okta']);
      const [entra, okta] = result.configs;
      expect(entra).to.deep.include({
        label: 'Entra ID',
        issuer: 'https://sts.windows.net/acme/',
        loginUrl: 'https://login.microsoftonline.com/acme/saml2',
        identityMapping: 'Username',
        identityLocation: 'Attribute',
        jit: 'on with handler EntraJitHandler',
        jitEnabled: true,
        jitHandler: 'EntraJitHandler',
        requestSigningCertificate: 'Okta Legacy Signing',
        idpCertificateDaysLeft: 10,
      });
      expect(okta).to.deep.include({ label: 'Okta', jit: 'on', jitEnabled: true, identityMapping: 'FederationId', identityLocation: 'SubjectNameId' });
      expect(okta.idpCertificateExpires).to.equal('2036-11-19T14:25:03.000Z');
      expect(okta).not.to.have.any.keys('jitHandler', 'requestSigningCertificate');

      const table = ux.table.args[0][0] as { data: Array<Record<string, unknown>> };
      expect(table.data[0]).to.deep.include({ name: 'Entra', jit: 'on with handler EntraJitHandler', requestSigning: 'Okta Legacy Signing', daysLeft: 10 });
      expect(table.data[1]).to.deep.include({ name: 'Okta', jit: 'on', idpCertExpires: '2036-11-19', identity: 'FederationId in SubjectNameId' });
      expect(ux.log.args.flat().join('\n')).to.contain('SAML single sign-on is enabled for the org.');
      expect(result.warnings).to.deep.equal([
        `The identity provider certificate of "Entra" expires in 10 days (${entra.idpCertificateExpires!.slice(0, 10)}). Get the new certificate from the identity provider before then and update the configuration.`,
      ]);
    });

    it('says JIT is off and that SAML is disabled', async () => {
      await putComponent(t.emu.metadataContext, 'SecuritySettings', 'Security', { singleSignOnSettings: { enableSamlLogin: false } });
      const okta: Record<string, unknown> = { ...t.emu.components.get('SamlSsoConfig')!.get('Okta')!.content, userProvisioning: false };
      delete okta.fullName;
      await putComponent(t.emu.metadataContext, 'SamlSsoConfig', 'Okta', okta);
      const { result, output } = await runCommand(SsoList, ['--target-org', 'emu']);
      expect(result.samlEnabled).to.equal(false);
      expect(result.configs.find((c) => c.name === 'Okta')).to.deep.include({ jit: 'off', jitEnabled: false });
      expect(output).to.contain('SAML single sign-on is disabled for the org');
    });

    it('runs as a subprocess with --json (bin/run.js)', async () => {
      const r = await t.runJson<{ samlEnabled: boolean; configs: Array<{ name: string; jit: string }> }>(['provision', 'sso', 'list', '--target-org', 'emu']);
      expect(r.code).to.equal(0);
      expect(r.json.result.samlEnabled).to.equal(true);
      expect(r.json.result.configs.map((c) => [c.name, c.jit])).to.deep.equal([
        ['Entra', 'on with handler EntraJitHandler'],
        ['Okta', 'on'],
      ]);
      expect(r.json.warnings?.join('\n')).to.contain('expires in 10 days');
    });
  });

  it('says so when the org has no SAML configuration', async () => {
    t = await setupTestOrg();
    const { result, output, ux } = await runCommand(SsoList, ['--target-org', 'emu']);
    expect(result).to.deep.equal({ samlEnabled: false, configs: [], warnings: [] });
    expect(output).to.contain('The org has no SAML single sign-on configurations. Create one with "sf provision sso configure".');
    expect(ux.table.called).to.equal(false);
  });
});
