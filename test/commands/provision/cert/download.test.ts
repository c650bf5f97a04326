import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import CertCreate from '../../../../src/commands/provision/cert/create.js';
import CertDownload from '../../../../src/commands/provision/cert/download.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

describe('sf provision cert download', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let orgCert: X509Certificate;

  before(async () => {
    t = await setupTestOrg();
    await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML']);
    orgCert = new X509Certificate(t.emu.components.get('Certificate')?.get('JumpCloud_SAML')?.body as Buffer);
  });
  after(async () => {
    await t?.close();
  });

  it('prints the PEM to stdout and the details to stderr; the PEM is the org’s certificate, and no key', async () => {
    const before = orgFingerprint(t.emu);
    const { result, ux } = await runCommand(CertDownload, ['--target-org', 'emu', '--label', 'JumpCloud SAML']);
    const stdout = ux.log.args.map((a) => String(a[0])).join('\n');
    expect(stdout).to.match(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----$/);
    const parsed = new X509Certificate(stdout);
    expect(parsed.fingerprint256).to.equal(orgCert.fingerprint256);
    expect(result.pem).to.equal(`${stdout}\n`);
    expect(result).to.deep.include({
      name: 'JumpCloud_SAML',
      label: 'JumpCloud SAML',
      sha256Fingerprint: orgCert.fingerprint256.toUpperCase(),
      notAfter: new Date(orgCert.validTo).toISOString(),
      keySize: 2048,
    });
    expect(result.subject).to.contain('CN=JumpCloud_SAML');
    expect(result.daysLeft).to.be.within(363, 365);
    expect(result.file).to.equal(undefined);
    const stderr = ux.logToStderr.args.map((a) => String(a[0])).join('\n');
    expect(stderr).to.contain(`SHA-256:     ${orgCert.fingerprint256.toUpperCase()}`);
    expect(stderr).to.contain('Subject:     CN=JumpCloud_SAML');
    expect(JSON.stringify(result) + stdout + stderr).not.to.match(/PRIVATE KEY/);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('writes the PEM to --output-file, found by API name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provision-dl-'));
    try {
      const file = join(dir, 'jumpcloud.crt');
      const { result, ux } = await runCommand(CertDownload, ['--target-org', 'emu', '--label', 'jumpcloud_saml', '--output-file', file]);
      expect(result.file).to.equal(file);
      const pem = await readFile(file, 'utf8');
      expect(pem).to.equal(result.pem);
      expect(new X509Certificate(pem).fingerprint256).to.equal(orgCert.fingerprint256);
      expect(ux.logSuccess.args.flat().join('\n')).to.contain(file);
      expect(ux.log.args.flat().join('\n')).not.to.contain('BEGIN CERTIFICATE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('turns a certificate the org holds as DER into PEM', async () => {
    await putComponent(
      t.emu.metadataContext,
      'Certificate',
      'Der_Uploaded',
      { caSigned: false, keySize: 2048, masterLabel: 'DER uploaded' },
      orgCert.raw
    );
    const { result } = await runCommand(CertDownload, ['--target-org', 'emu', '--label', 'DER uploaded']);
    expect(result.pem).to.match(/^-----BEGIN CERTIFICATE-----\n/);
    expect(new X509Certificate(result.pem).fingerprint256).to.equal(orgCert.fingerprint256);
  });

  it('says how to find the certificate when the org has none by that label or name', async () => {
    const err = await runCommandError(CertDownload, ['--target-org', 'emu', '--label', 'Nope']);
    expect(err.message).to.equal('The org has no certificate with the label or API name "Nope". Its certificates: Der_Uploaded (DER uploaded), JumpCloud_SAML (JumpCloud SAML).');
    expect(err.actions?.[0]).to.contain('sf provision cert list');
  });

  it('creates a missing folder for --output-file, and refuses a folder as the file before calling the org', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provision-dl-'));
    try {
      const file = join(dir, 'certs', 'sso', 'jumpcloud.crt');
      const { result } = await runCommand(CertDownload, ['--target-org', 'emu', '--label', 'JumpCloud_SAML', '--output-file', file]);
      expect(result.file).to.equal(file);
      expect(new X509Certificate(await readFile(file, 'utf8')).fingerprint256).to.equal(orgCert.fingerprint256);

      const err = await runCommandError(CertDownload, ['--target-org', 'emu', '--label', 'JumpCloud_SAML', '--output-file', dir]);
      expect(err.name).to.equal('OutputIsDirectoryError');
      expect(err.message).to.equal(`--output-file ${dir} is a folder, not a file.`);
      expect(err.actions?.[0]).to.equal(`Give a file name inside it, for example --output-file ${dir}/certificate.crt.`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a label two certificates share, listing their API names (never picks the first)', async () => {
    await putComponent(t.emu.metadataContext, 'Certificate', 'JumpCloud_SAML_Copy', { caSigned: false, keySize: 2048, masterLabel: 'JumpCloud SAML' }, orgCert.raw);
    const err = await runCommandError(CertDownload, ['--target-org', 'emu', '--label', 'JumpCloud SAML']);
    expect(err.name).to.equal('AmbiguousError');
    expect(err.message).to.equal('Several certificates have the label "JumpCloud SAML": JumpCloud_SAML, JumpCloud_SAML_Copy.');
    expect(err.actions?.[0]).to.contain('API name');
    // The API name still picks one.
    const { result } = await runCommand(CertDownload, ['--target-org', 'emu', '--label', 'JumpCloud_SAML_Copy']);
    expect(result.name).to.equal('JumpCloud_SAML_Copy');
  });
});
