/*
 * PermissionSet: an integration permission set, as narrow as asked. Read through the Metadata API (readMetadata)
 * plus the PermissionSet sObject's id (for app access records); planned by a pure function that only ever adds
 * what is missing, so permissions the command was not asked about stay as the org has them.
 *
 * App access is not PermissionSet metadata: a connected app gets a SetupEntityAccess record (ParentId = the
 * permission set, SetupEntityId = the ConnectedApplication); an external client app lists permission sets in its
 * OAuth policies (ExtlClntAppOauthConfigurablePolicies.commaSeparatedPermissionSet).
 */
import type { OrgClient } from '../client.js';
import { metadataChange, refTo, type Change } from '../plan.js';
import { asArray, asBool, asString, soqlString } from './values.js';

export type ObjectAccess = 'read' | 'create' | 'edit' | 'delete' | 'viewAll' | 'modifyAll';
export type FieldAccess = 'read' | 'edit';

export const OBJECT_ACCESS: readonly ObjectAccess[] = ['read', 'create', 'edit', 'delete', 'viewAll', 'modifyAll'];
export const FIELD_ACCESS: readonly FieldAccess[] = ['read', 'edit'];

export type ObjectGrant = { object: string; access: ObjectAccess[] };
export type FieldGrant = { field: string; access: FieldAccess[] };

export type PermissionSetDesired = {
  name: string;
  label?: string;
  description?: string;
  apiEnabled?: boolean;
  apiOnly?: boolean;
  objects?: ObjectGrant[];
  fields?: FieldGrant[];
  /** A user licence name (e.g. "Salesforce Integration"); fixed once the permission set exists. */
  license?: string;
};

/** The permission set as the org has it: the metadata (readMetadata's record) and the sObject id. */
export type PermissionSetCurrent = { content?: Record<string, unknown>; id?: string };

/** The WSDL sequences (test/emulator/metadata/schema.json, from the Metadata WSDL). */
const PERMISSION_SET_ORDER = [
  'fullName',
  'agentAccesses',
  'applicationVisibilities',
  'classAccesses',
  'customMetadataTypeAccesses',
  'customPermissions',
  'customSettingAccesses',
  'dataspaceScopes',
  'description',
  'emailRoutingAddressAccesses',
  'externalCredentialPrincipalAccesses',
  'externalDataSourceAccesses',
  'fieldPermissions',
  'flowAccesses',
  'genComputingSummaryDefAccesses',
  'hasActivationRequired',
  'label',
  'license',
  'objectPermissions',
  'pageAccesses',
  'recordTypeVisibilities',
  'servicePresenceStatusAccesses',
  'tabSettings',
  'userPermissions',
];
const OBJECT_PERMISSION_ORDER = [
  'allowCreate',
  'allowDelete',
  'allowEdit',
  'allowRead',
  'customizeSetup',
  'deleteSetup',
  'modifyAllRecords',
  'object',
  'viewAllFields',
  'viewAllRecords',
  'viewSetup',
];
const FIELD_PERMISSION_ORDER = ['editable', 'field', 'readable'];
const USER_PERMISSION_ORDER = ['enabled', 'name'];
const OAUTH_POLICIES_ORDER = [
  'fullName',
  'apexHandler',
  'clientCredentialsFlowUser',
  'commaSeparatedCustomScopes',
  'commaSeparatedPermissionSet',
  'commaSeparatedProfile',
  'customAttributes',
  'executeHandlerAs',
  'externalClientApplication',
  'guestJwtSessionTimeoutType',
  'guestJwtTimeout',
  'ipRelaxationPolicyType',
  'isClientCredentialsFlowEnabled',
  'isGuestCodeCredFlowEnabled',
  'isTokenExchangeFlowEnabled',
  'label',
  'namedUserJwtSessionTimeoutType',
  'namedUserJwtTimeout',
  'permittedUsersPolicyType',
  'policyAction',
  'refreshTokenPolicyType',
  'refreshTokenValidityPeriod',
  'refreshTokenValidityUnit',
  'requiredSessionLevel',
  'sessionTimeoutInMinutes',
  'singleLogoutUrl',
  'startUrl',
];

