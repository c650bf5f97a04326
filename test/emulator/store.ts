/*
 * The in-memory org: records of every sObject, with the platform's rules applied on every write.
 * Every write path (REST, collections, composite, Bulk API 2.0, Metadata mirrors) goes through RecordOps here,
 * so a rule enforced once is enforced everywhere.
 */
import { describeObject, fieldOf, objectForKeyPrefix, SOBJECTS, SYSTEM_PERMISSION_FIELDS, TOOLING_OBJECTS } from './schema.js';
import {
  computeAccess,
  disallowedPermissions,
  grantedObjects,
  impliedObjectAccess,
  licensedObjects,
  PERMISSION_SET_LICENCE_USERS,
  permissionSetIdsOf,
  userLicenceOf,
  isPermissionableField,
  isPermissionableObject,
  objectAccess,
  objectPermissionDependency,
  userSchema,
  type AccessSource,
  type ObjectAccess,
  type UserAccess,
  objectAccessOfRecord,
} from './access.js';
import { IdFactory, normalizeId } from './ids.js';
import {
  SalesforceError,
  type FieldSchema,
  type MetadataComponent,
  type ObjectSchema,
  type OrgFlags,
  type RecordOps,
  type SObjectRecord,
  type SoqlDataSource,
} from './types.js';

/** Tables whose records make up users' permissions: a write to one of them invalidates the cached access. */
const ACCESS_TABLES = new Set([
  'user',
  'profile',
  'permissionset',
  'permissionsetassignment',
  'permissionsetlicenseassign',
  'permissionsetgroup',
  'permissionsetgroupcomponent',
  'objectpermissions',
  'fieldpermissions',
]);

/** User fields only a user manager may change, even on their own user record. */
const USER_ADMIN_FIELDS = new Set(['username', 'profileid', 'isactive', 'userroleid', 'federationidentifier', 'managerid', 'contactid']);

/** Salesforce's answer to a write the user's permissions do not allow (REST status 400 unconfirmed). */
export const insufficientAccess = (): SalesforceError =>
  new SalesforceError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', 400);

/** Objects whose records are shared between the REST and Tooling APIs (same table). */
const SHARED_TOOLING = new Set(['apexclass', 'samlssoconfig']);

/** Address field groups by object: the prefix before Street/City/State/PostalCode/Country. */
const ADDRESS_GROUPS: Record<string, string[]> = {
  User: [''],
  Lead: [''],
  Contact: ['Mailing'],
  Account: ['Billing', 'Shipping'],
};

const EMAIL_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export type Country = {
  isoCode: string;
  label: string;
  integrationValue: string;
  active: boolean;
  visible: boolean;
  states: Array<{ isoCode: string; label: string; integrationValue: string; active: boolean; visible: boolean }>;
};

const bool = (v: unknown): boolean => v === true || v === 'true';
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

export type StoreOptions = {
  orgId: string;
  flags: OrgFlags;
  /** Metadata components (AddressSettings drives the State/Country rules). */
  components: Map<string, Map<string, MetadataComponent>>;
  /** Usernames taken in other orgs (usernames are unique across all orgs). */
  foreignUsernames?: string[];
};

type Snapshot = { tables: Map<string, Map<string, SObjectRecord>>; pendingEmails: Map<string, string> };

export class OrgStore implements RecordOps, SoqlDataSource {
  public readonly ids = new IdFactory();
  /** The user the current request runs as (owner and audit fields). */
  public currentUserId = '';
  /** Clock, replaceable in tests. */
  public now: () => Date = () => new Date();
  /** New e-mail addresses waiting for the user's verification, by user id. */
  public pendingEmails = new Map<string, string>();
  public readonly foreignUsernames: Set<string>;
  /**
   * The user whose permissions the current operation is checked against (access.ts), or undefined for the platform
   * itself (seed, mirrors, the emulator's own admin token), which is not checked.
   */
  public actingUserId: string | undefined;

  private accessCache = new Map<string, UserAccess>();
  private tables = new Map<string, Map<string, SObjectRecord>>();
  private idIndex = new Map<string, string>();

  public constructor(private readonly opts: StoreOptions) {
    this.foreignUsernames = new Set((opts.foreignUsernames ?? []).map((u) => u.toLowerCase()));
    this.clear();
  }

  /** Empties every table (a new, empty org). */
  public clear(foreignUsernames?: string[]): void {
    this.accessCache.clear();
    this.actingUserId = undefined;
    this.tables = new Map();
    this.idIndex = new Map();
    this.pendingEmails = new Map();
    for (const o of [...SOBJECTS, ...TOOLING_OBJECTS]) this.tables.set(this.tableKey(o.name, o.tooling === true), new Map());
    this.ids.reset();
    if (foreignUsernames) {
      this.foreignUsernames.clear();
      for (const u of foreignUsernames) this.foreignUsernames.add(u.toLowerCase());
    }
  }

  public get flags(): OrgFlags {
    return this.opts.flags;
  }

  public newId(keyPrefix: string): string {
    return this.ids.newId(keyPrefix);
  }

  // ---------------------------------------------------------------- schema

  /** Schema as this org shows it: without StateCode/CountryCode fields unless the picklists are enabled. */
  public describe(objectName: string, opts: { tooling?: boolean } = {}): ObjectSchema | undefined {
    const schema = describeObject(objectName, opts.tooling === true);
    if (!schema) return undefined;
    if (this.flags.stateCountryPicklistsEnabled || !ADDRESS_GROUPS[schema.name]) return schema;
    const codeFields = new Set(ADDRESS_GROUPS[schema.name].flatMap((p) => [`${p}StateCode`, `${p}CountryCode`]));
    return { ...schema, fields: schema.fields.filter((fl) => !codeFields.has(fl.name)) };
  }

  // ---------------------------------------------------------------- access

  /** The effective permissions of a user (access.ts), cached until a permission record changes. */
  public accessOf(userId: string): UserAccess {
    const id = normalizeId(userId) ?? userId;
    let access = this.accessCache.get(id);
    if (!access) {
      access = computeAccess(this.accessSource(), id);
      this.accessCache.set(id, access);
    }
    return access;
  }

  private accessSource(): AccessSource {
    return { records: (o) => this.records(o), get: (o, i) => this.get(o, i), now: () => this.now() };
  }

  /** The acting user's permissions, or undefined when the platform acts. */
  public actingAccess(): UserAccess | undefined {
    return this.actingUserId ? this.accessOf(this.actingUserId) : undefined;
  }

  /** Schema as the acting user sees it (undefined: the object does not exist or the user cannot read it). */
  public describeAs(objectName: string, opts: { tooling?: boolean } = {}): ObjectSchema | undefined {
    const schema = this.describe(objectName, opts);
    const access = this.actingAccess();
    return access ? userSchema(access, schema) : schema;
  }

  /** What SOQL runs against for the acting user: the objects and fields the user can read. */
  public dataSource(): SoqlDataSource {
    if (!this.actingAccess()) return this;
    return {
      describe: (name, opts) => this.describeAs(name, opts),
      records: (name, opts) => {
        const all = this.records(name, opts);
        return name.toLowerCase() === 'entitydefinition' ? all.filter((r) => this.describeAs(String(r.QualifiedApiName), opts)) : all;
      },
      byId: (id) => this.byId(id),
    };
  }

  /** Runs fn with the given acting user (undefined: as the platform), then restores the previous one. */
  public runAs<T>(userId: string | undefined, fn: () => T): T {
    const prev = this.actingUserId;
    this.actingUserId = userId;
    try {
      return fn();
    } finally {
      this.actingUserId = prev;
    }
  }

