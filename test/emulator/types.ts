/*
 * Shared types of the org emulator. Every module of the emulator (store, SOQL, REST, Bulk, SOAP)
 * speaks in these terms, so that each can be built and tested on its own.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'picklist'
  | 'multipicklist'
  | 'reference'
  | 'base64'
  | 'address'
  | 'location'
  | 'encryptedstring';

export type FieldSchema = {
  name: string;
  label?: string;
  type: FieldType;
  /** Max length for text fields. */
  length?: number;
  /** Whether null is allowed (false = required on create unless defaultedOnCreate). */
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  filterable?: boolean;
  /** The platform fills this on create (Id, CreatedDate, OwnerId, ...). */
  defaultedOnCreate?: boolean;
  /** For reference fields: the sObject types it may point to. */
  referenceTo?: string[];
  /** For reference fields: the relationship name used in SOQL (ProfileId -> Profile). */
  relationshipName?: string;
  /** For picklists: allowed values (restricted picklists reject others). */
  picklistValues?: string[];
  restrictedPicklist?: boolean;
  /** Unique (case-insensitive) across the object, e.g. User.Username. */
  unique?: boolean;
  externalId?: boolean;
  idLookup?: boolean;
  /** Value used when the field is omitted on create. */
  defaultValue?: unknown;
};

export type ObjectSchema = {
  name: string;
  label: string;
  labelPlural?: string;
  /** Three-character key prefix of record ids (User = 005, Lead = 00Q, ...). */
  keyPrefix: string;
  fields: FieldSchema[];
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  /** Child relationships, for describe and SOQL subqueries. */
  childRelationships?: Array<{ childSObject: string; field: string; relationshipName: string }>;
  /** Tooling API object (queried through /tooling/query). */
  tooling?: boolean;
};

/** A stored record: field values keyed by the schema's canonical field names; Id always present. */
export type SObjectRecord = Record<string, unknown> & { Id: string };

/** Salesforce REST error item: `[{message, errorCode, fields}]`. */
export type ApiError = {
  message: string;
  errorCode: string;
  fields?: string[];
};

/** Thrown anywhere in the emulator to answer with Salesforce's JSON error shape. */
export class SalesforceError extends Error {
  public constructor(
    public readonly errorCode: string,
    message: string,
    public readonly status = 400,
    public readonly fields: string[] = []
  ) {
    super(message);
    this.name = 'SalesforceError';
  }

  public toJSON(): ApiError {
    return { message: this.message, errorCode: this.errorCode, fields: this.fields };
  }
}

/** What the SOQL engine needs from the store. */
export type SoqlDataSource = {
  /** Schema of an object (case-insensitive name), or undefined if the object does not exist. */
  describe(objectName: string, opts?: { tooling?: boolean }): ObjectSchema | undefined;
  /** All records of an object (including deleted ones only when includeDeleted). */
  records(objectName: string, opts?: { tooling?: boolean; includeDeleted?: boolean }): SObjectRecord[];
  /** A record by id (any object), or undefined. */
  byId(id: string): { type: string; record: SObjectRecord } | undefined;
};

/** Result of one SOQL execution before pagination: rows already shaped as the REST API returns them. */
export type SoqlResult = {
  totalSize: number;
  /** Rows with `attributes: {type, url}` and nested parent objects; for COUNT() queries, empty. */
  records: Array<Record<string, unknown>>;
};

/** Record operations with every platform rule applied (required fields, uniqueness, triggers...). */
export type RecordOps = {
  /** Creates a record and returns its 18-character id; throws SalesforceError on a rule violation. */
  create(objectName: string, fields: Record<string, unknown>): string;
  /** Updates a record; throws SalesforceError (NOT_FOUND, CANNOT_UPDATE_CONVERTED_LEAD, ...). */
  update(objectName: string, id: string, fields: Record<string, unknown>): void;
  /** Deletes a record; throws SalesforceError (DELETE_FAILED, ENTITY_IS_DELETED, ...). */
  delete(objectName: string, id: string): void;
  /**
   * Upserts by an external-id or idLookup field. Throws SalesforceError with status 300
   * (errorCode MULTIPLE_RECORDS... see rest) when several records match.
   */
  upsert(objectName: string, externalIdField: string, value: string, fields: Record<string, unknown>): { id: string; created: boolean };
  /** Read one record (undefined if missing or deleted). */
  get(objectName: string, id: string): SObjectRecord | undefined;
};

