import { expect } from 'chai';
import {
  parseFieldGrant,
  parseObjectGrant,
  planAppAccess,
  planPermissionSet,
  licenseConflict,
  PermissionSpecError,
  resolveLicense,
  type LicenseOption,
} from '../../src/provision/resources/permission-set.js';

describe('permission set plans', () => {
  it('parses object and field access, and refuses what it does not know', () => {
    expect(parseObjectGrant('Lead:create,Read,edit')).to.deep.equal({ object: 'Lead', access: ['create', 'read', 'edit'] });
    expect(parseFieldGrant('Lead.Email:read,edit')).to.deep.equal({ field: 'Lead.Email', access: ['read', 'edit'] });
    expect(() => parseObjectGrant('Lead:write')).to.throw(PermissionSpecError);
    expect(() => parseObjectGrant('Lead')).to.throw(PermissionSpecError);
    expect(() => parseFieldGrant('Email:read')).to.throw(PermissionSpecError);
  });

  it('plans a new permission set in WSDL order with the implied access added', () => {
    const c = planPermissionSet({}, {
      name: 'Lead_Sync',
      label: 'Lead Sync',
      apiOnly: true,
      objects: [{ object: 'Lead', access: ['create', 'delete'] }],
      fields: [{ field: 'Account.Phone', access: ['edit'] }],
      license: 'Salesforce Integration',
    });
    expect(c.action).to.equal('create');
    const content = c.metadata!.content;
    expect(Object.keys(content)).to.deep.equal(['fullName', 'fieldPermissions', 'hasActivationRequired', 'label', 'license', 'objectPermissions', 'userPermissions']);
    expect(content.objectPermissions).to.deep.equal([
      { allowCreate: false, allowDelete: false, allowEdit: false, allowRead: true, modifyAllRecords: false, object: 'Account', viewAllRecords: false },
      { allowCreate: true, allowDelete: true, allowEdit: true, allowRead: true, modifyAllRecords: false, object: 'Lead', viewAllRecords: false },
    ]);
    expect(content.fieldPermissions).to.deep.equal([{ editable: true, field: 'Account.Phone', readable: true }]);
    expect(content.userPermissions).to.deep.equal([{ enabled: true, name: 'ApiEnabled' }, { enabled: true, name: 'ApiUserOnly' }]);
    expect(c.note).to.contain('API Only User needs API Enabled').and.contain('Account.Phone: field access needs read on Account');
    expect(c.fields).to.deep.include({ field: 'objectPermissions.Lead', to: 'read,create,edit,delete' });
  });

  it('adds only what is missing and never removes what it was not asked about', () => {
    const current = {
      id: '0PS000000000001AAA',
      content: {
        fullName: 'Lead_Sync',
        hasActivationRequired: 'false',
        label: 'Lead Sync',
        objectPermissions: [
          { allowCreate: 'false', allowDelete: 'false', allowEdit: 'false', allowRead: 'true', modifyAllRecords: 'false', object: 'Contact', viewAllRecords: 'true' },
          { allowCreate: 'false', allowDelete: 'false', allowEdit: 'false', allowRead: 'true', modifyAllRecords: 'false', object: 'Lead', viewAllRecords: 'false' },
        ],
        userPermissions: { enabled: 'true', name: 'ViewSetup' },
      },
    };
    const c = planPermissionSet(current, { name: 'Lead_Sync', apiEnabled: true, objects: [{ object: 'Lead', access: ['edit'] }] });
    expect(c.action).to.equal('update');
    expect(c.fields).to.deep.equal([
      { field: 'userPermissions.ApiEnabled', from: undefined, to: true },
      { field: 'objectPermissions.Lead', from: 'read', to: 'read,edit' },
    ]);
    const content = c.metadata!.content;
    expect((content.objectPermissions as Array<Record<string, unknown>>)[0]).to.include({ object: 'Contact', viewAllRecords: 'true' });
    expect(content.userPermissions).to.deep.equal([{ enabled: true, name: 'ApiEnabled' }, { enabled: 'true', name: 'ViewSetup' }]);

    const again = planPermissionSet({ ...current, content: { ...content } }, { name: 'Lead_Sync', apiEnabled: true, objects: [{ object: 'Lead', access: ['read'] }] });
    expect(again.action).to.equal('none');
    expect(again.fields).to.deep.equal([]);
  });

  it('refuses a licence change of an existing permission set', () => {
    expect(licenseConflict({ content: { license: 'Salesforce' } }, { name: 'X', license: 'Salesforce Integration' })).to.deep.equal({ from: 'Salesforce', to: 'Salesforce Integration' });
    expect(licenseConflict({ content: { license: 'Salesforce' } }, { name: 'X', license: 'salesforce' })).to.equal(undefined);
    expect(licenseConflict({}, { name: 'X', license: 'Salesforce' })).to.equal(undefined);
  });

  it('plans app access: a SetupEntityAccess record for a connected app, the policy list for an external client app', () => {
    const ca = planAppAccess({ kind: 'ConnectedApp', appName: 'Sync', appId: '0H4000000000001AAA' }, 'Lead_Sync', undefined)!;
    expect(ca.record).to.deep.equal({ sobject: 'SetupEntityAccess', operation: 'create', values: { ParentId: { ref: 'PermissionSet:Lead_Sync', field: 'id' }, SetupEntityId: '0H4000000000001AAA' } });
    expect(planAppAccess({ kind: 'ConnectedApp', appName: 'Sync', appId: 'x', accessId: 'y' }, 'Lead_Sync', 'z')!.action).to.equal('none');
    const eca = planAppAccess(
      { kind: 'ExternalClientApplication', appName: 'Sync', policies: { fullName: 'Sync_oauthPlcy', commaSeparatedPermissionSet: 'Other', externalClientApplication: 'Sync', label: 'Sync', permittedUsersPolicyType: 'AdminApprovedPreAuthorized' } },
      'Lead_Sync',
      undefined
    )!;
    expect(eca.action).to.equal('update');
    expect(eca.metadata!.content).to.deep.equal({
      fullName: 'Sync_oauthPlcy',
      commaSeparatedPermissionSet: 'Other,Lead_Sync',
      externalClientApplication: 'Sync',
      label: 'Sync',
      permittedUsersPolicyType: 'AdminApprovedPreAuthorized',
    });
    expect(planAppAccess({ kind: 'missing', appName: 'Nope' }, 'Lead_Sync', undefined)).to.equal(undefined);
  });

  it('resolves --license to a user license first, then to a permission set license by label or API name', () => {
    const licenses: LicenseOption[] = [
      { kind: 'user', name: 'Salesforce Integration' },
      { kind: 'permissionSet', name: 'Salesforce API Integration', developerName: 'SalesforceAPIIntegrationPsl' },
      { kind: 'permissionSet', name: 'Same Name', developerName: 'Same_Name' },
      { kind: 'user', name: 'Same Name' },
    ];
    expect(resolveLicense(licenses, 'salesforce integration')).to.deep.equal({ kind: 'user', name: 'Salesforce Integration' });
    expect(resolveLicense(licenses, 'Salesforce API Integration')?.kind).to.equal('permissionSet');
    expect(resolveLicense(licenses, ' salesforceapiintegrationpsl ')?.name).to.equal('Salesforce API Integration');
    expect(resolveLicense(licenses, 'Same Name')?.kind).to.equal('user');
    expect(resolveLicense(licenses, 'Nope')).to.equal(undefined);
  });
});