  /**
   * Checks that the acting user may perform `op` on the object, and returns the schema the user's input is read
   * against (fields the user cannot read are unknown, fields without edit access read-only).
   */
  private authorize(schema: ObjectSchema, op: 'create' | 'edit' | 'delete', recordId?: string, fields?: Record<string, unknown>): ObjectSchema {
    const access = this.actingAccess();
    if (!access) return schema;
    const view = userSchema(access, schema);
    // An object the user cannot read is, to the user, an object that does not exist.
    if (!view) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
    const oa = objectAccess(access, schema.name);
    const allowed = op === 'create' ? oa.create : op === 'edit' ? oa.edit : oa.delete;
    if (!allowed) {
      // Every user may edit the personal fields of their own user record.
      const self = schema.name === 'User' && op === 'edit' && normalizeId(recordId) === normalizeId(access.userId);
      if (!self || Object.keys(fields ?? {}).some((k) => USER_ADMIN_FIELDS.has(k.toLowerCase()))) throw insufficientAccess();
    }
    return view;
  }

  private touch(objectName: string): void {
    if (ACCESS_TABLES.has(objectName.toLowerCase())) this.accessCache.clear();
  }

  /** EntityDefinition rows: one per sObject of the org (or of the Tooling API). */
  private entityDefinitions(tooling: boolean): SObjectRecord[] {
    const list = (tooling ? TOOLING_OBJECTS : SOBJECTS).filter((o) => o.name !== 'EntityDefinition' && o.keyPrefix);
    return list
      .map((o) => this.describe(o.name, { tooling }) ?? o)
      .map((o) => ({
        Id: o.name,
        DurableId: o.name,
        QualifiedApiName: o.name,
        DeveloperName: o.name,
        NamespacePrefix: null,
        MasterLabel: o.label,
        Label: o.label,
        PluralLabel: o.labelPlural ?? o.label,
        KeyPrefix: o.keyPrefix,
        IsCustomSetting: false,
        IsCustomizable: isPermissionableObject(o.name) || o.name === 'User',
        IsDeprecatedAndHidden: false,
        IsQueryable: o.queryable,
        IsRetrieveable: true,
        IsSearchable: isPermissionableObject(o.name) || o.name === 'User',
        IsTriggerable: o.createable || o.updateable,
        IsApexTriggerable: o.createable || o.updateable,
        IsLayoutable: isPermissionableObject(o.name) || o.name === 'User',
        IsReplicateable: isPermissionableObject(o.name) || o.name === 'User',
        IsEverCreatable: o.createable,
        IsEverUpdatable: o.updateable,
        IsEverDeletable: o.deletable,
        IsIdEnabled: true,
        IsInterface: false,
        IsFeedEnabled: false,
        IsMruEnabled: isPermissionableObject(o.name),
        IsWorkflowEnabled: isPermissionableObject(o.name) || o.name === 'User',
        IsProcessEnabled: isPermissionableObject(o.name) || o.name === 'User',
        IsCompactLayoutable: isPermissionableObject(o.name),
        InternalSharingModel: isPermissionableObject(o.name) ? 'ReadWrite' : 'None',
        ExternalSharingModel: isPermissionableObject(o.name) ? 'Private' : 'None',
      }));
  }

  private requireSchema(objectName: string, tooling = false): ObjectSchema {
    const schema = this.describe(objectName, { tooling });
    if (!schema) {
      throw new SalesforceError(
        'NOT_FOUND',
        'The requested resource does not exist',
        404
      );
    }
    return schema;
  }

  // ---------------------------------------------------------------- reading

  public records(objectName: string, opts: { tooling?: boolean; includeDeleted?: boolean } = {}): SObjectRecord[] {
    if (objectName.toLowerCase() === 'entitydefinition') return this.entityDefinitions(opts.tooling === true);
    const table = this.table(objectName, opts.tooling === true);
    if (!table) return [];
    const all = [...table.values()];
    return opts.includeDeleted ? all : all.filter((r) => r.IsDeleted !== true);
  }

  public byId(id: string): { type: string; record: SObjectRecord } | undefined {
    const norm = normalizeId(id);
    if (!norm) return undefined;
    const key = this.idIndex.get(norm);
    if (!key) return undefined;
    const record = this.tables.get(key)?.get(norm);
    if (!record) return undefined;
    const schema = objectForKeyPrefix(norm.slice(0, 3));
    return { type: schema?.name ?? key, record };
  }

  public get(objectName: string, id: string): SObjectRecord | undefined {
    const norm = normalizeId(id);
    if (!norm) return undefined;
    const rec = this.table(objectName)?.get(norm) ?? this.table(objectName, true)?.get(norm);
    return rec && rec.IsDeleted !== true ? rec : undefined;
  }

  /** First record of an object matching a predicate. */
  public find(objectName: string, pred: (r: SObjectRecord) => boolean, tooling = false): SObjectRecord | undefined {
    return this.records(objectName, { tooling }).find(pred);
  }

  // ---------------------------------------------------------------- writing

  /**
   * The request's Sforce-Duplicate-Rule-Header said allowSave=true (REST, collections, composite; set by the server
   * per request). It lets duplicates of an 'alert' rule be saved, never those of a 'block' rule.
   */
  public duplicateAllowSave = false;

  public create(objectName: string, fields: Record<string, unknown>, opts: { skipDuplicateRules?: boolean } = {}): string {
    const schema = this.requireSchema(objectName);
    const view = this.authorize(schema, 'create', undefined, fields);
    if (!schema.createable) {
      throw new SalesforceError('INVALID_TYPE', `entity type ${schema.name} does not support insert`, 400);
    }
    const values = this.normalizeInput(view, fields, 'create');
    const id = this.newId(schema.keyPrefix);
    const now = this.now().toISOString();
    const record: SObjectRecord = { Id: id };
    for (const fl of schema.fields) {
      if (fl.name === 'Id') continue;
      if (fl.name in values) record[fl.name] = values[fl.name];
      else if (fl.defaultValue !== undefined) record[fl.name] = fl.defaultValue;
      else record[fl.name] = null;
    }
    if (fieldOf(schema, 'OwnerId') && !values.OwnerId) record.OwnerId = this.currentUserId || null;
    this.stampAudit(schema, record, now, true);
    this.beforeCreate(schema, record);
    this.checkRequired(schema, record);
    this.checkReferences(schema, record, values);
    if (!opts.skipDuplicateRules) this.checkDuplicates(schema, record);
    this.insertRaw(schema, record);
    this.afterCreate(schema, record);
    return id;
  }

  public update(objectName: string, id: string, fields: Record<string, unknown>): void {
    const schema = this.requireSchema(objectName);
    if (this.actingUserId && !userSchema(this.accessOf(this.actingUserId), schema)) throw this.notFound(id);
    const existing = this.get(schema.name, id);
    if (!existing) throw this.notFound(id);
    const view = this.authorize(schema, 'edit', existing.Id, fields);
    if (!schema.updateable) {
      throw new SalesforceError('INVALID_TYPE', `entity type ${schema.name} does not support update`, 400);
    }
    const values = this.normalizeInput(view, fields, 'update');
    const next: SObjectRecord = { ...existing, ...values };
    this.beforeUpdate(schema, existing, next, values);
    this.checkRequired(schema, next);
    this.checkReferences(schema, next, values);
    if (Object.keys(values).some((k) => k.toLowerCase() === 'email')) this.checkDuplicates(schema, next);
    this.stampAudit(schema, next, this.now().toISOString(), false);
    this.table(schema.name)!.set(existing.Id, next);
    this.touch(schema.name);
    this.afterUpdate(schema, existing, next);
  }

