/*
 * sObject schemas of the emulated org: the standard objects (and Tooling objects) this plugin reads or writes,
 * with the field properties describe() reports and the platform rules in store.ts rely on.
 */
import type { FieldSchema, FieldType, ObjectSchema } from './types.js';

type FieldOpts = Partial<Omit<FieldSchema, 'name' | 'type'>>;

const f = (name: string, type: FieldType, opts: FieldOpts = {}): FieldSchema => ({
  name,
  type,
  nillable: true,
  createable: true,
  updateable: true,
  filterable: true,
  ...(type === 'boolean' ? { nillable: false, defaultedOnCreate: true, defaultValue: false } : {}),
  ...opts,
});
/** Required on create (not nillable, no default). */
const req = (name: string, type: FieldType, opts: FieldOpts = {}): FieldSchema => f(name, type, { nillable: false, ...opts });
/** Read-only, computed by the platform. */
const ro = (name: string, type: FieldType, opts: FieldOpts = {}): FieldSchema =>
  f(name, type, { createable: false, updateable: false, defaultedOnCreate: true, ...opts });
const ref = (name: string, to: string[], relationshipName: string, opts: FieldOpts = {}): FieldSchema =>
  f(name, 'reference', { referenceTo: to, relationshipName, length: 18, ...opts });

const audit = (): FieldSchema[] => [
  ro('CreatedDate', 'datetime', { nillable: false }),
  ro('CreatedById', 'reference', { referenceTo: ['User'], relationshipName: 'CreatedBy', nillable: false }),
  ro('LastModifiedDate', 'datetime', { nillable: false }),
  ro('LastModifiedById', 'reference', { referenceTo: ['User'], relationshipName: 'LastModifiedBy', nillable: false }),
  ro('SystemModstamp', 'datetime', { nillable: false }),
];
const idField = (): FieldSchema => ro('Id', 'id', { nillable: false, idLookup: true, length: 18 });
const isDeleted = (): FieldSchema => ro('IsDeleted', 'boolean', { nillable: false, defaultValue: false });
const owner = (): FieldSchema =>
  ref('OwnerId', ['User'], 'Owner', { nillable: false, defaultedOnCreate: true });

const address = (prefix: string): FieldSchema[] => [
  f(`${prefix}Street`, 'textarea', { length: 255 }),
  f(`${prefix}City`, 'string', { length: 40 }),
  f(`${prefix}State`, 'string', { length: 80 }),
  f(`${prefix}PostalCode`, 'string', { length: 20 }),
  f(`${prefix}Country`, 'string', { length: 80 }),
  f(`${prefix}StateCode`, 'picklist', { length: 255 }),
  f(`${prefix}CountryCode`, 'picklist', { length: 255 }),
];

const obj = (
  name: string,
  keyPrefix: string,
  fields: FieldSchema[],
  opts: Partial<Omit<ObjectSchema, 'name' | 'keyPrefix' | 'fields'>> = {}
): ObjectSchema => ({
  name,
  label: opts.label ?? name.replace(/([a-z])([A-Z])/g, '$1 $2'),
  labelPlural: opts.labelPlural ?? `${opts.label ?? name}s`,
  keyPrefix,
  fields,
  createable: true,
  updateable: true,
  deletable: true,
  queryable: true,
  ...opts,
});

export const TIME_ZONES = [
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Amsterdam',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Asia/Singapore',
  'Australia/Sydney',
  'Pacific/Auckland',
  'GMT',
];
export const LOCALES = ['en_US', 'en_GB', 'en_AU', 'en_CA', 'de_DE', 'fr_FR', 'fr_CA', 'es_ES', 'nl_NL', 'ja_JP', 'pt_BR', 'it_IT'];
export const LANGUAGES = ['en_US', 'en_GB', 'de', 'fr', 'es', 'nl_NL', 'ja', 'pt_BR', 'it'];
export const EMAIL_ENCODINGS = ['UTF-8', 'ISO-8859-1', 'Shift_JIS', 'ISO-2022-JP', 'EUC-JP', 'ks_c_5601-1987', 'Big5', 'GB2312'];
export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'];

