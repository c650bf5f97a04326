import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import AppCreate from '../../../../src/commands/provision/app/create.js';
import AppList from '../../../../src/commands/provision/app/list.js';
import AppShow from '../../../../src/commands/provision/app/show.js';
import AppDelete from '../../../../src/commands/provision/app/delete.js';
import AppRotateSecret from '../../../../src/commands/provision/app/rotate-secret.js';
import PermsetCreate from '../../../../src/commands/provision/permset/create.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';

const token = async (t: TestOrg, id: string, secret: string, grant = 'client_credentials'): Promise<{ status: number; body: Record<string, string> }> => {
  const res = await fetch(`${t.emu.instanceUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams([
      ['grant_type', grant],
      ['client_id', id],
      ['client_secret', secret],
    ]),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

/** Everything a run printed or returned, to scan for the secret. */
const everything = (r: { result: unknown; output: string; ux: { table: { args: unknown[][] } } }): string =>
  [JSON.stringify(r.result), r.output, JSON.stringify(r.ux.table.args)].join('\n');

describe('sf provision app create | list | show | rotate-secret | delete', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let dir: string;

  beforeEach(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'provision-app-'));
  });
  afterEach(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ecaArgs = (): string[] => ['--target-org', 'emu', '--name', 'Order_Sync', '--scopes', 'api,refresh_token', '--client-credentials-user', t.emu.adminUsername, '--contact-email', 'ops@acme.test'];

  it('creates an External Client App whose generated credentials the token endpoint accepts; a second run changes nothing', async () => {
    const secretFile = join(dir, 'order-sync.secret');
    const first = await runCommand(AppCreate, [...ecaArgs(), '--secret-file', secretFile]);
    expect(first.exitCode).to.equal(0);
    expect(first.result.changes.map((c) => [c.resource, c.action, c.status])).to.deep.equal([
      ['ExternalClientApplication', 'create', 'applied'],
      ['ExtlClntAppConfigurablePolicies', 'create', 'applied'],
      ['ExtlClntAppOauthSettings', 'create', 'applied'],
      ['ExtlClntAppGlobalOauthSettings', 'create', 'applied'],
      ['ExtlClntAppOauthConfigurablePolicies', 'create', 'applied'],
    ]);
    expect(first.result.secretCreated).to.equal(true);
    expect(first.result.consumerSecret).to.equal(undefined);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    expect(secret).to.match(/^[0-9A-F]{64}$/);
    expect((await stat(secretFile)).mode & 0o777).to.equal(0o600);
    const key = first.result.consumerKey!;
    expect(key).to.match(/^3MVG[0-9A-Za-z]{81}$/);
    expect(everything(first)).not.to.contain(secret);
    expect(everything(first)).to.contain('(secret, not shown)');

    const ok = await token(t, key, secret);
    expect(ok.status).to.equal(200);
    expect(ok.body.scope).to.equal('api');
    expect((await token(t, key, 'F'.repeat(64))).body.error).to.equal('invalid_client');
    // Flows that were not enabled are refused.
    expect((await token(t, key, secret, 'refresh_token')).body.error).to.equal('invalid_grant');

    const after = orgFingerprint(t.emu);
    const second = await runCommand(AppCreate, ecaArgs());
    expect(second.result.changed).to.equal(false);
    expect(second.result.changes.every((c) => c.action === 'none')).to.equal(true);
    expect(second.result.consumerKey).to.equal(key);
    expect(orgFingerprint(t.emu)).to.equal(after);
    expect((await token(t, key, secret)).status).to.equal(200);

    // An update keeps key and secret; the permission set it names must exist.
    const unknown = await runCommandError(AppCreate, [...ecaArgs(), '--admin-approved', '--permission-sets', 'Integrations']);
    expect(unknown.name).to.equal('UnknownPermissionSetsError');
    await runCommand(PermsetCreate, ['--target-org', 'emu', '--name', 'Integrations', '--api-enabled']);
    const upd = await runCommand(AppCreate, [...ecaArgs(), '--admin-approved', '--permission-sets', 'Integrations', '--refresh-token-policy', '90-days']);
    expect(upd.result.changes.find((c) => c.resource === 'ExtlClntAppOauthConfigurablePolicies')?.action).to.equal('update');
    expect((await token(t, key, secret)).status).to.equal(200);

    const list = await runCommand(AppList, ['--target-org', 'emu']);
    expect(list.result).to.deep.include({ name: 'Order_Sync', type: 'ExternalClientApplication', label: 'Order_Sync', flows: ['client credentials', 'authorization code'], runAsUser: t.emu.adminUsername, consumerKey: key });
    const show = await runCommand(AppShow, ['--target-org', 'emu', '--name', 'Order_Sync']);
    expect(show.result).to.deep.include({ permittedUsers: 'AdminApprovedPreAuthorized', refreshTokenPolicy: 'SpecificLifetime 90 Days', permissionSets: ['Integrations'], scopes: ['Api', 'RefreshToken'] });
    expect(everything(show)).not.to.contain(secret);

    // Rotation: the old secret stops working, the new one works.
    const rot = await runCommand(AppRotateSecret, ['--target-org', 'emu', '--name', 'Order_Sync', '--show-secret']);
    const newSecret = rot.result.consumerSecret!;
    expect(newSecret).to.match(/^[0-9A-F]{64}$/).and.not.equal(secret);
    expect((await token(t, key, secret)).body.error).to.equal('invalid_client');
    expect((await token(t, key, newSecret)).status).to.equal(200);

    const before = orgFingerprint(t.emu);
    const dry = await runCommand(AppDelete, ['--target-org', 'emu', '--name', 'Order_Sync', '--dry-run']);
    expect(dry.result.changes.map((c) => c.action)).to.deep.equal(['delete', 'delete', 'delete', 'delete', 'delete']);
    expect(orgFingerprint(t.emu)).to.equal(before);
    const del = await runCommand(AppDelete, ['--target-org', 'emu', '--name', 'Order_Sync']);
    expect(del.result.changes.map((c) => c.status)).to.deep.equal(['applied', 'applied', 'applied', 'applied', 'applied']);
    expect(t.emu.components.get('ExtlClntAppConfigurablePolicies')?.size ?? 0).to.equal(0);
    expect(t.emu.components.get('ExternalClientApplication')?.size ?? 0).to.equal(0);
    expect((await token(t, key, newSecret)).body.error).to.equal('invalid_client_id');
    const again = await runCommand(AppDelete, ['--target-org', 'emu', '--name', 'Order_Sync']);
    expect(again.result.changed).to.equal(false);
  });

  it('refuses to create an app whose secret nobody would see, and never overwrites a secret file', async () => {
    const before = orgFingerprint(t.emu);
    const err = await runCommandError(AppCreate, ecaArgs());
    expect(err.message).to.contain('known to nobody');
    expect(err.actions?.join(' ')).to.contain('--secret-file');
    const existing = join(dir, 'taken');
    await writeFile(existing, 'other');
    const err2 = await runCommandError(AppCreate, [...ecaArgs(), '--secret-file', existing]);
    expect(err2.message).to.contain('already exists');
    expect(await readFile(existing, 'utf8')).to.equal('other');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('--dry-run leaves the org untouched; --output-dir writes valid files without the secret', async () => {
    const before = orgFingerprint(t.emu);
    const dry = await runCommand(AppCreate, [...ecaArgs(), '--dry-run']);
    expect(dry.result.dryRun).to.equal(true);
    expect(dry.result.changes.map((c) => c.action)).to.deep.equal(['create', 'create', 'create', 'create', 'create']);
    expect(orgFingerprint(t.emu)).to.equal(before);

    const out = join(dir, 'src');
    const files = await runCommand(AppCreate, [...ecaArgs(), '--output-dir', out]);
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(files.result.files).to.have.length(5);
    const { components, errors } = await validateSourceDir(out);
    expect(errors).to.deep.equal([]);
    expect(components).to.have.members([
      'ExtlClntAppConfigurablePolicies:Order_Sync_plcy',
      'ExtlClntAppGlobalOauthSettings:Order_Sync_glbloauth',
      'ExtlClntAppOauthConfigurablePolicies:Order_Sync_oauthPlcy',
      'ExtlClntAppOauthSettings:Order_Sync_oauth',
      'ExternalClientApplication:Order_Sync',
    ]);
    const glbl = await readFile(join(out, 'extlClntAppGlobalOauthSets', 'Order_Sync_glbloauth.ecaGlblOauth-meta.xml'), 'utf8');
    expect(glbl).to.contain('<consumerKey>3MVG');
    expect(glbl).not.to.contain('consumerSecret');
    expect(files.output).to.contain('consumerSecret is left out');
  });

  it('connected apps: refused by a Spring \'26 org with a pointer to External Client Apps, created where allowed', async () => {
    const err = await runCommandError(AppCreate, ['--target-org', 'emu', '--name', 'Legacy', '--type', 'connected-app', '--client-credentials-user', t.emu.adminUsername, '--contact-email', 'ops@acme.test', '--show-secret']);
    expect(err.message).to.contain('refused to create the connected app Legacy');
    expect(err.actions?.join(' ')).to.contain('External Client App');
    expect(t.emu.components.get('ConnectedApp')?.has('Legacy') ?? false).to.equal(false);

    t.emu.flags.connectedAppCreationAllowed = true;
    const ok = await runCommand(AppCreate, ['--target-org', 'emu', '--name', 'Legacy', '--type', 'connected-app', '--client-credentials-user', t.emu.adminUsername, '--contact-email', 'ops@acme.test', '--show-secret']);
    expect(ok.result.changes[0]).to.deep.include({ resource: 'ConnectedApp', action: 'create', status: 'applied' });
    const secret = ok.result.consumerSecret!;
    expect(ok.output).to.contain(secret);
    expect((await token(t, ok.result.consumerKey!, secret)).status).to.equal(200);
    const again = await runCommand(AppCreate, ['--target-org', 'emu', '--name', 'Legacy', '--type', 'connected-app', '--client-credentials-user', t.emu.adminUsername]);
    expect(again.result.changed).to.equal(false);
    const upd = await runCommand(AppCreate, ['--target-org', 'emu', '--name', 'Legacy', '--type', 'connected-app', '--scopes', 'api,openid']);
    expect(upd.result.changes[0].fields.map((f) => f.field)).to.deep.equal(['oauthConfig.scopes']);
    expect((await token(t, ok.result.consumerKey!, secret)).status).to.equal(200);
  });

  it('connected apps without --contact-email: the plain Spring \'26 refusal; where allowed, the running user\'s email and the name as label', async () => {
    t.emu.store.patchSystem('User', t.emu.adminUserId, { Email: 'ada.admin@acme.example.org' });
    const args = ['--target-org', 'emu', '--name', 'Legacy', '--type', 'connected-app', '--client-credentials-user', t.emu.adminUsername];
    const err = await runCommandError(AppCreate, [...args, '--show-secret']);
    expect(err.message).to.contain('refused to create the connected app Legacy');
    expect(err.message).to.contain('creating connected apps is disabled');
    expect(err.message).not.to.match(/required field|contactEmail/i);
    expect(err.actions?.join(' ')).to.contain('External Client App');
    expect(t.emu.components.get('ConnectedApp')?.has('Legacy') ?? false).to.equal(false);

    t.emu.flags.connectedAppCreationAllowed = true;
    const dry = await runCommand(AppCreate, [...args, '--dry-run']);
    expect(dry.result.changes[0].fields.map((f) => [f.field, f.to])).to.deep.include.members([
      ['contactEmail', 'ada.admin@acme.example.org'],
      ['label', 'Legacy'],
    ]);
    const ok = await runCommand(AppCreate, [...args, '--show-secret']);
    expect(ok.result.changes[0]).to.deep.include({ resource: 'ConnectedApp', action: 'create', status: 'applied' });
    expect(t.emu.components.get('ConnectedApp')?.get('Legacy')?.content).to.include({ contactEmail: 'ada.admin@acme.example.org', label: 'Legacy' });
    // An existing app keeps its contact email: nothing to change.
    t.emu.store.patchSystem('User', t.emu.adminUserId, { Email: 'someone.else@acme.example.org' });
    expect((await runCommand(AppCreate, args)).result.changed).to.equal(false);
  });

  it('runs as a subprocess with --json, and the secret stays out of stdout and stderr', async () => {
    const secretFile = join(dir, 's.secret');
    const r = await t.runJson<{ changed: boolean; consumerKey: string }>(['provision', 'app', 'create', ...ecaArgs(), '--secret-file', secretFile]);
    expect(r.code).to.equal(0);
    expect(r.json.result.changed).to.equal(true);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    expect(r.stdout + r.stderr).not.to.contain(secret);
    expect((await token(t, r.json.result.consumerKey, secret)).status).to.equal(200);
  });

  const samlArgs = (name = 'Wiki'): string[] => ['--target-org', 'emu', '--name', name, '--saml', '--acs-url', 'https://wiki.example.com/saml/acs', '--entity-id', 'https://wiki.example.com', '--contact-email', 'ops@acme.test'];

  it('--saml: a SAML-only External Client App without secret, signed by a certificate found by label; re-run, dry-run and output-dir', async () => {
    await putComponent(t.emu.metadataContext, 'Certificate', 'Idp_Signing', { caSigned: false, keySize: 2048, masterLabel: 'IdP Signing', privateKeyExportable: false });
    const args = [...samlArgs(), '--idp-cert', 'IdP Signing', '--subject-type', 'FederationId', '--name-id-format', 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'];

    const before = orgFingerprint(t.emu);
    const dry = await runCommand(AppCreate, [...args, '--dry-run']);
    expect(dry.result.changes.map((c) => [c.resource, c.action])).to.deep.equal([
      ['ExternalClientApplication', 'create'],
      ['ExtlClntAppConfigurablePolicies', 'create'],
      ['ExtlClntAppSamlConfigurablePolicies', 'create'],
    ]);
    expect(orgFingerprint(t.emu)).to.equal(before);

    const out = join(dir, 'src');
    const files = await runCommand(AppCreate, [...args, '--output-dir', out]);
    expect(orgFingerprint(t.emu)).to.equal(before);
    const { components, errors } = await validateSourceDir(out);
    expect(errors).to.deep.equal([]);
    expect(components).to.have.members(['ExternalClientApplication:Wiki', 'ExtlClntAppConfigurablePolicies:Wiki_plcy', 'ExtlClntAppSamlConfigurablePolicies:Wiki_samlPlcy']);
    expect(files.result.files).to.have.length(3);

    // No --secret-file or --show-secret needed: a SAML app has no consumer secret.
    const first = await runCommand(AppCreate, args);
    expect(first.exitCode).to.equal(0);
    expect(first.result.changes.map((c) => c.status)).to.deep.equal(['applied', 'applied', 'applied']);
    expect(first.result).to.deep.include({ secretCreated: false, consumerKey: undefined, saml: { acsUrl: 'https://wiki.example.com/saml/acs', entityId: 'https://wiki.example.com', certificate: 'Idp_Signing' } });
    expect(first.output).to.contain('sf provision idp enable --cert Idp_Signing');
    const stored = t.emu.components.get('ExtlClntAppSamlConfigurablePolicies')?.get('Wiki_samlPlcy')?.content;
    expect(stored).to.deep.include({ acsUrl: 'https://wiki.example.com/saml/acs', certificate: 'Idp_Signing', entityUrl: 'https://wiki.example.com', nameIdFormat: 'EmailAddress', signingAlgorithmType: 'SHA256', subjectType: 'FederationId' });
    expect(t.emu.components.get('ExtlClntAppGlobalOauthSettings')?.size ?? 0).to.equal(0);

    // app show / app list tell the SAML settings; OAuth flows stay empty.
    const show = await runCommand(AppShow, ['--target-org', 'emu', '--name', 'Wiki']);
    expect(show.result.saml).to.deep.equal({
      acsUrl: 'https://wiki.example.com/saml/acs',
      entityId: 'https://wiki.example.com',
      subjectType: 'FederationId',
      nameIdFormat: 'EmailAddress',
      signingAlgorithm: 'SHA256',
      certificate: 'Idp_Signing',
    });
    const rows = Object.fromEntries((show.ux.table.args[0][0] as { data: Array<{ setting: string; value: string }> }).data.map((r) => [r.setting, r.value]));
    expect(rows).to.deep.include({
      'SAML ACS URL': 'https://wiki.example.com/saml/acs',
      'SAML entity ID': 'https://wiki.example.com',
      'SAML subject type': 'FederationId',
      'SAML name ID format': 'EmailAddress (urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress)',
      'SAML signing algorithm': 'SHA256',
      'SAML signing certificate': 'Idp_Signing',
      'OAuth flows': '(none)',
    });
    const list = await runCommand(AppList, ['--target-org', 'emu']);
    expect(list.result.find((a) => a.name === 'Wiki')).to.deep.include({ type: 'ExternalClientApplication', flows: ['SAML'] });
    expect(JSON.stringify(list.ux.table.args)).to.contain('"flows":"SAML"');

    const after = orgFingerprint(t.emu);
    const second = await runCommand(AppCreate, args);
    expect(second.result.changed).to.equal(false);
    expect(orgFingerprint(t.emu)).to.equal(after);

    const moved = await runCommand(AppCreate, [...samlArgs().map((a) => (a === 'https://wiki.example.com/saml/acs' ? 'https://wiki2.example.com/acs' : a)), '--signing-algorithm', 'SHA1']);
    expect(moved.result.changes.filter((c) => c.action !== 'none').map((c) => [c.resource, c.fields.map((f) => f.field)])).to.deep.equal([
      ['ExtlClntAppSamlConfigurablePolicies', ['acsUrl', 'signingAlgorithmType']],
    ]);

    const del = await runCommand(AppDelete, ['--target-org', 'emu', '--name', 'Wiki']);
    expect(del.result.changes.map((c) => c.resource)).to.deep.equal(['ExtlClntAppSamlConfigurablePolicies', 'ExtlClntAppConfigurablePolicies', 'ExternalClientApplication']);
    expect(t.emu.components.get('ExternalClientApplication')?.size ?? 0).to.equal(0);
  });

  it('--saml errors: missing ACS URL, unknown certificate, bad name ID format, SAML flags without --saml', async () => {
    const before = orgFingerprint(t.emu);
    const e1 = await runCommandError(AppCreate, ['--target-org', 'emu', '--name', 'Wiki', '--saml', '--entity-id', 'x']);
    expect(e1.message).to.contain('--acs-url');
    const e2 = await runCommandError(AppCreate, [...samlArgs(), '--idp-cert', 'Nope']);
    expect(e2.message).to.contain('No certificate in the org has the label or API name "Nope"');
    expect(e2.actions?.join(' ')).to.contain('sf provision cert create --label Nope');
    const e3 = await runCommandError(AppCreate, [...samlArgs(), '--name-id-format', 'kerberos']);
    expect(e3.message).to.contain('not a SAML name ID format');
    const e4 = await runCommandError(AppCreate, ['--target-org', 'emu', '--name', 'Wiki', '--acs-url', 'https://x/acs', '--show-secret']);
    expect(e4.message).to.contain('--acs-url only apply to SAML apps');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('--saml for a connected app: samlConfig without OAuth settings; idempotent', async () => {
    t.emu.flags.connectedAppCreationAllowed = true;
    const args = [...samlArgs('Legacy_Sp'), '--type', 'connected-app', '--subject-type', 'UserId'];
    const first = await runCommand(AppCreate, args);
    expect(first.result.changes[0]).to.deep.include({ resource: 'ConnectedApp', action: 'create', status: 'applied' });
    const content = t.emu.components.get('ConnectedApp')?.get('Legacy_Sp')?.content;
    expect(content?.samlConfig).to.deep.equal({
      acsUrl: 'https://wiki.example.com/saml/acs',
      entityUrl: 'https://wiki.example.com',
      samlNameIdFormat: 'Unspecified',
      samlSigningAlgoType: 'SHA256',
      samlSubjectType: 'UserId',
    });
    expect(content).not.to.have.property('oauthConfig');
    const show = await runCommand(AppShow, ['--target-org', 'emu', '--name', 'Legacy_Sp']);
    expect(show.result).to.deep.include({ type: 'ConnectedApp' });
    expect(show.result.saml).to.deep.equal({
      acsUrl: 'https://wiki.example.com/saml/acs',
      entityId: 'https://wiki.example.com',
      subjectType: 'UserId',
      nameIdFormat: 'Unspecified',
      signingAlgorithm: 'SHA256',
    });
    const rows = Object.fromEntries((show.ux.table.args[0][0] as { data: Array<{ setting: string; value: string }> }).data.map((r) => [r.setting, r.value]));
    expect(rows['SAML signing certificate']).to.equal("(not set: the identity provider's certificate)");
    expect((await runCommand(AppList, ['--target-org', 'emu'])).result.find((a) => a.name === 'Legacy_Sp')).to.deep.include({ type: 'ConnectedApp', flows: ['SAML'] });
    const second = await runCommand(AppCreate, args);
    expect(second.result.changed).to.equal(false);
    const out = join(dir, 'ca');
    await runCommand(AppCreate, [...samlArgs('Other_Sp'), '--type', 'connected-app', '--output-dir', out]);
    expect((await validateSourceDir(out)).errors).to.deep.equal([]);
  });

  it('--wait polls the token endpoint until the new app propagates; the token is never shown', async () => {
    t.emu.flags.oauthAppActivationDelayMs = 1500;
    const secretFile = join(dir, 'w.secret');
    const started = Date.now();
    const r = await runCommand(AppCreate, [...ecaArgs(), '--secret-file', secretFile, '--wait', '1']);
    expect(r.exitCode).to.equal(0);
    expect(r.result.ready).to.equal(true);
    expect(Date.now() - started).to.be.greaterThan(1400);
    expect(r.output).to.contain('is ready');
    expect(r.output).not.to.match(/00D\w{12,15}!/);
    expect(JSON.stringify(r.result)).not.to.match(/00D\w{12,15}!/);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    expect(everything(r)).not.to.contain(secret);
  });

  it('--wait takes 0 to 60 minutes; anything else is refused before the org is read', async () => {
    const before = t.emu.requests.length;
    for (const bad of ['61', '-1', 'soon']) {
      // eslint-disable-next-line no-await-in-loop
      const err = await runCommandError(AppCreate, [...ecaArgs(), '--show-secret', '--wait', bad]);
      expect(err.message, bad).to.match(/wait|duration|number|integer|greater|less/i);
    }
    expect(t.emu.requests.length).to.equal(before);
  });

  it('--wait gives up with exit 1 and how to retry when the app is still propagating', async () => {
    t.emu.flags.oauthAppActivationDelayMs = 600_000;
    const secretFile = join(dir, 'w.secret');
    const err = await runCommandError(AppCreate, [...ecaArgs(), '--secret-file', secretFile, '--wait', '0']);
    expect(err.message).to.contain('may still be propagating');
    expect(err.exitCode).to.equal(1);
    expect(err.actions?.join(' ')).to.contain(`sf provision connection test --domain ${t.emu.instanceUrl}`);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    expect(`${err.message} ${err.actions?.join(' ') ?? ''}`).not.to.contain(secret);
    // The app was created: once propagated, the saved secret works.
    t.emu.flags.oauthAppActivationDelayMs = 0;
    const key = t.emu.components.get('ExtlClntAppGlobalOauthSettings')?.get('Order_Sync_glbloauth')?.content.consumerKey as string;
    expect((await token(t, key, secret)).status).to.equal(200);
  });

  it('--wait says why it cannot wait: a SAML-only app, or no client credentials flow', async () => {
    const saml = await runCommand(AppCreate, [...samlArgs(), '--wait', '1']);
    expect(saml.exitCode).to.equal(0);
    expect(saml.output).to.contain('SAML-only app');
    expect(saml.result.ready).to.equal(undefined);
    const noCc = await runCommand(AppCreate, ['--target-org', 'emu', '--name', 'Web_App', '--callback-url', 'https://x/cb', '--show-secret', '--wait', '1']);
    expect(noCc.output).to.contain('client credentials flow of Web_App is off');
  });

  it('app delete refuses a connected app and says how to delete it', async () => {
    t.emu.flags.connectedAppCreationAllowed = true;
    await runCommand(AppCreate, ['--target-org', 'emu', '--name', 'Legacy', '--type', 'connected-app', '--contact-email', 'ops@acme.test', '--show-secret']);
    const before = orgFingerprint(t.emu);
    const err = await runCommandError(AppDelete, ['--target-org', 'emu', '--name', 'Legacy']);
    expect(err.message).to.contain('Legacy is a connected app');
    expect(err.actions?.join(' ')).to.contain('ConnectedApp:Legacy');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('rotate-secret --secret-file writes the new secret to a new 0600 file and never prints it', async () => {
    const first = await runCommand(AppCreate, [...ecaArgs(), '--secret-file', join(dir, 'old.secret')]);
    const key = first.result.consumerKey!;
    const oldSecret = (await readFile(join(dir, 'old.secret'), 'utf8')).trim();
    const file = join(dir, 'new.secret');
    const rot = await runCommand(AppRotateSecret, ['--target-org', 'emu', '--name', 'Order_Sync', '--secret-file', file]);
    expect(rot.result).to.deep.include({ secretFile: file, changed: true });
    expect(rot.result.consumerSecret).to.equal(undefined);
    const secret = (await readFile(file, 'utf8')).trim();
    expect(secret).to.match(/^[0-9A-F]{64}$/).and.not.equal(oldSecret);
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect(everything(rot)).not.to.contain(secret);
    expect((await token(t, key, secret)).status).to.equal(200);
    expect((await token(t, key, oldSecret)).body.error).to.equal('invalid_client');
    // An existing file is never overwritten, and the org keeps its secret then.
    const err = await runCommandError(AppRotateSecret, ['--target-org', 'emu', '--name', 'Order_Sync', '--secret-file', file]);
    expect(err.message).to.contain('already exists');
    expect((await readFile(file, 'utf8')).trim()).to.equal(secret);
    expect((await token(t, key, secret)).status).to.equal(200);
  });
});