  public delete(objectName: string, id: string): void {
    const schema = this.requireSchema(objectName);
    if (this.actingUserId && !userSchema(this.accessOf(this.actingUserId), schema)) throw this.notFound(id);
    const existing = this.get(schema.name, id);
    if (!existing) {
      const norm = normalizeId(id);
      const deleted = norm ? this.table(schema.name)?.get(norm) : undefined;
      if (deleted) throw new SalesforceError('ENTITY_IS_DELETED', 'entity is deleted', 404);
      throw this.notFound(id);
    }
    if (!schema.deletable) {
      // Salesforce does not allow deleting these records at all (Users are deactivated instead).
      throw new SalesforceError('INVALID_TYPE', 'entity type cannot be deleted', 400);
    }
    this.authorize(schema, 'delete', existing.Id);
    this.beforeDelete(schema, existing);
    this.touch(schema.name);
    if (fieldOf(schema, 'IsDeleted')) {
      existing.IsDeleted = true;
      this.stampAudit(schema, existing, this.now().toISOString(), false);
    } else {
      this.table(schema.name)!.delete(existing.Id);
      this.idIndex.delete(existing.Id);
    }
    if (schema.name === 'AuthConfigProviders') this.refreshAuthOptions();
    if (schema.name === 'PermissionSetLicenseAssign') this.refreshLicenceCounts();
  }

  public upsert(
    objectName: string,
    externalIdField: string,
    value: string,
    fields: Record<string, unknown>
  ): { id: string; created: boolean } {
    const schema = this.requireSchema(objectName);
    const access = this.actingAccess();
    if (access && !userSchema(access, schema)) throw this.notFound(value);
    const field = fieldOf(access ? userSchema(access, schema)! : schema, externalIdField);
    if (!field) {
      throw new SalesforceError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${externalIdField}`, 404);
    }
    if (!field.externalId && !field.idLookup) {
      throw new SalesforceError(
        'INVALID_FIELD',
        `Field ${field.name} is not an external ID, idLookup, or Id field and cannot be used for upsert`,
        400
      );
    }
    const matches =
      field.name === 'Id'
        ? [this.get(schema.name, value)].filter((r): r is SObjectRecord => r !== undefined)
        : this.records(schema.name).filter((r) => String(r[field.name] ?? '').toLowerCase() === value.toLowerCase());
    if (matches.length > 1) {
      const err = new SalesforceError(
        'MULTIPLE_CHOICES',
        `${field.name} matches multiple records of ${schema.name}: ${matches.map((m) => m.Id).join(', ')}`,
        300
      );
      (err as SalesforceError & { matches?: string[] }).matches = matches.map((m) => m.Id);
      throw err;
    }
    const body = { ...fields };
    delete body[field.name];
    if (matches.length === 1) {
      this.update(schema.name, matches[0].Id, body);
      return { id: matches[0].Id, created: false };
    }
    if (field.name === 'Id') throw this.notFound(value);
    return { id: this.create(schema.name, { ...body, [field.name]: value }), created: true };
  }

  /** Inserts a record as the platform itself would (seed data, mirrors): no createable checks, no rules. */
  public insertRaw(schema: ObjectSchema, record: SObjectRecord): void {
    const table = this.table(schema.name, schema.tooling === true)!;
    table.set(record.Id, record);
    this.touch(schema.name);
    this.idIndex.set(record.Id, this.tableKey(schema.name, schema.tooling === true));
  }

  /** Creates a record bypassing createable checks but still filling defaults and audit fields (seed, mirrors). */
  public createSystem(objectName: string, fields: Record<string, unknown>, opts: { tooling?: boolean; id?: string } = {}): SObjectRecord {
    const schema = describeObject(objectName, opts.tooling === true);
    if (!schema) throw new Error(`Unknown object ${objectName}`);
    const now = this.now().toISOString();
    const record: SObjectRecord = { Id: opts.id ?? this.newId(schema.keyPrefix) };
    for (const fl of schema.fields) {
      if (fl.name === 'Id') continue;
      const key = Object.keys(fields).find((k) => k.toLowerCase() === fl.name.toLowerCase());
      record[fl.name] = key !== undefined ? fields[key] : fl.defaultValue ?? null;
    }
    this.stampAudit(schema, record, now, true, true);
    if (schema.name === 'User' || schema.name === 'Contact' || schema.name === 'Lead') {
      record.Name = [record.FirstName, record.LastName].filter(Boolean).join(' ');
    }
    this.insertRaw(schema, record);
    if (schema.name === 'User') this.afterCreate(schema, record);
    return record;
  }

  /** Updates fields of a record with no rule applied (mirrors). */
  public patchSystem(objectName: string, id: string, fields: Record<string, unknown>, tooling = false): void {
    const rec = this.table(objectName, tooling)?.get(id);
    if (!rec) return;
    this.touch(objectName);
    Object.assign(rec, fields, { LastModifiedDate: this.now().toISOString(), SystemModstamp: this.now().toISOString() });
  }

  public removeSystem(objectName: string, id: string, tooling = false): void {
    this.touch(objectName);
    this.table(objectName, tooling)?.delete(id);
    this.idIndex.delete(id);
  }

  /** Runs fn; if it throws, every record change it made is rolled back. */
  public transaction<T>(fn: () => T): T {
    const snap = this.snapshot();
    try {
      return fn();
    } catch (e) {
      this.restore(snap);
      throw e;
    }
  }

  public snapshot(): Snapshot {
    return { tables: structuredClone(this.tables), pendingEmails: new Map(this.pendingEmails) };
  }

  public restore(snap: Snapshot): void {
    this.accessCache.clear();
    this.tables = structuredClone(snap.tables);
    this.pendingEmails = new Map(snap.pendingEmails);
    this.idIndex = new Map();
    for (const [key, table] of this.tables) for (const id of table.keys()) this.idIndex.set(id, key);
  }

  /** The user confirms the new e-mail address: it replaces Email. */
  public verifyEmail(userId: string): boolean {
    const norm = normalizeId(userId);
    const pending = norm ? this.pendingEmails.get(norm) : undefined;
    if (!norm || !pending) return false;
    this.patchSystem('User', norm, { Email: pending });
    this.pendingEmails.delete(norm);
    return true;
  }

  // ---------------------------------------------------------------- State/Country picklists

  /** Countries and states as AddressSettings defines them now. */
  public countries(): Country[] {
    const settings = this.opts.components.get('AddressSettings')?.get('Address')?.content as
      | { countriesAndStates?: { countries?: unknown } }
      | undefined;
    const list = asArray(settings?.countriesAndStates?.countries as Array<Record<string, unknown>> | undefined);
    return list.map((c) => ({
      isoCode: String(c.isoCode ?? ''),
      label: String(c.label ?? ''),
      integrationValue: String(c.integrationValue ?? c.label ?? ''),
      active: bool(c.active),
      visible: bool(c.visible),
      states: asArray(c.states as Array<Record<string, unknown>> | undefined).map((s) => ({
        isoCode: String(s.isoCode ?? ''),
        label: String(s.label ?? ''),
        integrationValue: String(s.integrationValue ?? s.label ?? ''),
        active: bool(s.active),
        visible: bool(s.visible),
      })),
    }));
  }

  // ---------------------------------------------------------------- login pages

  /**
   * Recomputes each AuthConfig's AuthOptionsSaml / AuthOptionsAuthProvider from its AuthConfigProviders, as the
   * object reference describes them: AuthOptionsSaml is true when at least one SAML configuration is selected for
   * the login page (and SAML is on in the single sign-on settings: without it Setup shows no SAML option);
   * AuthOptionsAuthProvider when at least one Auth. Provider is. Providers whose target is gone do not count.
   */
  public refreshAuthOptions(): void {
    const sso = this.opts.components.get('SecuritySettings')?.get('Security')?.content.singleSignOnSettings as Record<string, unknown> | undefined;
    const samlOn = bool(sso?.enableSamlLogin);
    for (const ac of this.records('AuthConfig')) {
      const targets = this.records('AuthConfigProviders')
        .filter((p) => p.AuthConfigId === ac.Id)
        .map((p) => this.byId(String(p.AuthProviderId ?? ''))?.type);
      const saml = samlOn && targets.includes('SamlSsoConfig');
      const provider = targets.includes('AuthProvider');
      if (ac.AuthOptionsSaml !== saml || ac.AuthOptionsAuthProvider !== provider) {
        this.patchSystem('AuthConfig', ac.Id, { AuthOptionsSaml: saml, AuthOptionsAuthProvider: provider });
      }
    }
  }

  // ---------------------------------------------------------------- rules

  private normalizeInput(schema: ObjectSchema, fields: Record<string, unknown>, mode: 'create' | 'update'): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const notWritable: string[] = [];
    for (const [key, raw] of Object.entries(fields)) {
      if (key === 'attributes') continue;
      if (key.toLowerCase() === 'id' && mode === 'update') continue;
      const field = fieldOf(schema, key);
      if (!field) {
        throw new SalesforceError('INVALID_FIELD', `No such column '${key}' on sobject of type ${schema.name}`, 400);
      }
      if ((mode === 'create' && !field.createable) || (mode === 'update' && !field.updateable)) {
        notWritable.push(field.name);
        continue;
      }
      out[field.name] = this.coerce(schema, field, raw);
    }
    if (notWritable.length > 0) {
      throw new SalesforceError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        400,
        notWritable
      );
    }
    return out;
  }

  private coerce(schema: ObjectSchema, field: FieldSchema, raw: unknown): unknown {
    if (raw === null || raw === undefined || raw === '') return null;
    const label = field.label ?? field.name;
    const typeError = (): SalesforceError =>
      new SalesforceError(
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of ${field.type} from VALUE_STRING value ${String(raw)} or request may be missing a required field`,
        400,
        [field.name]
      );
    switch (field.type) {
      case 'boolean':
        if (typeof raw === 'boolean') return raw;
        if (raw === 'true' || raw === 'false') return raw === 'true';
        throw typeError();
      case 'int':
      case 'double':
      case 'currency':
      case 'percent': {
        const n = typeof raw === 'number' ? raw : Number(raw);
        if (Number.isNaN(n)) throw typeError();
        return field.type === 'int' ? Math.trunc(n) : n;
      }
      case 'date': {
        const s = String(raw);
        if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(Date.parse(s))) throw typeError();
        return s.slice(0, 10);
      }
      case 'datetime': {
        const t = Date.parse(String(raw).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
        if (Number.isNaN(t)) throw typeError();
        return new Date(t).toISOString();
      }
      case 'reference': {
        const id = normalizeId(raw);
        if (!id) {
          throw new SalesforceError('MALFORMED_ID', `${label}: id value of incorrect type: ${String(raw)}`, 400, [field.name]);
        }
        return id;
      }
      default: {
        const s = typeof raw === 'string' ? raw : String(raw);
        if (field.length && s.length > field.length) {
          throw new SalesforceError(
            'STRING_TOO_LONG',
            `${label}: data value too large: ${s} (max length=${field.length})`,
            400,
            [field.name]
          );
        }
        if (field.type === 'email' && !EMAIL_RE.test(s)) {
          throw new SalesforceError('INVALID_EMAIL_ADDRESS', `${label}: invalid email address: ${s}`, 400, [field.name]);
        }
        if (field.type === 'picklist' && field.restrictedPicklist && field.picklistValues && !field.picklistValues.includes(s)) {
          throw new SalesforceError(
            'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            `${label}: bad value for restricted picklist field: ${s}`,
            400,
            [field.name]
          );
        }
        void schema;
        return s;
      }
    }
  }

