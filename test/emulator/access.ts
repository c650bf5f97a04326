/*
 * Who may do what: the effective permissions of a user, computed from the records that hold them, and the
 * per-user view of the schema (describe, SOQL) that follows from them.
 *
 * One source of truth: a user's permissions are the union over the permission sets assigned to the user
 * (PermissionSetAssignment), the profile's own permission set (PermissionSet.IsOwnedByProfile) and, for a
 * permission set group, its member permission sets (PermissionSetGroupComponent). Each permission set carries
 * system permissions (PermissionSet.Permissions* booleans), object permissions (ObjectPermissions records) and
 * field permissions (FieldPermissions records). Metadata API deploys of PermissionSet write these records
 * (server.ts mirror) and readMetadata shows them (server.ts syncPermissionSetComponents).
 *
 * Salesforce's rules applied here:
 * - object permissions depend on each other: Create/Edit/Delete need Read, Delete needs Edit, View All needs Read,
 *   Modify All needs Delete and View All (so Modify All implies every other object permission);
 * - View All Data gives Read and View All on every object, Modify All Data every object permission;
 * - field-level security hides fields without Read; fields without Edit are read-only. Required fields and the
 *   system fields (Id, Name, OwnerId, audit fields) have no field permissions: always readable;
 * - setup objects have no object permissions: User is readable by every user, writable with Manage Users (a user may
 *   edit their own personal fields); PermissionSetAssignment needs Assign Permission Sets (or Manage Users);
 *   permission sets and their object/field permissions need Manage Users ("Manage Profiles and Permission Sets",
 *   which Manage Users includes) to write and View Setup and Configuration to read (read rule unconfirmed);
 * - user licences limit object permissions (USER_LICENCE_OBJECTS), permission set licences assigned to the user
 *   (PermissionSetLicenseAssign) extend them (PERMISSION_SET_LICENCE_OBJECTS): assignments and saves that would give
 *   a user more are refused (store.ts), and what a user holds anyway is cut to them here.
 */
import { SYSTEM_PERMISSION_FIELDS } from './schema.js';
import type { FieldSchema, ObjectSchema, SObjectRecord } from './types.js';

export type ObjectAccess = { read: boolean; create: boolean; edit: boolean; delete: boolean; viewAll: boolean; modifyAll: boolean };
export type FieldAccess = { read: boolean; edit: boolean };

export type UserAccess = {
  userId: string;
  /** System permissions by field name (PermissionsApiEnabled, ...), after their implications. */
  perms: Record<string, boolean>;
  /** Object permissions of the CRM objects, by lower-cased object name, after their implications. */
  objects: Map<string, ObjectAccess>;
  /** Field permissions by lower-cased "Object.Field". */
  fields: Map<string, FieldAccess>;
  /** Ids of the permission sets the permissions come from. */
  permissionSetIds: Set<string>;
  /** The object permissions the user's licences allow, by lower-cased object (undefined: not restricted). */
  licensed?: Map<string, ObjectAccess>;
};

/** Objects whose access comes from object permissions (ObjectPermissions records). */
export const PERMISSIONABLE_OBJECTS = ['Account', 'Contact', 'Lead', 'Opportunity'];
const PERMISSIONABLE = new Set(PERMISSIONABLE_OBJECTS.map((o) => o.toLowerCase()));

export const isPermissionableObject = (name: string): boolean => PERMISSIONABLE.has(name.toLowerCase());

/** Fields that have no field-level security: always readable when the object is. */
const SYSTEM_FIELDS = new Set(['id', 'isdeleted', 'name', 'ownerid', 'createddate', 'createdbyid', 'lastmodifieddate', 'lastmodifiedbyid', 'systemmodstamp']);

/** Whether a field carries field permissions (FieldPermissions): not required, not a system field. */
export const isPermissionableField = (schema: ObjectSchema, field: FieldSchema): boolean =>
  isPermissionableObject(schema.name) && field.nillable && !SYSTEM_FIELDS.has(field.name.toLowerCase());

/** What the access computation reads from the org. */
export type AccessSource = {
  records(objectName: string): SObjectRecord[];
  get(objectName: string, id: string): SObjectRecord | undefined;
  now(): Date;
};

