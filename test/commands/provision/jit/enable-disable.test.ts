import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import JitEnable from '../../../../src/commands/provision/jit/enable.js';
import JitDisable from '../../../../src/commands/provision/jit/disable.js';
import { DEFAULT_SEED } from '../../../emulator/seed.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';

const DEMO_SEED = DEFAULT_SEED.replace(/default\.json$/, 'demo.json');
const ADMIN = 'admin@acme.example.com';

/** A SAML configuration as the emulated org holds it. */
const saml = (t: TestOrg, name: string): Record<string, unknown> => t.emu.components.get('SamlSsoConfig')?.get(name)?.content ?? {};
/** The SamlSsoConfig record the Metadata API keeps in step (what SOQL reads). */
const samlRecord = (t: TestOrg, name: string): Record<string, unknown> =>
  t.emu.store.records('SamlSsoConfig').find((r) => r.DeveloperName === name) ?? {};

/** Adds an "Entra" configuration without JIT, next to the demo seed's "Okta" (JIT on). */
const addEntra = async (t: TestOrg): Promise<void> => {
  await putComponent(t.emu.metadataContext, 'SamlSsoConfig', 'Entra', {
    identityLocation: 'SubjectNameId',
    identityMapping: 'FederationId',
    issuer: 'https://sts.windows.net/acme/',
    loginUrl: 'https://login.microsoftonline.com/acme/saml2',
    name: 'Entra ID',
    redirectBinding: false,
    samlEntityId: 'https://acme.my.salesforce.com',
    samlVersion: 'SAML2_0',
    validationCert: saml(t, 'Okta').validationCert,
  });
};

const addHandler = (t: TestOrg, name: string, body: string): string =>
  t.emu.store.createSystem('ApexClass', { Name: name, Status: 'Active', ApiVersion: 66, IsValid: true, Body: body }).Id;

const userId = (t: TestOrg, username: string): string => String(t.emu.store.records('User').find((u) => u.Username === username)?.Id);

const HANDLER_BODY = `global class EntraJitHandler implements Auth.SamlJitHandler {
  global User createUser(Id samlSsoProviderId, Id communityId, Id portalId, String federationId, Map<String, String> attributes, String assertion) { return null; }
  global void updateUser(Id userId, Id samlSsoProviderId, Id communityId, Id portalId, String federationId, Map<String, String> attributes, String assertion) {}
}`;

