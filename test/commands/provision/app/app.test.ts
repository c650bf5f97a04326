import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import AppCreate from '../../../../src/commands/provision/app/create.js';
import AppList from '../../../../src/commands/provision/app/list.js';
import AppShow from '../../../../src/commands/provision/app/show.js';
import AppDelete from '../../../../src/commands/provision/app/delete.js';
import AppRotateSecret from '../../../../src/commands/provision/app/rotate-secret.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
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

    // An update keeps key and secret.
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
    expect(dry.result.changes.map((c) => c.action)).to.deep.equal(['delete', 'delete', 'delete', 'delete']);
    expect(orgFingerprint(t.emu)).to.equal(before);
    const del = await runCommand(AppDelete, ['--target-org', 'emu', '--name', 'Order_Sync']);
    expect(del.result.changes.map((c) => c.status)).to.deep.equal(['applied', 'applied', 'applied', 'applied']);
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
    expect(dry.result.changes.map((c) => c.action)).to.deep.equal(['create', 'create', 'create', 'create']);
    expect(orgFingerprint(t.emu)).to.equal(before);

    const out = join(dir, 'src');
    const files = await runCommand(AppCreate, [...ecaArgs(), '--output-dir', out]);
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(files.result.files).to.have.length(4);
    const { components, errors } = await validateSourceDir(out);
    expect(errors).to.deep.equal([]);
    expect(components).to.have.members([
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

  it('runs as a subprocess with --json, and the secret stays out of stdout and stderr', async () => {
    const secretFile = join(dir, 's.secret');
    const r = await t.runJson<{ changed: boolean; consumerKey: string }>(['provision', 'app', 'create', ...ecaArgs(), '--secret-file', secretFile]);
    expect(r.code).to.equal(0);
    expect(r.json.result.changed).to.equal(true);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    expect(r.stdout + r.stderr).not.to.contain(secret);
    expect((await token(t, r.json.result.consumerKey, secret)).status).to.equal(200);
  });
});
