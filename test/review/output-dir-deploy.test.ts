/*
 * Review: the files --output-dir writes are meant for "sf project deploy start". These tests deploy them the way
 * that command does (source-deploy-retrieve: ComponentSet.fromSource(dir).deploy) and check that
 *  - deployed to the org they were planned against, they make exactly the planned change: the same command run
 *    afterwards plans no change;
 *  - deployed to another org, a SAML configuration that names a request-signing certificate fails, because the file
 *    holds the first org's certificate id (requestSigningCertId): such files belong to one org only.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { AuthInfo, Connection } from '@salesforce/core';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import CertCreate from '../../src/commands/provision/cert/create.js';
import IdpEnable from '../../src/commands/provision/idp/enable.js';
import JitEnable from '../../src/commands/provision/jit/enable.js';
import PicklistsAlign from '../../src/commands/provision/picklists/align.js';
import PicklistsDeactivate from '../../src/commands/provision/picklists/deactivate.js';
import SsoConfigure from '../../src/commands/provision/sso/configure.js';
import SsoEnable from '../../src/commands/provision/sso/enable.js';
import { putComponent } from '../emulator/metadata/components.js';
import { OrgEmulator } from '../emulator/server.js';
import { ROOT, setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { orgFingerprint, runCommand, validateSourceDir } from '../helpers/plan.js';

const DEMO = join(ROOT, 'test', 'emulator', 'seeds', 'demo.json');
const fixture = (name: string): string => join(ROOT, 'test', 'fixtures', 'saml', name);

type FileResponse = { state: string; fullName: string; type: string; error?: string };
type DeployOutcome = { status: string; failures: FileResponse[] };

/** Deploys a source directory as "sf project deploy start --source-dir" does. */
const deploySource = async (dir: string, conn: Connection): Promise<DeployOutcome> => {
  const set = ComponentSet.fromSource(dir);
  const deploy = await set.deploy({ usernameOrConnection: conn });
  const result = await deploy.pollStatus();
  const failures = (result.getFileResponses() as FileResponse[]).filter((f) => f.state === 'Failed');
  return { status: String(result.response.status), failures };
};

/** A @salesforce/core Connection to an emulated org, from its access token (no alias needed). */
const connectionTo = async (emu: OrgEmulator): Promise<Connection> => {
  const authInfo = await AuthInfo.create({ accessTokenOptions: { accessToken: emu.accessToken, instanceUrl: emu.instanceUrl, loginUrl: emu.instanceUrl } });
  return Connection.create({ authInfo, connectionOptions: { version: '66.0' } });
};