const NONE: ObjectAccess = { read: false, create: false, edit: false, delete: false, viewAll: false, modifyAll: false };
const ALL: ObjectAccess = { read: true, create: true, edit: true, delete: true, viewAll: true, modifyAll: true };

/** Applies the dependencies between object permissions: a permission implies those it depends on. */
export const impliedObjectAccess = (a: ObjectAccess): ObjectAccess => {
  const modifyAll = a.modifyAll;
  const viewAll = a.viewAll || modifyAll;
  const del = a.delete || modifyAll;
  const edit = a.edit || del;
  const create = a.create;
  const read = a.read || create || edit || viewAll;
  return { read, create: create || modifyAll, edit, delete: del, viewAll, modifyAll };
};

/** The dependency a set of object permissions breaks (as a record would be refused), or undefined. */
export const objectPermissionDependency = (a: ObjectAccess): { permission: string; needs: string[] } | undefined => {
  const needs = (cond: boolean, permission: string, list: Array<[boolean, string]>): { permission: string; needs: string[] } | undefined => {
    if (!cond) return undefined;
    const missing = list.filter(([has]) => !has).map(([, n]) => n);
    return missing.length ? { permission, needs: missing } : undefined;
  };
  return (
    needs(a.modifyAll, 'Modify All', [[a.read, 'Read'], [a.edit, 'Edit'], [a.delete, 'Delete'], [a.viewAll, 'View All']]) ??
    needs(a.viewAll, 'View All', [[a.read, 'Read']]) ??
    needs(a.delete, 'Delete', [[a.read, 'Read'], [a.edit, 'Edit']]) ??
    needs(a.edit, 'Edit', [[a.read, 'Read']]) ??
    needs(a.create, 'Create', [[a.read, 'Read']])
  );
};

const flag = (v: unknown): boolean => v === true || v === 'true';

// ---------------------------------------------------------------- licences

const CRM_ALL: Record<string, ObjectAccess> = { account: ALL, contact: ALL, lead: ALL, opportunity: ALL };

/**
 * The object permissions each user licence allows, by licence name (UserLicense.Name, lower-cased): a permission
 * set granting more cannot be assigned to a user on that licence, and what a user holds anyway is cut to it.
 * Salesforce: every CRM object.
 * Salesforce Platform: Accounts and Contacts with every permission (Read, Create, Edit, Delete, View All, Modify
 * All), no Leads (Salesforce Help, "Features Available with Lightning Platform Starter, Lightning Platform Plus,
 * and Salesforce Platform Login Licenses": Leads are not in its table; the Veeva article on "The user license
 * doesn't allow the permission" is a Platform-licence case).
 * Salesforce Integration: none by itself; the Salesforce API Integration permission set licence adds the standard
 * objects (Salesforce Help, "Give Integration Users API Only Access": the licence "makes the Minimum Access - API
 * Only Integrations profile and the Salesforce API Integration permission set license available", the PSL
 * "expands what is allowed").
 * Identity and Customer Community: none here. Identity users have no CRM object access; Customer Community has no
 * Leads (Partner Community has them), what it allows on Accounts and Contacts is unconfirmed, so none.
 * A licence not in this table (a seed's own) is not restricted.
 */
export const USER_LICENCE_OBJECTS: Record<string, Record<string, ObjectAccess>> = {
  salesforce: CRM_ALL,
  'salesforce platform': { account: ALL, contact: ALL },
  'salesforce integration': {},
  identity: {},
  'customer community': {},
};

/** What a permission set licence adds to a user's licence, by PermissionSetLicense.DeveloperName (lower-cased). */
export const PERMISSION_SET_LICENCE_OBJECTS: Record<string, Record<string, ObjectAccess>> = {
  // Standard-object access for Salesforce Integration users; View All / Modify All with it is unconfirmed (allowed).
  salesforceapiintegrationpsl: CRM_ALL,
};

/**
 * The user licences (UserLicense.Name, lower-cased) a permission set licence can be assigned with. The Salesforce
 * API Integration PSL comes with the Salesforce Integration licence (Salesforce Help, "Give Integration Users API
 * Only Access"); that it cannot go to users on other licences is unconfirmed. PSLs not listed go to anyone.
 */
