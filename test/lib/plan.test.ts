import { expect } from 'chai';
import { diffFields, displayValue, hasChanges, metadataChange, planRows, sameValue } from '../../src/provision/plan.js';
import { sourceLayout, toMetadataXml } from '../../src/provision/metadata.js';
import { planSsoSettings } from '../../src/provision/resources/sso-settings.js';

describe('plans', () => {
  it('compares metadata values the way the Metadata API hands them back', () => {
    expect(sameValue('true', true)).to.equal(true);
    expect(sameValue('2048', 2048)).to.equal(true);
    expect(sameValue(undefined, '')).to.equal(true);
    expect(sameValue('a', ['a'])).to.equal(true);
    expect(sameValue({ a: 'true', b: undefined }, { a: true })).to.equal(true);
    expect(sameValue(['a', 'b'], ['b', 'a'])).to.equal(false);
    expect(sameValue(false, undefined)).to.equal(false);
  });

  it('diffs only the fields the desired state names', () => {
    expect(diffFields({ a: 1, b: 2, c: 3 }, { a: 1, b: 5 })).to.deep.equal([{ field: 'b', from: 2, to: 5 }]);
    expect(diffFields(undefined, { a: 1 })).to.deep.equal([{ field: 'a', from: undefined, to: 1 }]);
    expect(diffFields({ a: 1 }, { a: undefined })).to.deep.equal([]);
  });

  it('creates, updates or leaves alone', () => {
    const component = { type: 'IdentityProviderSettings', fullName: 'IdentityProvider', content: { fullName: 'IdentityProvider' } };
    const create = metadataChange(component, undefined, { certificateName: 'Idp', enableIdentityProvider: true });
    expect(create).to.deep.include({ action: 'create', status: 'planned' });
    expect(create.fields.map((f) => f.field)).to.deep.equal(['certificateName', 'enableIdentityProvider']);
    const update = metadataChange(component, { certificateName: 'Old', enableIdentityProvider: 'true' }, { certificateName: 'Idp', enableIdentityProvider: true });
    expect(update.action).to.equal('update');
    expect(update.fields).to.deep.equal([{ field: 'certificateName', from: 'Old', to: 'Idp' }]);
    const none = metadataChange(component, { certificateName: 'Idp', enableIdentityProvider: 'true' }, { certificateName: 'Idp', enableIdentityProvider: true });
    expect(none).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(hasChanges([none])).to.equal(false);
    expect(hasChanges([none, update])).to.equal(true);
  });

  it('prints one row per changed field and abbreviates long values', () => {
    const long = 'MII'.padEnd(1200, 'A');
    expect(displayValue(long)).to.match(/^MIIA+….*\(1200 chars\)$/);
    expect(displayValue(undefined)).to.equal('(none)');
    const rows = planRows([
      { resource: 'SamlSsoConfig', name: 'Okta', action: 'update', status: 'planned', fields: [{ field: 'issuer', from: 'a', to: 'b' }, { field: 'loginUrl', from: 'x', to: 'y' }] },
      { resource: 'SecuritySettings', name: 'Security', action: 'none', status: 'unchanged', fields: [] },
    ]);
    expect(rows).to.have.length(3);
    expect(rows[2]).to.include({ action: 'no change', field: '' });
  });

  it('plans the SSO settings block whole, in WSDL order, changing only what is asked', () => {
    const current = {
      enableCaseInsensitiveFederationID: false,
      enableForceDelegatedCallout: true,
      enableMultipleSamlConfigs: true,
      enableSamlJitProvisioning: false,
      enableSamlLogin: false,
      isLoginWithSalesforceCredentialsDisabled: false,
    };
    const change = planSsoSettings(current, { samlEnabled: true });
    expect(change.fields).to.deep.equal([{ field: 'singleSignOnSettings.enableSamlLogin', from: false, to: true }]);
    const block = change.metadata?.content.singleSignOnSettings as Record<string, boolean>;
    expect(Object.keys(block)).to.deep.equal(Object.keys(current));
    expect(block).to.deep.equal({ ...current, enableSamlLogin: true });
    expect(planSsoSettings({ ...current, enableSamlLogin: true }, { samlEnabled: true }).action).to.equal('none');
  });
});

describe('source format', () => {
  it('lays files out as source-deploy-retrieve does', () => {
    expect(sourceLayout('Certificate')).to.deep.equal({ directoryName: 'certs', suffix: 'crt', hasContent: true });
    expect(sourceLayout('SamlSsoConfig')).to.deep.equal({ directoryName: 'samlssoconfigs', suffix: 'samlssoconfig', hasContent: false });
    expect(sourceLayout('SecuritySettings')).to.include({ directoryName: 'settings', suffix: 'settings' });
  });

  it('writes XML with the fields in the given order, escaped, arrays repeated, without fullName', () => {
    const xml = toMetadataXml({
      type: 'AddressSettings',
      fullName: 'Address',
      content: { fullName: 'Address', countriesAndStates: { countries: [{ active: true, label: 'A & B <c>' }, { active: false, label: 'D' }] } },
    });
    expect(xml).to.not.contain('fullName');
    expect(xml).to.contain('<label>A &amp; B &lt;c&gt;</label>');
    expect(xml.match(/<countries>/g)).to.have.length(2);
    expect(xml.indexOf('<active>true</active>')).to.be.lessThan(xml.indexOf('<label>A'));
  });
});

describe('plan tables', () => {
  it('sum up a change with many fields and keep every field in the plan', () => {
    const fields = Array.from({ length: 60 }, (_, i) => ({ field: `countries.C${i}.integrationValue`, from: `Country ${i}`, to: `C${i}` }));
    const rows = planRows([{ resource: 'AddressSettings', name: 'Address', action: 'update', status: 'planned', fields }], 10);
    expect(rows).to.have.length(10);
    expect(rows[9].field).to.equal('… and 51 more field(s) (--json lists them all)');
    expect(planRows([{ resource: 'AddressSettings', name: 'Address', action: 'update', status: 'planned', fields: fields.slice(0, 10) }], 10)).to.have.length(10);
  });
});
