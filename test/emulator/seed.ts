/*
 * Seed files: a JSON description of an org (licences, profiles, users, permission sets, records, metadata, flags).
 * `npm run emulator -- --seed file.json` and `OrgEmulator.start({ seed })` load them.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { putComponent } from './metadata/soap.js';
import type { OrgEmulator } from './server.js';
import { isPermissionableField } from './access.js';
import { LEAD_STATUSES } from './schema.js';
import type { SObjectRecord } from './types.js';

/** Object access in seeds: the object permissions of a profile or permission set. */
export type SeedObjectAccess = 'read' | 'create' | 'edit' | 'delete' | 'viewAll' | 'modifyAll';
/** `Lead: ['read', 'create']`-style object permissions, and `Lead.Email: 'edit'`-style field permissions. */
export type SeedPermissions = {
  /** System permissions by name without "Permissions" (ApiEnabled, ManageUsers, ModifyAllData, ...). */
  userPermissions?: string[];
  objectPermissions?: Record<string, SeedObjectAccess[]>;
  /** 'read' or 'edit' (edit includes read). */
  fieldPermissions?: Record<string, 'read' | 'edit'>;
};

export type SeedUser = {
  username: string;
  firstName?: string;
  lastName: string;
  email?: string;
  alias?: string;
  profile: string;
  federationIdentifier?: string;
  isActive?: boolean;
  frozen?: boolean;
  timeZone?: string;
  locale?: string;
  language?: string;
  title?: string;
  /** Portal users: the Contact (by Email) the user belongs to. */
  contactEmail?: string;
  /** Password on the emulator's login page (web-server flow); default: DEFAULT_USER_PASSWORD of oauth.ts. */
  password?: string;
  /**
   * Permission set licences assigned to the user (PermissionSetLicenseAssign), by DeveloperName or label, e.g.
   * `["SalesforceAPIIntegrationPsl"]` for a Salesforce Integration user that gets permission sets with object access.
   */
  permissionSetLicences?: string[];
};

export type Seed = {
  org?: {
    orgId?: string;
    name?: string;
    edition?: string;
    instanceName?: string;
    isSandbox?: boolean;
    dailyApiLimit?: number;
    country?: string;
  };
  flags?: {
    stateCountryPicklistsEnabled?: boolean;
    connectedAppCreationAllowed?: boolean;
    apiEnabled?: boolean;
    /** Active duplicate rules (Action on Create/Edit: Block) on Lead and Contact matching on Email; default off. */
    duplicateRules?: 'block' | 'alert';
  };
  licences?: Array<{ name: string; key: string; total: number }>;
  /** Permission set licences (PermissionSetLicense); default: DEFAULT_PERMISSION_SET_LICENCES. */
  permissionSetLicences?: Array<{ developerName: string; label: string; key: string; total: number; integrations?: boolean }>;
  /** `admin`: the profile grants what a System Administrator has (Manage Users, Modify All Data, View All Data, View Setup); default true for "System Administrator". */
  /**
   * Object and field permissions default to what the standard profile of that name has (System Administrator
   * everything, Standard User read/create/edit/delete on Account, Contact and Lead, ...); `objectPermissions` /
   * `fieldPermissions` add to them, and `fieldAccess` gives every field of the profile's objects read or edit access.
   */
  profiles?: Array<
    { name: string; licence: string; apiEnabled?: boolean; apiOnly?: boolean; userType?: string; admin?: boolean; fieldAccess?: 'read' | 'edit' } & SeedPermissions
  >;
  /** The first user is the admin the emulator's access token belongs to (unless `admin` names another). */
  users?: SeedUser[];
  admin?: string;
  permissionSets?: Array<{ name: string; label?: string; apiEnabled?: boolean; apiOnly?: boolean; licence?: string } & SeedPermissions>;
  permissionSetGroups?: Array<{ name: string; label?: string; permissionSets?: string[] }>;
  assignments?: Array<{ user: string; permissionSet?: string; permissionSetGroup?: string }>;
  apexClasses?: Array<{ name: string; body?: string }>;
  accounts?: Array<Record<string, unknown>>;
  /** Contacts; `Account` names an account of the seed. */
  contacts?: Array<Record<string, unknown>>;
  leads?: Array<Record<string, unknown>>;
  /** Metadata components loaded through the Metadata API rules (validated against the WSDL). */
  metadata?: Array<{ type: string; fullName: string; content: Record<string, unknown>; body?: string; expiresInDays?: number }>;
  /** Usernames already taken in other orgs (DUPLICATE_USERNAME). */
  foreignUsernames?: string[];
};

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SEED = join(here, 'seeds', 'default.json');