export const PERMISSION_SET_LICENCE_USERS: Record<string, string[]> = {
  salesforceapiintegrationpsl: ['salesforce integration'],
};

const OBJECT_PERMISSION_LABELS: Array<[keyof ObjectAccess, string]> = [
  ['read', 'Read'],
  ['create', 'Create'],
  ['edit', 'Edit'],
  ['delete', 'Delete'],
  ['viewAll', 'View All'],
  ['modifyAll', 'Modify All'],
];

/** The user licence (UserLicense record) of a user, through the profile. */
export const userLicenceOf = (src: AccessSource, user: SObjectRecord): SObjectRecord | undefined => {
  const profile = src.get('Profile', String(user.ProfileId ?? ''));
  return profile ? src.get('UserLicense', String(profile.UserLicenseId ?? '')) : undefined;
};

/** The permission set licences (PermissionSetLicense records) assigned to a user. */
export const permissionSetLicencesOf = (src: AccessSource, userId: string): SObjectRecord[] =>
  src
    .records('PermissionSetLicenseAssign')
    .filter((a) => a.AssigneeId === userId)
    .map((a) => src.get('PermissionSetLicense', String(a.PermissionSetLicenseId ?? '')))
    .filter((l): l is SObjectRecord => l !== undefined);

/**
 * The object permissions a user's licence and assigned permission set licences allow, by lower-cased object
 * (undefined: not restricted). `withoutPsl`: a PSL id not to count (what removing it would leave).
 */
export const licensedObjects = (
  src: AccessSource,
  user: SObjectRecord,
  opts: { withoutPsl?: string } = {}
): Map<string, ObjectAccess> | undefined => {
  const licence = userLicenceOf(src, user);
  const base = licence ? USER_LICENCE_OBJECTS[String(licence.Name).toLowerCase()] : undefined;
  if (!base) return undefined;
  const allowed = new Map<string, ObjectAccess>(Object.entries(base));
  for (const psl of permissionSetLicencesOf(src, user.Id)) {
    if (psl.Id === opts.withoutPsl) continue;
    for (const [o, a] of Object.entries(PERMISSION_SET_LICENCE_OBJECTS[String(psl.DeveloperName).toLowerCase()] ?? {})) {
      const prev = allowed.get(o) ?? NONE;
      allowed.set(o, Object.fromEntries(OBJECT_PERMISSION_LABELS.map(([k]) => [k, prev[k] || a[k]])) as ObjectAccess);
    }
  }
  return allowed;
};

/** What an ObjectPermissions record grants, as its Permissions* fields say (before implications). */
export const objectAccessOfRecord = (r: Record<string, unknown>): ObjectAccess => ({
  read: flag(r.PermissionsRead),
  create: flag(r.PermissionsCreate),
  edit: flag(r.PermissionsEdit),
  delete: flag(r.PermissionsDelete),
  viewAll: flag(r.PermissionsViewAllRecords),
  modifyAll: flag(r.PermissionsModifyAllRecords),
});

/** What a PermissionSet metadata objectPermissions entry grants (allowRead, ...), before implications. */
export const objectAccessOfMetadata = (op: Record<string, unknown>): ObjectAccess => ({
  read: flag(op.allowRead),
  create: flag(op.allowCreate),
  edit: flag(op.allowEdit),
  delete: flag(op.allowDelete),
  viewAll: flag(op.viewAllRecords),
  modifyAll: flag(op.modifyAllRecords),
});

/** The object permissions of permission sets (the ObjectPermissions records, with their implications), by object. */
export const grantedObjects = (src: AccessSource, psIds: Set<string>): Map<string, ObjectAccess> => {
  const objects = new Map<string, ObjectAccess>();
  for (const op of src.records('ObjectPermissions')) {
    if (!psIds.has(String(op.ParentId))) continue;
    const key = String(op.SobjectType).toLowerCase();
    const prev = objects.get(key) ?? NONE;
    const a = objectAccessOfRecord(op);
    objects.set(key, {
      read: prev.read || a.read,
      create: prev.create || a.create,
      edit: prev.edit || a.edit,
      delete: prev.delete || a.delete,
      viewAll: prev.viewAll || a.viewAll,
      modifyAll: prev.modifyAll || a.modifyAll,
    });
  }
  for (const [k, v] of objects) objects.set(k, impliedObjectAccess(v));
  return objects;
};

