import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Connection } from '@salesforce/core';
import PicklistsAlign, { type PicklistsAlignResult } from '../../../../src/commands/provision/picklists/align.js';
import PicklistsStatus from '../../../../src/commands/provision/picklists/status.js';
import { ROOT, setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';

type Entry = { isoCode: string; integrationValue: string; label: string; states?: Entry[] };
const countries = (t: TestOrg): Entry[] =>
  (t.emu.components.get('AddressSettings')?.get('Address')?.content.countriesAndStates as { countries: Entry[] }).countries;
const countryOf = (t: TestOrg, iso: string): Entry => countries(t).find((c) => c.isoCode === iso)!;

const DEMO = join(ROOT, 'test', 'emulator', 'seeds', 'demo.json');

/** What a SCIM provider does: a record with ISO 3166 codes in the text address fields, through REST. */
const createWithIsoText = async (conn: Connection, values: Record<string, unknown>): Promise<{ id?: string; errorCode?: string; fields?: string[] }> => {
  try {
    const r = (await conn.sobject('Contact').create({ LastName: 'Scim', ...values })) as { id: string };
    return { id: r.id };
  } catch (e) {
    const err = e as { errorCode?: string; data?: Array<{ fields?: string[] }> | { fields?: string[] } };
    const data = Array.isArray(err.data) ? err.data[0] : err.data;
    return { errorCode: err.errorCode, fields: data?.fields };
  }
};

describe('sf provision picklists align', function () {
  this.timeout(120_000);
  let t: TestOrg;

  afterEach(async () => {
    await t?.close();
  });

  it('plans without changing the org under --dry-run', async () => {
    t = await setupTestOrg({ seed: DEMO });
    const before = orgFingerprint(t.emu);
    const { result, exitCode, output } = await runCommand(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'iso', '--countries', 'CA', '--dry-run']);
    expect(exitCode).to.equal(0);
    expect(result).to.include({ dryRun: true, changed: true, integrationValues: 'iso', countriesChanged: 1, statesChanged: 13 });
    expect(result.changes[0]).to.deep.include({ resource: 'AddressSettings', name: 'Address', action: 'update', status: 'planned' });
    expect(result.changes[0].fields[0]).to.deep.equal({ field: 'countries.CA.integrationValue', from: 'Canada', to: 'CA' });
    expect(result.changes[0].fields[1]).to.deep.equal({ field: 'countries.CA.states.AB.integrationValue', from: 'Alberta', to: 'AB' });
    expect(output).to.contain('Dry run');
    expect(output).to.contain('Check the integrations');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('SCIM end to end: ISO codes in the text fields fail before align, sync after it, and the old names then fail', async () => {
    t = await setupTestOrg({ seed: DEMO });
    const conn = t.org.getConnection();
    // With the picklists on and the default integration values (full names), ISO text is refused.
    expect(await createWithIsoText(conn, { MailingCountry: 'US' })).to.deep.include({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['MailingCountry'] });
    expect(await createWithIsoText(conn, { MailingCountry: 'United States', MailingState: 'CA' })).to.deep.include({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      fields: ['MailingState'],
    });
    // The code fields take ISO codes whatever the integration values are.
    expect((await createWithIsoText(conn, { MailingCountryCode: 'US', MailingStateCode: 'CA' })).id).to.be.a('string');

    const first = await runCommand(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'iso']);
    expect(first.exitCode).to.equal(0);
    expect(first.result).to.include({ changed: true, countriesChanged: 15, statesChanged: 51 + 13 + 8 });
    expect(first.result.changes[0].status).to.equal('applied');
    expect(first.ux.warn.args.flat().join(' ')).to.contain('refuses the old values');
    expect(countryOf(t, 'US')).to.include({ integrationValue: 'US', label: 'United States' });
    expect(countryOf(t, 'US').states?.find((s) => s.isoCode === 'CA')).to.include({ integrationValue: 'CA', label: 'California' });

    const synced = await createWithIsoText(conn, { MailingCountry: 'US', MailingState: 'CA' });
    expect(synced.errorCode).to.equal(undefined);
    const rec = (await conn.sobject('Contact').retrieve(synced.id!)) as Record<string, unknown>;
    expect(rec).to.include({ MailingCountry: 'US', MailingCountryCode: 'US', MailingState: 'CA', MailingStateCode: 'CA' });
    expect(await createWithIsoText(conn, { MailingCountry: 'United States' })).to.deep.include({ errorCode: 'FIELD_INTEGRITY_EXCEPTION' });

    // Idempotent: the second run changes nothing; the status now says the values are ISO codes.
    const after = orgFingerprint(t.emu);
    const second = await runCommand(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'iso']);
    expect(second.result.changed).to.equal(false);
    expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(second.output).to.contain('No changes');
    expect(second.ux.warn.callCount).to.equal(0);
    expect(orgFingerprint(t.emu)).to.equal(after);
    const status = await runCommand(PicklistsStatus, ['--target-org', 'emu']);
    expect(status.result).to.include({ integrationValuesAreIso: true, nonIsoValues: 0 });
  });

  it('--countries changes only those countries and their states', async () => {
    t = await setupTestOrg();
    const { result } = await runCommand(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'iso', '--countries', 'au,DE']);
    expect(result).to.include({ countriesChanged: 2, statesChanged: 8 });
    expect(countryOf(t, 'AU').states?.every((s) => s.integrationValue === s.isoCode)).to.equal(true);
    expect(countryOf(t, 'DE').integrationValue).to.equal('DE');
    expect(countryOf(t, 'US').integrationValue).to.equal('United States');
  });

  it('writes settings/Address.settings-meta.xml that validates against the WSDL, and leaves the org alone', async () => {
    t = await setupTestOrg();
    const dir = await mkdtemp(join(tmpdir(), 'provision-out-'));
    try {
      const before = orgFingerprint(t.emu);
      const { result } = await runCommand(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'iso', '--countries', 'US', '--output-dir', dir]);
      expect(result.files).to.deep.equal([join('settings', 'Address.settings-meta.xml')]);
      expect(result.changes[0].status).to.equal('written');
      expect(orgFingerprint(t.emu)).to.equal(before);
      const xml = await readFile(join(dir, 'settings', 'Address.settings-meta.xml'), 'utf8');
      expect(xml.match(/<countries>/g)).to.have.length(1);
      expect(xml).to.match(/<countries>\s*<active>true<\/active>\s*<integrationValue>US<\/integrationValue>\s*<isoCode>US<\/isoCode>/);
      expect(xml).to.contain('<integrationValue>WY</integrationValue>');
      const { components, errors } = await validateSourceDir(dir);
      expect(errors).to.deep.equal([]);
      expect(components).to.deep.equal(['Settings:Address']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown country, and a value another country already holds, with the fix', async () => {
    t = await setupTestOrg();
    const unknown = await runCommandError(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'iso', '--countries', 'XX']);
    expect(unknown.message).to.equal('The org has no country or territory with the ISO code XX.');
    const conn = t.org.getConnection();
    await conn.metadata.update('AddressSettings', {
      fullName: 'Address',
      countriesAndStates: {
        countries: [{ active: true, integrationValue: 'US', isoCode: 'DE', label: 'Germany', orgDefault: false, standard: true, visible: true }],
      },
    } as never);
    const before = orgFingerprint(t.emu);
    const dup = await runCommandError(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'iso', '--countries', 'US']);
    expect(dup.message).to.contain('US (DE has the integration value "US")');
    expect(dup.actions?.join(' ')).to.contain('--countries');
    expect(orgFingerprint(t.emu)).to.equal(before);
    const bad = await runCommandError(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'names']);
    expect(bad.message).to.match(/Expected --integration-values=names to be one of: iso/);
  });

  it('runs as a subprocess with --json (bin/run.js)', async () => {
    t = await setupTestOrg({ seed: DEMO });
    const r = await t.runJson<PicklistsAlignResult>(['provision', 'picklists', 'align', '--target-org', 'emu', '--integration-values', 'iso', '--countries', 'MX']);
    expect(r.code).to.equal(0);
    expect(r.json.result).to.include({ changed: true, countriesChanged: 1, statesChanged: 0 });
    expect(countryOf(t, 'MX').integrationValue).to.equal('MX');
  });
});