/** Org-wide switches a seed file can set. */
export type OrgFlags = {
  /** State and Country/Territory picklists enabled (address fields then check values). */
  stateCountryPicklistsEnabled: boolean;
  /** Whether new ConnectedApp metadata may be created (false since Spring '26 unless Support enabled it). */
  connectedAppCreationAllowed: boolean;
  /** Org edition, as in Organization.OrganizationType. */
  edition: string;
  /** Whether the API is enabled for the edition (Professional without API add-on: false). */
  apiEnabled: boolean;
  /**
   * Duplicate rules active on Lead and Contact, matching on Email (exact, case-insensitive), with Action on Create
   * and Edit 'block' or 'alert' (Allow with an alert: saved only with allowSave=true). store.ts checkDuplicates.
   * Off (undefined) by default; seed `flags.duplicateRules` or set `emu.flags.duplicateRules`.
   */
  duplicateRules?: 'block' | 'alert';
  /**
   * Milliseconds after an OAuth app's credentials are saved during which the token endpoint does not know them yet
   * (answers invalid_client_id), as a real org does while a new app propagates. Default 0: active at once.
   */
  oauthAppActivationDelayMs?: number;
  /**
   * Login IP Ranges of the users' profiles (Profile.loginIpRanges: startAddress..endAddress, IPv4): a range with a
   * profile applies to that profile's users only, one without to every profile. When a user's profile has ranges,
   * the token endpoint (client credentials and refresh token grants) refuses requests from an address outside them
   * with invalid_grant "ip restricted", unless the app relaxes IP restrictions (ConnectedApp oauthPolicy.ipRelaxation
   * BYPASS, ECA ipRelaxationPolicyType Bypass). Default: none, no restriction.
   */
  loginIpRanges?: Array<{ start: string; end: string; profile?: string }>;
};

/** Counters of calls by API, read by tests and benchmarks. */
export type ApiCounters = {
  rest: number;
  tooling: number;
  soap: number;
  metadata: number;
  bulk: number;
  oauth: number;
  total: number;
  /** Calls that can change the org: REST/Tooling/Bulk writes, SOAP and Metadata API create/update/upsert/delete/deploy. */
  writes: number;
};

/** A stored metadata component: its type, fullName and content as a plain object tree (see metadata/xml). */
export type MetadataComponent = {
  type: string;
  fullName: string;
  /** Element values in WSDL order; nested complex values are objects, repeated elements arrays. */
  content: Record<string, unknown>;
  /** For types with a body file (Certificate .crt, ...): the body, base64 in the SOAP API. */
  body?: Buffer;
  lastModifiedDate: string;
  createdDate: string;
  id: string;
};

/** What the Metadata SOAP API handler needs from the org. */
export type MetadataContext = {
  orgId: string;
  instanceUrl: string;
  flags: OrgFlags;
  ops: RecordOps;
  /** Metadata components by type then fullName (case-insensitive lookups are the handler's job). */
  components: Map<string, Map<string, MetadataComponent>>;
  /** A new id with the given 3-char key prefix. */
  newId(keyPrefix: string): string;
  /** Id of the logged-in user. */
  userId: string;
  /** True when the SOAP SessionHeader's sessionId is a valid, unexpired access token of this org. */
  checkSession(sessionId: string): boolean;
  /** Keeps the sObject mirrors in step; call after every successful write. */
  onChange: MetadataChangeListener;
  /** Platform rules on a PermissionSet about to be saved (licences of its assignees); throws SalesforceError. */
  checkPermissionSet?(fullName: string, content: Record<string, unknown>): void;
};

/** One HTTP request as the emulator's handlers see it (paths already normalised: repeated slashes collapsed). */
export type EmuRequest = {
  method: string;
  /** Path with repeated slashes collapsed, without the query string, e.g. /services/data/v66.0/jobs/ingest/750.../batches */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: Buffer;
  /** e.g. "66.0" when the path has /vNN.N/, else undefined. */
  apiVersion?: string;
  /** The authenticated user's id (set by the server after the session check). */
  userId?: string;
  /** The client's IP address; when absent, 127.0.0.1 (the emulator listens on the loopback address). */
  remoteAddress?: string;
};

/** A handler's answer. An object body is sent as JSON (application/json;charset=UTF-8). */
export type EmuResponse = {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
};

/** Called by the Metadata API whenever a component is created, changed (component) or deleted (undefined),
 * so the org can keep the sObject/Tooling mirrors (Certificate, SamlSsoConfig, ConnectedApplication, ...) in step. */
export type MetadataChangeListener = (type: string, fullName: string, component: MetadataComponent | undefined) => void;
