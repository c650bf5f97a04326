/* eslint-disable camelcase -- grant_type, client_id, error_description are OAuth's wire names */
import { expect } from 'chai';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { putComponent } from '../emulator/metadata/soap.js';

const KEY = `3MVG${'k'.repeat(81)}`;
const SECRET = 'A'.repeat(64);

const clientCredentials = async (t: TestOrg): Promise<{ status: number; body: Record<string, string> }> => {
  const res = await fetch(`${t.emu.instanceUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: KEY, client_secret: SECRET }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

/** An External Client App with client credentials on, run as the admin. */
const putApp = async (t: TestOrg, plugins?: Record<string, unknown>): Promise<void> => {
  const ctx = t.emu.metadataContext;
  await putComponent(ctx, 'ExternalClientApplication', 'Cc', { contactEmail: 'a@b.c', distributionState: 'Local', isProtected: false, label: 'Cc' });
  if (plugins) await putComponent(ctx, 'ExtlClntAppConfigurablePolicies', 'Cc_plcy', { externalClientApplication: 'Cc', ...plugins, label: 'Cc_plcy' });
  await putComponent(ctx, 'ExtlClntAppOauthSettings', 'Cc_oauth', { commaSeparatedOauthScopes: 'Api', externalClientApplication: 'Cc', label: 'Cc_oauth' });
  await putComponent(ctx, 'ExtlClntAppGlobalOauthSettings', 'Cc_glbloauth', {
    callbackUrl: 'https://x/cb',
    consumerKey: KEY,
    consumerSecret: SECRET,
    externalClientApplication: 'Cc',
    isClientCredentialsFlowEnabled: true,
    label: 'Cc_glbloauth',
  });
  await putComponent(ctx, 'ExtlClntAppOauthConfigurablePolicies', 'Cc_oauthPlcy', {
    clientCredentialsFlowUser: t.emu.adminUsername,
    externalClientApplication: 'Cc',
    isClientCredentialsFlowEnabled: true,
    label: 'Cc_oauthPlcy',
  });
};

/** Emulator rules for OAuth consumer credentials (write-only through the Metadata API). */
describe('emulator: OAuth consumer secrets are write-only', function () {
  this.timeout(60_000);
  let t: TestOrg;
  beforeEach(async () => {
    t = await setupTestOrg();
  });
  afterEach(async () => {
    await t?.close();
  });

  it('readMetadata leaves out the consumer secret, and an update without key or secret keeps them', async () => {
    const conn = t.org.getConnection();
    const md = conn.metadata as unknown as {
      create(type: string, m: object): Promise<{ success: boolean | string }>;
      update(type: string, m: object): Promise<{ success: boolean | string }>;
      read(type: string, name: string): Promise<Record<string, unknown>>;
    };
    expect(String((await md.create('ExternalClientApplication', { fullName: 'E1', contactEmail: 'a@b.c', distributionState: 'Local', label: 'E1' })).success)).to.equal('true');
    const created = await md.create('ExtlClntAppGlobalOauthSettings', {
      fullName: 'E1_glbloauth',
      callbackUrl: 'https://x/cb',
      consumerKey: 'KEY1234567890',
      consumerSecret: 'SECRET1234',
      externalClientApplication: 'E1',
      label: 'g',
    });
    expect(created).to.deep.include({ success: true });
    const read = await md.read('ExtlClntAppGlobalOauthSettings', 'E1_glbloauth');
    expect(read.consumerKey).to.equal('KEY1234567890');
    expect(read).not.to.have.property('consumerSecret');
    const upd = await md.update('ExtlClntAppGlobalOauthSettings', { fullName: 'E1_glbloauth', callbackUrl: 'https://y/cb', externalClientApplication: 'E1', label: 'g' });
    expect(String(upd.success)).to.equal('true');
    const stored = t.emu.components.get('ExtlClntAppGlobalOauthSettings')?.get('E1_glbloauth')?.content;
    expect(stored).to.include({ callbackUrl: 'https://y/cb', consumerKey: 'KEY1234567890', consumerSecret: 'SECRET1234' });
  });

  it('does the same for a connected app\'s oauthConfig', async () => {
    t.emu.flags.connectedAppCreationAllowed = true;
    const conn = t.org.getConnection();
    const md = conn.metadata as unknown as {
      create(type: string, m: object): Promise<{ success: boolean | string }>;
      update(type: string, m: object): Promise<{ success: boolean | string }>;
      read(type: string, name: string): Promise<Record<string, unknown>>;
    };
    const res = await md.create('ConnectedApp', { fullName: 'C1', contactEmail: 'a@b.c', label: 'C1', oauthConfig: { callbackUrl: 'https://x/cb', consumerKey: 'CK12345678', consumerSecret: 'CS1234', scopes: ['Api'] } });
    expect(res).to.deep.include({ success: true });
    const read = await md.read('ConnectedApp', 'C1');
    expect(read.oauthConfig).to.include({ consumerKey: 'CK12345678' }).and.not.to.have.property('consumerSecret');
    await md.update('ConnectedApp', { fullName: 'C1', contactEmail: 'a@b.c', label: 'C2', oauthConfig: { callbackUrl: 'https://x/cb', scopes: ['Api'] } });
    const stored = t.emu.components.get('ConnectedApp')?.get('C1')?.content.oauthConfig;
    expect(stored).to.include({ consumerKey: 'CK12345678', consumerSecret: 'CS1234' });
  });
});

describe('emulator: ConnectedApp required fields', function () {
  this.timeout(60_000);
  let t: TestOrg;
  beforeEach(async () => {
    t = await setupTestOrg();
  });
  afterEach(async () => {
    await t?.close();
  });

  it('refuses a ConnectedApp without contactEmail or label (the WSDL requires both), where the org allows new connected apps', async () => {
    t.emu.flags.connectedAppCreationAllowed = true;
    const md = t.org.getConnection().metadata as unknown as {
      create(type: string, m: object): Promise<{ success: boolean | string; errors?: { statusCode: string; message: string } | Array<{ statusCode: string; message: string }> }>;
    };
    const noEmail = await md.create('ConnectedApp', { fullName: 'C1', label: 'C1', oauthConfig: { callbackUrl: 'https://x/cb', scopes: ['Api'] } });
    expect(String(noEmail.success)).to.equal('false');
    expect([noEmail.errors].flat().map((e) => [e?.statusCode, e?.message])).to.deep.equal([['REQUIRED_FIELD_MISSING', 'Required field is missing: contactEmail']]);
    const noLabel = await md.create('ConnectedApp', { fullName: 'C1', contactEmail: 'a@b.c' });
    expect(JSON.stringify(noLabel.errors)).to.contain('Required field is missing: label');
    expect(t.emu.components.get('ConnectedApp')?.has('C1') ?? false).to.equal(false);
  });
});

describe('emulator: External Client App plugins, SAML policies and propagation', function () {
  this.timeout(60_000);
  let t: TestOrg;
  beforeEach(async () => {
    t = await setupTestOrg();
  });
  afterEach(async () => {
    await t?.close();
  });

  it('issues tokens with the plugin defaults (no ExtlClntAppConfigurablePolicies, or both switches on)', async () => {
    await putApp(t);
    expect((await clientCredentials(t)).status).to.equal(200);
    await putComponent(t.emu.metadataContext, 'ExtlClntAppConfigurablePolicies', 'Cc_plcy', { externalClientApplication: 'Cc', isEnabled: true, isOauthPluginEnabled: true, label: 'p' });
    expect((await clientCredentials(t)).status).to.equal(200);
  });

  it('refuses tokens while isEnabled or isOauthPluginEnabled is false', async () => {
    await putApp(t, { isEnabled: false, isOauthPluginEnabled: true });
    expect((await clientCredentials(t)).body.error).to.equal('invalid_client_id');
    await putComponent(t.emu.metadataContext, 'ExtlClntAppConfigurablePolicies', 'Cc_plcy', { externalClientApplication: 'Cc', isEnabled: true, isOauthPluginEnabled: false, label: 'p' });
    expect((await clientCredentials(t)).body.error).to.equal('invalid_client_id');
    await putComponent(t.emu.metadataContext, 'ExtlClntAppConfigurablePolicies', 'Cc_plcy', { externalClientApplication: 'Cc', isEnabled: true, isOauthPluginEnabled: true, label: 'p' });
    expect((await clientCredentials(t)).status).to.equal(200);
  });

  it('does not know new credentials for oauthAppActivationDelayMs after they are saved', async () => {
    t.emu.flags.oauthAppActivationDelayMs = 700;
    await putApp(t);
    const early = await clientCredentials(t);
    expect(early).to.deep.include({ status: 400 });
    expect(early.body).to.deep.include({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
    await new Promise((r) => setTimeout(r, 800));
    expect((await clientCredentials(t)).status).to.equal(200);
  });

  it('refuses SAML policies unless the parent app is Local and its SAML plugin is on', async () => {
    const conn = t.org.getConnection();
    const md = conn.metadata as unknown as { create(type: string, m: object): Promise<{ success: boolean | string; errors?: unknown }> };
    const saml = { fullName: 'Sp_samlPlcy', acsUrl: 'https://sp/acs', entityUrl: 'sp', externalClientApplication: 'Sp', label: 'Sp_samlPlcy' };
    await md.create('ExternalClientApplication', { fullName: 'Sp', contactEmail: 'a@b.c', distributionState: 'Local', label: 'Sp' });
    const noPlugin = await md.create('ExtlClntAppSamlConfigurablePolicies', saml);
    expect(String(noPlugin.success)).to.equal('false');
    expect(JSON.stringify(noPlugin.errors)).to.contain('isSamlPluginEnabled');
    await md.create('ExtlClntAppConfigurablePolicies', { fullName: 'Sp_plcy', externalClientApplication: 'Sp', isEnabled: true, isSamlPluginEnabled: true, label: 'Sp_plcy' });
    expect(String((await md.create('ExtlClntAppSamlConfigurablePolicies', saml)).success)).to.equal('true');

    await md.create('ExternalClientApplication', { fullName: 'Pk', contactEmail: 'a@b.c', distributionState: 'Packaged', label: 'Pk' });
    await md.create('ExtlClntAppConfigurablePolicies', { fullName: 'Pk_plcy', externalClientApplication: 'Pk', isEnabled: true, isSamlPluginEnabled: true, label: 'Pk_plcy' });
    const packaged = await md.create('ExtlClntAppSamlConfigurablePolicies', { ...saml, fullName: 'Pk_samlPlcy', externalClientApplication: 'Pk' });
    expect(String(packaged.success)).to.equal('false');
    expect(JSON.stringify(packaged.errors)).to.contain('must be Local');
  });
});
