/* picklists status without the command: flags to spec, the status of a spec from what the org has, and the read. */
import { expect } from 'chai';
import { SfError } from '@salesforce/core';
import { OrgClient } from '../../src/provision/client.js';
import { picklistsStatusOf, picklistsStatusSpec, readPicklistsStatus } from '../../src/provision/picklists.js';
import type { CountryEntry } from '../../src/provision/resources/picklists.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { country } from '../helpers/picklists.js';

const ORG: CountryEntry[] = [
  country('DE', 'DE'),
  country('US', 'United States', {
    orgDefault: true,
    states: [
      { active: true, integrationValue: 'CA', isoCode: 'CA', label: 'California', standard: true, visible: true },
      { active: true, integrationValue: 'New York', isoCode: 'NY', label: 'New York', standard: true, visible: false },
    ],
  }),
];
const OFF = { enabled: false, objects: [{ object: 'User', codeFields: [] }] };

describe('picklists status spec', () => {
  it('maps --countries to the spec; none (or an empty list) means every country', () => {
    expect(picklistsStatusSpec({ countries: ['us', 'CA'] })).to.deep.equal({ countries: ['us', 'CA'] });
    expect(picklistsStatusSpec({})).to.deep.equal({});
    expect(picklistsStatusSpec({ countries: [] })).to.deep.equal({});
  });

  it('reports every country with its states, and counts the integration values that are not ISO codes', () => {
    const r = picklistsStatusOf(OFF, ORG, {});
    expect(r.countries.map((c) => c.isoCode)).to.deep.equal(['DE', 'US']);
    expect(r.countries[1]).to.include({ orgDefault: true, label: 'United States' });
    expect(r.countries[1].states[1]).to.deep.equal({ isoCode: 'NY', label: 'New York', integrationValue: 'New York', active: true, visible: false, standard: true });
    expect(r).to.include({ enabled: false, integrationValuesAreIso: false, nonIsoValues: 2 });
    expect(r.objects).to.deep.equal(OFF.objects);
  });

  it('reports only the countries named, in the order given, and names unknown codes with the fix', () => {
    const r = picklistsStatusOf(OFF, ORG, { countries: ['de'] });
    expect(r.countries.map((c) => c.isoCode)).to.deep.equal(['DE']);
    expect(r).to.include({ integrationValuesAreIso: true, nonIsoValues: 0 });
    expect(() => picklistsStatusOf(OFF, ORG, { countries: ['US', 'XX'] }))
      .to.throw(SfError, 'The org has no country or territory with the ISO code XX.')
      .with.property('name', 'UnknownCountryError');
  });
});

describe('picklists status from an org, without a command', function () {
  this.timeout(60_000);
  let t: TestOrg;

  before(async () => {
    t = await setupTestOrg();
  });
  after(async () => {
    await t?.close();
  });

  it('reads the address objects and the countries the spec names', async () => {
    const r = await readPicklistsStatus(new OrgClient(t.org.getConnection()), { countries: ['DE'] });
    expect(r.enabled).to.equal(false);
    expect(r.objects.map((o) => o.object)).to.deep.equal(['User', 'Account', 'Contact', 'Lead']);
    expect(r.countries).to.deep.equal([
      { isoCode: 'DE', label: 'Germany', integrationValue: 'Germany', active: true, visible: true, standard: true, orgDefault: false, states: [] },
    ]);
  });
});
