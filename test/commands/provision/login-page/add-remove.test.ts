import { expect } from 'chai';
import LoginPageAdd from '../../../../src/commands/provision/login-page/add.js';
import LoginPageRemove from '../../../../src/commands/provision/login-page/remove.js';
import { DEFAULT_SEED } from '../../../emulator/seed.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

const DEMO_SEED = DEFAULT_SEED.replace(/default\.json$/, 'demo.json');

/** The My Domain login page and the SAML configurations on it, straight from the emulated org. */
const loginPage = (t: TestOrg): { saml: boolean; providers: string[] } => {
  const page = t.emu.store.records('AuthConfig').find((r) => r.Type === 'Org')!;
  const names = t.emu.store
    .records('AuthConfigProviders')
    .filter((p) => p.AuthConfigId === page.Id)
    .map((p) => String(t.emu.store.byId(String(p.AuthProviderId))?.record.DeveloperName));
  return { saml: page.AuthOptionsSaml === true, providers: names.sort() };
};

const SETUP_STEP = 'Setup > My Domain > Authentication Configuration > Edit > Authentication Service';

describe('sf provision login-page add | remove', function () {
  this.timeout(120_000);
  let t: TestOrg;

  afterEach(async () => {
    await t?.close();
  });

  describe('in an org with SAML on and an Okta configuration', () => {
    beforeEach(async () => {
      t = await setupTestOrg({ seed: DEMO_SEED });
    });

    it('plans the button without changing the org under --dry-run', async () => {
      const before = orgFingerprint(t.emu);
      const { result, exitCode, output } = await runCommand(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta', '--dry-run']);
      expect(exitCode).to.equal(0);
      expect(result).to.deep.include({ dryRun: true, changed: true });
      expect(result.changes).to.have.length(1);
      expect(result.changes[0]).to.deep.include({ resource: 'AuthConfigProviders', name: 'Okta', action: 'create', status: 'planned' });
      expect(result.loginPage).to.deep.include({ loginForm: true, samlEnabled: true, providers: ['Okta'], name: 'My_Domain_Login' });
      expect(output).to.contain('Dry run');
      // Okta is not on the page yet: the list says it is what the page would show.
      expect(output).to.contain('Identity providers on the login page My Domain Login after this plan: Okta');
      expect(output).not.to.contain('Identity providers on the login page My Domain Login: Okta');
      expect(orgFingerprint(t.emu)).to.equal(before);
      expect(loginPage(t).providers).to.deep.equal([]);
    });

    it('adds the button, reports the login form with its Setup step, and a second run changes nothing', async () => {
      const first = await runCommand(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta']);
      expect(first.exitCode).to.equal(0);
      expect(first.result.changed).to.equal(true);
      expect(first.result.changes[0]).to.deep.include({ action: 'create', status: 'applied' });
      expect(loginPage(t)).to.deep.equal({ saml: true, providers: ['Okta'] });
      expect(first.result.loginPage).to.deep.include({ loginForm: true, providers: ['Okta'] });
      expect(first.output).to.contain('Identity providers on the login page My Domain Login: Okta');
      expect(first.output).to.contain('Username and password form on the login page: shown');
      expect(first.output).to.contain(SETUP_STEP);
      expect(first.output).to.contain('"Login Form"');
      expect(first.ux.warn.called).to.equal(false);

      const after = orgFingerprint(t.emu);
      const second = await runCommand(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta']);
      expect(second.result.changed).to.equal(false);
      expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
      expect(second.output).to.contain('No changes');
      expect(orgFingerprint(t.emu)).to.equal(after);
    });

    it('removes the button; a second run and a dry run change nothing', async () => {
      await runCommand(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta']);

      const before = orgFingerprint(t.emu);
      const dry = await runCommand(LoginPageRemove, ['--target-org', 'emu', '--sso', 'Okta', '--dry-run']);
      expect(dry.result.changes[0]).to.deep.include({ action: 'delete', status: 'planned' });
      expect(dry.result.loginPage.providers).to.deep.equal([]);
      expect(dry.output).to.contain('Identity providers on the login page My Domain Login after this plan: none');
      expect(orgFingerprint(t.emu)).to.equal(before);

      const removed = await runCommand(LoginPageRemove, ['--target-org', 'emu', '--sso', 'Okta']);
      expect(removed.exitCode).to.equal(0);
      expect(removed.result.changes[0]).to.deep.include({ action: 'delete', status: 'applied' });
      expect(loginPage(t)).to.deep.equal({ saml: false, providers: [] });
      expect(removed.output).to.contain('Identity providers on the login page My Domain Login: none');

      const after = orgFingerprint(t.emu);
      const again = await runCommand(LoginPageRemove, ['--target-org', 'emu', '--sso', 'Okta']);
      expect(again.result.changed).to.equal(false);
      expect(again.result.changes[0].note).to.contain('not on the login page');
      expect(orgFingerprint(t.emu)).to.equal(after);
    });

    it('accepts the configuration label and keeps other buttons', async () => {
      const cert = String(t.emu.components.get('SamlSsoConfig')?.get('Okta')?.content.validationCert);
      await putComponent(t.emu.metadataContext, 'SamlSsoConfig', 'Entra_ID', {
        identityLocation: 'SubjectNameId',
        identityMapping: 'FederationId',
        issuer: 'https://sts.windows.net/tenant/',
        loginUrl: 'https://login.microsoftonline.com/tenant/saml2',
        name: 'Microsoft Entra',
        samlEntityId: 'https://acme.my.salesforce.com',
        samlVersion: 'SAML2_0',
        validationCert: cert,
      });
      await runCommand(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta']);
      const { result } = await runCommand(LoginPageAdd, ['--target-org', 'emu', '--sso', 'microsoft entra']);
      expect(result.changes[0]).to.deep.include({ name: 'Entra_ID', status: 'applied' });
      expect(result.loginPage.providers).to.deep.equal(['Entra_ID', 'Okta']);
      await runCommand(LoginPageRemove, ['--target-org', 'emu', '--sso', 'okta']);
      expect(loginPage(t).providers).to.deep.equal(['Entra_ID']);
    });

    it('warns when the last button goes while the login form is hidden', async () => {
      await runCommand(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta']);
      const page = t.emu.store.records('AuthConfig').find((r) => r.Type === 'Org')!;
      // Only Setup can hide the form: do what Setup would.
      t.emu.store.patchSystem('AuthConfig', page.Id, { AuthOptionsUsernamePassword: false });
      const { result, ux, output } = await runCommand(LoginPageRemove, ['--target-org', 'emu', '--sso', 'Okta']);
      expect(result.loginPage.loginForm).to.equal(false);
      expect(output).to.contain('Username and password form on the login page: hidden');
      expect(ux.warn.args.flat().join('\n')).to.match(/shows neither the username and password form nor an identity provider/);
    });

    it('names the configurations that exist when --sso matches none', async () => {
      const before = orgFingerprint(t.emu);
      const err = await runCommandError(LoginPageAdd, ['--target-org', 'emu', '--sso', 'PingOne']);
      expect(err.name).to.equal('UnknownSsoError');
      expect(err.message).to.contain('"PingOne"');
      expect(err.message).to.contain('Configurations in the org: Okta.');
      expect(err.actions?.join('\n')).to.contain('sf provision sso configure');
      expect(orgFingerprint(t.emu)).to.equal(before);
    });

    it('has no --output-dir: the login page is records, not metadata', async () => {
      const err = await runCommandError(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta', '--output-dir', 'out']);
      expect(err.message).to.match(/Nonexistent flag: --output-dir/);
    });

    it('explains an org without a My Domain login page', async () => {
      const page = t.emu.store.records('AuthConfig').find((r) => r.Type === 'Org')!;
      t.emu.store.removeSystem('AuthConfig', page.Id);
      const err = await runCommandError(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta']);
      expect(err.name).to.equal('NoLoginPageError');
      expect(err.actions?.join('\n')).to.contain('Setup > My Domain');
    });

    it('runs as a subprocess with --json (bin/run.js)', async () => {
      const add = await t.runJson<{ changed: boolean; loginPage: { providers: string[] } }>(['provision', 'login-page', 'add', '--target-org', 'emu', '--sso', 'Okta']);
      expect(add.code).to.equal(0);
      expect(add.json.result.changed).to.equal(true);
      expect(add.json.result.loginPage.providers).to.deep.equal(['Okta']);
      expect(loginPage(t).providers).to.deep.equal(['Okta']);
      const remove = await t.runJson<{ changed: boolean }>(['provision', 'login-page', 'remove', '--target-org', 'emu', '--sso', 'Okta']);
      expect(remove.code).to.equal(0);
      expect(remove.json.result.changed).to.equal(true);
      expect(loginPage(t).providers).to.deep.equal([]);
    });
  });

  describe('in an org with SAML off', () => {
    beforeEach(async () => {
      t = await setupTestOrg();
    });

    it('says there are no SAML configurations to put on the page', async () => {
      const err = await runCommandError(LoginPageAdd, ['--target-org', 'emu', '--sso', 'Okta']);
      expect(err.name).to.equal('NoSsoConfigsError');
    });

    it('adds the button but warns that it shows only once SAML is on', async () => {
      await putComponent(t.emu.metadataContext, 'Certificate', 'Unused', { caSigned: false, keySize: 2048, masterLabel: 'Unused', privateKeyExportable: false });
      const pem = t.emu.components.get('Certificate')?.get('Unused')?.body?.toString('utf8') ?? '';
      await putComponent(t.emu.metadataContext, 'SamlSsoConfig', 'JumpCloud', {
        identityLocation: 'SubjectNameId',
        identityMapping: 'FederationId',
        issuer: 'JumpCloud',
        loginUrl: 'https://sso.jumpcloud.com/saml2/salesforce',
        name: 'JumpCloud',
        samlEntityId: 'https://acme.my.salesforce.com',
        samlVersion: 'SAML2_0',
        validationCert: pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''),
      });
      const { result, ux } = await runCommand(LoginPageAdd, ['--target-org', 'emu', '--sso', 'JumpCloud']);
      expect(result.changes[0].status).to.equal('applied');
      expect(result.loginPage.samlEnabled).to.equal(false);
      expect(loginPage(t)).to.deep.equal({ saml: false, providers: ['JumpCloud'] });
      const warnings = ux.warn.args.flat().join('\n');
      expect(warnings).to.contain('SAML single sign-on is off');
      expect(warnings).to.contain('sf provision sso enable');
    });
  });
});
