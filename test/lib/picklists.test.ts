/* The pure plan functions of the State and Country/Territory picklists, without an org. */
import { expect } from 'chai';
import {
  PicklistPlanError,
  planAlign,
  planDeactivate,
  selectStates,
  toCountries,
  type CountryEntry,
} from '../../src/provision/resources/picklists.js';
import { country, state } from '../helpers/picklists.js';

const org = (): CountryEntry[] => [
  country('AQ', 'Antarctica'),
  country('CA', 'Canada', { states: [state('ON', 'Ontario'), state('QC', 'Quebec')] }),
  country('DE', 'Germany'),
  country('US', 'United States', { orgDefault: true, states: [state('CA', 'California'), state('NY', 'New York'), state('GU', 'Guam', { visible: false })] }),
];

const planError = (fn: () => unknown): PicklistPlanError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof PicklistPlanError) return e;
    throw e;
  }
  throw new Error('expected a PicklistPlanError');
};

type Sent = { countries: Array<Record<string, unknown> & { isoCode: string; states: Array<Record<string, unknown> & { isoCode: string }> }> };
const sent = (content: Record<string, unknown>): Sent => content.countriesAndStates as Sent;

describe('picklists: reading AddressSettings', () => {
  it('normalises what readMetadata returns (strings, single elements) into countries with states', () => {
    const countries = toCountries({
      fullName: 'Address',
      countriesAndStates: {
        countries: {
          active: 'true',
          integrationValue: 'United States',
          isoCode: 'US',
          label: 'United States',
          orgDefault: 'true',
          standard: 'true',
          states: { active: 'true', integrationValue: 'California', isoCode: 'CA', label: 'California', standard: 'true', visible: 'false' },
          visible: 'true',
        },
      },
    });
    expect(countries).to.deep.equal([
      country('US', 'United States', { orgDefault: true, states: [state('CA', 'California', { visible: false })] }),
    ]);
    expect(toCountries(undefined)).to.deep.equal([]);
  });
});

