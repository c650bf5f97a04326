import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import CertCreate from '../../../../src/commands/provision/cert/create.js';
import CertList, { expiryWarnings, type CertListEntry, type CertListResult } from '../../../../src/commands/provision/cert/list.js';
import { generateKeyPairAndCertificate } from '../../../../src/provision/certs/generate.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { ROOT, setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand } from '../../../helpers/plan.js';

const DEMO = join(ROOT, 'test', 'emulator', 'seeds', 'demo.json');

describe('sf provision cert list', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let jumpCloudId: string;

  before(async () => {
    t = await setupTestOrg({ seed: DEMO });
    await runCommand(CertCreate, ['--target-org', 'emu', '--label', 'JumpCloud SAML']);
    const jc = t.emu.components.get('Certificate')?.get('JumpCloud_SAML');
    jumpCloudId = String(jc?.id);
    const jcPem = (jc?.body as Buffer).toString('utf8');
    const idp = await generateKeyPairAndCertificate({ commonName: 'JumpCloud IdP' });
    const local = await generateKeyPairAndCertificate({ commonName: 'not in the org' });
    const ctx = t.emu.metadataContext;
    // A SAML configuration that signs its requests with the certificate (15-character id) and decrypts with it (name).
    await putComponent(ctx, 'SamlSsoConfig', 'JumpCloud', {
      decryptionCertificate: 'JumpCloud_SAML',
      identityLocation: 'SubjectNameId',
      identityMapping: 'FederationId',
      issuer: 'https://sso.jumpcloud.com/saml2/acme',
      loginUrl: 'https://sso.jumpcloud.com/saml2/acme/login',
      name: 'JumpCloud',
      requestSigningCertId: jumpCloudId.slice(0, 15),
      samlEntityId: 'https://acme.my.salesforce.com',
      samlVersion: 'SAML2_0',
      validationCert: new X509Certificate(idp.certificatePem).raw.toString('base64'),
    });
    // Salesforce as identity provider, signing with the demo org's expiring certificate.
    await putComponent(ctx, 'IdentityProviderSettings', 'IdentityProvider', { certificateName: 'Okta_Legacy_Signing', enableIdentityProvider: true });
    // An External Client App that verifies JWTs with the org certificate's PEM.
    await putComponent(ctx, 'ExtlClntAppGlobalOauthSettings', 'PingOne_Provisioning_glbloauth', {
      callbackUrl: 'https://localhost/callback',
      certificate: jcPem,
      externalClientApplication: 'PingOne_Provisioning',
      label: 'PingOne Provisioning',
    });
    // A connected app with a certificate that is not one of the org's: it uses none of them.
    await putComponent(ctx, 'ConnectedApp', 'Legacy_Jwt', {
      contactEmail: 'it@acme.example.com',
      label: 'Legacy JWT',
      oauthConfig: { callbackUrl: 'https://localhost/cb', certificate: local.certificatePem, scopes: ['Api'] },
    });
  });
  after(async () => {
    await t?.close();
  });

  it('shows each certificate with key size, expiry, flags and what uses it, and warns of expiry', async () => {
    const before = orgFingerprint(t.emu);
    const { result, ux } = await runCommand(CertList, ['--target-org', 'emu']);
    expect(orgFingerprint(t.emu)).to.equal(before);
    const byName = new Map(result.certificates.map((c) => [c.name, c]));
    expect([...byName.keys()]).to.deep.equal(['JumpCloud_SAML', 'Okta_Legacy_Signing']);

    const jc = byName.get('JumpCloud_SAML');
    expect(jc).to.deep.include({ id: jumpCloudId, label: 'JumpCloud SAML', keySize: 2048, exportable: false, caSigned: false });
    expect(jc?.daysLeft).to.be.within(363, 365);
    expect(jc?.usedBy).to.deep.equal([
      { kind: 'SamlSsoConfig', owner: 'JumpCloud', field: 'requestSigningCertId' },
      { kind: 'SamlSsoConfig', owner: 'JumpCloud', field: 'decryptionCertificate' },
      { kind: 'ExternalClientApp', owner: 'PingOne_Provisioning', field: 'ExtlClntAppGlobalOauthSettings.certificate' },
    ]);
    const okta = byName.get('Okta_Legacy_Signing');
    expect(okta?.usedBy).to.deep.equal([{ kind: 'IdentityProvider', owner: 'IdentityProvider', field: 'certificateName' }]);
    expect(okta?.daysLeft).to.be.within(15, 17);

    expect(result.warnings).to.have.length(1);
    expect(result.warnings[0]).to.match(/^Certificate "Okta Legacy Signing" expires in 1[5-7] days/);
    expect(result.warnings[0]).to.contain('Identity provider (signing)');
    expect(ux.warn.args.flat()).to.deep.equal(result.warnings);

    const table = ux.table.args[0][0] as { data: Array<Record<string, unknown>>; columns: string[] };
    expect(table.columns).to.deep.equal(['label', 'name', 'key size', 'expires', 'days left', 'exportable', 'CA-signed', 'used by']);
    expect(table.data[0]).to.deep.include({ label: 'JumpCloud SAML', name: 'JumpCloud_SAML', 'key size': 2048, exportable: 'no', 'CA-signed': 'no' });
    expect(table.data[0]['used by']).to.equal(
      'SAML JumpCloud (request signing); SAML JumpCloud (assertion decryption); External client app PingOne_Provisioning (JWT / digital signatures)'
    );
  });

  it('warns only within --expiry-warning-days', async () => {
    const { result } = await runCommand(CertList, ['--target-org', 'emu', '--expiry-warning-days', '10']);
    expect(result.warnings).to.deep.equal([]);
  });

  it('runs as a subprocess with --json (bin/run.js)', async () => {
    const r = await t.runJson<CertListResult>(['provision', 'cert', 'list', '--target-org', 'emu', '--expiry-warning-days', '400']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.json.result.certificates.map((c) => c.name)).to.deep.equal(['JumpCloud_SAML', 'Okta_Legacy_Signing']);
    expect(r.json.result.warnings).to.have.length(2);
    expect(r.json.warnings).to.have.length(2);
  });
});

