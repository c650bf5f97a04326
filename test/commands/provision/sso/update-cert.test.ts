import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import SsoConfigure from '../../../../src/commands/provision/sso/configure.js';
import SsoUpdateCert from '../../../../src/commands/provision/sso/update-cert.js';
import { generateSelfSigned } from '../../../emulator/metadata/components.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';

const fixture = (name: string): string => join(process.cwd(), 'test', 'fixtures', 'saml', name);
const derOfPem = async (file: string): Promise<string> => new X509Certificate(await readFile(file)).raw.toString('base64');
const saml = (t: TestOrg, name: string): Record<string, unknown> | undefined => t.emu.components.get('SamlSsoConfig')?.get(name)?.content;
type Expected = Record<string, { sha256Fingerprint: string }>;

describe('sf provision sso update-cert', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let tmp: string;

  beforeEach(async () => {
    t = await setupTestOrg();
    tmp = await mkdtemp(join(tmpdir(), 'provision-cert-'));
    const created = await runCommand(SsoConfigure, [
      '--target-org', 'emu', '--name', 'Acme', '--issuer', 'https://idp.acme.example/saml', '--login-url', 'https://idp.acme.example/sso',
      '--idp-cert', fixture('idp-cert.pem'), '--identity-type', 'Username', '--logout-url', 'https://idp.acme.example/bye',
    ]);
    expect(created.result.changes[0].status).to.equal('applied');
  });
  afterEach(async () => {
    await t?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('rotates the certificate, keeps every other field, and a second run changes nothing', async () => {
    const before = { ...saml(t, 'Acme') };
    const argv = ['--target-org', 'emu', '--name', 'Acme', '--idp-cert', fixture('idp-cert-rotated.pem')];
    const first = await runCommand(SsoUpdateCert, argv);
    expect(first.exitCode).to.equal(0);
    const expected = JSON.parse(await readFile(fixture('expected.json'), 'utf8')) as Expected;
    expect(first.result.changes[0]).to.deep.include({ resource: 'SamlSsoConfig', name: 'Acme', action: 'update', status: 'applied' });
    expect(first.result.changes[0].fields).to.deep.equal([
      {
        field: 'validationCert',
        from: `SHA-256 ${expected.idpCert.sha256Fingerprint.slice(0, 23)}… (expires 2030-01-01)`,
        to: `SHA-256 ${expected.idpCertRotated.sha256Fingerprint.slice(0, 23)}… (expires 2031-01-01)`,
      },
    ]);
    expect(first.result.certificate.sha256Fingerprint).to.equal(expected.idpCertRotated.sha256Fingerprint);
    expect(saml(t, 'Acme')).to.deep.equal({ ...before, validationCert: await derOfPem(fixture('idp-cert-rotated.pem')) });

    const after = orgFingerprint(t.emu);
    const second = await runCommand(SsoUpdateCert, argv);
    expect(second.result.changed).to.equal(false);
    expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged' });
    expect(orgFingerprint(t.emu)).to.equal(after);
  });

  it('takes the chosen signing certificate from metadata and warns when its issuer differs', async () => {
    const { result, ux } = await runCommand(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme', '--idp-metadata', fixture('entra.xml')]);
    const expected = JSON.parse(await readFile(fixture('expected.json'), 'utf8')) as Expected;
    expect(result.certificate.sha256Fingerprint).to.equal(expected.entraLater.sha256Fingerprint);
    expect(new X509Certificate(Buffer.from(String(saml(t, 'Acme')?.validationCert), 'base64')).fingerprint256.toUpperCase()).to.equal(
      expected.entraLater.sha256Fingerprint
    );
    expect(saml(t, 'Acme')?.issuer).to.equal('https://idp.acme.example/saml');
    expect(ux.warn.args.map((a) => String(a[0])).join('\n')).to.contain('differs from the configuration\'s issuer (https://idp.acme.example/saml)');
  });

  it('warns when the new certificate expires within 30 days', async () => {
    const { pem } = await generateSelfSigned('00D000000000001', 'short-lived', 2048, new Date(Date.now() + 10 * 86_400_000));
    const file = join(tmp, 'short.pem');
    await writeFile(file, pem);
    const { result, ux } = await runCommand(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme', '--idp-cert', file]);
    expect(result.changes[0].status).to.equal('applied');
    expect(ux.warn.args.map((a) => String(a[0])).join('\n')).to.match(/expires in (9|10) day\(s\)/);
  });

  it('refuses an expired certificate with the fix, as it refuses metadata with only expired certificates', async () => {
    const { pem } = await generateSelfSigned('00D000000000001', 'gone', 2048, new Date(Date.now() - 2 * 86_400_000));
    const file = join(tmp, 'gone.pem');
    await writeFile(file, pem);
    const before = orgFingerprint(t.emu);
    const e = await runCommandError(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme', '--idp-cert', file]);
    expect(e.name).to.equal('ExpiredCertificateError');
    expect(e.message).to.contain(file).and.to.match(/expired on \d{4}-\d{2}-\d{2}/);
    expect(e.actions?.[0]).to.contain('current signing certificate');
    expect(orgFingerprint(t.emu)).to.equal(before);
    const meta = await runCommandError(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme', '--idp-metadata', fixture('all-expired.xml')]);
    expect(meta.name).to.equal('InvalidIdpMetadataError');
  });

  it('previews under --dry-run and writes a valid file under --output-dir, leaving the org alone', async () => {
    const before = orgFingerprint(t.emu);
    const dry = await runCommand(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme', '--idp-cert', fixture('idp-cert-rotated.pem'), '--dry-run']);
    expect(dry.result).to.deep.include({ dryRun: true, changed: true });
    expect(orgFingerprint(t.emu)).to.equal(before);

    const out = await runCommand(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme', '--idp-cert', fixture('idp-cert-rotated.pem'), '--output-dir', tmp]);
    expect(out.result.files).to.deep.equal([join('samlssoconfigs', 'Acme.samlssoconfig-meta.xml')]);
    // The configuration's entity ID is this org's My Domain (the default): the file fits this org only.
    expect(out.ux.warn.args.map((a) => String(a[0]))).to.deep.equal([
      `The file for Acme holds this org's ids or addresses: samlEntityId ${t.emu.instanceUrl.replace(/\/+$/, '')} (this org's My Domain URL). Deploy it to this org only, or generate it against each target org (run the command with --target-org <that org> --output-dir).`,
    ]);
    expect(dry.ux.warn.called).to.equal(false);
    expect(orgFingerprint(t.emu)).to.equal(before);
    const xml = await readFile(join(tmp, 'samlssoconfigs', 'Acme.samlssoconfig-meta.xml'), 'utf8');
    // The whole configuration, so that a deploy does not reset what the command did not touch.
    expect(xml).to.contain('<identityMapping>Username</identityMapping>').and.to.contain('<logoutUrl>https://idp.acme.example/bye</logoutUrl>');
    expect(xml).to.contain(`<validationCert>${await derOfPem(fixture('idp-cert-rotated.pem'))}</validationCert>`);
    const { components, errors } = await validateSourceDir(tmp);
    expect(errors).to.deep.equal([]);
    expect(components).to.deep.equal(['SamlSsoConfig:Acme']);
  });

  it('fails for an unknown configuration, listing the org\'s configurations', async () => {
    const e = await runCommandError(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Okta', '--idp-cert', fixture('idp-cert-rotated.pem')]);
    expect(e.name).to.equal('ConfigNotFoundError');
    expect(e.message).to.contain('Okta').and.to.contain('Its configurations: Acme.');
    expect(e.actions?.[0]).to.contain('sf provision sso configure');
  });

  it('needs a certificate, and refuses hostile metadata with a clean error', async () => {
    const e1 = await runCommandError(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme']);
    expect(e1.name).to.equal('CertificateRequiredError');
    const before = orgFingerprint(t.emu);
    const e2 = await runCommandError(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme', '--idp-metadata', fixture('dtd.xml')]);
    expect(e2.name).to.equal('InvalidIdpMetadataError');
    expect(e2.actions?.length).to.be.greaterThan(0);
    const e3 = await runCommandError(SsoUpdateCert, ['--target-org', 'emu', '--name', 'Acme', '--idp-cert', fixture('jumpcloud.xml')]);
    expect(e3.name).to.equal('InvalidCertificateFileError');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('runs as a subprocess with --json (bin/run.js)', async () => {
    const r = await t.runJson<{ changed: boolean; certificate: { sha256Fingerprint: string } }>([
      'provision', 'sso', 'update-cert', '--target-org', 'emu', '--name', 'Acme', '--idp-cert', fixture('idp-cert-rotated.pem'),
    ]);
    expect(r.code).to.equal(0);
    expect(r.json.result.changed).to.equal(true);
    expect(saml(t, 'Acme')?.validationCert).to.equal(await derOfPem(fixture('idp-cert-rotated.pem')));
    const missing = await t.runJson(['provision', 'sso', 'update-cert', '--target-org', 'emu', '--name', 'Nope', '--idp-cert', fixture('idp-cert.pem')]);
    expect(missing.code).to.equal(1);
    expect(missing.json.name).to.equal('ConfigNotFoundError');
  });
});