describe('picklists: planDeactivate', () => {
  it('with the picklists off, hides and deactivates the named countries; one change holding only them, whole', () => {
    const plan = planDeactivate(org(), { countries: ['aq', 'DE'] }, false);
    expect(plan.change).to.deep.include({ resource: 'AddressSettings', name: 'Address', action: 'update', status: 'planned' });
    expect(plan.change.fields).to.deep.equal([
      { field: 'countries.AQ.active', from: true, to: false },
      { field: 'countries.AQ.visible', from: true, to: false },
      { field: 'countries.DE.active', from: true, to: false },
      { field: 'countries.DE.visible', from: true, to: false },
    ]);
    expect(plan.hidden).to.deep.equal(['AQ', 'DE']);
    expect(plan.deactivated).to.deep.equal(['AQ', 'DE']);
    expect(plan.refused).to.deep.equal([]);
    const content = plan.change.metadata!.content;
    expect(content.fullName).to.equal('Address');
    const countries = sent(content).countries;
    expect(countries.map((c) => c.isoCode)).to.deep.equal(['AQ', 'DE']);
    // Complete Country elements in WSDL order (every field is required).
    expect(Object.keys(countries[0])).to.deep.equal(['active', 'integrationValue', 'isoCode', 'label', 'orgDefault', 'standard', 'states', 'visible']);
    expect(countries[0]).to.include({ active: false, visible: false, integrationValue: 'Antarctica', label: 'Antarctica', orgDefault: false, standard: true });
  });

  it('with the picklists on, only hides, and reports each value that stays active as refused', () => {
    const plan = planDeactivate(org(), { countries: ['AQ'] }, true);
    expect(plan.change.fields).to.deep.equal([{ field: 'countries.AQ.visible', from: true, to: false }]);
    expect(sent(plan.change.metadata!.content).countries[0]).to.include({ active: true, visible: false });
    expect(plan.refused).to.have.length(1);
    expect(plan.refused[0]).to.include({ value: 'AQ', field: 'active' });
    expect(plan.refused[0].reason).to.match(/can't set active to false/);
    expect(plan.deactivated).to.deep.equal([]);
    expect(plan.change.note).to.match(/stay active/);
  });

  it('hides states given as COUNTRY-STATE or as bare codes within --countries; sends the country with all its states', () => {
    const plan = planDeactivate(org(), { states: ['US-CA'] }, false);
    expect(plan.change.fields).to.deep.equal([
      { field: 'countries.US.states.CA.active', from: true, to: false },
      { field: 'countries.US.states.CA.visible', from: true, to: false },
    ]);
    const us = sent(plan.change.metadata!.content).countries[0];
    expect(us).to.include({ isoCode: 'US', active: true, visible: true, orgDefault: true });
    expect(us.states.map((s) => [s.isoCode, s.active, s.visible])).to.deep.equal([
      ['CA', false, false],
      ['NY', true, true],
      ['GU', true, false],
    ]);
    expect(Object.keys(us.states[0])).to.deep.equal(['active', 'integrationValue', 'isoCode', 'label', 'standard', 'visible']);
    // Naming the org default's states is fine: only the country itself must stay.
    const bare = planDeactivate(org(), { countries: ['US'], states: ['ca', 'NY'] }, true);
    expect(bare.change.fields.map((f) => f.field)).to.deep.equal(['countries.US.states.CA.visible', 'countries.US.states.NY.visible']);
    expect(bare.refused.map((r) => r.value)).to.deep.equal(['US-CA', 'US-NY']);
  });

  it('is idempotent: what is already hidden (and inactive) plans no change', () => {
    const current = org();
    current[0] = { ...current[0], active: false, visible: false };
    const off = planDeactivate(current, { countries: ['AQ'] }, false);
    expect(off.change).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(sent(off.change.metadata!.content).countries).to.deep.equal([]);
    const hiddenState = planDeactivate(org(), { states: ['US-GU'] }, true);
    expect(hiddenState.change.action).to.equal('none');
    // Still active: the refusal is reported on every run, though nothing changes.
    expect(hiddenState.refused.map((r) => r.value)).to.deep.equal(['US-GU']);
  });

  it('refuses to hide the org default country, and a plan that leaves no country visible', () => {
    expect(planError(() => planDeactivate(org(), { countries: ['AQ', 'US'] }, false))).to.include({ code: 'OrgDefaultCountry' });
    const noDefault = org().map((c) => ({ ...c, orgDefault: false }));
    const e = planError(() => planDeactivate(noDefault, { countries: ['AQ', 'CA', 'DE', 'US'] }, false));
    expect(e.code).to.equal('NoCountryLeft');
    expect(planError(() => planDeactivate(noDefault, { all: true }, false)).code).to.equal('NoCountryLeft');
  });

  it('--all hides every country but the org default and those to keep', () => {
    const plan = planDeactivate(org(), { all: true, keep: ['ca'] }, true);
    expect(plan.hidden).to.deep.equal(['AQ', 'DE']);
    expect(plan.change.fields.map((f) => f.field)).to.deep.equal(['countries.AQ.visible', 'countries.DE.visible']);
    expect(plan.change.note).to.match(/^2 value\(s\) to hide; 2 that stay active/);
  });

  it('names unknown countries and states, and bare state codes it cannot place', () => {
    expect(planError(() => planDeactivate(org(), { countries: ['XX', 'AQ', 'YY'] }, false))).to.include({ code: 'UnknownCountry' }).and.have.property('values').deep.equal(['XX', 'YY']);
    expect(planError(() => planDeactivate(org(), { states: ['US-ZZ'] }, false)).code).to.equal('UnknownState');
    expect(planError(() => planDeactivate(org(), { states: ['XX-CA'] }, false)).code).to.equal('UnknownCountry');
    expect(planError(() => planDeactivate(org(), { states: ['CA'] }, false)).code).to.equal('StateWithoutCountry');
    expect(planError(() => planDeactivate(org(), { all: true, keep: ['XX'] }, false)).code).to.equal('UnknownCountry');
  });
});

describe('picklists: selectStates', () => {
  it('finds a bare code only in the named countries, and refuses a code two of them share', () => {
    const current = org();
    current[2] = { ...current[2], states: [state('ON', 'Oberland')] };
    expect(selectStates(current, ['ON'], ['CA']).map((x) => `${x.country.isoCode}-${x.state.isoCode}`)).to.deep.equal(['CA-ON']);
    expect(planError(() => selectStates(current, ['ON'], ['CA', 'DE'])).code).to.equal('StateWithoutCountry');
    expect(selectStates(current, ['CA-ON', 'ca-on'], undefined)).to.have.length(1);
  });
});

describe('picklists: planAlign', () => {
  it('sets every integration value to the ISO code (states: their own code), one field row per value', () => {
    const change = planAlign(org(), 'iso');
    expect(change).to.deep.include({ resource: 'AddressSettings', name: 'Address', action: 'update' });
    expect(change.fields).to.deep.include.members([
      { field: 'countries.US.integrationValue', from: 'United States', to: 'US' },
      { field: 'countries.US.states.CA.integrationValue', from: 'California', to: 'CA' },
      { field: 'countries.CA.states.QC.integrationValue', from: 'Quebec', to: 'QC' },
    ]);
    expect(change.fields).to.have.length(4 + 5);
    const countries = sent(change.metadata!.content).countries;
    expect(countries.map((c) => c.isoCode)).to.deep.equal(['AQ', 'CA', 'DE', 'US']);
    expect(countries[3]).to.include({ integrationValue: 'US', label: 'United States', orgDefault: true, active: true, visible: true });
    expect(countries[3].states.map((s) => s.integrationValue)).to.deep.equal(['CA', 'NY', 'GU']);
    expect(change.note).to.match(/4 country and 5 state integration value/);
  });

  it('limits to --countries (with their states) and is idempotent', () => {
    const change = planAlign(org(), 'iso', ['us']);
    expect(change.fields.map((f) => f.field)).to.deep.equal([
      'countries.US.integrationValue',
      'countries.US.states.CA.integrationValue',
      'countries.US.states.NY.integrationValue',
      'countries.US.states.GU.integrationValue',
    ]);
    expect(sent(change.metadata!.content).countries.map((c) => c.isoCode)).to.deep.equal(['US']);
    const aligned = org().map((c) => ({ ...c, integrationValue: c.isoCode, states: c.states.map((s) => ({ ...s, integrationValue: s.isoCode })) }));
    const again = planAlign(aligned, 'iso');
    expect(again).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(again.note).to.equal(undefined);
  });

  it('only sends the countries whose values change', () => {
    const current = org();
    current[0] = { ...current[0], integrationValue: 'AQ' };
    current[2] = { ...current[2], integrationValue: 'DE' };
    expect(sent(planAlign(current, 'iso').metadata!.content).countries.map((c) => c.isoCode)).to.deep.equal(['CA', 'US']);
  });

  it('refuses when a country outside --countries already holds the ISO code as its integration value', () => {
    const current = org();
    current[2] = { ...current[2], integrationValue: 'US' };
    const e = planError(() => planAlign(current, 'iso', ['US']));
    expect(e.code).to.equal('DuplicateIntegrationValue');
    expect(e.values[0]).to.contain('DE');
    // Aligning both gives each its own code.
    expect(planAlign(current, 'iso', ['US', 'DE']).action).to.equal('update');
    expect(planError(() => planAlign(org(), 'iso', ['XX'])).code).to.equal('UnknownCountry');
  });
});