describe('review: --output-dir files deploy with "sf project deploy start"', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let tmp: string;
  let conn: Connection;

  beforeEach(async () => {
    t = await setupTestOrg({ seed: DEMO });
    tmp = await mkdtemp(join(tmpdir(), 'review-deploy-'));
    conn = await connectionTo(t.emu);
  });
  afterEach(async () => {
    await t?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  /**
   * Runs a command with --output-dir (org untouched, files valid), deploys the files, and runs the command again
   * without --output-dir: it must find nothing left to do.
   */
  const roundTrip = async (
    cmd: Parameters<typeof runCommand>[0],
    argv: string[],
    dirName: string
  ): Promise<{ dir: string; files: string[]; components: string[] }> => {
    const dir = join(tmp, dirName);
    const before = orgFingerprint(t.emu);
    const written = await runCommand(cmd, [...argv, '--output-dir', dir]);
    expect(written.exitCode).to.equal(0);
    expect(orgFingerprint(t.emu), 'the org must be untouched by --output-dir').to.equal(before);
    const { components, errors } = await validateSourceDir(dir);
    expect(errors).to.deep.equal([]);

    const outcome = await deploySource(dir, conn);
    expect(outcome.status, JSON.stringify(outcome.failures)).to.equal('Succeeded');

    const again = await runCommand(cmd, argv);
    const result = again.result as { changed: boolean; changes: Array<{ action: string }> };
    expect(result.changed, `after deploying ${dirName}, "${argv.join(' ')}" still plans ${JSON.stringify(result.changes)}`).to.equal(false);
    return { dir, files: (written.result as { files?: string[] }).files ?? [], components };
  };

  it('sso enable: settings/Security.settings deploys and makes the planned change', async () => {
    const { components } = await roundTrip(SsoEnable, ['--target-org', 'emu', '--federation-id-case-insensitive'], 'sso-enable');
    expect(components).to.deep.equal(['Settings:Security']);
    const sso = t.emu.components.get('SecuritySettings')?.get('Security')?.content.singleSignOnSettings as Record<string, unknown>;
    expect(sso).to.include({ enableSamlLogin: true, enableCaseInsensitiveFederationID: true });
  });

  it('cert create: the empty .crt deploys, Salesforce generates the key pair, and a second run finds the certificate', async () => {
    const { files } = await roundTrip(CertCreate, ['--target-org', 'emu', '--label', 'Pipeline Signing', '--key-size', '4096'], 'cert');
    expect(files.map((f) => f.replace(/\\/g, '/'))).to.deep.equal(['certs/Pipeline_Signing.crt', 'certs/Pipeline_Signing.crt-meta.xml']);
    const cert = t.emu.components.get('Certificate')?.get('Pipeline_Signing');
    expect(cert?.body?.toString('utf8')).to.match(/^-----BEGIN CERTIFICATE-----/);
    expect(cert?.content).to.include({ masterLabel: 'Pipeline Signing', keySize: 4096, privateKeyExportable: false });
  });

  it('sso configure, jit enable and idp enable: their files deploy to the same org and need no second change', async () => {
    await roundTrip(
      SsoConfigure,
      ['--target-org', 'emu', '--name', 'PingOne', '--idp-metadata', fixture('pingone.xml'), '--request-signing-cert', 'Okta Legacy Signing'],
      'saml'
    );
    // Planned against the org after the deploy above: the handler and the user are the org's ids.
    await roundTrip(
      JitEnable,
      ['--target-org', 'emu', '--name', 'PingOne', '--handler', 'JumpCloudJitHandler', '--execution-user', 'admin@acme.example.com'],
      'jit'
    );
    expect(t.emu.components.get('SamlSsoConfig')?.get('PingOne')?.content).to.include({ userProvisioning: true });
    await roundTrip(IdpEnable, ['--target-org', 'emu', '--cert', 'Okta Legacy Signing'], 'idp');
  });

  it('picklists deactivate and align: Address.settings with only the changed countries deploys and leaves the others alone', async () => {
    const countries = (): Array<{ isoCode: string; visible: boolean; integrationValue: string }> =>
      (t.emu.components.get('AddressSettings')?.get('Address')?.content.countriesAndStates as { countries: Array<{ isoCode: string; visible: boolean; integrationValue: string }> })
        .countries;
    const countBefore = countries().length;
    await roundTrip(PicklistsDeactivate, ['--target-org', 'emu', '--countries', 'de,FR'], 'deactivate');
    await roundTrip(PicklistsAlign, ['--target-org', 'emu', '--integration-values', 'iso', '--countries', 'CA'], 'align');
    expect(countries()).to.have.length(countBefore);
    expect(countries().find((c) => c.isoCode === 'DE')).to.include({ visible: false });
    expect(countries().find((c) => c.isoCode === 'CA')).to.include({ integrationValue: 'CA' });
    expect(countries().find((c) => c.isoCode === 'US')).to.include({ visible: true, integrationValue: 'United States' });
  });

  it('a SAML configuration file with a request-signing certificate is bound to the org it was read from', async () => {
    const dir = join(tmp, 'saml-other');
    await runCommand(SsoConfigure, [
      '--target-org',
      'emu',
      '--name',
      'PingOne',
      '--idp-metadata',
      fixture('pingone.xml'),
      '--request-signing-cert',
      'Okta Legacy Signing',
      '--output-dir',
      dir,
    ]);
    const xml = await readFile(join(dir, 'samlssoconfigs', 'PingOne.samlssoconfig-meta.xml'), 'utf8');
    const id = /<requestSigningCertId>(\w+)<\/requestSigningCertId>/.exec(xml)?.[1];
    expect(id).to.match(/^0P1\w{12}$/);

    // Another org (a sandbox, production) with a certificate of the same name and label: its id differs.
    const other = await OrgEmulator.start();
    try {
      const twin = await putComponent(other.metadataContext, 'Certificate', 'Okta_Legacy_Signing', {
        caSigned: false,
        keySize: 2048,
        masterLabel: 'Okta Legacy Signing',
        privateKeyExportable: false,
      });
      expect(twin.id.slice(0, 15)).to.not.equal(id);
      const outcome = await deploySource(dir, await connectionTo(other));
      expect(outcome.status).to.equal('Failed');
      expect(outcome.failures).to.have.length(1);
      expect(outcome.failures[0]).to.include({ fullName: 'PingOne', type: 'SamlSsoConfig' });
      expect(outcome.failures[0].error).to.contain('requestSigningCertId');
      expect(other.components.get('SamlSsoConfig')?.has('PingOne') ?? false).to.equal(false);
    } finally {
      await other.stop();
    }
  });
});
