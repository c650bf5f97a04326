/* idp enable | disable without the command: flags to spec, and planning from a spec against the emulated org. */
import { expect } from 'chai';
import { OrgClient } from '../../src/provision/client.js';
import { idpDisableSpec, idpEnableSpec, planIdentityProviderSpec } from '../../src/provision/identity-provider.js';
import { putComponent } from '../emulator/metadata/soap.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { orgFingerprint } from '../helpers/plan.js';
import { noOrg, refusal } from '../helpers/library.js';

describe('identity provider spec', () => {
  it('maps the flags to a spec naming the certificate; disable names none', () => {
    expect(idpEnableSpec({ cert: 'IdP Signing' })).to.deep.equal({ enabled: true, certificate: 'IdP Signing' });
    expect(idpDisableSpec()).to.deep.equal({ enabled: false });
  });

  it('refuses to turn the identity provider on without a certificate, before reading the org', async () => {
    const e = await refusal(planIdentityProviderSpec(noOrg, { enabled: true }));
    expect(e.name).to.equal('CertRequiredError');
  });
});

describe('planning the identity provider from a spec, without a command', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;

  before(async () => {
    t = await setupTestOrg();
    client = new OrgClient(t.org.getConnection());
    await putComponent(t.emu.metadataContext, 'Certificate', 'IdP_Signing', { caSigned: false, keySize: 2048, masterLabel: 'IdP Signing', privateKeyExportable: false });
  });
  after(async () => {
    await t?.close();
  });

  it('resolves the certificate by label to its API name and plans the identity provider on; the org is unchanged', async () => {
    const before = orgFingerprint(t.emu);
    const plan = await planIdentityProviderSpec(client, { enabled: true, certificate: 'IdP Signing' });
    expect(plan.changes).to.have.length(1);
    expect(plan.changes[0]).to.deep.include({ resource: 'IdentityProviderSettings', name: 'IdentityProvider', status: 'planned' });
    expect(plan.changes[0].fields).to.deep.include({ field: 'certificateName', from: '', to: 'IdP_Signing' });
    expect(plan.certificate).to.include({ name: 'IdP_Signing', label: 'IdP Signing' });
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('names the org\'s certificates for an unknown one, and plans turning it off as no change where it is off', async () => {
    const e = await refusal(planIdentityProviderSpec(client, { enabled: true, certificate: 'Nope' }));
    expect(e.name).to.equal('UnknownCertError');
    expect(e.message).to.contain('IdP_Signing (IdP Signing)');
    const off = await planIdentityProviderSpec(client, idpDisableSpec());
    expect(off.changes[0]).to.deep.include({ action: 'none', status: 'unchanged' });
    expect(off).to.deep.equal({ changes: off.changes, warnings: [] });
  });
});
