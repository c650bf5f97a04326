import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import SsoEnable from '../../../../src/commands/provision/sso/enable.js';
import SsoDisable from '../../../../src/commands/provision/sso/disable.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, validateSourceDir } from '../../../helpers/plan.js';

const sso = (t: TestOrg): Record<string, unknown> =>
  t.emu.components.get('SecuritySettings')?.get('Security')?.content.singleSignOnSettings as Record<string, unknown>;

describe('sf provision sso enable | disable', function () {
  this.timeout(120_000);
  let t: TestOrg;

  beforeEach(async () => {
    t = await setupTestOrg();
  });
  afterEach(async () => {
    await t?.close();
  });

  it('plans without changing the org under --dry-run', async () => {
    const before = orgFingerprint(t.emu);
    const { result, exitCode } = await runCommand(SsoEnable, ['--target-org', 'emu', '--dry-run']);
    expect(exitCode).to.equal(0);
    expect(result.dryRun).to.equal(true);
    expect(result.changed).to.equal(true);
    expect(result.changes).to.have.length(1);
    expect(result.changes[0]).to.deep.include({ resource: 'SecuritySettings', name: 'Security', action: 'update', status: 'planned' });
    expect(result.changes[0].fields).to.deep.equal([{ field: 'singleSignOnSettings.enableSamlLogin', from: false, to: true }]);
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(sso(t).enableSamlLogin).to.equal(false);
  });

  it('turns SAML on, keeps the other settings, and a second run changes nothing', async () => {
    const first = await runCommand(SsoEnable, ['--target-org', 'emu', '--federation-id-case-insensitive']);
    expect(first.exitCode).to.equal(0);
    expect(first.result.changes[0].status).to.equal('applied');
    expect(first.result.changes[0].fields.map((f) => f.field)).to.have.members([
      'singleSignOnSettings.enableSamlLogin',
      'singleSignOnSettings.enableCaseInsensitiveFederationID',
    ]);
    expect(sso(t)).to.include({ enableSamlLogin: true, enableCaseInsensitiveFederationID: true, enableMultipleSamlConfigs: true });

    const after = orgFingerprint(t.emu);
    const second = await runCommand(SsoEnable, ['--target-org', 'emu', '--federation-id-case-insensitive']);
    expect(second.result.changed).to.equal(false);
    expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(second.output).to.contain('No changes');
    expect(orgFingerprint(t.emu)).to.equal(after);

    const off = await runCommand(SsoDisable, ['--target-org', 'emu']);
    expect(off.result.changes[0].fields).to.deep.equal([{ field: 'singleSignOnSettings.enableSamlLogin', from: true, to: false }]);
    // The login form shows: no lockout warning.
    expect(off.ux.warn.called).to.equal(false);
    expect(sso(t)).to.include({ enableSamlLogin: false, enableCaseInsensitiveFederationID: true });
    const offAgain = await runCommand(SsoDisable, ['--target-org', 'emu']);
    expect(offAgain.result.changed).to.equal(false);
  });

  it('writes settings/Security.settings-meta.xml that validates against the WSDL, and leaves the org alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provision-out-'));
    try {
      const before = orgFingerprint(t.emu);
      const { result } = await runCommand(SsoEnable, ['--target-org', 'emu', '--output-dir', dir]);
      expect(result.files).to.deep.equal([join('settings', 'Security.settings-meta.xml')]);
      expect(result.changes[0].status).to.equal('written');
      expect(orgFingerprint(t.emu)).to.equal(before);
      const xml = await readFile(join(dir, 'settings', 'Security.settings-meta.xml'), 'utf8');
      expect(xml).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<SecuritySettings xmlns="http:\/\/soap.sforce.com\/2006\/04\/metadata">/);
      expect(xml).to.contain('<enableSamlLogin>true</enableSamlLogin>');
      const { components, errors } = await validateSourceDir(dir);
      expect(errors).to.deep.equal([]);
      expect(components).to.deep.equal(['Settings:Security']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('warns that turning SAML off locks users out when the login page hides the login form', async () => {
    await runCommand(SsoEnable, ['--target-org', 'emu']);
    const page = t.emu.store.records('AuthConfig').find((r) => r.Type === 'Org')!;
    // Only Setup can hide the form: do what Setup would.
    t.emu.store.patchSystem('AuthConfig', page.Id, { AuthOptionsUsernamePassword: false });
    const before = orgFingerprint(t.emu);
    const dry = await runCommand(SsoDisable, ['--target-org', 'emu', '--dry-run']);
    expect(dry.result.changed).to.equal(true);
    const [warning] = dry.ux.warn.args.map((a) => String(a[0]));
    expect(warning).to.match(/^The login page .+ hides the username and password form, and with SAML off it shows no SAML button either: users cannot log in from it\./);
    expect(warning).to.contain('"?login"');
    expect(orgFingerprint(t.emu)).to.equal(before);

    await runCommand(SsoDisable, ['--target-org', 'emu']);
    // Already off: nothing changes, nothing to warn about.
    const again = await runCommand(SsoDisable, ['--target-org', 'emu']);
    expect(again.result.changed).to.equal(false);
    expect(again.ux.warn.called).to.equal(false);
  });

  it('runs as a subprocess with --json (bin/run.js)', async () => {
    const r = await t.runJson<{ changed: boolean }>(['provision', 'sso', 'enable', '--target-org', 'emu']);
    expect(r.code).to.equal(0);
    expect(r.json.result.changed).to.equal(true);
    expect(sso(t).enableSamlLogin).to.equal(true);
  });
});
