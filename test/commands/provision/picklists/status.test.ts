import { join } from 'node:path';
import { expect } from 'chai';
import PicklistsStatus, { type PicklistsStatusResult } from '../../../../src/commands/provision/picklists/status.js';
import { ROOT, setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

describe('sf provision picklists status', function () {
  this.timeout(120_000);
  let t: TestOrg;

  afterEach(async () => {
    await t?.close();
  });

  it('reports the picklists off in a new org, every country with full-name integration values, and changes nothing', async () => {
    t = await setupTestOrg();
    const before = orgFingerprint(t.emu);
    const { result, ux, output } = await runCommand(PicklistsStatus, ['--target-org', 'emu']);
    expect(result.enabled).to.equal(false);
    expect(result.objects.map((o) => o.object)).to.deep.equal(['User', 'Account', 'Contact', 'Lead']);
    expect(result.objects.every((o) => o.codeFields.length === 0)).to.equal(true);
    expect(result.countries).to.have.length(15);
    const us = result.countries.find((c) => c.isoCode === 'US')!;
    expect(us).to.include({ label: 'United States', integrationValue: 'United States', active: true, visible: true, orgDefault: false });
    expect(us.states.find((s) => s.isoCode === 'CA')).to.include({ label: 'California', integrationValue: 'California', active: true, visible: true });
    expect(result.integrationValuesAreIso).to.equal(false);
    expect(result.nonIsoValues).to.equal(15 + 51 + 13 + 8);
    expect(output).to.contain('not enabled');
    expect(output).to.contain('add --countries');
    // One table: the countries only.
    expect(ux.table.callCount).to.equal(1);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('with --countries shows those countries and their states; the picklists are on in the demo org', async () => {
    t = await setupTestOrg({ seed: join(ROOT, 'test', 'emulator', 'seeds', 'demo.json') });
    const { result, ux } = await runCommand(PicklistsStatus, ['--target-org', 'emu', '--countries', 'us,CA']);
    expect(result.enabled).to.equal(true);
    expect(result.objects.find((o) => o.object === 'Contact')?.codeFields).to.have.members(['MailingStateCode', 'MailingCountryCode']);
    expect(result.objects.find((o) => o.object === 'Account')?.codeFields).to.have.members([
      'BillingStateCode',
      'BillingCountryCode',
      'ShippingStateCode',
      'ShippingCountryCode',
    ]);
    expect(result.countries.map((c) => c.isoCode)).to.deep.equal(['US', 'CA']);
    // The countries table, then one table of states per country.
    expect(ux.table.callCount).to.equal(3);
    const statesTable = ux.table.args[1][0] as { title: string; data: Array<Record<string, unknown>> };
    expect(statesTable.title).to.contain('United States (US)');
    expect(statesTable.data[0]).to.include({ code: 'US-AK', label: 'Alaska', 'integration value': 'Alaska', active: 'yes', visible: 'yes' });
  });

  it('names an unknown country with the fix', async () => {
    t = await setupTestOrg();
    const e = await runCommandError(PicklistsStatus, ['--target-org', 'emu', '--countries', 'US,XX']);
    expect(e.message).to.equal('The org has no country or territory with the ISO code XX.');
    expect(e.actions?.join(' ')).to.contain('sf provision picklists status');
  });

  it('runs as a subprocess with --json (bin/run.js)', async () => {
    t = await setupTestOrg();
    const r = await t.runJson<PicklistsStatusResult>(['provision', 'picklists', 'status', '--target-org', 'emu', '--countries', 'DE']);
    expect(r.code).to.equal(0);
    expect(r.json.result.countries).to.deep.equal([
      { isoCode: 'DE', label: 'Germany', integrationValue: 'Germany', active: true, visible: true, standard: true, orgDefault: false, states: [] },
    ]);
    expect(r.json.result).to.include({ enabled: false, integrationValuesAreIso: false, nonIsoValues: 1 });
  });
});
