import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import SsoConfigure from '../../../../src/commands/provision/sso/configure.js';
import SsoSpMetadata from '../../../../src/commands/provision/sso/sp-metadata.js';
import { parseXml, childrenNamed, descendants, firstChild, NS, type XNode } from '../../../../src/provision/xml.js';
import { putComponent } from '../../../emulator/metadata/components.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

const fixture = (name: string): string => join(process.cwd(), 'test', 'fixtures', 'saml', name);
const myDomain = (t: TestOrg): string => t.emu.instanceUrl.replace(/\/+$/, '');

/** The SPSSODescriptor of SP metadata, after checking the document's shape (one EntityDescriptor in the md namespace). */
const spDescriptor = (xml: string): { root: XNode; sp: XNode } => {
  const root = parseXml(xml);
  expect(root.name).to.equal('EntityDescriptor');
  expect(root.ns).to.equal(NS.md);
  const sp = firstChild(root, 'SPSSODescriptor', NS.md);
  expect(sp, 'SPSSODescriptor').not.to.equal(undefined);
  expect(sp?.attrs.protocolSupportEnumeration).to.equal('urn:oasis:names:tc:SAML:2.0:protocol');
  // Schema order: KeyDescriptor*, SingleLogoutService*, NameIDFormat*, AssertionConsumerService+.
  const order = ['KeyDescriptor', 'SingleLogoutService', 'NameIDFormat', 'AssertionConsumerService'];
  const seen = (sp as XNode).children.map((c) => order.indexOf(c.name));
  expect(seen.every((i) => i >= 0)).to.equal(true);
  expect(seen).to.deep.equal([...seen].sort((a, b) => a - b));
  return { root, sp: sp as XNode };
};