describe('cert list expiryWarnings', () => {
  const entry = (over: Partial<CertListEntry>): CertListEntry => ({
    id: '0P1000000000001AAA',
    name: 'Old',
    label: 'Old',
    keySize: 2048,
    expirationDate: '2026-01-10T00:00:00.000Z',
    daysLeft: 5,
    exportable: false,
    caSigned: false,
    usedBy: [],
    ...over,
  });

  it('words an unused certificate on its own: nothing to switch', () => {
    const [soon, gone] = expiryWarnings([entry({}), entry({ label: 'Gone', daysLeft: -3 })], 30);
    expect(soon).to.equal('Certificate "Old" expires in 5 days (2026-01-10). Nothing in the org uses it: delete it, or create a new one with "sf provision cert create" before you use it.');
    expect(gone).to.match(/^Certificate "Gone" expired on 2026-01-10\. Nothing in the org uses it/);
    for (const w of [soon, gone]) expect(w).not.to.contain('(unused)').and.not.to.contain('switch');
  });

  it('names what uses a certificate that expires', () => {
    const [w] = expiryWarnings([entry({ usedBy: [{ kind: 'SamlSsoConfig', owner: 'Okta', field: 'requestSigningCertId' }] })], 30);
    expect(w).to.contain('switch what uses it (SAML Okta (request signing))');
  });
});

describe('sf provision cert list (empty org)', function () {
  this.timeout(60_000);
  it('says how to create a certificate when the org has none', async () => {
    const t = await setupTestOrg();
    try {
      const { result, output } = await runCommand(CertList, ['--target-org', 'emu']);
      expect(result).to.deep.equal({ certificates: [], warnings: [] });
      expect(output).to.contain('sf provision cert create');
    } finally {
      await t.close();
    }
  });
});
