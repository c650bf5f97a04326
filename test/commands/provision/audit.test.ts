/*
 * `provision audit` against seeded emulated orgs: every check made to fire and kept quiet; SARIF, JUnit and Markdown
 * read back; the read calls the same for an org with many more users.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import ProvisionAudit from '../../../src/commands/provision/audit.js';
import SsoConfigure from '../../../src/commands/provision/sso/configure.js';
import SsoEnable from '../../../src/commands/provision/sso/enable.js';
import JitEnable from '../../../src/commands/provision/jit/enable.js';
import AppCreate from '../../../src/commands/provision/app/create.js';
import IdpEnable from '../../../src/commands/provision/idp/enable.js';
import CertCreate from '../../../src/commands/provision/cert/create.js';
import LoginPageAdd from '../../../src/commands/provision/login-page/add.js';
import { OrgClient } from '../../../src/provision/client.js';
import { runAudit, type AuditResult } from '../../../src/provision/audit/run.js';
import { ROOT, setupTestOrg, type TestOrg } from '../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../helpers/plan.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'saml');
const ids = (r: AuditResult): string[] => [...new Set(r.findings.map((f) => f.checkId))].sort();

describe('provision audit', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let dir: string;
  const audit = (spec: Parameters<typeof runAudit>[1] = {}): Promise<AuditResult> => runAudit(new OrgClient(t.org.getConnection()), spec);
  const org = ['--target-org', 'emu'];
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'audit-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a fresh org: no finding', async () => {
    const r = await audit();
    expect(r.findings, JSON.stringify(r.findings)).to.deep.equal([]);
    expect(r.checks.length).to.be.greaterThan(10);
  });

  it('SSO001 fires while SAML is off with a configuration, SSO002 while it is on without one; both go quiet when fixed', async () => {
    await runCommand(SsoEnable, org);
    expect(ids(await audit())).to.deep.equal(['SSO002']);
    await runCommand(SsoConfigure, [...org, '--name', 'Okta', '--idp-metadata', join(FIXTURES, 'okta.xml'), '--identity-type', 'Username']);
    expect(ids(await audit())).to.deep.equal([]);
    t.emu.components.get('SecuritySettings')!.get('Security')!.content.singleSignOnSettings = { ...(t.emu.components.get('SecuritySettings')!.get('Security')!.content.singleSignOnSettings as object), enableSamlLogin: false };
    const off = await audit();
    expect(ids(off)).to.deep.equal(['SSO001']);
    expect(off.findings[0].fixCommand).to.contain('sf provision sso enable');
    await runCommand(SsoEnable, org);
    expect(ids(await audit())).to.deep.equal([]);
  });

  it('CERT001 fires for an identity provider certificate within --expiry-days, and is quiet outside them', async () => {
    expect(ids(await audit({ checks: ['CERT001'], expiryDays: 30 }))).to.deep.equal([]);
    const near = await audit({ checks: ['CERT001'], expiryDays: 3650 });
    expect(ids(near)).to.deep.equal(['CERT001']);
    expect(near.findings[0].location.path).to.equal('samlssoconfigs/Okta.samlssoconfig-meta.xml');
    expect(near.findings[0].severity).to.equal('warning');
  });

  it('SSO004 fires for a plain http:// login URL', async () => {
    await runCommand(SsoConfigure, [...org, '--name', 'Plain', '--issuer', 'https://idp.plain.test', '--login-url', 'http://idp.plain.test/sso', '--idp-cert', join(FIXTURES, 'idp-cert.pem')]);
    const r = await audit({ checks: ['SSO004'] });
    expect(r.findings.map((f) => f.location.component)).to.deep.equal(['SamlSsoConfig:Plain']);
    await runCommand(SsoConfigure, [...org, '--name', 'Plain', '--login-url', 'https://idp.plain.test/sso']);
    expect(ids(await audit({ checks: ['SSO004'] }))).to.deep.equal([]);
  });

  it('FED001 fires while a Federation ID configuration meets users without one; FED002 for an ID held twice (case-insensitively)', async () => {
    await runCommand(SsoConfigure, [...org, '--name', 'Okta', '--identity-type', 'FederationId']);
    const r = await audit({ checks: ['FED001', 'FED002'] });
    expect(ids(r)).to.deep.equal(['FED001']);
    expect((r.findings[0].evidence.sample as string[]).length).to.be.greaterThan(0);
    const users = t.emu.store.records('User').filter((u) => u.IsActive === true);
    for (const [i, u] of users.entries()) t.emu.store.patchSystem('User', String(u.Id), { FederationIdentifier: i < 2 ? (i === 0 ? 'Same@Fed.test' : 'same@fed.test') : `u${i}@fed.test` });
    const dup = await audit({ checks: ['FED001', 'FED002'] });
    expect(ids(dup)).to.deep.equal(['FED002']);
    expect(dup.findings[0].evidence.users).to.equal(2);
    t.emu.store.patchSystem('User', String(users[1].Id), { FederationIdentifier: 'other@fed.test' });
    expect(ids(await audit({ checks: ['FED001', 'FED002'] }))).to.deep.equal([]);
  });

  it('JIT001 fires for JIT on while a client-credentials app provisions users', async () => {
    await runCommand(JitEnable, [...org, '--name', 'Okta']);
    expect(ids(await audit({ checks: ['JIT001'] }))).to.deep.equal([]);
    await runCommand(AppCreate, [...org, '--name', 'Scim_Sync', '--scopes', 'api', '--client-credentials-user', t.emu.adminUsername, '--secret-file', join(dir, 'scim.secret')]);
    expect(ids(await audit({ checks: ['JIT001'] }))).to.deep.equal(['JIT001']);
  });

  it('CERT002 fires for an org certificate in use (identity provider) within --expiry-days; LOGIN001 for the password form next to SSO', async () => {
    await runCommand(CertCreate, [...org, '--label', 'Audit Signing']);
    await runCommand(IdpEnable, [...org, '--cert', 'Audit_Signing']);
    expect(ids(await audit({ checks: ['CERT002'] }))).to.deep.equal([]);
    expect(ids(await audit({ checks: ['CERT002'], expiryDays: 3650 }))).to.deep.equal(['CERT002']);
    expect(ids(await audit({ checks: ['LOGIN001'] }))).to.deep.equal([]);
    await runCommand(LoginPageAdd, [...org, '--sso', 'Okta']);
    expect(ids(await audit({ checks: ['LOGIN001'] }))).to.deep.equal(['LOGIN001']);
  });

  it('SSO003 fires for a login-page button whose configuration is gone; API001 above 80% of the daily requests', async () => {
    const page = t.emu.store.find('AuthConfig', () => true)!;
    t.emu.store.createSystem('AuthConfigProviders', { AuthConfigId: page.Id, AuthProviderId: '0LE5g00000009ZZZZZ' });
    expect(ids(await audit({ checks: ['SSO003'] }))).to.deep.equal(['SSO003']);
    t.emu.dailyApiUsed = Math.floor(t.emu.dailyApiMax * 0.9);
    try {
      expect(ids(await audit({ checks: ['API001'] }))).to.deep.equal(['API001']);
    } finally {
      t.emu.dailyApiUsed = 0;
    }
    expect(ids(await audit({ checks: ['API001'] }))).to.deep.equal([]);
  });

  it('JIT002 fires for a JIT handler class that is gone or an execution user who is inactive', async () => {
    await runCommand(JitEnable, [...org, '--name', 'Okta', '--handler', 'JitHandler', '--execution-user', t.emu.adminUsername]);
    expect(ids(await audit({ checks: ['JIT002'] }))).to.deep.equal([]);
    const cls = t.emu.store.find('ApexClass', (c) => c.Name === 'JitHandler', true) ?? t.emu.store.find('ApexClass', (c) => c.Name === 'JitHandler');
    const inTooling = Boolean(t.emu.store.find('ApexClass', (c) => c.Name === 'JitHandler', true));
    t.emu.store.removeSystem('ApexClass', String(cls!.Id), inTooling);
    const r = await audit({ checks: ['JIT002'] });
    expect(ids(r)).to.deep.equal(['JIT002']);
    expect(r.findings[0].message).to.contain('is no Apex class');
    await runCommand(JitEnable, [...org, '--name', 'Okta']);
    expect(ids(await audit({ checks: ['JIT002'] }))).to.deep.equal([]);
  });

  it('PICK001 fires for picklists on with non-ISO integration values while an app provisions users; quiet once aligned', async () => {
    expect(ids(await audit({ checks: ['PICK001'] }))).to.deep.equal([]);
    t.emu.flags.stateCountryPicklistsEnabled = true;
    try {
      const r = await audit({ checks: ['PICK001'] });
      expect(ids(r)).to.deep.equal(['PICK001']);
      expect(r.findings[0].fixCommand).to.contain('picklists align --integration-values iso');
      const { default: Align } = await import('../../../src/commands/provision/picklists/align.js');
      await runCommand(Align, [...org, '--integration-values', 'iso']);
      expect(ids(await audit({ checks: ['PICK001'] }))).to.deep.equal([]);
    } finally {
      t.emu.flags.stateCountryPicklistsEnabled = false;
    }
  });

  it('APP001 fires for client credentials without a run-as user; APP002 notes a connected app; ORG001 an edition without API', async () => {
    expect(ids(await audit({ checks: ['APP001', 'APP002', 'ORG001'] }))).to.deep.equal([]);
    const policies = [...(t.emu.components.get('ExtlClntAppOauthConfigurablePolicies')?.values() ?? [])].find((c) => c.fullName.startsWith('Scim_Sync'))!;
    const runAs = policies.content.clientCredentialsFlowUser;
    delete policies.content.clientCredentialsFlowUser;
    expect(ids(await audit({ checks: ['APP001'] }))).to.deep.equal(['APP001']);
    policies.content.clientCredentialsFlowUser = runAs;
    t.emu.flags.connectedAppCreationAllowed = true;
    await runCommand(AppCreate, [...org, '--name', 'Legacy_Ca', '--type', 'connected-app', '--scopes', 'api', '--callback-url', 'https://legacy.test/cb', '--contact-email', 'ops@acme.test', '--secret-file', join(dir, 'legacy.secret')]);
    expect(ids(await audit({ checks: ['APP002'] }))).to.deep.equal(['APP002']);
    const edition = t.emu.flags.edition;
    t.emu.flags.edition = 'Professional Edition';
    const org1 = t.emu.store.find('Organization', () => true);
    if (org1) t.emu.store.patchSystem('Organization', String(org1.Id), { OrganizationType: 'Professional Edition' });
    try {
      expect(ids(await audit({ checks: ['ORG001'] }))).to.deep.equal(['ORG001']);
    } finally {
      t.emu.flags.edition = edition;
      if (org1) t.emu.store.patchSystem('Organization', String(org1.Id), { OrganizationType: edition });
    }
    expect(ids(await audit({ checks: ['ORG001'] }))).to.deep.equal([]);
  });

  it('SSO005 fires for SHA-1 request signing; APP003 for a SAML app over http:// or SHA-1; APP004 for an expiring refresh token policy; APP005 for self-authorization', async () => {
    expect(ids(await audit({ checks: ['SSO005', 'APP003', 'APP004'] }))).to.deep.equal([]);
    const okta = t.emu.components.get('SamlSsoConfig')!.get('Okta')!;
    okta.content.requestSignatureMethod = 'RSA-SHA1';
    expect(ids(await audit({ checks: ['SSO005'] }))).to.deep.equal(['SSO005']);
    okta.content.requestSignatureMethod = 'RSA-SHA256';
    expect(ids(await audit({ checks: ['SSO005'] }))).to.deep.equal([]);

    await runCommand(AppCreate, [...org, '--name', 'Plain_Sp', '--saml', '--acs-url', 'http://sp.plain.test/acs', '--entity-id', 'https://sp.plain.test', '--signing-algorithm', 'SHA1']);
    const weak = await audit({ checks: ['APP003'] });
    expect(weak.findings.map((f) => f.severity).sort()).to.deep.equal(['error', 'warning']);
    await runCommand(AppCreate, [...org, '--name', 'Plain_Sp', '--saml', '--acs-url', 'https://sp.plain.test/acs', '--entity-id', 'https://sp.plain.test', '--signing-algorithm', 'SHA256']);
    expect(ids(await audit({ checks: ['APP003'] }))).to.deep.equal([]);

    const connector = [...org, '--name', 'Ping_Connector', '--scopes', 'api,refresh_token', '--callback-url', 'https://auth.ping.test/cb', '--secret-file', join(dir, 'ping.secret')];
    await runCommand(AppCreate, [...connector, '--refresh-token-policy', '90-days', '--admin-approved']);
    expect(ids(await audit({ checks: ['APP004'] }))).to.deep.equal(['APP004']);
    await runCommand(AppCreate, [...org, '--name', 'Ping_Connector', '--refresh-token-policy', 'infinite']);
    expect(ids(await audit({ checks: ['APP004'] }))).to.deep.equal([]);
    const self = await audit({ checks: ['APP005'] });
    expect(self.findings.map((f) => f.location.component)).to.include('ExternalClientApplication:Scim_Sync');
    expect(self.findings.map((f) => f.location.component)).to.not.include('ExternalClientApplication:Ping_Connector');
  });

  it('APP006 fires for a run-as user with Modify All Data who is not API-only; quiet for the API-only integration user', async () => {
    const r = await audit({ checks: ['APP006'] });
    const scim = r.findings.filter((f) => f.location.component === 'ExternalClientApplication:Scim_Sync');
    expect(scim.map((f) => f.severity).sort()).to.deep.equal(['error', 'warning']);
    await runCommand(AppCreate, [...org, '--name', 'Lean_Sync', '--scopes', 'api', '--client-credentials-user', 'integration@acme.example.com', '--admin-approved', '--secret-file', join(dir, 'lean.secret')]);
    const lean = (await audit({ checks: ['APP006'] })).findings.filter((f) => f.location.component === 'ExternalClientApplication:Lean_Sync');
    expect(lean).to.deep.equal([]);

    // APP007: the API-only user may write nothing yet; a permission set that creates Leads quiets it. The admin has Modify All Data.
    const noAccess = (await audit({ checks: ['APP007'] })).findings.map((f) => f.location.component);
    expect(noAccess).to.deep.equal(['ExternalClientApplication:Lean_Sync']);
    const { default: PermsetCreate } = await import('../../../src/commands/provision/permset/create.js');
    const { default: PermsetAssign } = await import('../../../src/commands/provision/permset/assign.js');
    await runCommand(PermsetCreate, [...org, '--name', 'Lean_Leads', '--object', 'Lead:create,read']);
    await runCommand(PermsetAssign, [...org, '--name', 'Lean_Leads', '--users', 'integration@acme.example.com']);
    expect(ids(await audit({ checks: ['APP007'] }))).to.deep.equal([]);
  });

  it('sarif, junit and markdown outputs, and --fail-on', async () => {
    const sarifFile = join(dir, 'audit.sarif');
    const r = await runCommand(ProvisionAudit, [...org, '--format', 'sarif', '--output-file', sarifFile, '--fail-on', 'warning']);
    expect(r.exitCode).to.equal(1);
    const sarif = JSON.parse(await readFile(sarifFile, 'utf8')) as { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri: string }> } }; results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation?: { artifactLocation: { uri: string } } }> }> }> };
    expect(sarif.version).to.equal('2.1.0');
    const run = sarif.runs[0];
    expect(run.results.length).to.equal(r.result.findings.length);
    for (const res of run.results) expect(run.tool.driver.rules.map((x) => x.id)).to.include(res.ruleId);
    expect(run.results.some((x) => x.locations[0].physicalLocation?.artifactLocation.uri.startsWith('force-app/main/default/samlssoconfigs/'))).to.equal(true);
    // Microsoft's SARIF Multitool, as GitHub code scanning's own checks use it: no error.
    const validated = spawnSync(join(ROOT, 'node_modules', '.bin', 'sarif-multitool'), ['validate', sarifFile], { encoding: 'utf8' });
    expect(validated.status, validated.stdout + validated.stderr).to.equal(0);
    expect(validated.stdout, validated.stdout).to.not.match(/: error /);

    const junitFile = join(dir, 'audit.xml');
    await runCommand(ProvisionAudit, [...org, '--format', 'junit', '--output-file', junitFile, '--fail-on', 'never']);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(junitFile, 'utf8')) as { testsuites: { testsuite: { tests: string; failures: string; testcase: Array<{ name: string; failure?: unknown }> } } };
    const suite = junit.testsuites.testsuite;
    expect(Number(suite.tests)).to.equal(suite.testcase.length);
    expect(Number(suite.failures)).to.equal(r.result.findings.filter((f) => f.severity !== 'note').length);
    // A JUnit consumer CI pipelines use (junit-report-merger): it reads the report and sums it up again.
    const { mergeFiles } = await import('junit-report-merger');
    const merged = join(dir, 'merged.xml');
    await mergeFiles(merged, [junitFile]);
    const back = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(merged, 'utf8')) as { testsuites: { tests: string; failures: string } };
    expect(Number(back.testsuites.tests)).to.equal(suite.testcase.length);
    expect(Number(back.testsuites.failures)).to.equal(Number(suite.failures));

    const md = await runCommand(ProvisionAudit, [...org, '--format', 'markdown', '--fail-on', 'never']);
    expect(md.output).to.match(/### sf provision audit: \d+ error\(s\)/);
    const unknown = await runCommandError(ProvisionAudit, [...org, '--checks', 'NOPE1']);
    expect(unknown.message).to.contain('No check NOPE1');
  });

  it('--fix --dry-run plans the fixes this plugin can make and changes nothing; --fix makes them and the audit goes quiet', async () => {
    const sec = t.emu.components.get('SecuritySettings')!.get('Security')!;
    sec.content.singleSignOnSettings = { ...(sec.content.singleSignOnSettings as object), enableSamlLogin: false };
    expect(ids(await audit({ checks: ['SSO001'] }))).to.deep.equal(['SSO001']);
    const before = orgFingerprint(t.emu);
    const dry = await runCommand(ProvisionAudit, [...org, '--checks', 'SSO001', '--fix', '--dry-run']);
    expect(dry.result.fixes?.fixed).to.deep.equal(['SSO001']);
    expect(dry.result.fixes?.changes.map((c) => `${c.resource}:${c.status}`)).to.deep.equal(['SecuritySettings:planned']);
    expect(orgFingerprint(t.emu)).to.equal(before);
    const fixed = await runCommand(ProvisionAudit, [...org, '--checks', 'SSO001', '--fix']);
    expect(fixed.result.fixes?.changes[0].status).to.equal('applied');
    expect(ids(await audit({ checks: ['SSO001'] }))).to.deep.equal([]);
  });

  it('reads the org in the same number of calls with 2,000 more users', async () => {
    const few = (await audit()).apiCalls;
    const profile = t.emu.store.find('Profile', (p) => p.Name === 'Standard User')!;
    for (let i = 0; i < 2000; i++) {
      t.emu.store.createSystem('User', { Username: `many${i}@audit.test`, LastName: `M${i}`, Email: `many${i}@audit.test`, Alias: `m${i}`.slice(0, 8), ProfileId: profile.Id, IsActive: true, TimeZoneSidKey: 'America/Los_Angeles', LocaleSidKey: 'en_US', EmailEncodingKey: 'UTF-8', LanguageLocaleKey: 'en_US' });
    }
    const many = await audit();
    expect(many.apiCalls).to.equal(few);
    expect(many.findings.find((f) => f.checkId === 'FED001')?.evidence.count).to.be.at.least(2000);
  });
});

describe('audit checks in the README', () => {
  it('lists every check by its id, severity and title', async () => {
    const { CHECKS } = await import('../../../src/provision/audit/checks.js');
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const c of CHECKS) expect(readme, c.id).to.contain(`| \`${c.id}\` | ${c.severity} | ${c.title} |`);
  });
});
