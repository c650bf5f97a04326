/* sso update-cert without the command: flags to spec, and planning a configuration's certificate from a spec against the emulated demo org. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { OrgClient } from '../../src/provision/client.js';
import { planSamlCertificateSpec, ssoUpdateCertSpec } from '../../src/provision/sso-update-cert.js';
import { DEFAULT_SEED } from '../emulator/seed.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { orgFingerprint } from '../helpers/plan.js';
import { noOrg, refusal } from '../helpers/library.js';

const DEMO_SEED = DEFAULT_SEED.replace(/default\.json$/, 'demo.json');
const fixture = (name: string): string => join(process.cwd(), 'test', 'fixtures', 'saml', name);

describe('sso update-cert spec', () => {
  it('maps the flags to a spec naming the configuration and the file given', () => {
    expect(ssoUpdateCertSpec({ name: 'Okta', 'idp-cert': 'okta.pem' })).to.deep.equal({ samlConfig: 'Okta', idpCertificate: 'okta.pem' });
    expect(ssoUpdateCertSpec({ name: 'Okta', 'idp-metadata': 'okta.xml' })).to.deep.equal({ samlConfig: 'Okta', idpMetadata: 'okta.xml' });
  });

  it('refuses a spec with neither file or with both, before reading a file or the org', async () => {
    expect((await refusal(planSamlCertificateSpec(noOrg, { samlConfig: 'Okta' }))).name).to.equal('CertificateRequiredError');
    const both = await refusal(planSamlCertificateSpec(noOrg, { samlConfig: 'Okta', idpCertificate: 'missing.pem', idpMetadata: 'missing.xml' }));
    expect(both.name).to.equal('CertificateAndMetadataError');
  });
});

describe('planning a SAML configuration\'s certificate from a spec, without a command', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;

  before(async () => {
    t = await setupTestOrg({ seed: DEMO_SEED });
    client = new OrgClient(t.org.getConnection());
  });
  after(async () => {
    await t?.close();
  });

  it('plans the configuration\'s new certificate from a certificate file; the org is unchanged', async () => {
    const expected = JSON.parse(await readFile(fixture('expected.json'), 'utf8')) as Record<string, { sha256Fingerprint: string }>;
    const before = orgFingerprint(t.emu);
    const plan = await planSamlCertificateSpec(client, { samlConfig: 'Okta', idpCertificate: fixture('idp-cert-rotated.pem') });
    expect(plan.changes).to.have.length(1);
    expect(plan.changes[0]).to.deep.include({ resource: 'SamlSsoConfig', name: 'Okta', action: 'update', status: 'planned' });
    expect(plan.changes[0].fields.map((f) => f.field)).to.deep.equal(['validationCert']);
    expect(plan.certificate.sha256Fingerprint).to.equal(expected.idpCertRotated.sha256Fingerprint);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('names the configurations that exist when the spec names another', async () => {
    const e = await refusal(planSamlCertificateSpec(client, { samlConfig: 'Nope', idpCertificate: fixture('idp-cert-rotated.pem') }));
    expect(e.name).to.equal('ConfigNotFoundError');
    expect(e.message).to.contain('Okta');
  });
});
