/* jit enable and disable without the command: flags to spec, and planning from a spec against the emulated demo org. */
import { expect } from 'chai';
import { OrgClient } from '../../src/provision/client.js';
import { jitDisableSpec, jitEnableSpec, planJitSpec } from '../../src/provision/jit.js';
import { DEFAULT_SEED } from '../emulator/seed.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { noOrg, refusal } from '../helpers/library.js';

const DEMO_SEED = DEFAULT_SEED.replace(/default\.json$/, 'demo.json');
const ADMIN = 'admin@acme.example.com';
const HANDLER_BODY = `global class OktaJitHandler implements Auth.SamlJitHandler {
  global User createUser(Id samlSsoProviderId, Id communityId, Id portalId, String federationId, Map<String, String> attributes, String assertion) { return null; }
  global void updateUser(Id userId, Id samlSsoProviderId, Id communityId, Id portalId, String federationId, Map<String, String> attributes, String assertion) {}
}`;

describe('jit enable spec', () => {
  it('maps the flags to a spec of names: the configuration, the handler class and the execution user', () => {
    expect(jitEnableSpec({ name: 'Okta' })).to.deep.equal({ samlConfig: 'Okta', enabled: true });
    expect(jitEnableSpec({ name: 'Okta', handler: 'acme.OktaJitHandler', 'execution-user': ADMIN })).to.deep.equal({
      samlConfig: 'Okta',
      enabled: true,
      handler: 'acme.OktaJitHandler',
      executionUser: ADMIN,
    });
  });

  it('maps jit disable\'s flags to a spec that turns JIT off', () => {
    expect(jitDisableSpec({ name: 'Okta' })).to.deep.equal({ samlConfig: 'Okta', enabled: false });
  });

  it('refuses a handler without its execution user and the other way round, before reading the org', async () => {
    const e1 = await refusal(planJitSpec(noOrg, { samlConfig: 'Okta', enabled: true, handler: 'OktaJitHandler' }));
    expect(e1.name).to.equal('HandlerWithoutUserError');
    const e2 = await refusal(planJitSpec(noOrg, { samlConfig: 'Okta', enabled: true, executionUser: ADMIN }));
    expect(e2.name).to.equal('UserWithoutHandlerError');
  });
});

describe('planning JIT from a spec, without a command', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;

  before(async () => {
    t = await setupTestOrg({ seed: DEMO_SEED });
    client = new OrgClient(t.org.getConnection());
  });
  after(async () => {
    await t?.close();
  });

  it('resolves the handler and the user by name to ids, and warns about the provisioning app; the org is unchanged', async () => {
    const classId = t.emu.store.createSystem('ApexClass', { Name: 'OktaJitHandler', Status: 'Active', ApiVersion: 66, IsValid: true, Body: HANDLER_BODY }).Id;
    const adminId = String(t.emu.store.records('User').find((u) => u.Username === ADMIN)?.Id);
    const plan = await planJitSpec(client, { samlConfig: 'Okta', enabled: true, handler: 'OktaJitHandler', executionUser: ADMIN });
    expect(plan.changes).to.have.length(1);
    expect(plan.changes[0]).to.deep.include({ resource: 'SamlSsoConfig', name: 'Okta', action: 'update', status: 'planned' });
    expect(plan.changes[0].fields).to.deep.equal([
      { field: 'samlJitHandlerId', from: undefined, to: classId },
      { field: 'executionUserId', from: undefined, to: adminId },
    ]);
    expect(plan.provisioningApps.map((a) => a.name)).to.deep.equal(['PingOne_Provisioning']);
    expect(plan.warnings.join('\n')).to.contain('PingOne_Provisioning');
    expect(t.emu.components.get('SamlSsoConfig')?.get('Okta')?.content).not.to.have.any.keys('samlJitHandlerId');
  });

  it('plans standard JIT as no change where it is on, and JIT off without the provisioning checks', async () => {
    const on = await planJitSpec(client, { samlConfig: 'Okta', enabled: true });
    expect(on.changes[0]).to.deep.include({ action: 'none', status: 'unchanged' });
    const off = await planJitSpec(client, { samlConfig: 'Okta', enabled: false });
    expect(off.changes[0].fields).to.deep.equal([{ field: 'userProvisioning', from: true, to: false }]);
    expect(off).to.deep.include({ provisioningApps: [], warnings: [] });
  });

  it('names the configurations that exist when the spec names another, and an unknown user', async () => {
    const e = await refusal(planJitSpec(client, { samlConfig: 'Nope', enabled: true }));
    expect(e.name).to.equal('UnknownConfigError');
    expect(e.message).to.contain('Okta');
    const off = await refusal(planJitSpec(client, jitDisableSpec({ name: 'Nope' })));
    expect(off.name).to.equal('UnknownConfigError');
    t.emu.store.createSystem('ApexClass', { Name: 'OtherJitHandler', Status: 'Active', ApiVersion: 66, IsValid: true, Body: HANDLER_BODY });
    const u = await refusal(planJitSpec(client, { samlConfig: 'Okta', enabled: true, handler: 'OtherJitHandler', executionUser: 'nobody@acme.example.com' }));
    expect(u.name).to.equal('UserNotFoundError');
  });
});