export const loadSeed = async (path = DEFAULT_SEED): Promise<Seed> => JSON.parse(await readFile(path, 'utf8')) as Seed;

const DEFAULT_LICENCES = [
  { name: 'Salesforce', key: 'SFDC', total: 10 },
  { name: 'Salesforce Platform', key: 'AUL', total: 10 },
  { name: 'Salesforce Integration', key: 'SFDC_INTEGRATION', total: 5 },
  { name: 'Identity', key: 'Identity', total: 20 },
  { name: 'Customer Community', key: 'PID_Customer_Community', total: 50 },
];
/** The permission set licence every Enterprise org with the Salesforce Integration user licence has. */
const DEFAULT_PERMISSION_SET_LICENCES = [
  { developerName: 'SalesforceAPIIntegrationPsl', label: 'Salesforce API Integration', key: 'SalesforceAPIIntegrationPsl', total: 5, integrations: true },
];
const DEFAULT_PROFILES = [
  { name: 'System Administrator', licence: 'Salesforce', apiEnabled: true },
  { name: 'Standard User', licence: 'Salesforce', apiEnabled: true },
  { name: 'Minimum Access - Salesforce', licence: 'Salesforce', apiEnabled: false },
  { name: 'Minimum Access - API Only Integrations', licence: 'Salesforce Integration', apiEnabled: true, apiOnly: true },
  { name: 'Standard Platform User', licence: 'Salesforce Platform', apiEnabled: true },
  { name: 'Identity User', licence: 'Identity', apiEnabled: false },
  { name: 'Customer Community User', licence: 'Customer Community', apiEnabled: false, userType: 'CspLitePortal' },
];

/** The user permissions a System Administrator profile holds (and other standard profiles do not). */
const adminPermissions = (admin: boolean): Record<string, boolean> => ({
  PermissionsManageUsers: admin,
  PermissionsAssignPermissionSets: admin,
  PermissionsModifyAllData: admin,
  PermissionsViewAllData: admin,
  PermissionsViewSetup: admin,
  PermissionsCustomizeApplication: admin,
  PermissionsModifyMetadata: admin,
  PermissionsConvertLeads: admin,
});

const CRED: SeedObjectAccess[] = ['read', 'create', 'edit', 'delete'];
const EVERYTHING: SeedObjectAccess[] = [...CRED, 'viewAll', 'modifyAll'];
/**
 * Object permissions of the standard profiles (Salesforce Help, "Standard Profiles"): the System Administrator has
 * every permission; Standard User read, create, edit and delete (no View All / Modify All) on the sales objects;
 * Standard Platform User has no Leads (the Salesforce Platform licence has none); the Minimum Access profiles and the
 * identity and community profiles here have no object permissions.
 */
const STANDARD_OBJECT_PERMISSIONS: Record<string, { objects: Record<string, SeedObjectAccess[]>; fields: 'read' | 'edit' }> = {
  'system administrator': { objects: { Account: EVERYTHING, Contact: EVERYTHING, Lead: EVERYTHING, Opportunity: EVERYTHING }, fields: 'edit' },
  'standard user': { objects: { Account: CRED, Contact: CRED, Lead: CRED, Opportunity: CRED }, fields: 'edit' },
  'standard platform user': { objects: { Account: CRED, Contact: CRED }, fields: 'edit' },
};

/** Seed permissions as PermissionSet metadata elements (objectPermissions, fieldPermissions, userPermissions). */
export const permissionsContent = (p: SeedPermissions): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  const fields = Object.entries(p.fieldPermissions ?? {});
  if (fields.length) out.fieldPermissions = fields.map(([field, a]) => ({ editable: a === 'edit', field, readable: true }));
  const objects = Object.entries(p.objectPermissions ?? {});
  if (objects.length) {
    out.objectPermissions = objects.map(([object, a]) => ({
      allowCreate: a.includes('create') || a.includes('modifyAll'),
      allowDelete: a.includes('delete') || a.includes('modifyAll'),
      allowEdit: a.includes('edit') || a.includes('delete') || a.includes('modifyAll'),
      allowRead: true,
      modifyAllRecords: a.includes('modifyAll'),
      object,
      viewAllRecords: a.includes('viewAll') || a.includes('modifyAll'),
    }));
  }
  if (p.userPermissions?.length) out.userPermissions = p.userPermissions.map((name) => ({ enabled: true, name }));
  return out;
};