/** The system (user) permissions the emulator knows, by their PermissionSet / Profile field names. */
export const SYSTEM_PERMISSION_FIELDS = [
  'PermissionsApiEnabled',
  'PermissionsApiUserOnly',
  'PermissionsViewSetup',
  'PermissionsManageUsers',
  'PermissionsAssignPermissionSets',
  'PermissionsModifyAllData',
  'PermissionsViewAllData',
  'PermissionsCustomizeApplication',
  'PermissionsModifyMetadata',
  // "Convert Leads": convertLead() needs it with Edit on Leads and Create/Edit on Accounts, Contacts and
  // Opportunities (SOAP API Developer Guide, convertLead()).
  'PermissionsConvertLeads',
];

/** Opportunity stages (the standard sales process; the emulator has no sales processes or record types). */
export const OPPORTUNITY_STAGES = ['Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers', 'Perception Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost'];

/** ApexClass reads the same through REST and Tooling (one table, see store.ts). */
const APEX_CLASS = obj(
  'ApexClass',
  '01p',
  [
    idField(),
    ro('Name', 'string', { length: 255 }),
    ro('NamespacePrefix', 'string', { length: 15 }),
    ro('ApiVersion', 'double'),
    ro('Status', 'picklist', { picklistValues: ['Active', 'Deleted'] }),
    ro('IsValid', 'boolean'),
    ro('Body', 'textarea', { length: 1000000 }),
    ...audit(),
  ],
  { createable: false, updateable: false, deletable: false }
);

/**
 * EntityDefinition (REST and Tooling): one read-only row per sObject of the org, built from the schemas (store.ts);
 * DurableId and the record's id are the object's API name, as in the attributes URL a real org returns.
 * Fields from the Tooling API object reference (those data loaders and the sf CLI query).
 */
const ENTITY_DEFINITION = obj(
  'EntityDefinition',
  '',
  [
    ro('Id', 'string', { nillable: false, length: 18 }),
    ro('DurableId', 'string', { length: 255 }),
    ro('QualifiedApiName', 'string', { length: 250 }),
    ro('DeveloperName', 'string', { length: 40 }),
    ro('NamespacePrefix', 'string', { length: 15 }),
    ro('MasterLabel', 'string', { length: 40 }),
    ro('Label', 'string', { length: 40 }),
    ro('PluralLabel', 'string', { length: 40 }),
    ro('KeyPrefix', 'string', { length: 3 }),
    ro('IsCustomSetting', 'boolean'),
    ro('IsCustomizable', 'boolean'),
    ro('IsDeprecatedAndHidden', 'boolean'),
    ro('IsQueryable', 'boolean'),
    ro('IsRetrieveable', 'boolean'),
    ro('IsSearchable', 'boolean'),
    ro('IsTriggerable', 'boolean'),
    ro('IsApexTriggerable', 'boolean'),
    ro('IsLayoutable', 'boolean'),
    ro('IsReplicateable', 'boolean'),
    ro('IsEverCreatable', 'boolean'),
    ro('IsEverUpdatable', 'boolean'),
    ro('IsEverDeletable', 'boolean'),
    ro('IsIdEnabled', 'boolean'),
    ro('IsInterface', 'boolean'),
    ro('IsFeedEnabled', 'boolean'),
    ro('IsMruEnabled', 'boolean'),
    ro('IsWorkflowEnabled', 'boolean'),
    ro('IsProcessEnabled', 'boolean'),
    ro('IsCompactLayoutable', 'boolean'),
    ro('InternalSharingModel', 'string', { length: 40 }),
    ro('ExternalSharingModel', 'string', { length: 40 }),
  ],
  { createable: false, updateable: false, deletable: false, label: 'Entity Definition' }
);

