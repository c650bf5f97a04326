/*
 * `provision plan` and `provision apply` with the files of examples/, each on a fresh emulated org: the plan shows the
 * changes (--detailed-exitcode 2), --dry-run writes nothing, the file applies cleanly through the library alone (no
 * command), the second apply plans and writes nothing (the emulator's write counter stays put) and the plan exits 0.
 * Then what happens part-way: a failure holds back what depends on it, the run exits 68, and a re-run converges.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import ProvisionApply from '../../../src/commands/provision/apply.js';
import ProvisionPlan from '../../../src/commands/provision/plan.js';
import { OrgClient } from '../../../src/provision/client.js';
import { runDesiredState } from '../../../src/provision/desired-state/run.js';
import { ROOT, setupTestOrg, type TestOrg } from '../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../helpers/plan.js';

const ENV: Record<string, string> = {
  PINGONE_SYNC_USER: 'sam.sales@acme.example.com',
  PINGONE_CLIENT_SECRET: 'A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90',
  ORY_INTEGRATION_USER: 'integration@acme.example.com',
  ORY_CLIENT_SECRET: '0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0',
};

const example = (name: string): string => join(ROOT, 'examples', name, 'provision.yaml');

/** What each example must have made in the org, checked after it applied. */
const CHECKS: Record<string, (t: TestOrg) => void> = {
  jumpcloud: (t) => {
    const config = t.emu.components.get('SamlSsoConfig')?.get('JumpCloud')?.content;
    expect(config).to.include({ identityMapping: 'Username' });
    expect(config?.userProvisioning ?? false, 'JIT off').to.equal(false);
    expect(t.emu.store.find('AuthConfigProviders', () => true), 'login-page button').to.not.equal(undefined);
    // The users entry: JumpCloud's active users exist, the suspended one was not created.
    expect(t.emu.store.find('User', (u) => u.Username === 'grace.hopper@acme-jc.example.com')).to.include({ Title: 'Admiral', IsActive: true });
    expect(t.emu.store.find('User', (u) => u.Username === 'alan.turing@acme-jc.example.com')).to.equal(undefined);
  },
  entra: (t) => {
    const cert = t.emu.components.get('Certificate')?.get('Entra_SAML_Request_Signing');
    const config = t.emu.components.get('SamlSsoConfig')?.get('Entra')?.content;
    expect(cert, 'certificate created').to.not.equal(undefined);
    expect(String(config?.requestSigningCertId).slice(0, 15), 'the certificate of the same file signs the requests').to.equal(cert?.id.slice(0, 15));
    // federationIds: every active user has one now (the seed's users have distinct emails).
    expect(t.emu.store.records('User').filter((u) => u.IsActive === true && !u.FederationIdentifier).map((u) => u.Username)).to.deep.equal([]);
  },
  okta: (t) => expect(t.emu.components.get('SamlSsoConfig')?.get('Okta')?.content).to.include({ userProvisioning: true }),
  invotra: (t) => {
    expect(t.emu.components.get('IdentityProviderSettings')?.get('IdentityProvider')?.content).to.include({ enableIdentityProvider: true, certificateName: 'Invotra_IdP_Signing' });
    expect(t.emu.components.get('ExternalClientApplication')?.get('Invotra')).to.not.equal(undefined);
  },
  pingone: (t) => {
    const ps = t.emu.store.find('PermissionSet', (r) => r.Name === 'PingOne_Lead_Contact_Sync');
    const user = t.emu.store.find('User', (r) => r.Username === ENV.PINGONE_SYNC_USER);
    expect(t.emu.store.find('PermissionSetAssignment', (r) => r.PermissionSetId === ps?.Id && r.AssigneeId === user?.Id)).to.not.equal(undefined);
    // The records entry: the people of people.csv are Leads.
    expect(t.emu.store.find('Lead', (r) => r.Email === 'grace.hopper@example.com')).to.include({ FirstName: 'Grace', Title: 'Rear Admiral' });
  },
  ory: (t) => {
    const ps = t.emu.store.find('PermissionSet', (r) => r.Name === 'Ory_Lead_Sync');
    const user = t.emu.store.find('User', (r) => r.Username === ENV.ORY_INTEGRATION_USER);
    expect(t.emu.store.find('PermissionSetAssignment', (r) => r.PermissionSetId === ps?.Id && r.AssigneeId === user?.Id)).to.not.equal(undefined);
    expect(t.emu.store.find('PermissionSetLicenseAssign', (r) => r.AssigneeId === user?.Id)).to.not.equal(undefined);
  },
};

