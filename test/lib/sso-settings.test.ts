/* sso enable | disable without the command: flags to spec, and planning the SSO settings from a spec against the emulated org. */
import { expect } from 'chai';
import { OrgClient } from '../../src/provision/client.js';
import { planSsoSettingsSpec, ssoDisableSpec, ssoEnableSpec } from '../../src/provision/sso-settings.js';
import { orgFingerprint } from '../helpers/plan.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';

describe('sso settings spec', () => {
  it('maps sso enable\'s flags to a spec: Federation ID matching only when the flag is given, either way', () => {
    expect(ssoEnableSpec({})).to.deep.equal({ samlEnabled: true });
    expect(ssoEnableSpec({ 'federation-id-case-insensitive': true })).to.deep.equal({ samlEnabled: true, federationIdCaseInsensitive: true });
    expect(ssoEnableSpec({ 'federation-id-case-insensitive': false })).to.deep.equal({ samlEnabled: true, federationIdCaseInsensitive: false });
    expect(ssoDisableSpec()).to.deep.equal({ samlEnabled: false });
  });
});

describe('planning the SSO settings from a spec, without a command', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;

  before(async () => {
    t = await setupTestOrg();
    client = new OrgClient(t.org.getConnection());
  });
  after(async () => {
    await t?.close();
  });

  it('plans SAML on with Federation ID matching, field by field; the org is unchanged', async () => {
    const before = orgFingerprint(t.emu);
    const { changes, warnings } = await planSsoSettingsSpec(client, { samlEnabled: true, federationIdCaseInsensitive: true });
    expect(changes).to.have.length(1);
    expect(changes[0]).to.deep.include({ resource: 'SecuritySettings', name: 'Security', action: 'update', status: 'planned' });
    expect(changes[0].fields.map((f) => f.field)).to.have.members([
      'singleSignOnSettings.enableSamlLogin',
      'singleSignOnSettings.enableCaseInsensitiveFederationID',
    ]);
    expect(warnings).to.deep.equal([]);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('plans SAML off as no change where it is off, and warns when the login page would offer no way in', async () => {
    const off = await planSsoSettingsSpec(client, { samlEnabled: false });
    expect(off.changes[0]).to.deep.include({ action: 'none', status: 'unchanged' });
    expect(off.warnings).to.deep.equal([]);

    const security = t.emu.components.get('SecuritySettings')!.get('Security')!.content.singleSignOnSettings as Record<string, unknown>;
    security.enableSamlLogin = true;
    const page = t.emu.store.records('AuthConfig').find((r) => r.Type === 'Org')!;
    t.emu.store.patchSystem('AuthConfig', page.Id, { AuthOptionsUsernamePassword: false });
    const locked = await planSsoSettingsSpec(client, ssoDisableSpec());
    expect(locked.changes[0].fields).to.deep.equal([{ field: 'singleSignOnSettings.enableSamlLogin', from: true, to: false }]);
    expect(locked.warnings).to.have.length(1);
    expect(locked.warnings[0]).to.match(/^The login page .+ hides the username and password form/);
  });
});
