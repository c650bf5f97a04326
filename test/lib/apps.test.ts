/*
 * OAuth apps from a spec, without the command: the pure flags → spec mapping of `app create`, the spec's validation,
 * and planning a spec against the emulated org (reads only: the org is left as it was, and no secret is made).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Duration } from '@salesforce/kit';
import { OrgClient } from '../../src/provision/client.js';
import { appSpecFromFlags, desiredFromSpec, planApp, specWantsOauth, type AppSpecFlags } from '../../src/provision/apps.js';
import { appRunFromFlags } from '../../src/provision/apps-apply.js';
import { SECRET_PLACEHOLDER } from '../../src/provision/secrets.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { orgFingerprint } from '../helpers/plan.js';
import { putComponent } from '../emulator/metadata/soap.js';

const flags = (extra: Partial<AppSpecFlags> = {}): AppSpecFlags => ({ name: 'Order_Sync', saml: false, 'show-secret': false, ...extra });

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----';

const messageOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => expect.fail('expected an error'),
    (e: Error) => e.message
  );

describe('app spec from flags (pure)', () => {
  it('maps each flag to its spec field, lists split on commas, URLs as strings; what is not given is left out', () => {
    const spec = appSpecFromFlags(
      flags({
        label: 'Order Sync',
        type: 'connected-app',
        scopes: 'api, refresh_token,,',
        'callback-url': new URL('https://x.example.com/cb'),
        'client-credentials-user': 'int@acme.test',
        certificate: 'ci.crt',
        'refresh-token-policy': 'inactive-30-days',
        'admin-approved': false,
        'permission-sets': 'Integrations,Ci_Deployer',
        profiles: 'Standard User',
        'contact-email': 'ops@acme.test',
        description: 'Syncs orders',
        'secret-file': 'x.secret',
      })
    );
    expect(spec).to.deep.equal({
      name: 'Order_Sync',
      label: 'Order Sync',
      type: 'connected-app',
      contactEmail: 'ops@acme.test',
      description: 'Syncs orders',
      scopes: ['api', 'refresh_token'],
      callbackUrl: 'https://x.example.com/cb',
      clientCredentialsUser: 'int@acme.test',
      certificate: 'ci.crt',
      refreshTokenPolicy: 'inactive-30-days',
      adminApproved: false,
      permissionSets: ['Integrations', 'Ci_Deployer'],
      profiles: ['Standard User'],
    });
    expect(appSpecFromFlags(flags())).to.deep.equal({ name: 'Order_Sync' });
  });

  it('maps --saml and its flags; a SAML app is SAML-only unless an OAuth flag or a secret flag is given', () => {
    const saml = { saml: true, 'acs-url': new URL('https://wiki.example.com/acs'), 'entity-id': 'https://wiki.example.com', 'idp-cert': 'IdP Signing' };
    const only = appSpecFromFlags(flags({ ...saml, 'name-id-format': 'EmailAddress', 'subject-type': 'FederationId', 'signing-algorithm': 'SHA1' }));
    expect(only).to.deep.equal({
      name: 'Order_Sync',
      saml: {
        acsUrl: 'https://wiki.example.com/acs',
        entityId: 'https://wiki.example.com',
        subjectType: 'FederationId',
        nameIdFormat: 'EmailAddress',
        signingAlgorithm: 'SHA1',
        idpCert: 'IdP Signing',
      },
    });
    expect(specWantsOauth(only)).to.equal(false);
    expect(specWantsOauth(appSpecFromFlags(flags({ ...saml, scopes: 'api' })))).to.equal(true);
    expect(appSpecFromFlags(flags({ ...saml, 'show-secret': true }))).to.include({ oauth: true });
    expect(specWantsOauth(appSpecFromFlags(flags({ ...saml, 'secret-file': 'x' })))).to.equal(true);
    expect(specWantsOauth(appSpecFromFlags(flags()))).to.equal(true);
    // A SAML spec without ACS URL is still a spec; validating it says what is missing.
    expect(appSpecFromFlags(flags({ saml: true, 'entity-id': 'x' }))).to.deep.equal({ name: 'Order_Sync', saml: { entityId: 'x' } });
  });

  it('refuses SAML flags without --saml; --wait is a duration in minutes', () => {
    expect(() => appSpecFromFlags(flags({ 'acs-url': new URL('https://x/acs'), 'idp-cert': 'c' }))).to.throw('--acs-url, --idp-cert only apply to SAML apps');
    expect(appRunFromFlags({ 'dry-run': false, 'show-secret': false, wait: Duration.minutes(7) }).wait).to.equal(7);
    expect(() => appRunFromFlags({ 'dry-run': false, 'show-secret': false, wait: Duration.minutes(-1) })).to.throw('--wait -1 is out of range');
    expect(appRunFromFlags({ 'dry-run': true, 'show-secret': false, 'secret-file': 'f', wait: Duration.minutes(0) })).to.deep.equal({
      dryRun: true,
      outputDir: undefined,
      secretFile: 'f',
      showSecret: false,
      wait: 0,
    });
  });
});

describe('app spec validation (no org)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provision-apps-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('turns scopes into metadata values and the refresh token policy into its parts', async () => {
    const desired = await desiredFromSpec({ name: 'A', scopes: ['api', 'offline_access', 'RefreshToken'], refreshTokenPolicy: '90-days' });
    expect(desired).to.deep.include({ scopes: ['Api', 'RefreshToken'], refreshTokenPolicy: { type: 'SpecificLifetime', period: 90, unit: 'Days' }, oauth: true });
  });

  it('takes the certificate as PEM text or as a file path, and refuses what is not a certificate', async () => {
    expect((await desiredFromSpec({ name: 'A', certificate: `${PEM}\n` })).certificate).to.equal(PEM);
    const file = join(dir, 'ci.crt');
    await writeFile(file, `\n${PEM}\n`);
    expect((await desiredFromSpec({ name: 'A', certificate: file })).certificate).to.equal(PEM);
    const key = join(dir, 'ci.key');
    await writeFile(key, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(await messageOf(desiredFromSpec({ name: 'A', certificate: key }))).to.equal(`${key} is not a PEM certificate.`);
    expect(await messageOf(desiredFromSpec({ name: 'A', certificate: '-----BEGIN PRIVATE KEY-----\nAAAA' }))).to.contain('is not a PEM certificate');
  });

  it('refuses a bad name, scope, policy, name ID format, and a SAML app without ACS URL or entity ID', async () => {
    expect(await messageOf(desiredFromSpec({ name: 'Bad__Name' }))).to.contain('"Bad__Name" is not a valid app API name');
    expect(await messageOf(desiredFromSpec({ name: 'A', scopes: ['api', 'nope'] }))).to.contain('Unknown OAuth scope "nope"');
    expect(await messageOf(desiredFromSpec({ name: 'A', refreshTokenPolicy: 'forever' }))).to.contain('"forever" is not a refresh token policy');
    expect(await messageOf(desiredFromSpec({ name: 'A', saml: { entityId: 'x' } }))).to.contain('A SAML app needs --acs-url');
    expect(await messageOf(desiredFromSpec({ name: 'A', saml: { acsUrl: 'https://x/acs', entityId: 'x', nameIdFormat: 'kerberos' } }))).to.contain(
      '"kerberos" is not a SAML name ID format'
    );
  });
});

describe('planApp: a spec planned against the emulated org, without the command', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;
  beforeEach(async () => {
    t = await setupTestOrg();
    client = new OrgClient(t.org.getConnection());
  });
  afterEach(async () => {
    await t?.close();
  });

  it('plans a new External Client App with a generated key and a secret placeholder; reads only', async () => {
    const before = orgFingerprint(t.emu);
    const planned = await planApp(client, { name: 'Order_Sync', scopes: ['api'], clientCredentialsUser: t.emu.adminUsername, contactEmail: 'ops@acme.test' });
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(planned).to.deep.include({ name: 'Order_Sync', type: 'ExternalClientApplication', exists: false, oauth: true, hadOauth: false, newSecret: true, clientCredentials: true, warnings: [] });
    expect(planned.consumerKey).to.match(/^3MVG[0-9A-Za-z]{81}$/);
    expect(planned.changes.map((c) => [c.resource, c.action])).to.deep.equal([
      ['ExternalClientApplication', 'create'],
      ['ExtlClntAppConfigurablePolicies', 'create'],
      ['ExtlClntAppOauthSettings', 'create'],
      ['ExtlClntAppGlobalOauthSettings', 'create'],
      ['ExtlClntAppOauthConfigurablePolicies', 'create'],
    ]);
    const global = planned.changes.find((c) => c.resource === 'ExtlClntAppGlobalOauthSettings')!;
    expect(global.fields).to.deep.include({ field: 'consumerSecret', to: SECRET_PLACEHOLDER });
    expect(global.metadata?.content).not.to.have.property('consumerSecret');
    // For files: no secret at all.
    const forFiles = await planApp(client, { name: 'Order_Sync', scopes: ['api'] }, { forFiles: true });
    expect(forFiles.newSecret).to.equal(false);
    expect(forFiles.changes.flatMap((c) => c.fields.map((f) => f.field))).not.to.include('consumerSecret');
    expect(JSON.stringify(forFiles.changes.map((c) => c.metadata))).not.to.contain('consumerSecret');
  });

  it('keeps the key of an existing app and plans only what the spec changes', async () => {
    const ctx = t.emu.metadataContext;
    const key = `3MVG${'k'.repeat(81)}`;
    await putComponent(ctx, 'ExternalClientApplication', 'Cc', { contactEmail: 'a@b.c', distributionState: 'Local', isProtected: false, label: 'Cc' });
    await putComponent(ctx, 'ExtlClntAppOauthSettings', 'Cc_oauth', { commaSeparatedOauthScopes: 'Api', externalClientApplication: 'Cc', label: 'Cc_oauth' });
    await putComponent(ctx, 'ExtlClntAppGlobalOauthSettings', 'Cc_glbloauth', {
      callbackUrl: 'https://x/cb',
      consumerKey: key,
      consumerSecret: 'A'.repeat(64),
      externalClientApplication: 'Cc',
      label: 'Cc_glbloauth',
    });
    const planned = await planApp(client, { name: 'Cc', scopes: ['api', 'refresh_token'] });
    expect(planned).to.deep.include({ exists: true, hadOauth: true, newSecret: false, consumerKey: key, clientCredentials: false });
    const changed = planned.changes.filter((c) => c.action !== 'none');
    expect(changed.map((c) => [c.resource, c.fields.map((f) => f.field)])).to.deep.include(['ExtlClntAppOauthSettings', ['commaSeparatedOauthScopes']]);
    expect(JSON.stringify(planned)).not.to.contain('A'.repeat(64));
  });

  it('resolves the signing certificate by label for a SAML-only app, and warns when the identity provider is off', async () => {
    await putComponent(t.emu.metadataContext, 'Certificate', 'Idp_Signing', { caSigned: false, keySize: 2048, masterLabel: 'IdP Signing', privateKeyExportable: false });
    const spec = appSpecFromFlags(flags({ name: 'Wiki', saml: true, 'acs-url': new URL('https://wiki.example.com/acs'), 'entity-id': 'https://wiki.example.com', 'idp-cert': 'IdP Signing' }));
    const planned = await planApp(client, spec);
    expect(planned).to.deep.include({ oauth: false, newSecret: false, consumerKey: undefined });
    expect(planned.saml).to.deep.equal({ acsUrl: 'https://wiki.example.com/acs', entityId: 'https://wiki.example.com', certificate: 'Idp_Signing' });
    expect(planned.changes.map((c) => c.resource)).to.deep.equal(['ExternalClientApplication', 'ExtlClntAppConfigurablePolicies', 'ExtlClntAppSamlConfigurablePolicies']);
    expect(planned.warnings.join(' ')).to.contain('sf provision idp enable --cert Idp_Signing');
    expect(await messageOf(planApp(client, { ...spec, saml: { ...spec.saml, idpCert: 'Nope' } }))).to.contain('No certificate in the org has the label or API name "Nope"');
  });

  it('gives a new connected app the running user\'s email and the name as label; refuses a name taken by the other kind', async () => {
    t.emu.store.patchSystem('User', t.emu.adminUserId, { Email: 'ada.admin@acme.example.org' });
    const planned = await planApp(client, { name: 'Legacy', type: 'connected-app' });
    expect(planned.type).to.equal('ConnectedApp');
    expect(planned.changes[0].fields.map((f) => [f.field, f.to])).to.deep.include.members([
      ['contactEmail', 'ada.admin@acme.example.org'],
      ['label', 'Legacy'],
    ]);
    await putComponent(t.emu.metadataContext, 'ExternalClientApplication', 'Taken', { contactEmail: 'a@b.c', distributionState: 'Local', isProtected: false, label: 'Taken' });
    expect(await messageOf(planApp(client, { name: 'Taken', type: 'connected-app' }))).to.contain('Taken already exists as a External Client App, not as a connected app');
  });
});