describe('provision plan|apply: the examples on fresh emulated orgs', function () {
  this.timeout(240_000);
  before(() => Object.assign(process.env, ENV));
  after(() => {
    for (const k of Object.keys(ENV)) delete process.env[k];
  });

  for (const name of Object.keys(CHECKS)) {
    it(`${name}: planned, dry-run writes nothing, applied by the library, the second apply writes nothing`, async () => {
      const t = await setupTestOrg();
      try {
        const file = example(name);
        const plan = await runCommand(ProvisionPlan, ['--file', file, '--target-org', t.username, '--detailed-exitcode']);
        expect(plan.exitCode, 'changes planned').to.equal(2);
        expect(plan.result.changed).to.equal(true);
        expect(plan.result.counts.create).to.be.greaterThan(0);

        const before = orgFingerprint(t.emu);
        const writes = t.emu.counters.writes;
        const dry = await runCommand(ProvisionApply, ['--file', file, '--target-org', t.username, '--dry-run']);
        expect(dry.result.dryRun).to.equal(true);
        expect(dry.result.changes.every((c) => c.status !== 'applied')).to.equal(true);
        expect(t.emu.counters.writes, '--dry-run writes nothing').to.equal(writes);
        expect(orgFingerprint(t.emu)).to.equal(before);

        // The library alone, as a pipeline step would call it: no command.
        const applied = await runDesiredState(new OrgClient(t.org.getConnection()), { file, mode: 'apply' });
        expect(applied.changes.filter((c) => c.status === 'failed'), JSON.stringify(applied.changes.filter((c) => c.status === 'failed'))).to.deep.equal([]);
        expect(applied.counts.applied).to.be.greaterThan(0);
        CHECKS[name](t);

        const settled = orgFingerprint(t.emu);
        const writesAfter = t.emu.counters.writes;
        const again = await runCommand(ProvisionApply, ['--file', file, '--target-org', t.username]);
        expect(again.exitCode).to.equal(0);
        expect(again.result.changed, JSON.stringify(again.result.changes.filter((c) => c.action !== 'none'))).to.equal(false);
        expect(again.output).to.contain('No changes');
        expect(t.emu.counters.writes, 'the second apply writes nothing').to.equal(writesAfter);
        expect(orgFingerprint(t.emu)).to.equal(settled);
        const drift = await runCommand(ProvisionPlan, ['--file', file, '--target-org', t.username, '--detailed-exitcode']);
        expect(drift.exitCode, 'no drift').to.equal(0);
      } finally {
        await t.close();
      }
    });
  }
});