/**
 * The object permissions granted that the allowed ones do not include, as Salesforce names them in its errors
 * ("Read Leads", "Create Contacts": the permission and the object's plural label), in a stable order.
 * `pluralOf` gives an object's plural label from its lower-cased name.
 */
export const disallowedPermissions = (
  granted: Map<string, ObjectAccess>,
  allowed: Map<string, ObjectAccess> | undefined,
  pluralOf: (object: string) => string
): string[] => {
  if (!allowed) return [];
  const out: string[] = [];
  for (const [object, a] of granted) {
    const ok = allowed.get(object) ?? NONE;
    for (const [k, label] of OBJECT_PERMISSION_LABELS) if (a[k] && !ok[k]) out.push(`${label} ${pluralOf(object)}`);
  }
  return out;
};

/** The permission sets a user holds: assigned ones (unexpired), the profile's own, and the members of assigned groups. */
export const permissionSetIdsOf = (src: AccessSource, user: SObjectRecord): Set<string> => {
  const ids = new Set<string>();
  const now = src.now().getTime();
  const profilePs = src.records('PermissionSet').find((p) => p.IsOwnedByProfile === true && p.ProfileId === user.ProfileId);
  if (profilePs) ids.add(profilePs.Id);
  for (const a of src.records('PermissionSetAssignment')) {
    if (a.AssigneeId !== user.Id || a.IsActive === false) continue;
    if (a.ExpirationDate && Date.parse(String(a.ExpirationDate)) <= now) continue;
    if (a.PermissionSetId) ids.add(String(a.PermissionSetId));
    const groupId = a.PermissionSetGroupId ? String(a.PermissionSetGroupId) : undefined;
    if (groupId) {
      for (const c of src.records('PermissionSetGroupComponent')) if (c.PermissionSetGroupId === groupId) ids.add(String(c.PermissionSetId));
      const aggregate = src.records('PermissionSet').find((p) => p.PermissionSetGroupId === groupId);
      if (aggregate) ids.add(aggregate.Id);
    }
  }
  return ids;
};

/** The effective permissions of a user (no user: none at all). */
export const computeAccess = (src: AccessSource, userId: string): UserAccess => {
  const user = src.get('User', userId);
  const perms: Record<string, boolean> = Object.fromEntries(SYSTEM_PERMISSION_FIELDS.map((n) => [n, false]));
  const objects = new Map<string, ObjectAccess>();
  const fields = new Map<string, FieldAccess>();
  const access: UserAccess = { userId, perms, objects, fields, permissionSetIds: new Set() };
  if (!user) return access;
  const psIds = permissionSetIdsOf(src, user);
  access.permissionSetIds = psIds;
  for (const id of psIds) {
    const ps = src.get('PermissionSet', id);
    if (!ps) continue;
    for (const n of SYSTEM_PERMISSION_FIELDS) if (flag(ps[n])) perms[n] = true;
  }
  // System permissions that include others (Salesforce enables the dependencies with them).
  if (perms.PermissionsModifyAllData) perms.PermissionsViewAllData = true;
  if (perms.PermissionsManageUsers) perms.PermissionsAssignPermissionSets = true;
  if (perms.PermissionsManageUsers || perms.PermissionsCustomizeApplication || perms.PermissionsModifyMetadata || perms.PermissionsModifyAllData) {
    perms.PermissionsViewSetup = true;
  }
  for (const [k, v] of grantedObjects(src, psIds)) objects.set(k, v);
  // Belt and braces: what the user's licence (and permission set licences) does not allow is not had, whatever the
  // permission sets say (e.g. a permission set assigned before a permission set licence was removed).
  access.licensed = licensedObjects(src, user);
  for (const fp of src.records('FieldPermissions')) {
    if (!psIds.has(String(fp.ParentId))) continue;
    const key = String(fp.Field).toLowerCase();
    const prev = fields.get(key) ?? { read: false, edit: false };
    const edit = prev.edit || flag(fp.PermissionsEdit);
    fields.set(key, { read: prev.read || edit || flag(fp.PermissionsRead), edit });
  }
  return access;
};