describe('sf provision sso sp-metadata', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let tmp: string;

  beforeEach(async () => {
    t = await setupTestOrg();
    tmp = await mkdtemp(join(tmpdir(), 'provision-spmd-'));
  });
  afterEach(async () => {
    await t?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('builds metadata with the entity ID, the ACS URL with ?so=<org id> and the org\'s request-signing certificate', async () => {
    await putComponent(t.emu.metadataContext, 'Certificate', 'SSO_Signing', { caSigned: false, keySize: 2048, masterLabel: 'SSO Signing', privateKeyExportable: false });
    await runCommand(SsoConfigure, [
      '--target-org', 'emu', '--name', 'Okta', '--idp-metadata', fixture('okta.xml'), '--request-signing-cert', 'SSO Signing', '--identity-type', 'Username',
    ]);
    const before = orgFingerprint(t.emu);
    const file = join(tmp, 'out', 'sp.xml');
    const { result, exitCode } = await runCommand(SsoSpMetadata, ['--target-org', 'emu', '--name', 'Okta', '--output-file', file]);
    expect(exitCode).to.equal(0);
    expect(orgFingerprint(t.emu)).to.equal(before);

    const xml = await readFile(file, 'utf8');
    expect(result.xml).to.equal(xml);
    const { root, sp } = spDescriptor(xml);
    expect(root.attrs.entityID).to.equal(myDomain(t));
    const acs = childrenNamed(sp, 'AssertionConsumerService', NS.md);
    expect(acs).to.have.length(1);
    expect(acs[0].attrs).to.include({
      Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
      Location: `${myDomain(t)}?so=${t.emu.orgId.slice(0, 15)}`,
      index: '0',
    });
    expect(sp.attrs.AuthnRequestsSigned).to.equal('true');
    expect(childrenNamed(sp, 'NameIDFormat', NS.md).map((n) => n.text)).to.deep.equal(['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress']);

    const certs = descendants(sp, 'X509Certificate', NS.ds);
    expect(certs).to.have.length(1);
    const orgCert = new X509Certificate(t.emu.components.get('Certificate')?.get('SSO_Signing')?.body ?? Buffer.alloc(0));
    expect(certs[0].text).to.equal(orgCert.raw.toString('base64'));
    expect(result).to.deep.include({ name: 'Okta', entityId: myDomain(t), acsUrl: `${myDomain(t)}?so=${t.emu.orgId.slice(0, 15)}` });
    expect(result.requestSigningCertificate).to.deep.include({ name: 'SSO_Signing', sha256Fingerprint: orgCert.fingerprint256.toUpperCase() });
  });

  it('adds the decryption certificate as the encryption KeyDescriptor, after the signing one', async () => {
    await putComponent(t.emu.metadataContext, 'Certificate', 'SSO_Signing', { caSigned: false, keySize: 2048, masterLabel: 'SSO Signing', privateKeyExportable: false });
    await putComponent(t.emu.metadataContext, 'Certificate', 'SSO_Decrypt', { caSigned: false, keySize: 2048, masterLabel: 'SSO Decrypt', privateKeyExportable: false });
    await runCommand(SsoConfigure, [
      '--target-org', 'emu', '--name', 'Okta', '--idp-metadata', fixture('okta.xml'), '--request-signing-cert', 'SSO Signing', '--decryption-cert', 'SSO Decrypt',
    ]);
    const { result } = await runCommand(SsoSpMetadata, ['--target-org', 'emu', '--name', 'Okta']);
    const { sp } = spDescriptor(result.xml);
    const kds = childrenNamed(sp, 'KeyDescriptor', NS.md);
    expect(kds.map((k) => k.attrs.use)).to.deep.equal(['signing', 'encryption']);
    const body = (name: string): X509Certificate => new X509Certificate(t.emu.components.get('Certificate')?.get(name)?.body ?? Buffer.alloc(0));
    expect(kds.map((k) => descendants(k, 'X509Certificate', NS.ds)[0]?.text)).to.deep.equal([
      body('SSO_Signing').raw.toString('base64'),
      body('SSO_Decrypt').raw.toString('base64'),
    ]);
    expect(result.encryptionCertificate).to.deep.include({ name: 'SSO_Decrypt', sha256Fingerprint: body('SSO_Decrypt').fingerprint256.toUpperCase() });
  });

  it('prints to standard output without --output-file; no certificate when requests are not signed', async () => {
    await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'JumpCloud', '--idp-metadata', fixture('jumpcloud.xml'), '--entity-id', 'https://saml.salesforce.com']);
    const { result, ux } = await runCommand(SsoSpMetadata, ['--target-org', 'emu', '--name', 'JumpCloud']);
    const printed = ux.log.args.map((a) => String(a[0])).join('\n');
    expect(printed).to.equal(result.xml.trimEnd());
    const { root, sp } = spDescriptor(printed);
    expect(root.attrs.entityID).to.equal('https://saml.salesforce.com');
    expect(sp.attrs.AuthnRequestsSigned).to.equal('false');
    expect(childrenNamed(sp, 'KeyDescriptor', NS.md)).to.have.length(0);
    expect(childrenNamed(sp, 'NameIDFormat', NS.md).map((n) => n.text)).to.deep.equal(['urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified']);
    expect(result.outputFile).to.equal(undefined);
    expect(result).not.to.have.property('encryptionCertificate');
  });

  it('fails for an unknown configuration, listing the org\'s configurations', async () => {
    const e = await runCommandError(SsoSpMetadata, ['--target-org', 'emu', '--name', 'Ghost']);
    expect(e.name).to.equal('ConfigNotFoundError');
    expect(e.message).to.contain('Its configurations: (none)');
    expect(e.actions?.length).to.be.greaterThan(0);
  });

  it('runs as a subprocess: the XML on stdout, and with --json in the result (bin/run.js)', async () => {
    await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Keycloak', '--idp-metadata', fixture('keycloak.xml')]);
    const plain = await t.run(['provision', 'sso', 'sp-metadata', '--target-org', 'emu', '--name', 'Keycloak']);
    expect(plain.code).to.equal(0);
    const { root } = spDescriptor(plain.stdout.slice(plain.stdout.indexOf('<?xml')));
    expect(root.attrs.entityID).to.equal(myDomain(t));
    const r = await t.runJson<{ xml: string; acsUrl: string }>(['provision', 'sso', 'sp-metadata', '--target-org', 'emu', '--name', 'Keycloak']);
    expect(r.code).to.equal(0);
    expect(r.json.result.acsUrl).to.equal(`${myDomain(t)}?so=${t.emu.orgId.slice(0, 15)}`);
    spDescriptor(r.json.result.xml);
  });
});