  /**
   * Duplicate rules (flags.duplicateRules 'block' | 'alert'): the Lead and Contact rules, modelled as matching on Email
   * alone (exact, case-insensitive; Salesforce's standard matching rules also use fuzzy names: a simplification), on
   * create and on an edit that changes Email. A duplicate is DUPLICATES_DETECTED with the standard rules' text "You are
   * creating a duplicate record. We recommend you use an existing record instead." (as a Bulk API result quotes it in
   * forcedotcom/wsc#254). Action Block always refuses; Allow with an alert ('alert') refuses API saves unless the
   * request's Sforce-Duplicate-Rule-Header / DuplicateRuleHeader says allowSave=true ("bypass alerts and save",
   * SOAP API Developer Guide, DuplicateRuleHeader; REST API Developer Guide, "Duplicate Rule Header": "Applicable if an
   * alert is enabled for the action").
   */
  private checkDuplicates(schema: ObjectSchema, record: SObjectRecord): void {
    const mode = this.flags.duplicateRules;
    if (!mode || (schema.name !== 'Lead' && schema.name !== 'Contact')) return;
    if (mode === 'alert' && this.duplicateAllowSave) return;
    const email = String(record.Email ?? '').toLowerCase();
    if (!email) return;
    const match = this.records(schema.name).find((r) => r.Id !== record.Id && String(r.Email ?? '').toLowerCase() === email);
    if (match) throw new SalesforceError('DUPLICATES_DETECTED', 'You are creating a duplicate record. We recommend you use an existing record instead.', 400);
  }