/** What a user may do with an object, before the object's own capabilities (createable, ...) are applied. */
export const objectAccess = (access: UserAccess, objectName: string): ObjectAccess => {
  const p = access.perms;
  const name = objectName.toLowerCase();
  if (PERMISSIONABLE.has(name)) {
    const own = access.objects.get(name) ?? NONE;
    const had = p.PermissionsModifyAllData ? ALL : p.PermissionsViewAllData ? { ...own, read: true, viewAll: true } : own;
    if (!access.licensed) return had;
    const ok = access.licensed.get(name) ?? NONE;
    return Object.fromEntries(OBJECT_PERMISSION_LABELS.map(([k]) => [k, had[k] && ok[k]])) as ObjectAccess;
  }
  const rw = (read: boolean, write: boolean): ObjectAccess => ({ read: read || write, create: write, edit: write, delete: write, viewAll: read || write, modifyAll: write });
  switch (name) {
    case 'userlogin':
      // Object reference, UserLogin: "To access this object, you need the UserPermissions.ManageUsers permission."
      return rw(p.PermissionsManageUsers, p.PermissionsManageUsers);
    case 'user':
    case 'userrole':
    case 'profile':
      // Every user reads users, roles and profiles; writing them is user management.
      return rw(true, p.PermissionsManageUsers);
    case 'permissionsetassignment':
      // Readable by every user (read rule unconfirmed); assigning needs Assign Permission Sets or Manage Users.
      return rw(true, p.PermissionsAssignPermissionSets || p.PermissionsManageUsers);
    case 'permissionsetlicenseassign':
      // Object reference, PermissionSetLicenseAssign: readable with View Setup and Configuration or Assign Permission
      // Sets; assigning and removing a permission set licence needs Manage Users (Salesforce Help, "Assign a
      // Permission Set License to a User", "Remove a Permission Set License from a User").
      return rw(p.PermissionsViewSetup || p.PermissionsAssignPermissionSets, p.PermissionsManageUsers);
    case 'permissionset':
    case 'permissionsetgroup':
    case 'permissionsetgroupcomponent':
    case 'objectpermissions':
    case 'fieldpermissions':
    case 'setupentityaccess':
      return rw(p.PermissionsViewSetup, p.PermissionsManageUsers);
    case 'authconfig':
    case 'authconfigproviders':
    case 'authprovider':
    case 'samlssoconfig':
    case 'connectedapplication':
    case 'apexclass':
    case 'certificate':
    case 'sandboxprocess':
      return rw(p.PermissionsViewSetup, p.PermissionsCustomizeApplication || p.PermissionsModifyMetadata || p.PermissionsModifyAllData);
    default:
      // Organization, licences, EntityDefinition: readable by every user, never written through the API.
      return rw(true, p.PermissionsModifyAllData);
  }
};

/** Field-level security of a field for a user. */
export const fieldAccess = (access: UserAccess, schema: ObjectSchema, field: FieldSchema): FieldAccess => {
  if (!isPermissionableField(schema, field)) return { read: true, edit: true };
  return access.fields.get(`${schema.name}.${field.name}`.toLowerCase()) ?? { read: false, edit: false };
};

/**
 * The schema as the user sees it: undefined for an object the user cannot read; fields without field-level read
 * left out; createable / updateable / deletable and field createable / updateable as the user may use them.
 * User is readable by everyone but (without Manage Users) neither createable nor updateable.
 */
export const userSchema = (access: UserAccess, schema: ObjectSchema | undefined): ObjectSchema | undefined => {
  if (!schema) return undefined;
  const oa = objectAccess(access, schema.name);
  if (!oa.read) return undefined;
  const fields: FieldSchema[] = [];
  for (const fl of schema.fields) {
    const fa = fieldAccess(access, schema, fl);
    if (!fa.read) continue;
    fields.push(fa.edit ? fl : { ...fl, createable: false, updateable: false });
  }
  return {
    ...schema,
    fields,
    createable: schema.createable && oa.create,
    updateable: schema.updateable && oa.edit,
    deletable: schema.deletable && oa.delete,
    queryable: schema.queryable,
  };
};
