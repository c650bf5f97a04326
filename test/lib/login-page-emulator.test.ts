/*
 * The emulator's login-page rules the login-page commands rely on: every seeded org has its My Domain login page
 * (AuthConfig of Type 'Org'), AuthConfig is read-only, AuthConfigProviders must point at an existing SAML
 * configuration or Auth. Provider and cannot repeat one, and AuthOptionsSaml follows the page's SAML buttons.
 */
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from '../emulator/server.js';
import { DEFAULT_SEED, loadSeed } from '../emulator/seed.js';
import { putComponent } from '../emulator/metadata/soap.js';
import { to18 } from '../emulator/ids.js';

type Json = Record<string, unknown>;

const DEMO_SEED = DEFAULT_SEED.replace(/default\.json$/, 'demo.json');

describe('emulator: My Domain login page (AuthConfig, AuthConfigProviders)', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${emu.instanceUrl}/services/data/v66.0${path}`, {
      method,
      headers: { Authorization: `Bearer ${emu.accessToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
  const query = async (soql: string): Promise<Json[]> => ((await call('GET', `/query?q=${encodeURIComponent(soql)}`)).body as { records: Json[] }).records;
  const errorOf = (r: { body: unknown }): Json => (r.body as Json[])[0];
  const orgPage = async (): Promise<Json> => (await query("SELECT Id, AuthOptionsSaml, AuthOptionsUsernamePassword, Url FROM AuthConfig WHERE Type = 'Org'"))[0];
  const oktaId = async (): Promise<string> => String((await query("SELECT Id FROM SamlSsoConfig WHERE DeveloperName = 'Okta'"))[0].Id);
  const setSaml = async (on: boolean): Promise<void> => {
    const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
    const res = (await (conn.metadata as unknown as { update: (t: string, m: unknown) => Promise<{ success: boolean }> }).update('SecuritySettings', {
      fullName: 'Security',
      singleSignOnSettings: { enableSamlLogin: on },
    })) as { success: boolean };
    expect(res.success).to.equal(true);
  };

  afterEach(async () => {
    await emu?.stop();
  });

  it('gives the default and the demo org one active My Domain login page with the login form on', async () => {
    for (const seed of [DEFAULT_SEED, DEMO_SEED]) {
      // eslint-disable-next-line no-await-in-loop
      emu = await OrgEmulator.start({ seed: await loadSeed(seed) });
      // eslint-disable-next-line no-await-in-loop
      const pages = await query("SELECT Id, DeveloperName, IsActive, Url, AuthOptionsUsernamePassword, AuthOptionsSaml FROM AuthConfig WHERE Type = 'Org'");
      expect(pages, seed).to.have.length(1);
      expect(pages[0]).to.include({ IsActive: true, AuthOptionsUsernamePassword: true, AuthOptionsSaml: false, Url: emu.instanceUrl });
      // eslint-disable-next-line no-await-in-loop
      await emu.stop();
    }
    emu = undefined as unknown as OrgEmulator;
  });

  it('keeps AuthConfig read-only: no update, no create', async () => {
    emu = await OrgEmulator.start({ seed: DEMO_SEED });
    const page = await orgPage();
    const upd = await call('PATCH', `/sobjects/AuthConfig/${String(page.Id)}`, { AuthOptionsUsernamePassword: false });
    expect(upd.status).to.equal(400);
    expect(errorOf(upd).errorCode).to.equal('INVALID_TYPE');
    expect((await orgPage()).AuthOptionsUsernamePassword).to.equal(true);
    const ins = await call('POST', '/sobjects/AuthConfig', { DeveloperName: 'Another', Type: 'Org' });
    expect(ins.status).to.equal(400);
    expect(errorOf(ins).errorCode).to.equal('INVALID_TYPE');
  });

  it('wants AuthProviderId to be an existing SAML configuration or Auth. Provider, once per page', async () => {
    emu = await OrgEmulator.start({ seed: DEMO_SEED });
    const page = await orgPage();
    const missing = await call('POST', '/sobjects/AuthConfigProviders', { AuthConfigId: page.Id, AuthProviderId: to18('0LE5g0000000zzz') });
    expect(missing.status).to.equal(400);
    expect(errorOf(missing)).to.include({ errorCode: 'INVALID_CROSS_REFERENCE_KEY' });
    expect(errorOf(missing).fields).to.deep.equal(['AuthProviderId']);

    const user = String((await query('SELECT Id FROM User LIMIT 1'))[0].Id);
    const wrongType = await call('POST', '/sobjects/AuthConfigProviders', { AuthConfigId: page.Id, AuthProviderId: user });
    expect(errorOf(wrongType).errorCode).to.equal('FIELD_INTEGRITY_EXCEPTION');

    const noPage = await call('POST', '/sobjects/AuthConfigProviders', { AuthProviderId: await oktaId() });
    expect(errorOf(noPage).errorCode).to.equal('REQUIRED_FIELD_MISSING');

    const ok = await call('POST', '/sobjects/AuthConfigProviders', { AuthConfigId: page.Id, AuthProviderId: await oktaId() });
    expect(ok.status).to.equal(201);
    const dup = await call('POST', '/sobjects/AuthConfigProviders', { AuthConfigId: page.Id, AuthProviderId: await oktaId() });
    expect(errorOf(dup).errorCode).to.equal('DUPLICATE_VALUE');
    expect(await query('SELECT Id FROM AuthConfigProviders')).to.have.length(1);
  });

  it('sets AuthOptionsSaml while a SAML button is on the page and SAML is on', async () => {
    emu = await OrgEmulator.start({ seed: DEMO_SEED });
    const page = await orgPage();
    expect(page.AuthOptionsSaml).to.equal(false);
    const created = await call('POST', '/sobjects/AuthConfigProviders', { AuthConfigId: page.Id, AuthProviderId: await oktaId() });
    const id = (created.body as Json).id as string;
    expect((await orgPage()).AuthOptionsSaml).to.equal(true);

    await setSaml(false);
    expect((await orgPage()).AuthOptionsSaml).to.equal(false);
    await setSaml(true);
    expect((await orgPage()).AuthOptionsSaml).to.equal(true);

    const del = await call('DELETE', `/sobjects/AuthConfigProviders/${id}`);
    expect(del.status).to.equal(204);
    expect((await orgPage()).AuthOptionsSaml).to.equal(false);
  });

  it('stops counting a button whose SAML configuration was deleted', async () => {
    emu = await OrgEmulator.start({ seed: DEMO_SEED });
    const page = await orgPage();
    await putComponent(emu.metadataContext, 'SamlSsoConfig', 'Entra', {
      identityLocation: 'SubjectNameId',
      identityMapping: 'FederationId',
      issuer: 'https://sts.windows.net/tenant/',
      loginUrl: 'https://login.microsoftonline.com/tenant/saml2',
      name: 'Entra',
      samlEntityId: 'https://acme.my.salesforce.com',
      samlVersion: 'SAML2_0',
      validationCert: String(emu.components.get('SamlSsoConfig')?.get('Okta')?.content.validationCert),
    });
    const entra = String((await query("SELECT Id FROM SamlSsoConfig WHERE DeveloperName = 'Entra'"))[0].Id);
    await call('POST', '/sobjects/AuthConfigProviders', { AuthConfigId: page.Id, AuthProviderId: entra });
    expect((await orgPage()).AuthOptionsSaml).to.equal(true);
    const conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
    await conn.metadata.delete('SamlSsoConfig', 'Entra');
    expect((await orgPage()).AuthOptionsSaml).to.equal(false);
  });
});