/** Keys in the given sequence (unknown keys, which the WSDL would reject, are dropped). */
const ordered = (order: string[], obj: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(order.filter((k) => obj[k] !== undefined && obj[k] !== null).map((k) => [k, obj[k]]));

/** The metadata element behind each object access, and what the platform requires with it. */
const OBJECT_FLAG: Record<ObjectAccess, string> = {
  read: 'allowRead',
  create: 'allowCreate',
  edit: 'allowEdit',
  delete: 'allowDelete',
  viewAll: 'viewAllRecords',
  modifyAll: 'modifyAllRecords',
};
/**
 * ObjectPermissions (object reference): Create and Edit require Read; Delete requires Read and Edit; View All requires
 * Read; Modify All requires Read, Edit, Delete and View All.
 */
const OBJECT_REQUIRES: Record<ObjectAccess, ObjectAccess[]> = {
  read: [],
  create: ['read'],
  edit: ['read'],
  delete: ['read', 'edit'],
  viewAll: ['read'],
  modifyAll: ['read', 'edit', 'delete', 'viewAll'],
};

export class PermissionSpecError extends Error {
  public constructor(public readonly spec: string, public readonly kind: 'object' | 'field', public readonly allowed: readonly string[]) {
    super(`Invalid ${kind} access "${spec}"`);
  }
}

const splitAccess = <A extends string>(spec: string, kind: 'object' | 'field', allowed: readonly A[]): { target: string; access: A[] } => {
  const idx = spec.lastIndexOf(':');
  const target = idx > 0 ? spec.slice(0, idx).trim() : '';
  const names = idx > 0 ? spec.slice(idx + 1).split(/[,+|]/).map((s) => s.trim()).filter(Boolean) : [];
  const canonical = new Map(allowed.map((a) => [a.toLowerCase(), a]));
  const access = names.map((n) => canonical.get(n.toLowerCase()));
  const targetOk = kind === 'object' ? /^[A-Za-z][A-Za-z0-9_]*$/.test(target) : /^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*$/.test(target);
  if (!targetOk || access.length === 0 || access.some((a) => a === undefined)) throw new PermissionSpecError(spec, kind, allowed);
  return { target, access: [...new Set(access as A[])] };
};

/** "Lead:create,read,edit" → { object: 'Lead', access: [...] }. Throws PermissionSpecError on anything else. */
export const parseObjectGrant = (spec: string): ObjectGrant => {
  const { target, access } = splitAccess(spec, 'object', OBJECT_ACCESS);
  return { object: target, access };
};

/** "Lead.Email:read,edit" → { field: 'Lead.Email', access: [...] }. */
export const parseFieldGrant = (spec: string): FieldGrant => {
  const { target, access } = splitAccess(spec, 'field', FIELD_ACCESS);
  return { field: target, access };
};

/** Everything granted on an object by an objectPermissions entry, in canonical order. */
const grantedObject = (entry: Record<string, unknown> | undefined): ObjectAccess[] =>
  entry ? OBJECT_ACCESS.filter((a) => asBool(entry[OBJECT_FLAG[a]])) : [];

const grantedField = (entry: Record<string, unknown> | undefined): FieldAccess[] =>
  entry ? FIELD_ACCESS.filter((a) => asBool(entry[a === 'read' ? 'readable' : 'editable'])) : [];

const accessText = (list: string[]): string => (list.length ? list.join(',') : '(none)');

type Entry = Record<string, unknown>;
const byKey = (list: unknown, key: string): Map<string, Entry> =>
  new Map(asArray(list as Entry | Entry[]).map((e) => [String(e[key] ?? '').toLowerCase(), e]));

/**
 * What the desired grants add up to once the platform's dependencies are in: Edit adds Read, Delete adds Edit and
 * Read, field Edit adds field Read, any field access adds Read on its object, API Only adds API Enabled.
 * Returns the expanded grants and notes saying what was added.
 */
export const withImpliedAccess = (desired: PermissionSetDesired): { desired: PermissionSetDesired; implied: string[] } => {
  const implied: string[] = [];
  const objects = new Map<string, { object: string; access: Set<ObjectAccess> }>();
  for (const o of desired.objects ?? []) {
    const cur = objects.get(o.object.toLowerCase()) ?? { object: o.object, access: new Set<ObjectAccess>() };
    for (const a of o.access) cur.access.add(a);
    objects.set(o.object.toLowerCase(), cur);
  }
  const fields = new Map<string, { field: string; access: Set<FieldAccess> }>();
  for (const f of desired.fields ?? []) {
    const cur = fields.get(f.field.toLowerCase()) ?? { field: f.field, access: new Set<FieldAccess>() };
    for (const a of f.access) cur.access.add(a);
    fields.set(f.field.toLowerCase(), cur);
  }
  for (const f of fields.values()) {
    if (f.access.has('edit') && !f.access.has('read')) {
      f.access.add('read');
      implied.push(`${f.field}: edit needs read on the field, read added`);
    }
    const objectName = f.field.split('.')[0];
    const o = objects.get(objectName.toLowerCase());
    if (!o) {
      objects.set(objectName.toLowerCase(), { object: objectName, access: new Set<ObjectAccess>(['read']) });
      implied.push(`${f.field}: field access needs read on ${objectName}, read on ${objectName} added`);
    } else if (!o.access.has('read')) {
      o.access.add('read');
      implied.push(`${f.field}: field access needs read on ${o.object}, read added`);
    }
  }
  for (const o of objects.values()) {
    const before = new Set(o.access);
    for (const a of [...o.access]) for (const r of OBJECT_REQUIRES[a]) o.access.add(r);
    const added = OBJECT_ACCESS.filter((a) => o.access.has(a) && !before.has(a));
    if (added.length) implied.push(`${o.object}: ${accessText(OBJECT_ACCESS.filter((a) => before.has(a)))} needs ${accessText(added)}, added`);
  }
  let apiEnabled = desired.apiEnabled;
  if (desired.apiOnly && !apiEnabled) {
    apiEnabled = true;
    implied.push('API Only User needs API Enabled, added');
  }
  return {
    desired: {
      ...desired,
      apiEnabled,
      objects: [...objects.values()].map((o) => ({ object: o.object, access: OBJECT_ACCESS.filter((a) => o.access.has(a)) })),
      fields: [...fields.values()].map((f) => ({ field: f.field, access: FIELD_ACCESS.filter((a) => f.access.has(a)) })),
    },
    implied,
  };
};

/** A permission set's licence cannot change after it is created: the name of the conflict, if any. */
export const licenseConflict = (current: PermissionSetCurrent, desired: PermissionSetDesired): { from: string; to: string } | undefined => {
  if (!current.content || desired.license === undefined) return undefined;
  const from = asString(current.content.license) ?? '';
  return from.toLowerCase() === desired.license.toLowerCase() ? undefined : { from: from || '(none)', to: desired.license };
};

/** The flat view of a permission set that plans compare: one key per label, permission, object and field. */
const flatten = (content: Record<string, unknown> | undefined): Record<string, unknown> => {
  if (!content) return {};
  const flat: Record<string, unknown> = {
    label: asString(content.label),
    description: asString(content.description),
    license: asString(content.license),
  };
  for (const p of asArray(content.userPermissions as Entry | Entry[])) flat[`userPermissions.${String(p.name)}`] = asBool(p.enabled);
  for (const o of asArray(content.objectPermissions as Entry | Entry[])) flat[`objectPermissions.${String(o.object)}`] = accessText(grantedObject(o));
  for (const f of asArray(content.fieldPermissions as Entry | Entry[])) flat[`fieldPermissions.${String(f.field)}`] = accessText(grantedField(f));
  return flat;
};

const mergeObjects = (list: unknown, grants: ObjectGrant[]): Map<string, Entry> => {
  const objects = byKey(list, 'object');
  for (const o of grants) {
    const key = o.object.toLowerCase();
    const entry: Entry = { ...(objects.get(key) ?? {}) };
    const objectName = asString(entry.object) ?? o.object;
    for (const flag of Object.values(OBJECT_FLAG)) entry[flag] = asBool(entry[flag]);
    for (const a of o.access) entry[OBJECT_FLAG[a]] = true;
    objects.set(key, ordered(OBJECT_PERMISSION_ORDER, { ...entry, object: objectName }));
  }
  return objects;
};

const mergeFields = (list: unknown, grants: FieldGrant[]): Map<string, Entry> => {
  const fields = byKey(list, 'field');
  for (const f of grants) {
    const key = f.field.toLowerCase();
    const entry: Entry = fields.get(key) ?? {};
    const readable = asBool(entry.readable) || f.access.includes('read');
    const editable = asBool(entry.editable) || f.access.includes('edit');
    fields.set(key, ordered(FIELD_PERMISSION_ORDER, { editable, field: asString(entry.field) ?? f.field, readable }));
  }
  return fields;
};

const mergeUserPermissions = (list: unknown, names: string[]): Map<string, Entry> => {
  const users = byKey(list, 'name');
  for (const name of names) {
    users.set(name.toLowerCase(), ordered(USER_PERMISSION_ORDER, { enabled: true, name: asString(users.get(name.toLowerCase())?.name) ?? name }));
  }
  return users;
};

const sortedBy =
  (key: string) =>
  (map: Map<string, Entry>): Entry[] | undefined =>
    map.size ? [...map.values()].sort((a, b) => String(a[key]).localeCompare(String(b[key]))) : undefined;

/** The flat keys a plan compares: only what the command was asked to manage. */
const wantedKeys = (desired: PermissionSetDesired, exists: boolean, after: Record<string, unknown>): Record<string, unknown> => {
  const wanted: Record<string, unknown> = {};
  if (!exists || desired.label !== undefined) wanted.label = after.label;
  if (desired.description !== undefined) wanted.description = after.description;
  if (!exists && desired.license !== undefined) wanted.license = after.license;
  if (desired.apiEnabled) wanted['userPermissions.ApiEnabled'] = true;
  if (desired.apiOnly) wanted['userPermissions.ApiUserOnly'] = true;
  const find = (prefix: string, name: string): string | undefined =>
    Object.keys(after).find((k) => k.toLowerCase() === `${prefix}.${name}`.toLowerCase());
  for (const o of desired.objects ?? []) {
    const key = find('objectPermissions', o.object);
    if (key) wanted[key] = after[key];
  }
  for (const f of desired.fields ?? []) {
    const key = find('fieldPermissions', f.field);
    if (key) wanted[key] = after[key];
  }
  return wanted;
};

/**
 * Plans the permission set so that it grants at least what `desired` asks (with the implied access added): creates it
 * when missing, else adds only the missing permissions and updates label/description when given. Never removes a
 * permission. The component carries the whole permission set (the org's other settings kept), in WSDL order.
 */
export const planPermissionSet = (current: PermissionSetCurrent, desiredInput: PermissionSetDesired): Change => {
  const { desired, implied } = withImpliedAccess(desiredInput);
  const base: Record<string, unknown> = { ...(current.content ?? {}) };
  const exists = current.content !== undefined;
  const userPermissions = [...(desired.apiEnabled ? ['ApiEnabled'] : []), ...(desired.apiOnly ? ['ApiUserOnly'] : [])];
  const content = ordered(PERMISSION_SET_ORDER, {
    ...base,
    fullName: desired.name,
    description: desired.description ?? base.description,
    hasActivationRequired: base.hasActivationRequired ?? false,
    label: desired.label ?? base.label ?? desired.name,
    license: exists ? base.license : desired.license,
    objectPermissions: sortedBy('object')(mergeObjects(base.objectPermissions, desired.objects ?? [])),
    fieldPermissions: sortedBy('field')(mergeFields(base.fieldPermissions, desired.fields ?? [])),
    userPermissions: sortedBy('name')(mergeUserPermissions(base.userPermissions, userPermissions)),
  });
  const wanted = wantedKeys(desired, exists, flatten(content));
  const change = metadataChange({ type: 'PermissionSet', fullName: desired.name, content }, flatten(current.content), wanted, { exists });
  return implied.length && change.action !== 'none' ? { ...change, note: `Added what the platform requires: ${implied.join('; ')}.` } : change;
};

// ---------------------------------------------------------------------------------------------- reading

/** The permission set's metadata and sObject id; both undefined when it does not exist. */
export const readPermissionSet = async (client: OrgClient, name: string): Promise<PermissionSetCurrent> => {
  const [content] = await client.readMetadata<Record<string, unknown> & { fullName?: string }>('PermissionSet', [name]);
  const [row] = await client.query<{ Id: string }>(`SELECT Id FROM PermissionSet WHERE Name = ${soqlString(name)} AND IsOwnedByProfile = false`);
  return { content: content ?? undefined, id: row?.Id };
};

/** The org's user licence names (for --license). */
export const readLicenseNames = async (client: OrgClient): Promise<string[]> =>
  (await client.query<{ Name: string }>('SELECT Name FROM UserLicense')).map((r) => r.Name);

/**
 * A licence a permission set's <license> may name: the Metadata API field takes either a user licence (UserLicense.Name)
 * or a permission set licence (PermissionSetLicense, by its label; its DeveloperName is accepted too).
 */
export type LicenseOption = { kind: 'user' | 'permissionSet'; name: string; developerName?: string };

/** The org's user licences and permission set licences (for --license). */
export const readLicenses = async (client: OrgClient): Promise<LicenseOption[]> => {
  const users = await client.query<{ Name: string }>('SELECT Name FROM UserLicense');
  const psls = await client.query<{ DeveloperName: string; MasterLabel: string }>("SELECT DeveloperName, MasterLabel FROM PermissionSetLicense WHERE Status = 'Active'");
  return [
    ...users.map((r): LicenseOption => ({ kind: 'user', name: r.Name })),
    ...psls.map((r): LicenseOption => ({ kind: 'permissionSet', name: r.MasterLabel, developerName: r.DeveloperName })),
  ];
};

/**
 * The licence a --license value names (case-insensitive): a user licence name first, then a permission set licence
 * label or DeveloperName; undefined when the org has none of that name.
 */
export const resolveLicense = (licenses: LicenseOption[], value: string): LicenseOption | undefined => {
  const v = value.trim().toLowerCase();
  return (
    licenses.find((l) => l.kind === 'user' && l.name.toLowerCase() === v) ??
    licenses.find((l) => l.kind === 'permissionSet' && (l.name.toLowerCase() === v || l.developerName?.toLowerCase() === v))
  );
};

// ---------------------------------------------------------------------------------------------- app access

export type AppAccessCurrent =
  | { kind: 'ConnectedApp'; appName: string; appId: string; accessId?: string }
  | { kind: 'ExternalClientApplication'; appName: string; policies?: Record<string, unknown> }
  | { kind: 'missing'; appName: string };

/** Finds the app by name: a connected app (ConnectedApplication) first, else an external client app and its OAuth policies. */
export const readAppAccess = async (client: OrgClient, appName: string, permissionSetId: string | undefined): Promise<AppAccessCurrent> => {
  const [app] = await client.query<{ Id: string; Name: string }>(`SELECT Id, Name FROM ConnectedApplication WHERE Name = ${soqlString(appName)}`);
  if (app) {
    const [access] = permissionSetId
      ? await client.query<{ Id: string }>(`SELECT Id FROM SetupEntityAccess WHERE ParentId = ${soqlString(permissionSetId)} AND SetupEntityId = ${soqlString(app.Id)}`)
      : [];
    return { kind: 'ConnectedApp', appName: app.Name, appId: app.Id, accessId: access?.Id };
  }
  const listed = await client.listMetadata(['ExternalClientApplication', 'ExtlClntAppOauthConfigurablePolicies']);
  const eca = listed.find((p) => p.type === 'ExternalClientApplication' && p.fullName.toLowerCase() === appName.toLowerCase());
  if (!eca) return { kind: 'missing', appName };
  const names = listed.filter((p) => p.type === 'ExtlClntAppOauthConfigurablePolicies').map((p) => p.fullName);
  const policies = names.length ? await client.readMetadata<Record<string, unknown> & { fullName?: string }>('ExtlClntAppOauthConfigurablePolicies', names) : [];
  const mine = policies.find((p) => String(p.externalClientApplication ?? '').toLowerCase() === eca.fullName.toLowerCase());
  return { kind: 'ExternalClientApplication', appName: eca.fullName, policies: mine };
};

/**
 * Plans access to the app for the permission set's users: a SetupEntityAccess record for a connected app, the
 * permission set added to an external client app's OAuth policies (the other listed sets kept). Undefined for
 * an app that does not exist (the command refuses it before planning). Without the permission set's id (the same plan
 * creates it), the record refers to the PermissionSet change for it: apply creates the permission set first.
 */
export const planAppAccess = (current: AppAccessCurrent, permissionSetName: string, permissionSetId: string | undefined): Change | undefined => {
  if (current.kind === 'missing') return undefined;
  if (current.kind === 'ConnectedApp') {
    const name = `${permissionSetName} → ${current.appName}`;
    if (current.accessId) return { resource: 'SetupEntityAccess', name, action: 'none', fields: [], status: 'unchanged' };
    const values = { ParentId: permissionSetId ?? refTo('PermissionSet', permissionSetName), SetupEntityId: current.appId };
    return {
      resource: 'SetupEntityAccess',
      name,
      action: 'create',
      fields: Object.entries(values).map(([field, to]) => ({ field, to })),
      status: 'planned',
      record: { sobject: 'SetupEntityAccess', operation: 'create', values },
    };
  }
  const policies = current.policies;
  const fullName = asString(policies?.fullName) ?? `${current.appName}_oauthPlcy`;
  const listed = (asString(policies?.commaSeparatedPermissionSet) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const has = listed.some((n) => n.toLowerCase() === permissionSetName.toLowerCase());
  const next = has ? listed : [...listed, permissionSetName];
  const content = ordered(OAUTH_POLICIES_ORDER, {
    ...(policies ?? { externalClientApplication: current.appName, label: current.appName }),
    fullName,
    commaSeparatedPermissionSet: next.join(','),
  });
  const change = metadataChange(
    { type: 'ExtlClntAppOauthConfigurablePolicies', fullName, content },
    policies ? { commaSeparatedPermissionSet: listed.join(',') } : undefined,
    { commaSeparatedPermissionSet: next.join(',') }
  );
  const adminApproved = asString(policies?.permittedUsersPolicyType) === 'AdminApprovedPreAuthorized';
  return adminApproved || change.action === 'none'
    ? change
    : {
        ...change,
        note: 'The app lets users self-authorize (permitted users "All users may self-authorize"): the permission set only limits access once permittedUsersPolicyType is AdminApprovedPreAuthorized.',
      };
};