describe('provision apply: failures, files and refusals', function () {
  this.timeout(240_000);
  let t: TestOrg;
  let dir: string;
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'apply-'));
    Object.assign(process.env, ENV);
  });
  after(async () => {
    for (const k of Object.keys(ENV)) delete process.env[k];
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a failure part-way holds back what depends on it (exit 68); a re-run converges', async () => {
    // No seat left on the Salesforce API Integration licence: the integration user cannot get it, so its assignment waits.
    const psl = t.emu.store.find('PermissionSetLicense', (r) => r.DeveloperName === 'SalesforceAPIIntegrationPsl')!;
    const seats = psl.TotalLicenses;
    psl.TotalLicenses = 0;
    const first = await runCommand(ProvisionApply, ['--file', example('ory'), '--target-org', t.username]);
    expect(first.exitCode).to.equal(68);
    const by = (resource: string): Array<{ status: string; error?: { code?: string } }> => first.result.changes.filter((c) => c.resource === resource);
    expect(by('PermissionSetLicenseAssign')[0]).to.deep.include({ status: 'failed' });
    expect(by('PermissionSetLicenseAssign')[0].error?.code).to.equal('LICENSE_LIMIT_EXCEEDED');
    expect(by('PermissionSetAssignment')[0]).to.deep.include({ status: 'failed' });
    expect(by('PermissionSetAssignment')[0].error?.code).to.equal('DEPENDENCY_FAILED');
    expect(by('PermissionSet')[0].status).to.equal('applied');
    expect(by('ExternalClientApplication')[0].status).to.equal('applied');
    expect(first.output).to.match(/1 of \d+ changes failed|2 of \d+ changes failed/);

    psl.TotalLicenses = seats;
    const second = await runCommand(ProvisionApply, ['--file', example('ory'), '--target-org', t.username]);
    expect(second.exitCode).to.equal(0);
    const sent = second.result.changes.filter((c) => c.action !== 'none').map((c) => `${c.resource}:${c.status}`);
    expect(sent).to.deep.equal(['PermissionSetLicenseAssign:applied', 'PermissionSetAssignment:applied']);
    const third = await runCommand(ProvisionPlan, ['--file', example('ory'), '--target-org', t.username, '--detailed-exitcode']);
    expect(third.exitCode).to.equal(0);
  });

  it('--output-dir writes source files resolved for the org and changes nothing; records are refused before any file', async () => {
    const file = join(dir, 'idp.yaml');
    await writeFile(file, 'version: 1\ncertificates:\n  - label: Files Signing\nidentityProvider:\n  enabled: true\n  certificate: Files Signing\n');
    const before = orgFingerprint(t.emu);
    const out = join(dir, 'out');
    const { result } = await runCommand(ProvisionApply, ['--file', file, '--target-org', t.username, '--output-dir', out]);
    expect(result.files?.map((f) => f.replace(`${out}/`, '')).sort()).to.deep.equal([
      'certs/Files_Signing.crt',
      'certs/Files_Signing.crt-meta.xml',
      'settings/IdentityProvider.settings-meta.xml',
    ]);
    expect(await readFile(join(out, 'settings', 'IdentityProvider.settings-meta.xml'), 'utf8')).to.contain('<certificateName>Files_Signing</certificateName>');
    expect(orgFingerprint(t.emu)).to.equal(before);

    // A new app's files are the same from one run to the next (its consumer key too).
    const appFile = join(dir, 'app-files.yaml');
    await writeFile(appFile, 'version: 1\napps:\n  - name: Files_App\n    scopes: [api]\n    callbackUrl: https://example.test/cb\n');
    const read = async (d: string): Promise<string[]> => {
      const r = await runCommand(ProvisionApply, ['--file', appFile, '--target-org', t.username, '--output-dir', d]);
      return Promise.all((r.result.files ?? []).sort().map((f) => readFile(join(d, f), 'utf8')));
    };
    const once = await read(join(dir, 'app1'));
    expect(once.join('')).to.match(/<consumerKey>3MVG\w{81}<\/consumerKey>/);
    expect(await read(join(dir, 'app2'))).to.deep.equal(once);
    expect(orgFingerprint(t.emu)).to.equal(before);

    const e = await runCommandError(ProvisionApply, ['--file', example('okta'), '--target-org', t.username, '--output-dir', join(dir, 'okta')]);
    expect(e.name).to.equal('RecordsNotFilesError');
    expect(await stat(join(dir, 'okta')).catch(() => undefined)).to.equal(undefined);
  });

  it('a new app without a secret source, an inline secret, a schema error: refused before the org is changed', async () => {
    const before = orgFingerprint(t.emu);
    const noSecret = join(dir, 'nosecret.yaml');
    await writeFile(noSecret, 'version: 1\napps:\n  - name: No_Secret\n    scopes: [api]\n    callbackUrl: https://example.test/cb\n');
    expect((await runCommandError(ProvisionApply, ['--file', noSecret, '--target-org', t.username])).name).to.equal('SecretNowhereError');
    const inline = join(dir, 'inline.yaml');
    await writeFile(inline, 'version: 1\napps:\n  - name: Inline\n    consumerSecret: NotAReferenceButTheSecret\n');
    const e = await runCommandError(ProvisionApply, ['--file', inline, '--target-org', t.username]);
    expect(e.name).to.equal('InlineSecretError');
    expect(e.message).to.contain('inline.yaml:4:21 (apps[0].consumerSecret)');
    expect(JSON.stringify(e)).not.to.contain('NotAReferenceButTheSecret');
    const schema = join(dir, 'schema.yaml');
    await writeFile(schema, 'version: 1\npermissionSets:\n  - name: Bad\n    objects: [Lead]\n');
    const s = await runCommandError(ProvisionPlan, ['--file', schema, '--target-org', t.username]);
    expect(s.name).to.equal('SchemaError');
    expect(s.message).to.contain('schema.yaml:4:15 (permissionSets[0].objects[0])');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('plan refuses what cannot be applied, naming it and where it is in the file; apply sends the rest (68)', async () => {
    const file = join(dir, 'unknown-user.yaml');
    await writeFile(file, 'version: 1\npermissionSets:\n  - name: Unknown_User_PS\n    apiEnabled: true\n    users: [nobody@acme.example.com, sam.sales@acme.example.com]\n');
    const e = await runCommandError(ProvisionPlan, ['--file', file, '--target-org', t.username, '--detailed-exitcode']);
    expect(e.name).to.equal('PlanHasFailuresError');
    expect(e.message).to.contain('PermissionSetAssignment nobody@acme.example.com: No user with username nobody@acme.example.com');
    const first = await runCommand(ProvisionApply, ['--file', file, '--target-org', t.username]);
    expect(first.exitCode).to.equal(68);
    const again = await runCommandError(ProvisionApply, ['--file', file, '--target-org', t.username]);
    expect(again.name).to.equal('AllFailedError');

    const app = join(dir, 'unknown-app-names.yaml');
    await writeFile(app, 'version: 1\napps:\n  - name: Ghost_App\n    scopes: [api]\n    clientCredentialsUser: ghost@acme.example.com\n    consumerSecret: ${env:ORY_CLIENT_SECRET}\n');
    const ghost = await runCommandError(ProvisionPlan, ['--file', app, '--target-org', t.username]);
    expect(ghost.name).to.equal('UnknownRunAsUserError');
    expect(ghost.message).to.match(/unknown-app-names\.yaml:3:5 \(apps\[0\]\) Ghost_App: No user with username ghost@acme\.example\.com/);
  });

  it('plan --detailed-exitcode: a usage error exits 1, never 2 ("changes planned")', async () => {
    const e = await runCommandError(ProvisionPlan, ['--file', example('okta'), '--target-org', t.username, '--detailed-exitcode', '--bogus']);
    expect((e as { exitCode?: number }).exitCode).to.equal(1);
  });

  it('plan checks where a new app\'s secret comes from: an unset variable, a secret file already there', async () => {
    const file = join(dir, 'secret-source.yaml');
    await writeFile(file, 'version: 1\napps:\n  - name: Source_App\n    scopes: [api]\n    callbackUrl: https://example.test/cb\n    consumerSecret: ${env:NOT_SET_FOR_THIS_APP}\n');
    expect((await runCommandError(ProvisionPlan, ['--file', file, '--target-org', t.username])).name).to.equal('SecretEnvUnsetError');
    await writeFile(join(dir, 'taken.secret'), 'x\n');
    await writeFile(file, 'version: 1\napps:\n  - name: Source_App\n    scopes: [api]\n    callbackUrl: https://example.test/cb\n    secretFile: taken.secret\n');
    expect((await runCommandError(ProvisionPlan, ['--file', file, '--target-org', t.username])).name).to.equal('SecretFileExistsError');
    await writeFile(file, 'version: 1\napps:\n  - name: Source_App\n    scopes: [api]\n    callbackUrl: https://example.test/cb\n    secretFile: no/such/folder/s.secret\n');
    expect((await runCommandError(ProvisionPlan, ['--file', file, '--target-org', t.username])).name).to.equal('SecretFolderMissingError');
  });

  it('a new app with secretFile: the secret in a new 0600 file, never in the output; the file is not overwritten', async () => {
    const file = join(dir, 'secretfile.yaml');
    const secretFile = join(dir, 'made.secret');
    await writeFile(file, 'version: 1\napps:\n  - name: Made_Secret\n    scopes: [api]\n    callbackUrl: https://example.test/cb\n    secretFile: made.secret\n');
    const { result, output } = await runCommand(ProvisionApply, ['--file', file, '--target-org', t.username]);
    expect(result.secretFiles).to.deep.equal([secretFile]);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    expect(secret).to.match(/^[0-9A-F]{64}$/);
    expect((await stat(secretFile)).mode & 0o777).to.equal(0o600);
    expect(output + JSON.stringify(result)).not.to.contain(secret);
    const again = await runCommand(ProvisionApply, ['--file', file, '--target-org', t.username]);
    expect(again.result.changed).to.equal(false);
    expect((await readFile(secretFile, 'utf8')).trim()).to.equal(secret);
  });
});
