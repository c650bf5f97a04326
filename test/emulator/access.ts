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
 *   which Manage Users includes) to write and View Setup and Configuration to read (read rule unconfirmed).
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
};

/** Objects whose access comes from object permissions (ObjectPermissions records). */
export const PERMISSIONABLE_OBJECTS = ['Account', 'Contact', 'Lead'];
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
  for (const op of src.records('ObjectPermissions')) {
    if (!psIds.has(String(op.ParentId))) continue;
    const key = String(op.SobjectType).toLowerCase();
    const prev = objects.get(key) ?? NONE;
    objects.set(key, {
      read: prev.read || flag(op.PermissionsRead),
      create: prev.create || flag(op.PermissionsCreate),
      edit: prev.edit || flag(op.PermissionsEdit),
      delete: prev.delete || flag(op.PermissionsDelete),
      viewAll: prev.viewAll || flag(op.PermissionsViewAllRecords),
      modifyAll: prev.modifyAll || flag(op.PermissionsModifyAllRecords),
    });
  }
  for (const [k, v] of objects) objects.set(k, impliedObjectAccess(v));
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
    if (p.PermissionsModifyAllData) return ALL;
    const own = access.objects.get(name) ?? NONE;
    return p.PermissionsViewAllData ? { ...own, read: true, viewAll: true } : own;
  }
  const rw = (read: boolean, write: boolean): ObjectAccess => ({ read: read || write, create: write, edit: write, delete: write, viewAll: read || write, modifyAll: write });
  switch (name) {
    case 'user':
    case 'userlogin':
    case 'userrole':
    case 'profile':
      // Every user reads users, roles and profiles; writing them is user management.
      return rw(true, p.PermissionsManageUsers);
    case 'permissionsetassignment':
      // Readable by every user (read rule unconfirmed); assigning needs Assign Permission Sets or Manage Users.
      return rw(true, p.PermissionsAssignPermissionSets || p.PermissionsManageUsers);
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