export const SOBJECTS: ObjectSchema[] = [
  ENTITY_DEFINITION,
  obj(
    'User',
    '005',
    [
      idField(),
      req('Username', 'email', { length: 80, unique: true, idLookup: true }),
      f('FirstName', 'string', { length: 40 }),
      req('LastName', 'string', { length: 80 }),
      ro('Name', 'string', { length: 121 }),
      req('Email', 'email', { length: 128 }),
      req('Alias', 'string', { length: 8 }),
      f('CommunityNickname', 'string', { length: 40, defaultedOnCreate: true, unique: true }),
      req('TimeZoneSidKey', 'picklist', { picklistValues: TIME_ZONES, restrictedPicklist: true }),
      req('LocaleSidKey', 'picklist', { picklistValues: LOCALES, restrictedPicklist: true }),
      req('EmailEncodingKey', 'picklist', { picklistValues: EMAIL_ENCODINGS, restrictedPicklist: true }),
      req('LanguageLocaleKey', 'picklist', { picklistValues: LANGUAGES, restrictedPicklist: true }),
      ref('ProfileId', ['Profile'], 'Profile', { nillable: false }),
      ref('UserRoleId', ['UserRole'], 'UserRole'),
      ref('ContactId', ['Contact'], 'Contact'),
      f('IsActive', 'boolean', { defaultValue: true }),
      f('FederationIdentifier', 'string', { length: 512, idLookup: true }),
      ro('UserType', 'picklist', { picklistValues: ['Standard', 'PowerPartner', 'CspLitePortal', 'CustomerSuccess', 'PowerCustomerSuccess', 'CsnOnly', 'Guest'] }),
      f('Title', 'string', { length: 80 }),
      f('Department', 'string', { length: 80 }),
      f('CompanyName', 'string', { length: 80 }),
      f('Phone', 'phone', { length: 40 }),
      f('MobilePhone', 'phone', { length: 40 }),
      f('EmployeeNumber', 'string', { length: 20 }),
      ...address(''),
      ref('ManagerId', ['User'], 'Manager'),
      ro('LastLoginDate', 'datetime'),
      ro('IsPortalEnabled', 'boolean'),
      ...audit(),
    ],
    {
      deletable: false,
      label: 'User',
      childRelationships: [
        { childSObject: 'PermissionSetAssignment', field: 'AssigneeId', relationshipName: 'PermissionSetAssignments' },
        { childSObject: 'PermissionSetLicenseAssign', field: 'AssigneeId', relationshipName: 'PermissionSetLicenseAssignments' },
      ],
    }
  ),
  obj('UserLogin', '060', [
    idField(),
    ro('UserId', 'reference', { referenceTo: ['User'], relationshipName: 'User', nillable: false }),
    f('IsFrozen', 'boolean'),
    f('IsPasswordLocked', 'boolean'),
    ro('LastModifiedDate', 'datetime'),
    ro('LastModifiedById', 'reference', { referenceTo: ['User'], relationshipName: 'LastModifiedBy' }),
  ], { createable: false, deletable: false }),
  obj('UserRole', '00E', [idField(), req('Name', 'string', { length: 80 }), f('DeveloperName', 'string', { length: 80 }), ...audit()]),
  obj(
    'UserLicense',
    '100',
    [
      idField(),
      ro('Name', 'string', { length: 40 }),
      ro('MasterLabel', 'string', { length: 40 }),
      ro('LicenseDefinitionKey', 'string', { length: 40 }),
      ro('TotalLicenses', 'int'),
      ro('UsedLicenses', 'int'),
      ro('Status', 'picklist', { picklistValues: ['Active', 'Disabled'] }),
      ...audit(),
    ],
    { createable: false, updateable: false, deletable: false }
  ),
  // Permission set licences (object reference, PermissionSetLicense): read-only; a permission set's <license> may name one.
  obj(
    'PermissionSetLicense',
    '0PL',
    [
      idField(),
      ro('DeveloperName', 'string', { length: 80 }),
      ro('MasterLabel', 'string', { length: 80 }),
      ro('PermissionSetLicenseKey', 'string', { length: 81 }),
      ro('TotalLicenses', 'int'),
      ro('UsedLicenses', 'int'),
      ro('Status', 'picklist', { picklistValues: ['Active', 'Disabled'] }),
      ro('ExpirationDate', 'date'),
      ro('IsAvailableForIntegrations', 'boolean'),
      ...audit(),
    ],
    { createable: false, updateable: false, deletable: false, label: 'Permission Set License' }
  ),
  obj(
    'Profile',
    '00e',
    [
      idField(),
      req('Name', 'string', { length: 255 }),
      ref('UserLicenseId', ['UserLicense'], 'UserLicense', { nillable: false, createable: false, updateable: false }),
      ro('UserType', 'picklist', { picklistValues: ['Standard', 'PowerPartner', 'CspLitePortal', 'CustomerSuccess', 'PowerCustomerSuccess', 'CsnOnly', 'Guest'] }),
      f('Description', 'string', { length: 255 }),
      // The profile's system permissions: the same values as its profile-owned permission set (kept in step, store.ts).
      ...SYSTEM_PERMISSION_FIELDS.map((n) => f(n, 'boolean')),
      ...audit(),
    ],
    { createable: false, deletable: false }
  ),
  obj(
    'PermissionSet',
    '0PS',
    [
      idField(),
      req('Name', 'string', { length: 80 }),
      req('Label', 'string', { length: 80 }),
      f('Description', 'textarea', { length: 255 }),
      ro('IsOwnedByProfile', 'boolean'),
      ro('ProfileId', 'reference', { referenceTo: ['Profile'], relationshipName: 'Profile' }),
      ref('LicenseId', ['UserLicense', 'PermissionSetLicense'], 'License'),
      ref('PermissionSetGroupId', ['PermissionSetGroup'], 'PermissionSetGroup', { createable: false, updateable: false }),
      ro('Type', 'picklist', { picklistValues: ['Regular', 'Profile', 'Group', 'Session', 'Standard'] }),
      ro('NamespacePrefix', 'string', { length: 15 }),
      f('HasActivationRequired', 'boolean'),
      f('PermissionsApiEnabled', 'boolean'),
      f('PermissionsApiUserOnly', 'boolean'),
      f('PermissionsViewSetup', 'boolean'),
      ...SYSTEM_PERMISSION_FIELDS.filter((n) => !['PermissionsApiEnabled', 'PermissionsApiUserOnly', 'PermissionsViewSetup'].includes(n)).map((n) => f(n, 'boolean')),
      ...audit(),
    ],
    {
      childRelationships: [
        { childSObject: 'PermissionSetAssignment', field: 'PermissionSetId', relationshipName: 'Assignments' },
        { childSObject: 'ObjectPermissions', field: 'ParentId', relationshipName: 'ObjectPerms' },
        { childSObject: 'FieldPermissions', field: 'ParentId', relationshipName: 'FieldPerms' },
      ],
    }
  ),
  // Object and field permissions of a permission set (or of a profile, through its profile-owned permission set):
  // the records the access checks read (access.ts). Key prefixes 110 / 01k as on Salesforce.
  obj(
    'ObjectPermissions',
    '110',
    [
      idField(),
      ref('ParentId', ['PermissionSet'], 'Parent', { nillable: false, updateable: false }),
      req('SobjectType', 'picklist', { length: 40, updateable: false }),
      f('PermissionsRead', 'boolean'),
      f('PermissionsCreate', 'boolean'),
      f('PermissionsEdit', 'boolean'),
      f('PermissionsDelete', 'boolean'),
      f('PermissionsViewAllRecords', 'boolean'),
      f('PermissionsModifyAllRecords', 'boolean'),
      ...audit(),
    ],
    { label: 'Object Permissions', labelPlural: 'Object Permissions' }
  ),
  obj(
    'FieldPermissions',
    '01k',
    [
      idField(),
      ref('ParentId', ['PermissionSet'], 'Parent', { nillable: false, updateable: false }),
      req('SobjectType', 'picklist', { length: 40, updateable: false }),
      req('Field', 'string', { length: 255, updateable: false }),
      f('PermissionsRead', 'boolean'),
      f('PermissionsEdit', 'boolean'),
      ...audit(),
    ],
    { label: 'Field Permissions', labelPlural: 'Field Permissions' }
  ),
  // A permission set's membership in a permission set group (the group's permissions are the union of its members').
  // Key prefix unconfirmed.
  obj(
    'PermissionSetGroupComponent',
    '0PH',
    [
      idField(),
      ref('PermissionSetGroupId', ['PermissionSetGroup'], 'PermissionSetGroup', { nillable: false, updateable: false }),
      ref('PermissionSetId', ['PermissionSet'], 'PermissionSet', { nillable: false, updateable: false }),
      ...audit(),
    ],
    { updateable: false, label: 'Permission Set Group Component' }
  ),
  obj('PermissionSetGroup', '0PG', [
    idField(),
    req('DeveloperName', 'string', { length: 80 }),
    req('MasterLabel', 'string', { length: 80 }),
    f('Description', 'textarea', { length: 255 }),
    ro('Status', 'picklist', { picklistValues: ['Updated', 'Outdated', 'Updating', 'Failed'] }),
    ...audit(),
  ]),
  obj(
    'PermissionSetAssignment',
    '0Pa',
    [
      idField(),
      ref('AssigneeId', ['User'], 'Assignee', { nillable: false, updateable: false }),
      ref('PermissionSetId', ['PermissionSet'], 'PermissionSet', { updateable: false, defaultedOnCreate: true }),
      ref('PermissionSetGroupId', ['PermissionSetGroup'], 'PermissionSetGroup', { updateable: false }),
      ro('IsActive', 'boolean', { defaultValue: true }),
      f('ExpirationDate', 'datetime'),
      ro('SystemModstamp', 'datetime'),
    ],
    { updateable: true }
  ),
  // A permission set licence assigned to a user (object reference, PermissionSetLicenseAssign, API 29.0+): create,
  // delete, query only; to update, delete and insert. Key prefix 2LA as record ids show it (unconfirmed in the docs).
  obj(
    'PermissionSetLicenseAssign',
    '2LA',
    [
      idField(),
      ref('AssigneeId', ['User'], 'Assignee', { nillable: false, updateable: false }),
      ref('PermissionSetLicenseId', ['PermissionSetLicense'], 'PermissionSetLicense', { nillable: false, updateable: false }),
      ...audit(),
    ],
    { updateable: false, label: 'Permission Set License Assignment', labelPlural: 'Permission Set License Assignments' }
  ),
  obj('SetupEntityAccess', '0J0', [
    idField(),
    ref('ParentId', ['PermissionSet'], 'Parent', { nillable: false, updateable: false }),
    req('SetupEntityId', 'reference', { referenceTo: ['ApexClass', 'ConnectedApplication', 'ApexPage', 'CustomPermission', 'TabSet'], updateable: false }),
    ro('SetupEntityType', 'string', { length: 40 }),
    ro('SystemModstamp', 'datetime'),
  ], { updateable: false }),
  obj(
    'Account',
    '001',
    [
      idField(),
      isDeleted(),
      req('Name', 'string', { length: 255 }),
      f('Type', 'picklist', { picklistValues: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other'] }),
      f('Industry', 'picklist'),
      f('Website', 'url', { length: 255 }),
      f('Phone', 'phone', { length: 40 }),
      f('Description', 'textarea', { length: 32000 }),
      ...address('Billing'),
      ...address('Shipping'),
      owner(),
      ...audit(),
    ],
    { childRelationships: [{ childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' }] }
  ),
  obj(
    'Contact',
    '003',
    [
      idField(),
      isDeleted(),
      f('FirstName', 'string', { length: 40 }),
      req('LastName', 'string', { length: 80 }),
      ro('Name', 'string', { length: 121 }),
      ref('AccountId', ['Account'], 'Account'),
      f('Email', 'email', { length: 80, idLookup: true }),
      f('Phone', 'phone', { length: 40 }),
      f('MobilePhone', 'phone', { length: 40 }),
      f('Title', 'string', { length: 128 }),
      f('Department', 'string', { length: 80 }),
      f('LeadSource', 'picklist'),
      f('Description', 'textarea', { length: 32000 }),
      ...address('Mailing'),
      owner(),
      ...audit(),
    ],
    { childRelationships: [{ childSObject: 'User', field: 'ContactId', relationshipName: 'Users' }] }
  ),
  obj('Opportunity', '006', [
    idField(),
    isDeleted(),
    req('Name', 'string', { length: 120 }),
    ref('AccountId', ['Account'], 'Account'),
    req('StageName', 'picklist', { picklistValues: OPPORTUNITY_STAGES }),
    req('CloseDate', 'date'),
    f('Amount', 'currency'),
    f('LeadSource', 'picklist'),
    f('Description', 'textarea', { length: 32000 }),
    owner(),
    ...audit(),
  ]),
  // LeadStatus: the Lead Status picklist's values with their converted flag (read-only through the API; queried for
  // the convertedStatus of convertLead(): SELECT ApiName FROM LeadStatus WHERE IsConverted = true). Key prefix 01J.
  obj(
    'LeadStatus',
    '01J',
    [
      idField(),
      ro('MasterLabel', 'string', { length: 255 }),
      ro('ApiName', 'string', { length: 255 }),
      ro('SortOrder', 'int'),
      ro('IsDefault', 'boolean'),
      ro('IsConverted', 'boolean'),
      ...audit(),
    ],
    { label: 'Lead Status', labelPlural: 'Lead Status', createable: false, updateable: false, deletable: false }
  ),
  obj('Lead', '00Q', [
    idField(),
    isDeleted(),
    f('FirstName', 'string', { length: 40 }),
    req('LastName', 'string', { length: 80 }),
    ro('Name', 'string', { length: 121 }),
    req('Company', 'string', { length: 255 }),
    f('Email', 'email', { length: 80, idLookup: true }),
    f('Phone', 'phone', { length: 40 }),
    f('MobilePhone', 'phone', { length: 40 }),
    f('Title', 'string', { length: 128 }),
    f('Status', 'picklist', { picklistValues: LEAD_STATUSES, nillable: false, defaultedOnCreate: true, defaultValue: 'Open - Not Contacted' }),
    f('LeadSource', 'picklist'),
    f('Description', 'textarea', { length: 32000 }),
    f('Website', 'url', { length: 255 }),
    ...address(''),
    ro('IsConverted', 'boolean'),
    ro('ConvertedDate', 'date'),
    ro('ConvertedAccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'ConvertedAccount' }),
    ro('ConvertedContactId', 'reference', { referenceTo: ['Contact'], relationshipName: 'ConvertedContact' }),
    ro('ConvertedOpportunityId', 'reference', { referenceTo: ['Opportunity'], relationshipName: 'ConvertedOpportunity' }),
    owner(),
    ...audit(),
  ]),
  obj(
    'Organization',
    '00D',
    [
      idField(),
      ro('Name', 'string', { length: 80 }),
      ro('InstanceName', 'string', { length: 5 }),
      ro('IsSandbox', 'boolean'),
      ro('TrialExpirationDate', 'datetime'),
      ro('NamespacePrefix', 'string', { length: 15 }),
      ro('OrganizationType', 'picklist', { picklistValues: ['Developer Edition', 'Enterprise Edition', 'Unlimited Edition', 'Professional Edition', 'Team Edition', 'Base Edition'] }),
      ro('Country', 'string', { length: 80 }),
      ro('LanguageLocaleKey', 'picklist'),
      ro('DefaultLocaleSidKey', 'picklist'),
      ro('TimeZoneSidKey', 'picklist'),
      ...audit(),
    ],
    { createable: false, updateable: false, deletable: false }
  ),
  obj(
    'AuthConfig',
    '0Ax',
    [
      idField(),
      ro('DeveloperName', 'string', { length: 80 }),
      ro('MasterLabel', 'string', { length: 80 }),
      ro('Url', 'string', { length: 255 }),
      ro('Type', 'picklist', { picklistValues: ['Org', 'Community', 'Site'] }),
      ro('IsActive', 'boolean'),
      ro('AuthOptionsUsernamePassword', 'boolean'),
      ro('AuthOptionsSaml', 'boolean'),
      ro('AuthOptionsAuthProvider', 'boolean'),
      ro('AuthOptionsCertificate', 'boolean'),
      ro('AuthOptionsPasswordless', 'boolean'),
      ...audit(),
    ],
    { createable: false, updateable: false, deletable: false, childRelationships: [{ childSObject: 'AuthConfigProviders', field: 'AuthConfigId', relationshipName: 'AuthProvidersForConfig' }] }
  ),
  obj(
    'AuthConfigProviders',
    '0Ay',
    [
      idField(),
      ref('AuthConfigId', ['AuthConfig'], 'AuthConfig', { nillable: false, updateable: false }),
      ref('AuthProviderId', ['AuthProvider', 'SamlSsoConfig'], 'AuthProvider', { nillable: false, updateable: false }),
      ...audit(),
    ],
    { updateable: false }
  ),
  obj(
    'AuthProvider',
    '0SO',
    [idField(), ro('DeveloperName', 'string', { length: 80 }), ro('FriendlyName', 'string', { length: 80 }), ro('ProviderType', 'picklist'), ...audit()],
    { createable: false, updateable: false, deletable: false }
  ),
  APEX_CLASS,
  // Mirrors of metadata, kept in step by the Metadata API (read-only through REST).
  obj(
    'SamlSsoConfig',
    '0LE',
    [
      idField(),
      ro('DeveloperName', 'string', { length: 80 }),
      ro('MasterLabel', 'string', { length: 80 }),
      ro('NamespacePrefix', 'string', { length: 15 }),
      ro('Issuer', 'string', { length: 1000 }),
      ro('Audience', 'string', { length: 1000 }),
      ro('LoginUrl', 'url', { length: 1000 }),
      ro('LogoutUrl', 'url', { length: 1000 }),
      ro('ErrorUrl', 'url', { length: 1000 }),
      ro('IdentityMapping', 'picklist', { picklistValues: ['Username', 'FederationId', 'UserId'] }),
      ro('IdentityLocation', 'picklist', { picklistValues: ['SubjectNameId', 'Attribute'] }),
      ro('AttributeName', 'string', { length: 1000 }),
      ro('AttributeFormat', 'string', { length: 1000 }),
      ro('Version', 'picklist', { picklistValues: ['SAML1_1', 'SAML2_0'] }),
      ro('ValidationCert', 'textarea', { length: 10000 }),
      ro('RequestSignatureMethod', 'picklist'),
      ro('SamlJitHandlerId', 'reference', { referenceTo: ['ApexClass'], relationshipName: 'SamlJitHandler' }),
      ro('ExecutionUserId', 'reference', { referenceTo: ['User'], relationshipName: 'ExecutionUser' }),
      ro('OptionsUserProvisioning', 'boolean'),
      ro('OptionsSpInitBinding', 'boolean'),
      ro('SingleLogoutUrl', 'url', { length: 1000 }),
      ro('SingleLogoutBinding', 'picklist', { picklistValues: ['RedirectBinding', 'PostBinding'] }),
      ...audit(),
    ],
    { createable: false, updateable: false, deletable: false }
  ),
  obj(
    'ConnectedApplication',
    '0H4',
    [
      idField(),
      ro('Name', 'string', { length: 255 }),
      ro('OptionsAllowAdminApprovedUsersOnly', 'boolean'),
      ro('OptionsRefreshTokenValidityMetric', 'boolean'),
      ro('RefreshTokenValidityPeriod', 'int'),
      ro('StartUrl', 'url', { length: 1000 }),
      ...audit(),
    ],
    { createable: false, updateable: false, deletable: false }
  ),
];

/** Tooling API objects (queried through /tooling/query). */
export const TOOLING_OBJECTS: ObjectSchema[] = [
  { ...ENTITY_DEFINITION, tooling: true },
  obj(
    'Certificate',
    '0P1',
    [
      idField(),
      ro('DeveloperName', 'string', { length: 80 }),
      ro('MasterLabel', 'string', { length: 80 }),
      ro('NamespacePrefix', 'string', { length: 15 }),
      ro('ExpirationDate', 'datetime'),
      ro('KeySize', 'string', { length: 10 }),
      ro('OptionsIsPrivateKeyExportable', 'boolean'),
      ro('OptionsIsCaSigned', 'boolean'),
      ro('IsPrivateKeyExportable', 'boolean'),
      ro('CaSigned', 'boolean'),
      ro('FullName', 'string', { length: 80 }),
      ...audit(),
    ],
    { createable: false, updateable: false, deletable: false, tooling: true }
  ),
  { ...APEX_CLASS, tooling: true },
  obj(
    'SamlSsoConfig',
    '0LE',
    [idField(), ro('DeveloperName', 'string', { length: 80 }), ro('MasterLabel', 'string', { length: 80 }), ro('Issuer', 'string', { length: 1000 }), ...audit()],
    { createable: false, updateable: false, deletable: false, tooling: true }
  ),  // Sandboxes made from this org: `sf org login` asks, and a production org answers with zero rows.
  obj(
    'SandboxProcess',
    '0GR',
    [
      idField(),
      ro('Status', 'picklist'),
      ro('SandboxName', 'string', { length: 10 }),
      ro('SandboxInfoId', 'reference', { referenceTo: ['SandboxInfo'] }),
      ro('LicenseType', 'picklist'),
      ro('CopyProgress', 'int'),
      ro('SandboxOrganization', 'string', { length: 18 }),
      ro('SourceId', 'string', { length: 18 }),
      ro('Description', 'string', { length: 255 }),
      ro('EndDate', 'datetime'),
      ro('Features', 'multipicklist'),
      ...audit(),
    ],
    { createable: false, updateable: false, deletable: false, tooling: true }
  ),
];

const index = (list: ObjectSchema[]): Map<string, ObjectSchema> => new Map(list.map((o) => [o.name.toLowerCase(), o]));
const SOBJECT_INDEX = index(SOBJECTS);
const TOOLING_INDEX = index(TOOLING_OBJECTS);

export const describeObject = (name: string, tooling = false): ObjectSchema | undefined =>
  (tooling ? TOOLING_INDEX : SOBJECT_INDEX).get(name.toLowerCase());

export const fieldOf = (schema: ObjectSchema, name: string): FieldSchema | undefined => {
  const lower = name.toLowerCase();
  return schema.fields.find((fl) => fl.name.toLowerCase() === lower);
};

/** The object whose records have this key prefix (first three characters of an id). */
export const objectForKeyPrefix = (keyPrefix: string): ObjectSchema | undefined =>
  SOBJECTS.find((o) => o.keyPrefix === keyPrefix) ?? TOOLING_OBJECTS.find((o) => o.keyPrefix === keyPrefix);
