import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import CertCreate from '../../../../src/commands/provision/cert/create.js';
import { ROOT, setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';

type ToolingCert = { Id: string; DeveloperName: string; MasterLabel: string; KeySize: string | number; ExpirationDate: string; OptionsIsPrivateKeyExportable: boolean };

const toolingCerts = async (t: TestOrg): Promise<ToolingCert[]> =>
  (
    await t.org
      .getConnection()
      .tooling.query<ToolingCert>('SELECT Id, DeveloperName, MasterLabel, KeySize, ExpirationDate, OptionsIsPrivateKeyExportable FROM Certificate')
  ).records;

describe('sf provision cert create', function () {
  this.timeout(120_000);
  let t: TestOrg;

  beforeEach(async () => {
    t = await setupTestOrg();
  });
  afterEach(async () => {
    await t?.close();
  });

  it('plans a self-signed certificate under --dry-run and changes nothing', async () => {
    const before = orgFingerprint(t.emu);
    const { result, exitCode } = await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML', '--dry-run']);
    expect(exitCode).to.equal(0);
    expect(result).to.deep.include({ dryRun: true, changed: true });
    expect(result.changes).to.have.length(1);
    expect(result.changes[0]).to.deep.include({ resource: 'Certificate', name: 'JumpCloud_SAML', action: 'create', status: 'planned' });
    expect(result.changes[0].fields).to.deep.equal([
      { field: 'caSigned', to: false },
      { field: 'keySize', to: 2048 },
      { field: 'masterLabel', to: 'JumpCloud SAML' },
      { field: 'privateKeyExportable', to: false },
    ]);
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(await toolingCerts(t)).to.deep.equal([]);
  });

  it('creates the certificate as planned (visible in Tooling), and a second run changes nothing', async () => {
    const first = await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML', '--key-size', '4096']);
    expect(first.exitCode).to.equal(0);
    expect(first.result.changed).to.equal(true);
    expect(first.result.changes[0]).to.deep.include({ name: 'JumpCloud_SAML', action: 'create', status: 'applied' });
    const [row] = await toolingCerts(t);
    expect(row).to.deep.include({ DeveloperName: 'JumpCloud_SAML', MasterLabel: 'JumpCloud SAML', OptionsIsPrivateKeyExportable: false });
    expect(Number(row.KeySize)).to.equal(4096);
    // Salesforce generated the key pair: the org holds a 4096-bit certificate that lasts two years.
    const body = t.emu.components.get('Certificate')?.get('JumpCloud_SAML')?.body;
    const x = new X509Certificate(body as Buffer);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(4096);
    expect((new Date(x.validTo).getTime() - Date.now()) / 86_400_000).to.be.within(729, 731);

    const after = orgFingerprint(t.emu);
    const second = await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML', '--key-size', '4096']);
    expect(second.result.changed).to.equal(false);
    expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(second.result.changes[0].note).to.equal(undefined);
    expect(second.ux.warn.callCount).to.equal(0);
    expect(second.output).to.contain('No changes');
    expect(orgFingerprint(t.emu)).to.equal(after);
  });

  it('takes --name and --exportable-key; Salesforce sets the expiry (one year for 2048 bits)', async () => {
    // Salesforce sets a self-signed certificate's expiry itself (Metadata API Developer Guide, Certificate.expirationDate),
    // so the org's date is one year out whatever a request asks for.
    const { result } = await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'Okta Signing', '--name', 'Okta_Sign_2026', '--exportable-key']);
    expect(result.changes[0]).to.deep.include({ name: 'Okta_Sign_2026', status: 'applied' });
    const [row] = await toolingCerts(t);
    expect(row).to.deep.include({ DeveloperName: 'Okta_Sign_2026', MasterLabel: 'Okta Signing', OptionsIsPrivateKeyExportable: true });
    const days = (Date.parse(row.ExpirationDate) - Date.now()) / 86_400_000;
    expect(days).to.be.within(364, 366);
  });

  it('leaves an existing certificate with another key size alone and says how to get the one asked for', async () => {
    await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML']);
    const before = orgFingerprint(t.emu);
    const { result, exitCode, output, ux } = await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML', '--key-size', '4096', '--exportable-key']);
    expect(exitCode).to.equal(0);
    expect(result.changed).to.equal(false);
    expect(result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged' });
    expect(result.changes[0].note).to.contain('its key has 2048 bits, not 4096');
    expect(result.changes[0].note).to.contain('Salesforce cannot change the key of a generated certificate');
    expect(result.changes[0].note).to.contain('--label "JumpCloud SAML 2"');
    expect(output).to.contain('Salesforce cannot change the key');
    // The run ends with "no changes", so the difference is a warning too (it lands in --json warnings).
    const warnings = ux.warn.args.map((a) => String(a[0]));
    expect(warnings).to.deep.equal([result.changes[0].note]);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('finds an existing certificate by its label even under another API name', async () => {
    await t.close();
    t = await setupTestOrg({ seed: join(ROOT, 'test', 'emulator', 'seeds', 'demo.json') });
    const before = orgFingerprint(t.emu);
    const { result } = await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'Okta Legacy Signing', '--name', 'Okta_New']);
    expect(result.changed).to.equal(false);
    expect(result.changes[0]).to.deep.include({ name: 'Okta_Legacy_Signing', action: 'none' });
    expect(result.changes[0].note).to.contain('API name Okta_Legacy_Signing, not Okta_New');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('writes certs/<name>.crt (empty) and its -meta.xml that validate, and leaves the org alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provision-cert-'));
    try {
      const before = orgFingerprint(t.emu);
      const { result } = await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML', '--output-dir', dir]);
      expect(result.files).to.deep.equal([join('certs', 'JumpCloud_SAML.crt'), join('certs', 'JumpCloud_SAML.crt-meta.xml')]);
      expect(result.changes[0].status).to.equal('written');
      expect(orgFingerprint(t.emu)).to.equal(before);
      expect((await stat(join(dir, 'certs', 'JumpCloud_SAML.crt'))).size).to.equal(0);
      const xml = await readFile(join(dir, 'certs', 'JumpCloud_SAML.crt-meta.xml'), 'utf8');
      expect(xml).to.equal(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Certificate xmlns="http://soap.sforce.com/2006/04/metadata">\n' +
          '    <caSigned>false</caSigned>\n    <keySize>2048</keySize>\n    <masterLabel>JumpCloud SAML</masterLabel>\n' +
          '    <privateKeyExportable>false</privateKeyExportable>\n</Certificate>\n'
      );
      const { components, errors } = await validateSourceDir(dir);
      expect(errors).to.deep.equal([]);
      expect(components).to.deep.equal(['Certificate:JumpCloud_SAML']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes no file for a certificate the org already has (an empty .crt would ask for a new key)', async () => {
    await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML']);
    const dir = await mkdtemp(join(tmpdir(), 'provision-cert-'));
    try {
      const { result } = await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML', '--output-dir', dir]);
      expect(result.changed).to.equal(false);
      expect(result.files).to.deep.equal([]);
      expect(result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid API name or label before touching the org, with the fix; has no --expiration', async () => {
    const before = orgFingerprint(t.emu);
    const name = await runCommandError(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud', '--name', 'Jump__Cloud']);
    expect(name.message).to.contain('The API name "Jump__Cloud" cannot be used: it contains two consecutive underscores');
    expect(name.actions?.[0]).to.contain('--name JumpCloud_SAML');
    const label = await runCommandError(CertCreate, ['--target-org', 'emu', '--label', 'x'.repeat(65)]);
    expect(label.message).to.contain('more than 64');
    const noName = await runCommandError(CertCreate, ['--target-org', 'emu', '--label', '***']);
    expect(noName.message).to.contain('No API name can be derived');
    expect(noName.actions?.[0]).to.contain('--name');
    // Salesforce sets a generated certificate's expiry itself: there is no flag to ask for another.
    const expiration = await runCommandError(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud', '--expiration', '2030-01-01']);
    expect(expiration.message).to.match(/Nonexistent flag: --expiration/);
    const size = await runCommandError(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud', '--key-size', '1024']);
    expect(size.message).to.match(/1024/);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });
});