describe('sf provision jit enable | disable', function () {
  this.timeout(120_000);
  let t: TestOrg;

  afterEach(async () => {
    await t?.close();
  });

  describe('in the demo org (Okta with JIT on, a PingOne provisioning app)', () => {
    beforeEach(async () => {
      t = await setupTestOrg({ seed: DEMO_SEED });
      await addEntra(t);
    });

    it('plans standard JIT without changing the org under --dry-run, and warns about the provisioning app', async () => {
      const before = orgFingerprint(t.emu);
      const { result, exitCode, output, ux } = await runCommand(JitEnable, ['--target-org', 'emu', '--name', 'Entra', '--dry-run']);
      expect(exitCode).to.equal(0);
      expect(result).to.deep.include({ dryRun: true, changed: true });
      expect(result.changes).to.have.length(1);
      expect(result.changes[0]).to.deep.include({ resource: 'SamlSsoConfig', name: 'Entra', action: 'update', status: 'planned' });
      expect(result.changes[0].fields).to.deep.equal([{ field: 'userProvisioning', from: false, to: true }]);
      expect(output).to.contain('Dry run');
      expect(orgFingerprint(t.emu)).to.equal(before);
      expect(saml(t, 'Entra').userProvisioning).to.equal(undefined);

      expect(result.provisioningApps).to.have.length(1);
      expect(result.provisioningApps[0]).to.deep.include({ name: 'PingOne_Provisioning', type: 'ExternalClientApplication', label: 'PingOne Provisioning' });
      const warning = result.warnings.find((w) => w.includes('PingOne_Provisioning'));
      expect(warning).to.contain('External Client App "PingOne_Provisioning" (PingOne Provisioning) looks like API/SCIM user provisioning');
      expect(warning).to.contain('mentions "provision"');
      expect(warning).to.contain('sf provision jit disable --name Entra');
      expect(ux.warn.args.flat().join('\n')).to.contain('PingOne_Provisioning');
    });

    it('turns standard JIT on, keeps the rest of the configuration, and a second run changes nothing', async () => {
      const first = await runCommand(JitEnable, ['--target-org', 'emu', '--name', 'Entra']);
      expect(first.exitCode).to.equal(0);
      expect(first.result.changed).to.equal(true);
      expect(first.result.changes[0]).to.deep.include({ action: 'update', status: 'applied' });
      expect(saml(t, 'Entra')).to.include({ userProvisioning: true, issuer: 'https://sts.windows.net/acme/', name: 'Entra ID' });
      expect(samlRecord(t, 'Entra').OptionsUserProvisioning).to.equal(true);

      const after = orgFingerprint(t.emu);
      const second = await runCommand(JitEnable, ['--target-org', 'emu', '--name', 'Entra']);
      expect(second.result.changed).to.equal(false);
      expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
      expect(second.output).to.contain('No changes');
      expect(orgFingerprint(t.emu)).to.equal(after);
    });

    it('turns JIT off (Okta), and a second run changes nothing', async () => {
      const before = orgFingerprint(t.emu);
      const dry = await runCommand(JitDisable, ['--target-org', 'emu', '--name', 'Okta', '--dry-run']);
      expect(dry.result.changes[0].fields).to.deep.equal([{ field: 'userProvisioning', from: true, to: false }]);
      expect(orgFingerprint(t.emu)).to.equal(before);

      const off = await runCommand(JitDisable, ['--target-org', 'emu', '--name', 'Okta']);
      expect(off.exitCode).to.equal(0);
      expect(off.result.changes[0]).to.deep.include({ action: 'update', status: 'applied' });
      expect(saml(t, 'Okta').userProvisioning).to.equal(false);
      expect(saml(t, 'Okta').issuer).to.equal('http://www.okta.com/exk1acme');
      const again = await runCommand(JitDisable, ['--target-org', 'emu', '--name', 'Okta']);
      expect(again.result.changed).to.equal(false);
      expect(again.output).to.contain('No changes');
    });

    it('sets an Apex handler with its execution user, switches back to standard JIT, then turns JIT off', async () => {
      const classId = addHandler(t, 'EntraJitHandler', HANDLER_BODY);
      const adminId = userId(t, ADMIN);
      const args = ['--target-org', 'emu', '--name', 'Entra', '--handler', 'EntraJitHandler', '--execution-user', ADMIN];
      const first = await runCommand(JitEnable, args);
      expect(first.exitCode).to.equal(0);
      expect(first.result.changes[0].fields).to.deep.equal([
        { field: 'userProvisioning', from: false, to: true },
        { field: 'samlJitHandlerId', from: undefined, to: classId },
        { field: 'executionUserId', from: undefined, to: adminId },
      ]);
      expect(first.result.warnings.some((w) => w.includes('Auth.SamlJitHandler'))).to.equal(false);
      expect(saml(t, 'Entra')).to.include({ userProvisioning: true, samlJitHandlerId: classId, executionUserId: adminId });
      expect(samlRecord(t, 'Entra')).to.include({ SamlJitHandlerId: classId, ExecutionUserId: adminId });

      const second = await runCommand(JitEnable, args);
      expect(second.result.changed).to.equal(false);

      const standard = await runCommand(JitEnable, ['--target-org', 'emu', '--name', 'Entra']);
      expect(standard.result.changes[0].fields.map((f) => f.field)).to.deep.equal(['samlJitHandlerId', 'executionUserId']);
      expect(standard.result.changes[0].note).to.match(/standard provisioning/);
      expect(saml(t, 'Entra')).to.include({ userProvisioning: true });
      expect(saml(t, 'Entra')).not.to.have.any.keys('samlJitHandlerId', 'executionUserId');

      await runCommand(JitEnable, args);
      const off = await runCommand(JitDisable, ['--target-org', 'emu', '--name', 'Entra']);
      expect(off.result.changes[0].fields.map((f) => f.field)).to.deep.equal(['userProvisioning', 'samlJitHandlerId', 'executionUserId']);
      expect(saml(t, 'Entra').userProvisioning).to.equal(false);
      expect(saml(t, 'Entra')).not.to.have.any.keys('samlJitHandlerId', 'executionUserId');
      expect(samlRecord(t, 'Entra')).to.include({ SamlJitHandlerId: null, ExecutionUserId: null, OptionsUserProvisioning: false });
    });

    it('warns when the Apex class does not implement Auth.SamlJitHandler (the seeded JumpCloudJitHandler)', async () => {
      const { result } = await runCommand(JitEnable, [
        '--target-org',
        'emu',
        '--name',
        'Entra',
        '--handler',
        'JumpCloudJitHandler',
        '--execution-user',
        ADMIN,
        '--dry-run',
      ]);
      const warning = result.warnings.find((w) => w.includes('Auth.SamlJitHandler'));
      expect(warning).to.contain('The Apex class "JumpCloudJitHandler" does not implement Auth.SamlJitHandler');
      expect(warning).to.contain('global class JumpCloudJitHandler implements Auth.SamlJitHandler');
    });

    it('writes samlssoconfigs/Entra.samlssoconfig-meta.xml that validates, and leaves the org alone', async () => {
      addHandler(t, 'EntraJitHandler', HANDLER_BODY);
      const dir = await mkdtemp(join(tmpdir(), 'provision-jit-'));
      try {
        const before = orgFingerprint(t.emu);
        const { result, ux } = await runCommand(JitEnable, [
          '--target-org',
          'emu',
          '--name',
          'Entra',
          '--handler',
          'EntraJitHandler',
          '--execution-user',
          ADMIN,
          '--output-dir',
          dir,
        ]);
        expect(result.files).to.deep.equal([join('samlssoconfigs', 'Entra.samlssoconfig-meta.xml')]);
        expect(result.changes[0].status).to.equal('written');
        // The handler's class id and the execution user's id exist in this org only: said so, in the result too.
        const warning = result.warnings.find((w) => w.includes("this org's ids"));
        expect(warning).to.match(/^The file for Entra holds this org's ids or addresses: executionUserId 005\w+ \(the JIT execution user\), samlJitHandlerId 01p\w+ \(the JIT handler class\)/);
        expect(warning).to.contain('generate it against each target org');
        expect(ux.warn.args.map((a) => String(a[0]))).to.include(warning);
        expect(orgFingerprint(t.emu)).to.equal(before);
        const xml = await readFile(join(dir, 'samlssoconfigs', 'Entra.samlssoconfig-meta.xml'), 'utf8');
        expect(xml).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<SamlSsoConfig xmlns="http:\/\/soap.sforce.com\/2006\/04\/metadata">/);
        expect(xml).to.contain('<userProvisioning>true</userProvisioning>');
        expect(xml).to.contain('<validationCert>MIID');
        expect(xml.indexOf('<executionUserId>')).to.be.lessThan(xml.indexOf('<samlJitHandlerId>'));
        const { components, errors } = await validateSourceDir(dir);
        expect(errors).to.deep.equal([]);
        expect(components).to.deep.equal(['SamlSsoConfig:Entra']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('names a connected app that uses the client credentials flow with a run-as user', async () => {
      await putComponent(t.emu.metadataContext, 'ConnectedApp', 'Directory_Sync', {
        contactEmail: 'it@acme.example.com',
        label: 'Directory Sync',
        oauthConfig: {
          callbackUrl: 'https://login.salesforce.com/services/oauth2/success',
          isClientCredentialEnabled: true,
          oauthClientCredentialUser: 'scim.integration@acme.example.com',
          scopes: ['Api'],
        },
      });
      const { result } = await runCommand(JitEnable, ['--target-org', 'emu', '--name', 'Entra', '--dry-run']);
      expect(result.provisioningApps.map((a) => a.name)).to.deep.equal(['PingOne_Provisioning', 'Directory_Sync']);
      const warning = result.warnings.find((w) => w.includes('Directory_Sync'));
      expect(warning).to.contain('connected app "Directory_Sync" (Directory Sync)');
      expect(warning).to.contain('client credentials flow as scim.integration@acme.example.com');
    });

    it('refuses an unknown configuration and lists the names that exist', async () => {
      const e = await runCommandError(JitEnable, ['--target-org', 'emu', '--name', 'Ping']);
      expect(e.name).to.equal('UnknownConfigError');
      expect(e.message).to.equal('There is no SAML single sign-on configuration named "Ping" in the org. The org has: Entra, Okta.');
      expect(e.actions?.join('\n')).to.contain('sf provision sso list');
      const d = await runCommandError(JitDisable, ['--target-org', 'emu', '--name', 'Ping']);
      expect(d.message).to.contain('The org has: Entra, Okta.');
    });

    it('refuses --handler without --execution-user and the other way round', async () => {
      const a = await runCommandError(JitEnable, ['--target-org', 'emu', '--name', 'Entra', '--handler', 'EntraJitHandler']);
      expect(a.name).to.equal('HandlerWithoutUserError');
      expect(a.actions?.join('\n')).to.contain('--execution-user');
      const b = await runCommandError(JitEnable, ['--target-org', 'emu', '--name', 'Entra', '--execution-user', ADMIN]);
      expect(b.name).to.equal('UserWithoutHandlerError');
      expect(b.actions?.join('\n')).to.contain('--handler');
    });

    it('refuses a missing class, a missing user, an inactive user and a user without "Manage Users"', async () => {
      addHandler(t, 'EntraJitHandler', HANDLER_BODY);
      const run = (handler: string, user: string): ReturnType<typeof runCommandError> =>
        runCommandError(JitEnable, ['--target-org', 'emu', '--name', 'Entra', '--handler', handler, '--execution-user', user]);
      const before = orgFingerprint(t.emu);
      const noClass = await run('NoSuchHandler', ADMIN);
      expect(noClass.name).to.equal('HandlerNotFoundError');
      expect(noClass.message).to.equal('There is no Apex class named "NoSuchHandler" in the org.');
      expect(noClass.actions?.join('\n')).to.contain('sf project deploy start');
      const noUser = await run('EntraJitHandler', 'nobody@acme.example.com');
      expect(noUser.name).to.equal('UserNotFoundError');
      const inactive = await run('EntraJitHandler', 'former.employee@acme.example.com');
      expect(inactive.name).to.equal('UserInactiveError');
      expect(inactive.actions?.join('\n')).to.contain('Choose an active user');
      const noPerm = await run('EntraJitHandler', 'sam.sales@acme.example.com');
      expect(noPerm.name).to.equal('UserCannotManageUsersError');
      expect(noPerm.message).to.contain('"Manage Users"');
      expect(noPerm.actions?.join('\n')).to.contain('system administrator');
      expect(orgFingerprint(t.emu)).to.equal(before);
    });

    it('runs as a subprocess with --json (bin/run.js)', async () => {
      const r = await t.runJson<{ changed: boolean; provisioningApps: Array<{ name: string }>; warnings: string[] }>([
        'provision',
        'jit',
        'enable',
        '--name',
        'Entra',
        '--target-org',
        'emu',
      ]);
      expect(r.code).to.equal(0);
      expect(r.json.result.changed).to.equal(true);
      expect(r.json.result.provisioningApps.map((a) => a.name)).to.deep.equal(['PingOne_Provisioning']);
      expect(saml(t, 'Entra').userProvisioning).to.equal(true);
      const off = await t.runJson<{ changed: boolean }>(['provision', 'jit', 'disable', '--name', 'Entra', '--target-org', 'emu']);
      expect(off.code).to.equal(0);
      expect(off.json.result.changed).to.equal(true);
      expect(saml(t, 'Entra').userProvisioning).to.equal(false);
      const bad = await t.runJson(['provision', 'jit', 'enable', '--name', 'Nope', '--target-org', 'emu']);
      expect(bad.code).to.equal(1);
      expect(bad.json.name).to.equal('UnknownConfigError');
      expect(bad.json.actions?.join('\n')).to.contain('sf provision sso list');
    });
  });

  describe('in other orgs', () => {
    it('refuses when the org has no SAML configuration at all', async () => {
      t = await setupTestOrg();
      const e = await runCommandError(JitEnable, ['--target-org', 'emu', '--name', 'Okta']);
      expect(e.name).to.equal('NoConfigsError');
      expect(e.actions?.join('\n')).to.contain('sf provision sso configure');
    });

    it('warns when SAML is off, and also sets the org-wide flag in an org on the legacy single configuration', async () => {
      t = await setupTestOrg({ seed: DEMO_SEED });
      await addEntra(t);
      await putComponent(t.emu.metadataContext, 'SecuritySettings', 'Security', {
        singleSignOnSettings: { enableMultipleSamlConfigs: false, enableSamlJitProvisioning: false, enableSamlLogin: false },
      });
      const { result, exitCode } = await runCommand(JitEnable, ['--target-org', 'emu', '--name', 'Entra']);
      expect(exitCode).to.equal(0);
      expect(result.warnings.some((w) => w.includes('sf provision sso enable'))).to.equal(true);
      expect(result.changes.map((c) => [c.resource, c.action, c.status])).to.deep.equal([
        ['SamlSsoConfig', 'update', 'applied'],
        ['SecuritySettings', 'update', 'applied'],
      ]);
      expect(result.changes[1].fields).to.deep.equal([{ field: 'singleSignOnSettings.enableSamlJitProvisioning', from: false, to: true }]);
      const sso = t.emu.components.get('SecuritySettings')?.get('Security')?.content.singleSignOnSettings as Record<string, unknown>;
      expect(sso).to.include({ enableSamlJitProvisioning: true, enableSamlLogin: false, enableMultipleSamlConfigs: false });
      const off = await runCommand(JitDisable, ['--target-org', 'emu', '--name', 'Entra']);
      expect(off.result.changes.map((c) => c.resource)).to.deep.equal(['SamlSsoConfig', 'SecuritySettings']);
      expect((t.emu.components.get('SecuritySettings')?.get('Security')?.content.singleSignOnSettings as Record<string, unknown>).enableSamlJitProvisioning).to.equal(false);
    });
  });
});
