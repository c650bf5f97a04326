/* picklists align | deactivate without the command: flags to specs, and planning from a spec against the emulated org. */
import { expect } from 'chai';
import { OrgClient } from '../../src/provision/client.js';
import { picklistsAlignSpec, picklistsDeactivateSpec, planPicklistsAlignSpec, planPicklistsDeactivateSpec } from '../../src/provision/picklists.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { orgFingerprint } from '../helpers/plan.js';
import { noOrg, refusal } from '../helpers/library.js';

describe('picklists align | deactivate specs', () => {
  it('maps align\'s flags to a spec; no (or an empty) --countries means every country', () => {
    expect(picklistsAlignSpec({ 'integration-values': 'iso', countries: ['de', 'US'] })).to.deep.equal({ integrationValues: 'iso', countries: ['de', 'US'] });
    expect(picklistsAlignSpec({ 'integration-values': 'iso' })).to.deep.equal({ integrationValues: 'iso' });
    expect(picklistsAlignSpec({ 'integration-values': 'iso', countries: [] })).to.deep.equal({ integrationValues: 'iso' });
  });

  it('maps deactivate\'s flags to a spec of what they select, leaving out what is not given', () => {
    expect(picklistsDeactivateSpec({ countries: ['AQ'], states: ['US-CA'] })).to.deep.equal({ countries: ['AQ'], states: ['US-CA'] });
    expect(picklistsDeactivateSpec({ all: true, keep: ['US', 'DE'] })).to.deep.equal({ all: true, keep: ['US', 'DE'] });
    expect(picklistsDeactivateSpec({ all: false, countries: [] })).to.deep.equal({});
  });

  it('refuses a deactivate spec that selects nothing, before reading the org', async () => {
    expect((await refusal(planPicklistsDeactivateSpec(noOrg, {}))).name).to.equal('NothingSelectedError');
  });
});

describe('planning the picklists from a spec, without a command', function () {
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

  it('plans the integration values of the countries named as their ISO codes; the org is unchanged', async () => {
    const before = orgFingerprint(t.emu);
    const plan = await planPicklistsAlignSpec(client, { integrationValues: 'iso', countries: ['de'] });
    expect(plan.changes).to.have.length(1);
    expect(plan.changes[0]).to.deep.include({ resource: 'AddressSettings', action: 'update', status: 'planned' });
    expect(plan.changes[0].fields.map((f) => f.to)).to.include('DE');
    expect(plan.countriesChanged).to.equal(1);
    expect(plan.countriesChanged + plan.statesChanged).to.equal(plan.changes[0].fields.length);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('names an unknown country with the fix', async () => {
    const e = await refusal(planPicklistsAlignSpec(client, { integrationValues: 'iso', countries: ['XX'] }));
    expect(e.name).to.equal('UnknownCountryError');
  });

  it('plans hiding and deactivating a country while the picklists are off, with the Setup step to turn them on', async () => {
    const before = orgFingerprint(t.emu);
    const plan = await planPicklistsDeactivateSpec(client, { countries: ['DE'] });
    expect(plan).to.deep.include({ picklistsEnabled: false, hidden: ['DE'], deactivated: ['DE'], refused: [], warnings: [] });
    expect(plan.changes[0]).to.deep.include({ resource: 'AddressSettings', action: 'update', status: 'planned' });
    expect(plan.setupSteps).to.have.length(1);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });
});