  private checkRequired(schema: ObjectSchema, record: SObjectRecord): void {
    const missing = schema.fields
      .filter((fl) => !fl.nillable && fl.createable && !fl.defaultedOnCreate && fl.type !== 'boolean')
      .filter((fl) => record[fl.name] === null || record[fl.name] === undefined || record[fl.name] === '')
      .map((fl) => fl.name);
    if (missing.length > 0) {
      throw new SalesforceError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, 400, missing);
    }
  }

  private checkReferences(schema: ObjectSchema, record: SObjectRecord, changed: Record<string, unknown>): void {
    for (const fl of schema.fields) {
      if (fl.type !== 'reference' || !(fl.name in changed) || !record[fl.name]) continue;
      const target = this.byId(String(record[fl.name]));
      const allowed = (fl.referenceTo ?? []).map((t) => t.toLowerCase());
      if (!target || target.record.IsDeleted === true) {
        throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', 400, [fl.name]);
      }
      if (allowed.length > 0 && !allowed.includes(target.type.toLowerCase())) {
        throw new SalesforceError(
          'FIELD_INTEGRITY_EXCEPTION',
          `${fl.label ?? fl.name}: id value of incorrect type: ${String(record[fl.name])}`,
          400,
          [fl.name]
        );
      }
    }
  }

  private stampAudit(schema: ObjectSchema, record: SObjectRecord, now: string, created: boolean, keep = false): void {
    const set = (name: string, value: unknown): void => {
      if (fieldOf(schema, name) && !(keep && record[name])) record[name] = value;
    };
    if (created) {
      set('CreatedDate', now);
      set('CreatedById', this.currentUserId || null);
    }
    set('LastModifiedDate', now);
    set('LastModifiedById', this.currentUserId || null);
    set('SystemModstamp', now);
  }

  private beforeCreate(schema: ObjectSchema, record: SObjectRecord): void {
    switch (schema.name) {
      case 'User':
        this.checkUsername(String(record.Username ?? ''), undefined);
        if (!record.CommunityNickname && record.Username) {
          record.CommunityNickname = this.uniqueNickname(String(record.Username).split('@')[0]);
        } else if (record.CommunityNickname) {
          this.checkNickname(String(record.CommunityNickname), undefined);
        }
        if (record.ProfileId) {
          const profile = this.get('Profile', String(record.ProfileId));
          record.UserType = profile?.UserType ?? 'Standard';
          if (record.IsActive !== false && profile) this.checkLicence(String(profile.UserLicenseId), undefined);
        }
        record.Name = [record.FirstName, record.LastName].filter(Boolean).join(' ');
        break;
      case 'Lead':
      case 'Contact':
        record.Name = [record.FirstName, record.LastName].filter(Boolean).join(' ');
        if (schema.name === 'Lead') record.IsConverted = false;
        break;
      case 'PermissionSetAssignment':
        this.checkAssignment(record);
        break;
      case 'PermissionSetLicenseAssign':
        this.checkLicenceAssignment(record);
        break;
      case 'ObjectPermissions':
      case 'FieldPermissions':
        this.checkPermissionRecord(schema, record, undefined);
        break;
      case 'PermissionSetGroupComponent': {
        this.checkNoDuplicate('PermissionSetGroupComponent', record, ['PermissionSetGroupId', 'PermissionSetId']);
        const ps = this.get('PermissionSet', String(record.PermissionSetId ?? ''));
        if (ps && (ps.IsOwnedByProfile === true || ps.PermissionSetGroupId)) {
          throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', 'A permission set group can only include permission sets that are not owned by a profile or a group.', 400, ['PermissionSetId']);
        }
        if (ps) this.checkGroupMember(String(record.PermissionSetGroupId ?? ''), ps);
        break;
      }
      case 'SetupEntityAccess': {
        const target = this.byId(String(record.SetupEntityId ?? ''));
        record.SetupEntityType = target?.type ?? null;
        this.checkNoDuplicate('SetupEntityAccess', record, ['ParentId', 'SetupEntityId']);
        break;
      }
      case 'AuthConfigProviders': {
        this.checkNoDuplicate('AuthConfigProviders', record, ['AuthConfigId', 'AuthProviderId']);
        break;
      }
      default:
        break;
    }
    this.checkAddress(schema, record, record);
  }

  private beforeUpdate(schema: ObjectSchema, before: SObjectRecord, next: SObjectRecord, changed: Record<string, unknown>): void {
    switch (schema.name) {
      case 'Lead':
        if (before.IsConverted === true) {
          throw new SalesforceError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', 400);
        }
        next.Name = [next.FirstName, next.LastName].filter(Boolean).join(' ');
        break;
      case 'Contact':
        next.Name = [next.FirstName, next.LastName].filter(Boolean).join(' ');
        break;
      case 'User': {
        if ('Username' in changed && String(changed.Username).toLowerCase() !== String(before.Username).toLowerCase()) {
          this.checkUsername(String(changed.Username ?? ''), before.Id);
        }
        if ('CommunityNickname' in changed && changed.CommunityNickname) this.checkNickname(String(changed.CommunityNickname), before.Id);
        if ('Email' in changed && changed.Email && String(changed.Email).toLowerCase() !== String(before.Email ?? '').toLowerCase()) {
          // A changed e-mail address takes effect only once the user confirms it from the new mailbox.
          this.pendingEmails.set(before.Id, String(changed.Email));
          next.Email = before.Email;
        }
        const profileId = String(next.ProfileId);
        if ((changed.IsActive === true && before.IsActive !== true) || ('ProfileId' in changed && next.IsActive === true)) {
          const profile = this.get('Profile', profileId);
          if (profile) this.checkLicence(String(profile.UserLicenseId), before.Id);
        }
        if (changed.IsActive === false && before.IsActive !== false && this.currentUserId && normalizeId(before.Id) === normalizeId(this.currentUserId)) {
          // Salesforce does not let a user deactivate their own user record (error code and wording unconfirmed).
          throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', 'You cannot deactivate your own user record.', 400, ['IsActive']);
        }
        if ('ProfileId' in changed) next.UserType = this.get('Profile', profileId)?.UserType ?? next.UserType;
        next.Name = [next.FirstName, next.LastName].filter(Boolean).join(' ');
        break;
      }
      case 'UserLogin':
        // Object reference, UserLogin.IsPasswordLocked: "From the API, you can set this field to false, but not true"
        // (error code and wording unconfirmed).
        if (changed.IsPasswordLocked === true && before.IsPasswordLocked !== true) {
          throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', 'IsPasswordLocked can only be set to false.', 400, ['IsPasswordLocked']);
        }
        break;
      case 'ObjectPermissions':
      case 'FieldPermissions':
        this.checkPermissionRecord(schema, next, before.Id);
        break;
      default:
        break;
    }
    this.checkAddress(schema, next, changed, 'update');
  }

  private beforeDelete(schema: ObjectSchema, record: SObjectRecord): void {
    if (schema.name === 'Contact') {
      const portalUsers = this.records('User').filter((u) => u.ContactId === record.Id);
      if (portalUsers.length > 0) {
        throw new SalesforceError(
          'DELETE_FAILED',
          `Your attempt to delete ${String(record.Name)} could not be completed because it is associated with the following portal users.: ${portalUsers
            .map((u) => String(u.Username))
            .join(', ')}`,
          400
        );
      }
    }
    if (schema.name === 'PermissionSetLicenseAssign') this.checkLicenceUnassignment(record);
    if (schema.name === 'PermissionSetAssignment') {
      const ps = this.get('PermissionSet', String(record.PermissionSetId ?? ''));
      if (ps?.IsOwnedByProfile === true) {
        throw new SalesforceError('DELETE_FAILED', 'Cannot delete a permission set assignment that comes from the user\'s profile', 400);
      }
    }
  }

  private afterCreate(schema: ObjectSchema, record: SObjectRecord): void {
    if (schema.name === 'AuthConfigProviders') this.refreshAuthOptions();
    if (schema.name === 'PermissionSetLicenseAssign') this.refreshLicenceCounts();
    if (schema.name === 'PermissionSetGroup') {
      // Every group has its own aggregate permission set (Type Group), which group assignments point at.
      this.createSystem('PermissionSet', {
        Name: `X0PG${record.Id.slice(3, 15)}`,
        Label: record.MasterLabel,
        Type: 'Group',
        IsOwnedByProfile: false,
        PermissionSetGroupId: record.Id,
      });
      record.Status = 'Updated';
    }
    if (schema.name === 'User') {
      const login = describeObject('UserLogin')!;
      const now = this.now().toISOString();
      this.insertRaw(login, {
        Id: this.newId(login.keyPrefix),
        UserId: record.Id,
        IsFrozen: false,
        IsPasswordLocked: false,
        LastModifiedDate: now,
        LastModifiedById: this.currentUserId || record.Id,
      });
      // Every user holds the profile's own permission set.
      const profilePs = this.records('PermissionSet').find((p) => p.IsOwnedByProfile === true && p.ProfileId === record.ProfileId);
      if (profilePs) {
        this.insertRaw(describeObject('PermissionSetAssignment')!, {
          Id: this.newId('0Pa'),
          AssigneeId: record.Id,
          PermissionSetId: profilePs.Id,
          PermissionSetGroupId: null,
          IsActive: true,
          ExpirationDate: null,
          SystemModstamp: now,
        });
      }
      this.refreshLicenceCounts();
    }
  }

  /**
   * ObjectPermissions / FieldPermissions records: one per permission set and object (or field), on objects and fields
   * that have permissions, with the dependencies between permissions kept (Create needs Read, ...). The wording of
   * the dependency and not-permissionable messages is unconfirmed.
   */
  private checkPermissionRecord(schema: ObjectSchema, record: SObjectRecord, selfId: string | undefined): void {
    const type = String(record.SobjectType ?? '');
    const target = this.describe(type);
    if (!target || !isPermissionableObject(target.name)) {
      throw new SalesforceError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Sobject Type: bad value for restricted picklist field: ${type}`, 400, ['SobjectType']);
    }
    record.SobjectType = target.name;
    const flag = (n: string): boolean => record[n] === true;
    if (schema.name === 'ObjectPermissions') {
      const asked = objectAccessOfRecord(record);
      const broken = objectPermissionDependency(asked);
      if (broken) {
        throw new SalesforceError(
          'FIELD_INTEGRITY_EXCEPTION',
          `Permission ${broken.permission} ${target.name} depends on permission(s): ${broken.needs.map((n) => `${n} ${target.name}`).join(', ')}`,
          400
        );
      }
      this.checkNoDuplicate('ObjectPermissions', { ...record, SobjectType: target.name }, ['ParentId', 'SobjectType'], selfId);
      this.checkPermissionSetSave(String(record.ParentId ?? ''), new Map([[target.name.toLowerCase(), impliedObjectAccess(asked)]]));
      return;
    }
    const [objectPart, fieldPart] = String(record.Field ?? '').split('.');
    const field = fieldPart ? fieldOf(target, fieldPart) : undefined;
    if (objectPart?.toLowerCase() !== target.name.toLowerCase() || !field) {
      throw new SalesforceError('INVALID_FIELD', `Field: bad value for field: ${String(record.Field)}`, 400, ['Field']);
    }
    if (!isPermissionableField(target, field)) {
      throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', `Field ${target.name}.${field.name} has no field permissions: it is required or a system field.`, 400, ['Field']);
    }
    record.Field = `${target.name}.${field.name}`;
    if (flag('PermissionsEdit') && !flag('PermissionsRead')) {
      throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', `Permission Edit ${String(record.Field)} depends on permission(s): Read ${String(record.Field)}`, 400);
    }
    this.checkNoDuplicate('FieldPermissions', record, ['ParentId', 'Field'], selfId);
  }

  /** A profile's system permissions and its profile-owned permission set's are the same values. */
  private syncProfilePermissions(schema: ObjectSchema, next: SObjectRecord): void {
    const pick = (r: SObjectRecord): Record<string, unknown> => Object.fromEntries(SYSTEM_PERMISSION_FIELDS.map((n) => [n, r[n] === true]));
    if (schema.name === 'PermissionSet' && next.IsOwnedByProfile === true && next.ProfileId) {
      this.patchSystem('Profile', String(next.ProfileId), pick(next));
    } else if (schema.name === 'Profile') {
      const ps = this.records('PermissionSet').find((p) => p.IsOwnedByProfile === true && p.ProfileId === next.Id);
      if (ps) this.patchSystem('PermissionSet', ps.Id, pick(next));
    }
  }

  private afterUpdate(schema: ObjectSchema, before: SObjectRecord, next: SObjectRecord): void {
    this.syncProfilePermissions(schema, next);
    if (schema.name === 'User' && (before.IsActive !== next.IsActive || before.ProfileId !== next.ProfileId)) {
      if (before.ProfileId !== next.ProfileId) {
        for (const psa of this.records('PermissionSetAssignment')) {
          const ps = this.get('PermissionSet', String(psa.PermissionSetId ?? ''));
          if (psa.AssigneeId === next.Id && ps?.IsOwnedByProfile === true) {
            const newPs = this.records('PermissionSet').find((p) => p.IsOwnedByProfile === true && p.ProfileId === next.ProfileId);
            if (newPs) psa.PermissionSetId = newPs.Id;
          }
        }
      }
      this.refreshLicenceCounts();
    }
  }

  private checkUsername(username: string, selfId: string | undefined): void {
    const lower = username.toLowerCase();
    const taken =
      this.foreignUsernames.has(lower) ||
      this.records('User').some((u) => u.Id !== selfId && String(u.Username).toLowerCase() === lower);
    if (taken) {
      throw new SalesforceError(
        'DUPLICATE_USERNAME',
        "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address). ",
        400,
        ['Username']
      );
    }
  }

  private checkNickname(nickname: string, selfId: string | undefined): void {
    const lower = nickname.toLowerCase();
    if (this.records('User').some((u) => u.Id !== selfId && String(u.CommunityNickname ?? '').toLowerCase() === lower)) {
      throw new SalesforceError(
        'DUPLICATE_COMM_NICKNAME',
        'Duplicate Nickname.<br>Another user has already selected this nickname.<br>Please select another.',
        400,
        ['CommunityNickname']
      );
    }
  }

  private uniqueNickname(base: string): string {
    const taken = new Set(this.records('User').map((u) => String(u.CommunityNickname ?? '').toLowerCase()));
    let candidate = base.slice(0, 32);
    for (let i = 1; taken.has(candidate.toLowerCase()); i++) candidate = `${base.slice(0, 32)}${i}`;
    return candidate;
  }

  private checkLicence(licenceId: string, selfId: string | undefined): void {
    const licence = this.get('UserLicense', licenceId);
    if (!licence) return;
    const used = this.activeUsersOnLicence(licence.Id, selfId);
    if (used >= Number(licence.TotalLicenses ?? 0)) {
      throw new SalesforceError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', 400);
    }
  }

  private activeUsersOnLicence(licenceId: string, excludeUserId?: string): number {
    const profiles = new Set(this.records('Profile').filter((p) => p.UserLicenseId === licenceId).map((p) => p.Id));
    return this.records('User').filter((u) => u.Id !== excludeUserId && u.IsActive === true && profiles.has(String(u.ProfileId))).length;
  }

  /** Keeps UserLicense.UsedLicenses equal to the active users on each licence. */
  public refreshLicenceCounts(): void {
    for (const lic of this.records('UserLicense')) lic.UsedLicenses = this.activeUsersOnLicence(lic.Id);
    for (const psl of this.records('PermissionSetLicense')) psl.UsedLicenses = this.activeAssigneesOfPsl(psl.Id);
  }

  /** Active users a permission set licence is assigned to (what PermissionSetLicense.UsedLicenses counts). */
  private activeAssigneesOfPsl(pslId: string): number {
    const users = new Set(
      this.records('PermissionSetLicenseAssign')
        .filter((a) => a.PermissionSetLicenseId === pslId)
        .map((a) => String(a.AssigneeId))
    );
    return [...users].filter((u) => this.get('User', u)?.IsActive === true).length;
  }

  private pluralOf(object: string): string {
    return this.describe(object)?.labelPlural ?? object;
  }

  /**
   * DUPLICATE_VALUE when another record of the object has the same values in `keys` (the unique key of a junction
   * object); the message names the last key, as Salesforce's "duplicate value found: <field> duplicates value on
   * record with id: <id>" does.
   */
  private checkNoDuplicate(object: string, record: SObjectRecord | Record<string, unknown>, keys: string[], selfId?: string): void {
    const dup = this.records(object).find((r) => r.Id !== selfId && keys.every((k) => r[k] === record[k]));
    const field = keys[keys.length - 1];
    if (dup) throw new SalesforceError('DUPLICATE_VALUE', `duplicate value found: ${field} duplicates value on record with id: ${dup.Id}`, 400, [field]);
  }

  /**
   * A permission set licence assigned to a user (PermissionSetLicenseAssign): once per user and licence; only with a
   * user licence the PSL goes with (PERMISSION_SET_LICENCE_USERS); within the PSL's seats (TotalLicenses, counted
   * over active users). Codes: DUPLICATE_VALUE and LICENSE_LIMIT_EXCEEDED as for other assignments and licences;
   * the messages and the code of the wrong-licence refusal are unconfirmed.
   */
  private checkLicenceAssignment(record: SObjectRecord): void {
    const psl = this.get('PermissionSetLicense', String(record.PermissionSetLicenseId ?? ''));
    const user = this.get('User', String(record.AssigneeId ?? ''));
    if (!psl || !user) return; // checkReferences answers INVALID_CROSS_REFERENCE_KEY
    this.checkNoDuplicate('PermissionSetLicenseAssign', { ...record, AssigneeId: user.Id, PermissionSetLicenseId: psl.Id }, ['AssigneeId', 'PermissionSetLicenseId']);
    const licence = userLicenceOf(this.accessSource(), user);
    const allowedLicences = PERMISSION_SET_LICENCE_USERS[String(psl.DeveloperName).toLowerCase()];
    if (allowedLicences && !allowedLicences.includes(String(licence?.Name ?? '').toLowerCase())) {
      throw new SalesforceError(
        'FIELD_INTEGRITY_EXCEPTION',
        `Can't assign permission set license ${String(psl.MasterLabel)} to user ${String(user.Username)}. The permission set license isn't available for the user license ${String(licence?.Name ?? '')}.`,
        400,
        ['PermissionSetLicenseId']
      );
    }
    if (user.IsActive === true && this.activeAssigneesOfPsl(psl.Id) >= Number(psl.TotalLicenses ?? 0)) {
      throw new SalesforceError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', 400);
    }
  }

  /**
   * Removing a permission set licence from a user: refused while a permission set the user holds needs it, whether
   * it is licensed by it (PermissionSet.LicenseId) or grants what the user's licence allows only with it (Salesforce
   * Help, "Remove a Permission Set License from a User": first remove or modify the permission sets that require
   * the license). Code and message unconfirmed.
   */
  private checkLicenceUnassignment(record: SObjectRecord): void {
    const psl = this.get('PermissionSetLicense', String(record.PermissionSetLicenseId ?? ''));
    const user = this.get('User', String(record.AssigneeId ?? ''));
    if (!psl || !user) return;
    const src = this.accessSource();
    const held = permissionSetIdsOf(src, user);
    const licensed = [...held].map((id) => this.get('PermissionSet', id)).find((ps) => ps?.LicenseId === psl.Id);
    const needs = licensed ? [] : disallowedPermissions(grantedObjects(src, held), licensedObjects(src, user, { withoutPsl: psl.Id }), (o) => this.pluralOf(o));
    if (licensed !== undefined || needs.length > 0) {
      throw new SalesforceError(
        'DELETE_FAILED',
        `Can't remove permission set license ${String(psl.MasterLabel)} from user ${String(user.Username)}. ${
          licensed ? `The permission set ${String(licensed.Label ?? licensed.Name)} requires it.` : `The user's permission sets require it for the permission: ${needs[0]}`
        }`,
        400
      );
    }
  }

  /** Users a permission set is assigned to: directly, or through a permission set group that includes it. */
  private assigneesOf(psId: string): SObjectRecord[] {
    const groups = new Set(this.records('PermissionSetGroupComponent').filter((c) => c.PermissionSetId === psId).map((c) => String(c.PermissionSetGroupId)));
    const ids = new Set(
      this.records('PermissionSetAssignment')
        .filter((a) => (a.PermissionSetId === psId && !a.PermissionSetGroupId) || (a.PermissionSetGroupId && groups.has(String(a.PermissionSetGroupId))))
        .map((a) => String(a.AssigneeId))
    );
    return [...ids].map((id) => this.get('User', id)).filter((u): u is SObjectRecord => u !== undefined);
  }

  /**
   * Saving object permissions into a permission set (REST ObjectPermissions, Metadata API PermissionSet): refused
   * when the permission set is assigned to a user whose licence (with the user's permission set licences) does not
   * allow them. The message is Salesforce's (Salesforce Help, knowledge article 001233479: "Can't save permission
   * set X, which is assigned to a user with user license Y. The user license doesn't allow the permission: Read
   * Quotes"); the API error code is unconfirmed (FIELD_INTEGRITY_EXCEPTION, as for the assignment). Profiles' own
   * permission sets are not checked here.
   */
  public checkPermissionSetSave(psId: string, granted: Map<string, ObjectAccess>): void {
    const ps = this.get('PermissionSet', psId);
    if (!ps || ps.IsOwnedByProfile === true) return;
    const src = this.accessSource();
    for (const user of this.assigneesOf(ps.Id)) {
      const denied = disallowedPermissions(granted, licensedObjects(src, user), (o) => this.pluralOf(o));
      if (denied.length === 0) continue;
      throw new SalesforceError(
        'FIELD_INTEGRITY_EXCEPTION',
        `Can't save permission set ${String(ps.Label ?? ps.Name)}, which is assigned to a user with user license ${String(
          userLicenceOf(src, user)?.Name ?? ''
        )}. The user license doesn't allow the permission: ${denied[0]}`,
        400
      );
    }
  }

  /**
   * A permission set added to a group that is assigned: its object permissions must fit the licences of the group's
   * assignees, as for a save of an assigned permission set (message modelled on that one: unconfirmed).
   */
  private checkGroupMember(groupId: string, ps: SObjectRecord): void {
    const group = this.get('PermissionSetGroup', groupId);
    if (!group) return;
    const src = this.accessSource();
    const granted = grantedObjects(src, new Set([ps.Id]));
    const assignees = new Set(this.records('PermissionSetAssignment').filter((a) => a.PermissionSetGroupId === group.Id).map((a) => String(a.AssigneeId)));
    for (const id of assignees) {
      const user = this.get('User', id);
      if (!user) continue;
      const denied = disallowedPermissions(granted, licensedObjects(src, user), (o) => this.pluralOf(o));
      if (denied.length === 0) continue;
      throw new SalesforceError(
        'FIELD_INTEGRITY_EXCEPTION',
        `Can't save permission set group ${String(group.MasterLabel ?? group.DeveloperName)}, which is assigned to a user with user license ${String(
          userLicenceOf(src, user)?.Name ?? ''
        )}. The user license doesn't allow the permission: ${denied[0]}`,
        400,
        ['PermissionSetId']
      );
    }
  }

  /**
   * An assignment must not give a user object permissions the user's licence (with the user's permission set
   * licences) does not allow, through the permission set or any member of the group. Salesforce's message (Veeva
   * support article on a Salesforce Platform user; public notes on integration users: "Can't assign permission set
   * X to user Y. The user license doesn't allow the permission: Read Accounts"); code FIELD_INTEGRITY_EXCEPTION as
   * public notes report it from the REST API (not in Salesforce's documentation). A permission set licensed by a
   * permission set licence (PermissionSet.LicenseId 0PL...) needs that licence assigned to the user first. Salesforce
   * Help suggests the UI assigns the licence along with such a permission set; over the API that is unconfirmed, so
   * the emulator refuses (message unconfirmed).
   */
  private checkAssignmentLicences(record: SObjectRecord, label: string, psIds: Set<string>): void {
    const user = this.get('User', String(record.AssigneeId ?? ''));
    if (!user) return;
    const src = this.accessSource();
    const held = new Set(this.records('PermissionSetLicenseAssign').filter((a) => a.AssigneeId === user.Id).map((a) => String(a.PermissionSetLicenseId)));
    for (const id of psIds) {
      const ps = this.get('PermissionSet', id);
      const pslId = ps?.LicenseId && String(ps.LicenseId).startsWith('0PL') ? String(ps.LicenseId) : undefined;
      if (pslId && !held.has(pslId)) {
        const psl = this.get('PermissionSetLicense', pslId);
        throw new SalesforceError(
          'FIELD_INTEGRITY_EXCEPTION',
          `Can't assign permission set ${label} to user ${String(user.Username)}. The user doesn't have the permission set license: ${String(psl?.MasterLabel ?? pslId)}.`,
          400,
          ['PermissionSetId']
        );
      }
    }
    const denied = disallowedPermissions(grantedObjects(src, psIds), licensedObjects(src, user), (o) => this.pluralOf(o));
    if (denied.length > 0) {
      throw new SalesforceError(
        'FIELD_INTEGRITY_EXCEPTION',
        `Can't assign permission set ${label} to user ${String(user.Username)}. The user license doesn't allow the permission: ${denied[0]}`,
        400,
        ['PermissionSetId']
      );
    }
  }

  private checkAssignment(record: SObjectRecord): void {
    const psId = record.PermissionSetId ? String(record.PermissionSetId) : undefined;
    const groupId = record.PermissionSetGroupId ? String(record.PermissionSetGroupId) : undefined;
    if (!psId && !groupId) {
      throw new SalesforceError('REQUIRED_FIELD_MISSING', 'Required fields are missing: [PermissionSetId]', 400, ['PermissionSetId']);
    }
    if (psId && groupId) {
      throw new SalesforceError(
        'FIELD_INTEGRITY_EXCEPTION',
        'Specify either a permission set or a permission set group, not both.',
        400,
        ['PermissionSetId', 'PermissionSetGroupId']
      );
    }
    if (groupId) {
      // Salesforce stores group assignments against the group's aggregate permission set.
      const groupPs = this.records('PermissionSet').find((p) => p.PermissionSetGroupId === groupId);
      if (groupPs) record.PermissionSetId = groupPs.Id;
    } else if (psId) {
      const ps = this.get('PermissionSet', psId);
      if (ps?.IsOwnedByProfile === true) {
        throw new SalesforceError(
          'INVALID_CROSS_REFERENCE_KEY',
          "You can't assign or unassign this permission set because it's associated with a profile.",
          400,
          ['PermissionSetId']
        );
      }
      // A permission set with a user licence can only go to users whose profile has that licence
      // (object reference, PermissionSetAssignment, "User Licenses").
      if (ps?.LicenseId && String(ps.LicenseId).startsWith('100')) {
        const user = this.get('User', String(record.AssigneeId ?? ''));
        const profile = user ? this.get('Profile', String(user.ProfileId ?? '')) : undefined;
        if (user && profile && profile.UserLicenseId !== ps.LicenseId) {
          const licence = this.get('UserLicense', String(ps.LicenseId));
          throw new SalesforceError(
            'FIELD_INTEGRITY_EXCEPTION',
            `Can't assign permission set ${String(ps.Label ?? ps.Name)} to user ${String(user.Username)}. The user license doesn't match the permission set license: ${String(licence?.Name ?? ps.LicenseId)}.`,
            400,
            ['PermissionSetId']
          );
        }
      }
    }
    const dup = this.records('PermissionSetAssignment').find(
      (r) =>
        r.AssigneeId === record.AssigneeId &&
        (groupId ? r.PermissionSetGroupId === groupId : r.PermissionSetId === psId && !r.PermissionSetGroupId)
    );
    if (dup) {
      throw new SalesforceError(
        'DUPLICATE_VALUE',
        `Duplicate PermissionSetAssignment. Assignee: ${String(record.AssigneeId)}; Permission Set: ${String(groupId ?? psId)}`,
        400
      );
    }
    if (groupId) {
      const group = this.get('PermissionSetGroup', groupId);
      const ids = new Set(this.records('PermissionSetGroupComponent').filter((c) => c.PermissionSetGroupId === groupId).map((c) => String(c.PermissionSetId)));
      if (record.PermissionSetId) ids.add(String(record.PermissionSetId));
      this.checkAssignmentLicences(record, String(group?.MasterLabel ?? group?.DeveloperName ?? groupId), ids);
    } else if (psId) {
      const ps = this.get('PermissionSet', psId);
      if (ps) this.checkAssignmentLicences(record, String(ps.Label ?? ps.Name), new Set([ps.Id]));
    }
  }

  /**
   * With State and Country/Territory picklists enabled, text State/Country values must match an active
   * country's or state's integration value (not its label or ISO code); codes must be active ISO codes. Text and
   * code are kept in step: on create a code wins over a text that does not match it, on update a mismatch is
   * refused (Salesforce Help, "State and Country/Territory Picklist Field-Syncing Logic").
   */
  private checkAddress(schema: ObjectSchema, record: SObjectRecord, changed: Record<string, unknown>, mode: 'create' | 'update' = 'create'): void {
    const groups = ADDRESS_GROUPS[schema.name];
    if (!groups || !this.flags.stateCountryPicklistsEnabled) return;
    const countries = this.countries().filter((c) => c.active);
    for (const p of groups) {
      const countryField = `${p}Country`;
      const codeField = `${p}CountryCode`;
      const stateField = `${p}State`;
      const stateCodeField = `${p}StateCode`;
      if (!(countryField in changed) && !(codeField in changed) && !(stateField in changed) && !(stateCodeField in changed)) continue;
      let country: Country | undefined;
      if (codeField in changed && record[codeField]) {
        country = countries.find((c) => c.isoCode === record[codeField]);
        if (!country) throw this.badCode(codeField, record[codeField], 'country/territory');
        const text = countryField in changed && record[countryField] ? String(record[countryField]).toLowerCase() : undefined;
        if (mode === 'update' && text !== undefined && text !== country.integrationValue.toLowerCase()) throw this.badCountry(countryField);
      } else if (countryField in changed && record[countryField]) {
        const text = String(record[countryField]).toLowerCase();
        country = countries.find((c) => c.integrationValue.toLowerCase() === text);
        if (!country) throw this.badCountry(countryField);
      } else if (record[codeField]) {
        country = countries.find((c) => c.isoCode === record[codeField]);
      }
      if (country) {
        record[codeField] = country.isoCode;
        record[countryField] = country.integrationValue;
      } else if ((countryField in changed && !record[countryField]) || (codeField in changed && !record[codeField])) {
        record[codeField] = null;
        record[countryField] = null;
      }
      const stateGiven = (stateCodeField in changed && record[stateCodeField]) || (stateField in changed && record[stateField]);
      if (stateGiven) {
        const states = (country?.states ?? []).filter((s) => s.active);
        let state;
        if (stateCodeField in changed && record[stateCodeField]) {
          state = states.find((s) => s.isoCode === record[stateCodeField]);
          if (!state) throw this.badCode(stateCodeField, record[stateCodeField], 'state');
          const text = stateField in changed && record[stateField] ? String(record[stateField]).toLowerCase() : undefined;
          if (mode === 'update' && text !== undefined && text !== state.integrationValue.toLowerCase()) throw this.badState(stateField);
        } else {
          const text = String(record[stateField]).toLowerCase();
          state = states.find((s) => s.integrationValue.toLowerCase() === text);
          if (!state) throw this.badState(stateField);
        }
        record[stateCodeField] = state.isoCode;
        record[stateField] = state.integrationValue;
      }
    }
  }

  private badCountry(field: string): SalesforceError {
    return new SalesforceError(
      'FIELD_INTEGRITY_EXCEPTION',
      "There's a problem with this country, even though it may appear correct. Please select a country/territory from the list of valid countries.",
      400,
      [field]
    );
  }

  /** A code that is no active value's ISO code (the wording integrations report for BillingCountryCode and the like). */
  private badCode(field: string, value: unknown, kind: 'country/territory' | 'state'): SalesforceError {
    return new SalesforceError(
      'FIELD_INTEGRITY_EXCEPTION',
      `The ${field} field contains ${String(value)}, which isn't an available ${kind}.${kind === 'state' ? ' Your administrator can add it for you.' : ''}`,
      400,
      [field]
    );
  }

  private badState(field: string): SalesforceError {
    return new SalesforceError(
      'FIELD_INTEGRITY_EXCEPTION',
      "There's a problem with this state, even though it may appear correct. Please select a state from the list of valid states.",
      400,
      [field]
    );
  }

  private notFound(id: string): SalesforceError {
    void id;
    return new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
  }

  // ---------------------------------------------------------------- tables

  private tableKey(name: string, tooling: boolean): string {
    const lower = name.toLowerCase();
    return tooling && !SHARED_TOOLING.has(lower) ? `tooling:${lower}` : lower;
  }

  private table(name: string, tooling = false): Map<string, SObjectRecord> | undefined {
    return this.tables.get(this.tableKey(name, tooling));
  }
}
