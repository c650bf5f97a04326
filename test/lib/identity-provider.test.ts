/* IdentityProviderSettings planning (pure) and certificate lookup by API name or label. */
import { expect } from 'chai';
import type { CertificateState } from '../../src/provision/resources/certificate.js';
import { planIdentityProvider } from '../../src/provision/resources/identity-provider.js';
import { matchNameOrLabel, nameAndLabel } from '../../src/provision/resources/values.js';

const cert = (name: string, label: string): CertificateState => ({ id: `0P1${name}`, name, label, exportable: false, caSigned: false });

describe('identity provider planning', () => {
  it('enables with the certificate, content in WSDL order', () => {
    const c = planIdentityProvider({ certificateName: '', enableIdentityProvider: false }, { enabled: true, certificateName: 'IdP_Signing' });
    expect(c).to.deep.include({ resource: 'IdentityProviderSettings', name: 'IdentityProvider', action: 'update', status: 'planned' });
    expect(c.fields).to.deep.equal([
      { field: 'enableIdentityProvider', from: false, to: true },
      { field: 'certificateName', from: '', to: 'IdP_Signing' },
    ]);
    expect(Object.keys(c.metadata!.content)).to.deep.equal(['fullName', 'certificateName', 'enableIdentityProvider']);
    expect(c.metadata!.content).to.deep.equal({ fullName: 'IdentityProvider', certificateName: 'IdP_Signing', enableIdentityProvider: true });
  });

  it('changes only the certificate when the identity provider is on with another', () => {
    const c = planIdentityProvider({ certificateName: 'Old', enableIdentityProvider: true }, { enabled: true, certificateName: 'IdP_Signing' });
    expect(c.action).to.equal('update');
    expect(c.fields).to.deep.equal([{ field: 'certificateName', from: 'Old', to: 'IdP_Signing' }]);
  });

  it('plans nothing when already on with that certificate, or already off', () => {
    expect(planIdentityProvider({ certificateName: 'IdP_Signing', enableIdentityProvider: true }, { enabled: true, certificateName: 'IdP_Signing' })).to.deep.include({
      action: 'none',
      status: 'unchanged',
      fields: [],
    });
    expect(planIdentityProvider({ certificateName: 'X', enableIdentityProvider: false }, { enabled: false }).action).to.equal('none');
  });

  it('disables keeping the certificate name', () => {
    const c = planIdentityProvider({ certificateName: 'IdP_Signing', enableIdentityProvider: true }, { enabled: false });
    expect(c.fields).to.deep.equal([{ field: 'enableIdentityProvider', from: true, to: false }]);
    expect(c.metadata!.content).to.deep.equal({ fullName: 'IdentityProvider', certificateName: 'IdP_Signing', enableIdentityProvider: false });
  });

  it('refuses to plan enabling without a certificate', () => {
    expect(() => planIdentityProvider({ certificateName: '', enableIdentityProvider: false }, { enabled: true })).to.throw(/certificate/);
  });

  it('finds a certificate by API name first, then by a unique label', () => {
    const certs = [cert('IdP_Signing', 'IdP Signing'), cert('Other', 'IdP_Signing'), cert('A', 'Shared'), cert('B', 'Shared')];
    expect(matchNameOrLabel(certs, 'idp_signing')).to.deep.equal({ found: certs[0] });
    expect(matchNameOrLabel(certs, 'IdP Signing')).to.deep.equal({ found: certs[0] });
    expect(matchNameOrLabel(certs, 'Shared')).to.deep.equal({ ambiguous: [certs[2], certs[3]] });
    expect(matchNameOrLabel(certs, 'Nope')).to.deep.equal({ missing: true });
    expect(nameAndLabel(certs[0])).to.equal('IdP_Signing (IdP Signing)');
    expect(nameAndLabel(cert('Same', 'Same'))).to.equal('Same');
  });
});
