/* cert create without the command: flags to spec, the spec's checks, and planning from a spec against the emulated org. */
import { expect } from 'chai';
import { SfError } from '@salesforce/core';
import { OrgClient } from '../../src/provision/client.js';
import { certCreateSpec, checkCertificateSpec, planCertificateSpec } from '../../src/provision/certificates.js';
import type { CertKeySize } from '../../src/provision/resources/certificate.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { orgFingerprint } from '../helpers/plan.js';

const refused = (fn: () => unknown): SfError => {
  try {
    fn();
  } catch (e) {
    return e as SfError;
  }
  return expect.fail('no error');
};

describe('certificate spec', () => {
  it('maps the flags to a spec: the key size as a number, the API name only when given', () => {
    expect(certCreateSpec({ label: 'JumpCloud SAML', 'key-size': '2048', 'exportable-key': false })).to.deep.equal({
      label: 'JumpCloud SAML',
      keySize: 2048,
      exportableKey: false,
    });
    expect(certCreateSpec({ label: 'Okta', name: 'Okta_Sign', 'key-size': '4096', 'exportable-key': true })).to.deep.equal({
      label: 'Okta',
      name: 'Okta_Sign',
      keySize: 4096,
      exportableKey: true,
    });
  });

  it('fills in the defaults and derives the API name from the label, as Setup does', () => {
    expect(checkCertificateSpec({ label: ' JumpCloud SAML ' })).to.deep.equal({ name: 'JumpCloud_SAML', label: 'JumpCloud SAML', keySize: 2048, exportable: false });
  });

  it('refuses a bad label, API name or key size with the fix', () => {
    expect(refused(() => checkCertificateSpec({ label: ' ' })).name).to.equal('InvalidLabelError');
    expect(refused(() => checkCertificateSpec({ label: 'x'.repeat(65) })).message).to.contain('more than 64');
    expect(refused(() => checkCertificateSpec({ label: '***' })).name).to.equal('NoNameFromLabelError');
    expect(refused(() => checkCertificateSpec({ label: 'JumpCloud', name: 'Jump__Cloud' })).name).to.equal('InvalidNameError');
    const size = refused(() => checkCertificateSpec({ label: 'JumpCloud', keySize: 1024 as CertKeySize }));
    expect(size.name).to.equal('InvalidKeySizeError');
    expect(size.message).to.contain('2048 or 4096');
  });
});

describe('planning a certificate from a spec, without a command', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;

  before(async () => {
    t = await setupTestOrg();
    client = new OrgClient(t.org.getConnection());
  });
  after(async () => {
    await t?.close();
  });

  it('plans a new certificate; the org is unchanged', async () => {
    const before = orgFingerprint(t.emu);
    const { changes, warnings } = await planCertificateSpec(client, { label: 'JumpCloud SAML', keySize: 4096 });
    expect(changes).to.have.length(1);
    expect(changes[0]).to.deep.include({ resource: 'Certificate', name: 'JumpCloud_SAML', action: 'create', status: 'planned' });
    expect(warnings).to.deep.equal([]);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });
});