export type SeedResult = { adminUserId: string; adminUsername: string; orgName: string };

/** Loads a seed into an emulator whose store is empty. */
export const applySeed = async (emu: OrgEmulator, seed: Seed): Promise<SeedResult> => {
  const store = emu.store;
  const sys = (object: string, fields: Record<string, unknown>, tooling = false): SObjectRecord => store.createSystem(object, fields, { tooling });
  const orgName = seed.org?.name ?? 'Acme Corporation';
  sys('Organization', {
    Name: orgName,
    InstanceName: seed.org?.instanceName ?? 'EMU42',
    IsSandbox: seed.org?.isSandbox ?? false,
    TrialExpirationDate: null,
    NamespacePrefix: null,
    OrganizationType: emu.flags.edition,
    Country: seed.org?.country ?? 'US',
    LanguageLocaleKey: 'en_US',
    DefaultLocaleSidKey: 'en_US',
    TimeZoneSidKey: 'America/Los_Angeles',
  }).Id;
  // The Organization record's id is the org id.
  const orgRec = store.records('Organization')[0];
  store.removeSystem('Organization', orgRec.Id);
  store.insertRaw(store.describe('Organization')!, { ...orgRec, Id: `${emu.orgId}${(await import('./ids.js')).idSuffix(emu.orgId)}` });

  const licences = new Map<string, SObjectRecord>();
  for (const l of seed.licences ?? DEFAULT_LICENCES) {
    licences.set(
      l.name.toLowerCase(),
      sys('UserLicense', { Name: l.name, MasterLabel: l.name, LicenseDefinitionKey: l.key, TotalLicenses: l.total, UsedLicenses: 0, Status: 'Active' })
    );
  }
  const psls = new Map<string, SObjectRecord>();
  for (const l of seed.permissionSetLicences ?? DEFAULT_PERMISSION_SET_LICENCES) {
    const psl = sys('PermissionSetLicense', {
      DeveloperName: l.developerName,
      MasterLabel: l.label,
      PermissionSetLicenseKey: l.key,
      TotalLicenses: l.total,
      UsedLicenses: 0,
      Status: 'Active',
      ExpirationDate: null,
      IsAvailableForIntegrations: l.integrations ?? false,
    });
    psls.set(l.developerName.toLowerCase(), psl);
    psls.set(l.label.toLowerCase(), psl);
  }
  const profiles = new Map<string, SObjectRecord>();
  for (const p of seed.profiles ?? DEFAULT_PROFILES) {
    const lic = licences.get(p.licence.toLowerCase());
    if (!lic) throw new Error(`Seed: profile ${p.name} names unknown licence ${p.licence}`);
    const profile = sys('Profile', {
      Name: p.name,
      UserLicenseId: lic.Id,
      UserType: p.userType ?? 'Standard',
      PermissionsApiEnabled: p.apiEnabled ?? true,
      PermissionsApiUserOnly: p.apiOnly ?? false,
    });
    profiles.set(p.name.toLowerCase(), profile);
    const extra = p as SeedPermissions & { admin?: boolean; fieldAccess?: 'read' | 'edit' };
    const system: Record<string, boolean> = {
      PermissionsApiEnabled: p.apiEnabled ?? true,
      PermissionsApiUserOnly: p.apiOnly ?? false,
      ...adminPermissions(extra.admin ?? p.name === 'System Administrator'),
    };
    // Standard User converts leads in a new org (its "Convert Leads" permission is on by default: unconfirmed).
    if (p.name === 'Standard User') system.PermissionsConvertLeads = true;
    for (const n of extra.userPermissions ?? []) system[`Permissions${n}`] = true;
    store.patchSystem('Profile', profile.Id, system);
    const profilePs = sys('PermissionSet', {
      Name: `X00e${profile.Id.slice(3, 15)}`,
      Label: p.name,
      IsOwnedByProfile: true,
      ProfileId: profile.Id,
      Type: 'Profile',
      ...system,
    });
    // The profile's object and field permissions live under its profile-owned permission set.
    const standard = STANDARD_OBJECT_PERMISSIONS[p.name.toLowerCase()];
    const objects: Record<string, SeedObjectAccess[]> = { ...(standard?.objects ?? {}) };
    for (const [o, a] of Object.entries(extra.objectPermissions ?? {})) objects[o] = [...new Set([...(objects[o] ?? []), ...a])];
    const fieldLevel = extra.fieldAccess ?? standard?.fields ?? 'read';
    const fields: Record<string, 'read' | 'edit'> = {};
    for (const o of Object.keys(objects)) {
      const schema = store.describe(o);
      if (!schema) throw new Error(`Seed: profile ${p.name} names unknown object ${o}`);
      for (const fl of schema.fields.filter((x) => isPermissionableField(schema, x))) {
        fields[`${schema.name}.${fl.name}`] = fieldLevel === 'edit' && (fl.createable || fl.updateable) ? 'edit' : 'read';
      }
    }
    Object.assign(fields, extra.fieldPermissions ?? {});
    const content = permissionsContent({ objectPermissions: objects, fieldPermissions: fields });
    emu.grantPermissions(profilePs.Id, content);
  }
  sys('AuthConfig', {
    DeveloperName: 'My_Domain_Login',
    MasterLabel: 'My Domain Login',
    Url: emu.instanceUrl,
    Type: 'Org',
    IsActive: true,
    AuthOptionsUsernamePassword: true,
    AuthOptionsSaml: false,
    AuthOptionsAuthProvider: false,
    AuthOptionsCertificate: false,
    AuthOptionsPasswordless: false,
  });

  const accounts = new Map<string, SObjectRecord>();
  for (const a of seed.accounts ?? []) accounts.set(String(a.Name).toLowerCase(), sys('Account', a));
  const contacts = new Map<string, SObjectRecord>();
  for (const c of seed.contacts ?? []) {
    const { Account: accountName, ...fields } = c;
    const account = accountName ? accounts.get(String(accountName).toLowerCase()) : undefined;
    const rec = sys('Contact', { ...fields, AccountId: account?.Id ?? null });
    if (rec.Email) contacts.set(String(rec.Email).toLowerCase(), rec);
  }

  const users = seed.users ?? [
    { username: 'admin@acme.example.com', firstName: 'Ada', lastName: 'Admin', profile: 'System Administrator' },
  ];
  const userIds = new Map<string, string>();
  for (const u of users) {
    const profile = profiles.get(u.profile.toLowerCase());
    if (!profile) throw new Error(`Seed: user ${u.username} names unknown profile ${u.profile}`);
    const rec = sys('User', {
      Username: u.username,
      FirstName: u.firstName ?? null,
      LastName: u.lastName,
      Email: u.email ?? u.username,
      Alias: u.alias ?? (u.firstName?.charAt(0) ?? '') + u.lastName.slice(0, 7),
      CommunityNickname: u.username.split('@')[0],
      TimeZoneSidKey: u.timeZone ?? 'America/Los_Angeles',
      LocaleSidKey: u.locale ?? 'en_US',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: u.language ?? 'en_US',
      ProfileId: profile.Id,
      UserType: profile.UserType,
      IsActive: u.isActive ?? true,
      FederationIdentifier: u.federationIdentifier ?? null,
      Title: u.title ?? null,
      ContactId: u.contactEmail ? contacts.get(u.contactEmail.toLowerCase())?.Id ?? null : null,
    });
    userIds.set(u.username.toLowerCase(), rec.Id);
    if (u.password) emu.oauth.setPassword(rec.Id, u.password);
    if (u.frozen) {
      const login = store.find('UserLogin', (l) => l.UserId === rec.Id);
      if (login) store.patchSystem('UserLogin', login.Id, { IsFrozen: true });
    }
  }
  store.refreshLicenceCounts();
  const adminUsername = seed.admin ?? users[0].username;
  const adminUserId = userIds.get(adminUsername.toLowerCase());
  if (!adminUserId) throw new Error(`Seed: admin ${adminUsername} is not one of the users`);
  // Records created by the seed belong to the admin.
  for (const object of ['Account', 'Contact', 'Lead']) {
    for (const r of store.records(object)) {
      r.OwnerId = adminUserId;
      r.CreatedById = adminUserId;
      r.LastModifiedById = adminUserId;
    }
  }
  store.currentUserId = adminUserId;
  // Permission set licences before permission sets: assignments are checked against the user's licences.
  for (const u of users) {
    for (const name of u.permissionSetLicences ?? []) {
      const psl = psls.get(name.toLowerCase());
      if (!psl) throw new Error(`Seed: user ${u.username} names unknown permission set licence ${name}`);
      store.create('PermissionSetLicenseAssign', { AssigneeId: userIds.get(u.username.toLowerCase()), PermissionSetLicenseId: psl.Id });
    }
  }

  const permsets = new Map<string, SObjectRecord>();
  for (const p of seed.permissionSets ?? []) {
    const lic = p.licence ? licences.get(p.licence.toLowerCase()) : undefined;
    if (p.licence && !lic) throw new Error(`Seed: permission set ${p.name} names unknown licence ${p.licence}`);
    // A permission set is metadata first: readMetadata sees it, and the PermissionSet sObject mirrors it.
    const userPermissions = [
      ...(p.apiEnabled ? [{ enabled: true, name: 'ApiEnabled' }] : []),
      ...(p.apiOnly ? [{ enabled: true, name: 'ApiUserOnly' }] : []),
    ];
    const granted = permissionsContent({ objectPermissions: p.objectPermissions, fieldPermissions: p.fieldPermissions });
    for (const name of p.userPermissions ?? []) if (!userPermissions.some((u) => u.name === name)) userPermissions.push({ enabled: true, name });
    // eslint-disable-next-line no-await-in-loop
    await putComponent(emu.metadataContext, 'PermissionSet', p.name, {
      ...(granted.fieldPermissions ? { fieldPermissions: granted.fieldPermissions } : {}),
      hasActivationRequired: false,
      label: p.label ?? p.name,
      ...(lic ? { license: String(lic.Name) } : {}),
      ...(granted.objectPermissions ? { objectPermissions: granted.objectPermissions } : {}),
      ...(userPermissions.length ? { userPermissions } : {}),
    });
    const rec = store.find('PermissionSet', (r) => String(r.Name).toLowerCase() === p.name.toLowerCase());
    if (!rec) throw new Error(`Seed: permission set ${p.name} was not mirrored`);
    permsets.set(p.name.toLowerCase(), rec);
  }
  const groups = new Map<string, SObjectRecord>();
  for (const g of seed.permissionSetGroups ?? []) {
    const group = sys('PermissionSetGroup', { DeveloperName: g.name, MasterLabel: g.label ?? g.name, Status: 'Updated' });
    groups.set(g.name.toLowerCase(), group);
    const members = (g.permissionSets ?? []).map((n) => {
      const ps = permsets.get(n.toLowerCase());
      if (!ps) throw new Error(`Seed: permission set group ${g.name} names unknown permission set ${n}`);
      return ps;
    });
    // The group's own (aggregate) permission set; its permissions are the union of the members' (access.ts).
    sys('PermissionSet', {
      Name: `X0PG${group.Id.slice(3, 15)}`,
      Label: g.label ?? g.name,
      Type: 'Group',
      IsOwnedByProfile: false,
      PermissionSetGroupId: group.Id,
    });
    for (const m of members) sys('PermissionSetGroupComponent', { PermissionSetGroupId: group.Id, PermissionSetId: m.Id });
  }
  for (const a of seed.assignments ?? []) {
    const userId = userIds.get(a.user.toLowerCase());
    if (!userId) throw new Error(`Seed: assignment names unknown user ${a.user}`);
    const ps = a.permissionSet ? permsets.get(a.permissionSet.toLowerCase()) : undefined;
    const group = a.permissionSetGroup ? groups.get(a.permissionSetGroup.toLowerCase()) : undefined;
    store.create('PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: ps?.Id, PermissionSetGroupId: group?.Id });
  }
  for (const c of seed.apexClasses ?? []) {
    sys('ApexClass', { Name: c.name, Status: 'Active', ApiVersion: 66, IsValid: true, Body: c.body ?? `public class ${c.name} {}` });
  }
  // The Lead Status picklist's values; "Closed - Converted" is the converted one of a new org.
  LEAD_STATUSES.forEach((status, i) =>
    sys('LeadStatus', { MasterLabel: status, ApiName: status, SortOrder: i + 1, IsDefault: i === 0, IsConverted: status === 'Closed - Converted' })
  );
  for (const l of seed.leads ?? []) sys('Lead', { Status: 'Open - Not Contacted', IsConverted: false, ...l, OwnerId: adminUserId });

  for (const m of seed.metadata ?? []) {
    // Certificates may give their expiry relative to today, so a seed stays true as time passes.
    const content =
      m.expiresInDays === undefined ? m.content : { ...m.content, expirationDate: new Date(Date.now() + m.expiresInDays * 86_400_000).toISOString() };
    await putComponent(emu.metadataContext, m.type, m.fullName, content, m.body !== undefined ? Buffer.from(m.body, 'base64') : undefined);
  }
  return { adminUserId, adminUsername, orgName };
};
