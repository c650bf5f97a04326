import { expect } from 'chai';
import { validateComponent, elementsOf, getSchema } from './validate.js';
import { parseXml } from './xml.js';

const NSATTR = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const saml = (inner: string): ReturnType<typeof parseXml> => parseXml(`<SamlSsoConfig ${NSATTR}>${inner}</SamlSsoConfig>`);
const GOOD = [
  '<fullName>Okta</fullName>',
  '<identityLocation>SubjectNameId</identityLocation>',
  '<identityMapping>FederationId</identityMapping>',
  '<issuer>http://www.okta.com/x</issuer>',
  '<name>Okta</name>',
  '<samlEntityId>https://example.my.salesforce.com</samlEntityId>',
  '<samlVersion>SAML2_0</samlVersion>',
  '<validationCert>MIIB</validationCert>',
];

describe('metadata schema table and validateComponent', () => {
  it('the table holds the WSDL types with inheritance (Metadata.fullName first)', () => {
    const s = getSchema();
    expect(s.v).to.equal('66.0');
    for (const t of ['Certificate', 'SamlSsoConfig', 'SecuritySettings', 'IdentityProviderSettings', 'AddressSettings', 'ConnectedApp', 'ExternalClientApplication', 'ExtlClntAppOauthSettings', 'ExtlClntAppGlobalOauthSettings', 'ExtlClntAppOauthConfigurablePolicies', 'ExtlClntAppConfigurablePolicies', 'PermissionSet', 'PermissionSetGroup', 'Profile', 'AuthProvider']) {
      expect(s.c, t).to.have.property(t);
    }
    expect(elementsOf('Certificate').map((e) => e.name).slice(0, 4)).to.deep.equal(['fullName', 'module', 'content', 'caSigned']);
    expect(s.s.SamlIdentityType).to.deep.equal(['Username', 'FederationId', 'UserId']);
  });

  it('accepts a component in WSDL order', () => {
    expect(validateComponent('SamlSsoConfig', saml(GOOD.join('')))).to.deep.equal([]);
  });

  it('rejects an element out of sequence with Salesforce wording and its position', () => {
    const out = [GOOD[0], GOOD[3], GOOD[1], GOOD[2], ...GOOD.slice(4)].join('\n');
    const errors = validateComponent('SamlSsoConfig', saml(out));
    expect(errors).to.have.length(1);
    expect(errors[0].message).to.equal('Element {http://soap.sforce.com/2006/04/metadata}identityLocation invalid at this location in type SamlSsoConfig');
    expect(errors[0].line).to.equal(3);
  });

  it('rejects an unknown element', () => {
    const errors = validateComponent('SamlSsoConfig', saml([...GOOD.slice(0, 4), '<foo>1</foo>', ...GOOD.slice(4)].join('')));
    expect(errors[0].message).to.equal('Element {http://soap.sforce.com/2006/04/metadata}foo invalid at this location in type SamlSsoConfig');
  });

  it('reports a split repeated element as duplicated', () => {
    const ps = parseXml(
      `<PermissionSet ${NSATTR}><label>L</label><userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions><label>X</label></PermissionSet>`
    );
    expect(validateComponent('PermissionSet', ps)[0].message).to.equal('Element label is duplicated at this location in type PermissionSet');
  });

  it('rejects bad enum, boolean and int values', () => {
    const badEnum = GOOD.map((g) => (g.startsWith('<identityMapping>') ? '<identityMapping>Email</identityMapping>' : g));
    expect(validateComponent('SamlSsoConfig', saml(badEnum.join('')))[0].message).to.equal("'Email' is not a valid value for the enum 'SamlIdentityType'");
    const badBool = [...GOOD.slice(0, 7), '<userProvisioning>yes</userProvisioning>', GOOD[7]];
    expect(validateComponent('SamlSsoConfig', saml(badBool.join('')))[0].message).to.equal("'yes' is not valid for the type xsd:boolean");
    const cert = parseXml(`<Certificate ${NSATTR}><caSigned>false</caSigned><keySize>big</keySize><masterLabel>C</masterLabel></Certificate>`);
    expect(validateComponent('Certificate', cert)[0].message).to.equal("'big' is not valid for the type xsd:int");
  });

  it('reports every missing required field, nested ones with their path', () => {
    const errors = validateComponent('SamlSsoConfig', saml(GOOD.filter((g) => !g.startsWith('<issuer>') && !g.startsWith('<name>')).join('')));
    expect(errors.map((e) => e.message)).to.deep.equal(['Required field is missing: issuer', 'Required field is missing: name']);
    const addr = parseXml(`<AddressSettings ${NSATTR}><countriesAndStates><countries><active>true</active></countries></countriesAndStates></AddressSettings>`);
    const e2 = validateComponent('AddressSettings', addr);
    expect(e2[0]).to.include({ kind: 'required', message: 'Required field is missing: integrationValue', path: 'countriesAndStates.countries.integrationValue' });
  });

  it('refuses DOCTYPE and entity declarations, and several roots', () => {
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')).to.throw(/DOCTYPE is disallowed/);
    expect(() => parseXml('<a/><b/>')).to.throw();
    expect(() => parseXml('<a>&unknown;</a>')).to.throw(/not declared/);
  });
});
