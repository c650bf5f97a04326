/* login-page add | remove without the command: flags to spec, and planning a button from a spec against the emulated demo org. */
import { expect } from 'chai';
import { OrgClient } from '../../src/provision/client.js';
import { loginPageAddSpec, loginPageRemoveSpec, planLoginPageButtonSpec } from '../../src/provision/login-page.js';
import { DEFAULT_SEED } from '../emulator/seed.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { orgFingerprint } from '../helpers/plan.js';
import { refusal } from '../helpers/library.js';

const DEMO_SEED = DEFAULT_SEED.replace(/default\.json$/, 'demo.json');

describe('login page button spec', () => {
  it('maps --sso to a spec naming the SAML configuration, shown for add and not for remove', () => {
    expect(loginPageAddSpec({ sso: 'Okta' })).to.deep.equal({ samlConfig: 'Okta', shown: true });
    expect(loginPageRemoveSpec({ sso: 'Okta' })).to.deep.equal({ samlConfig: 'Okta', shown: false });
  });
});

describe('planning a login page button from a spec, without a command', function () {
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

  it('resolves the configuration and plans its button on the page; the org is unchanged', async () => {
    const before = orgFingerprint(t.emu);
    const plan = await planLoginPageButtonSpec(client, { samlConfig: 'Okta', shown: true });
    expect(plan.changes).to.have.length(1);
    expect(plan.changes[0]).to.deep.include({ resource: 'AuthConfigProviders', name: 'Okta', action: 'create', status: 'planned' });
    expect(plan.target.name).to.equal('Okta');
    expect(plan.page.developerName).to.equal('My_Domain_Login');
    expect(plan.context.samlEnabled).to.equal(true);
    expect(plan.warnings).to.deep.equal([]);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('plans removing a button that is not there as nothing, and names the configurations for an unknown one', async () => {
    const plan = await planLoginPageButtonSpec(client, { samlConfig: 'Okta', shown: false });
    expect(plan.changes.every((c) => c.action === 'none')).to.equal(true);
    const e = await refusal(planLoginPageButtonSpec(client, { samlConfig: 'Nope', shown: true }));
    expect(e.name).to.equal('UnknownSsoError');
    expect(e.message).to.contain('Okta');
  });
});
