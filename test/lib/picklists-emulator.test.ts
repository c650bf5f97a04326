/*
 * The emulator's State and Country/Territory rules this plugin relies on: AddressSettings updates (Setup's rules for
 * active, visible and the default country) and the address fields of records (integration values, ISO codes).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Connection } from '@salesforce/core';
import { ROOT, setupTestOrg, type TestOrg } from '../helpers/harness.js';
import type { Seed } from '../emulator/seed.js';

const demoSeed = (): Seed => JSON.parse(readFileSync(join(ROOT, 'test', 'emulator', 'seeds', 'demo.json'), 'utf8')) as Seed;

/** A seed with the picklists on or off and the United States as the org's default country. */
const seedWithDefault = (enabled: boolean): Seed => {
  const seed = demoSeed();
  seed.flags = { ...seed.flags, stateCountryPicklistsEnabled: enabled };
  seed.metadata = [
    ...(seed.metadata ?? []),
    {
      type: 'AddressSettings',
      fullName: 'Address',
      content: {
        countriesAndStates: {
          countries: [
            { active: true, integrationValue: 'United States', isoCode: 'US', label: 'United States', orgDefault: true, standard: true, visible: true },
          ],
        },
      },
    },
  ];
  return seed;
};

type SaveResult = { success: boolean | string; errors?: { statusCode: string; message: string } | Array<{ statusCode: string; message: string }> };
const firstError = (r: SaveResult): { statusCode: string; message: string } => (Array.isArray(r.errors) ? r.errors[0] : r.errors!);

/** A complete Country element, its fields in WSDL order (the SOAP binding refuses another order). */
const country = (iso: string, label: string, o: Record<string, unknown> = {}): Record<string, unknown> => {
  const c: Record<string, unknown> = { active: true, integrationValue: label, isoCode: iso, label, orgDefault: false, standard: true, states: undefined, visible: true, ...o };
  return Object.fromEntries(['active', 'integrationValue', 'isoCode', 'label', 'orgDefault', 'standard', 'states', 'visible'].filter((k) => c[k] !== undefined).map((k) => [k, c[k]]));
};

const updateAddress = async (conn: Connection, countries: Array<Record<string, unknown>>): Promise<SaveResult> =>
  (await conn.metadata.update('AddressSettings', { fullName: 'Address', countriesAndStates: { countries } } as never)) as unknown as SaveResult;

type RestError = { errorCode?: string; message?: string; fields?: string[] };
const createError = async (conn: Connection, sobject: string, values: Record<string, unknown>): Promise<RestError> => {
  try {
    await conn.sobject(sobject).create(values);
  } catch (e) {
    const err = e as { errorCode?: string; name?: string; message?: string; data?: Array<{ fields?: string[] }> | { fields?: string[] } };
    const data = Array.isArray(err.data) ? err.data[0] : err.data;
    return { errorCode: err.errorCode ?? err.name, message: err.message, fields: data?.fields };
  }
  throw new Error(`expected creating ${sobject} to fail`);
};

describe('emulator: State and Country/Territory rules', function () {
  this.timeout(60_000);
  let t: TestOrg;

  afterEach(async () => {
    await t?.close();
  });

  describe('AddressSettings updates', () => {
    it('keeps the default country active and visible: FIELD_INTEGRITY_EXCEPTION', async () => {
      t = await setupTestOrg({ seed: seedWithDefault(false) });
      const conn = t.org.getConnection();
      const hide = await updateAddress(conn, [country('US', 'United States', { orgDefault: true, visible: false })]);
      expect(String(hide.success)).to.equal('false');
      expect(firstError(hide).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(firstError(hide).message).to.match(/default country\/territory and must be active and visible/);
      const other = await updateAddress(conn, [country('DE', 'Germany', { active: false, visible: false })]);
      expect(String(other.success)).to.equal('true');
    });

    it('a country or state must be active to be visible: FIELD_INTEGRITY_EXCEPTION', async () => {
      t = await setupTestOrg();
      const conn = t.org.getConnection();
      const bad = await updateAddress(conn, [country('DE', 'Germany', { active: false, visible: true })]);
      expect(firstError(bad).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(firstError(bad).message).to.match(/'DE' must be active before it can be visible/);
      const badState = await updateAddress(conn, [
        country('CA', 'Canada', { states: [{ active: false, integrationValue: 'Ontario', isoCode: 'ON', label: 'Ontario', standard: true, visible: true }] }),
      ]);
      expect(firstError(badState).message).to.match(/'CA-ON' must be active before it can be visible/);
      const ok = await updateAddress(conn, [
        country('CA', 'Canada', { states: [{ active: false, integrationValue: 'Ontario', isoCode: 'ON', label: 'Ontario', standard: true, visible: false }] }),
      ]);
      expect(String(ok.success)).to.equal('true');
    });
  });

  describe('address fields of records, with the picklists on', () => {
    beforeEach(async () => {
      t = await setupTestOrg({ seed: seedWithDefault(true) });
    });

    it('accepts the integration value only: not the label, not the ISO code in the text field', async () => {
      const conn = t.org.getConnection();
      await updateAddress(conn, [country('DE', 'Germany', { integrationValue: 'DEU' })]);
      expect(await createError(conn, 'Contact', { LastName: 'L', MailingCountry: 'Germany' })).to.include({ errorCode: 'FIELD_INTEGRITY_EXCEPTION' });
      expect(await createError(conn, 'Contact', { LastName: 'L', MailingCountry: 'DE' })).to.include({ errorCode: 'FIELD_INTEGRITY_EXCEPTION' });
      const ok = await conn.sobject('Contact').create({ LastName: 'L', MailingCountry: 'DEU' });
      const rec = (await conn.sobject('Contact').retrieve(String((ok as { id: string }).id))) as Record<string, unknown>;
      expect(rec).to.include({ MailingCountry: 'DEU', MailingCountryCode: 'DE' });
    });

    it('names a code that is no available value in the wording integrations see', async () => {
      const conn = t.org.getConnection();
      const e = await createError(conn, 'Contact', { LastName: 'L', MailingCountryCode: 'XX' });
      expect(e.errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(e.message).to.contain("The MailingCountryCode field contains XX, which isn't an available country/territory.");
      const s = await createError(conn, 'Contact', { LastName: 'L', MailingCountryCode: 'US', MailingStateCode: 'EP' });
      expect(s.message).to.contain("The MailingStateCode field contains EP, which isn't an available state.");
    });

    it('on create the code wins over a text that does not match; on update a mismatch is refused', async () => {
      const conn = t.org.getConnection();
      const created = (await conn.sobject('Contact').create({ LastName: 'L', MailingCountryCode: 'CA', MailingCountry: 'United States' })) as { id: string };
      const rec = (await conn.sobject('Contact').retrieve(created.id)) as Record<string, unknown>;
      expect(rec).to.include({ MailingCountryCode: 'CA', MailingCountry: 'Canada' });
      let error: RestError | undefined;
      try {
        await conn.sobject('Contact').update({ Id: created.id, MailingCountryCode: 'US', MailingCountry: 'Canada' });
      } catch (e) {
        error = e as RestError;
      }
      expect(error?.errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      await conn.sobject('Contact').update({ Id: created.id, MailingCountryCode: 'US', MailingCountry: 'United States', MailingStateCode: 'NY', MailingState: 'new york' });
      const after = (await conn.sobject('Contact').retrieve(created.id)) as Record<string, unknown>;
      expect(after).to.include({ MailingCountryCode: 'US', MailingStateCode: 'NY', MailingState: 'New York' });
    });
  });
});
