/*
 * Plans: what a resource would change in the org to reach a desired state.
 *
 * Every resource reads its current state, compares it with the desired state in a pure `plan` function and hands
 * back a list of changes; `apply` carries them out. `--dry-run` prints the plan, `--output-dir` writes the
 * components the plan carries as source-format files, and a second run of the same command plans no change.
 */

export type ChangeAction = 'create' | 'update' | 'delete' | 'none';

/** What happened to a change: planned (dry run), applied, failed, unchanged (nothing to do), written (--output-dir). */
export type ChangeStatus = 'planned' | 'applied' | 'failed' | 'unchanged' | 'written';

export type FieldChange = {
  field: string;
  from?: unknown;
  to?: unknown;
};

/** A metadata component to write with the Metadata API or as a source-format file. Keys in WSDL order. */
export type MetadataComponent = {
  type: string;
  fullName: string;
  content: Record<string, unknown>;
  /** The body of a MetadataWithContent type (a certificate's .crt); empty for a certificate Salesforce generates. */
  body?: string;
};

/** A record operation on an sObject (for what has no metadata type, such as login-page providers). */
export type RecordOperation = {
  sobject: string;
  operation: 'create' | 'delete';
  id?: string;
  values?: Record<string, unknown>;
};

export type Change = {
  /** The kind of org resource: a metadata type name or an sObject name. */
  resource: string;
  /** Its name in the org (a metadata fullName, or a label for records). */
  name: string;
  action: ChangeAction;
  fields: FieldChange[];
  status: ChangeStatus;
  /** Why a change is planned or refused, in words for the admin. */
  note?: string;
  error?: { code?: string; message: string };
  /** Set when applying means writing metadata. Never holds secrets: they travel outside plans. */
  metadata?: MetadataComponent;
  record?: RecordOperation;
  /**
   * Keys (`changeKey`: '<resource>:<name>') of earlier changes this one must follow, beyond those its references
   * name (a deletion of a child before its parent, say). Apply sends no change before what it depends on, and none
   * at all when that failed.
   */
  dependsOn?: string[];
};

export const hasChanges = (changes: Change[]): boolean => changes.some((c) => c.action !== 'none');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------- references

/** What a reference takes from the change it names: the org id of what that change created or updated. */
export type RefField = 'id';

/**
 * A value one change takes from the result of another change of the same plan, in place of the value itself: a record
 * value or a metadata content field such as `{ ref: 'PermissionSet:Lead_Sync', field: 'id' }` (a SetupEntityAccess's
 * ParentId). Apply sends the referring change after the one it names, with the reference replaced by the value, and
 * does not send it when that change failed. A plan shows it as "(id of PermissionSet Lead_Sync)".
 */
export type ChangeRef = { ref: string; field: RefField };

/** The key a change is referred to by: '<resource>:<name>'. */
export const changeKey = (c: { resource: string; name: string }): string => `${c.resource}:${c.name}`;

/** A reference to the `field` of the change to `resource` `name` in the same plan. */
export const refTo = (resource: string, name: string, field: RefField = 'id'): ChangeRef => ({ ref: changeKey({ resource, name }), field });

export const isRef = (v: unknown): v is ChangeRef =>
  isObject(v) && typeof v.ref === 'string' && v.field === 'id' && Object.keys(v).length === 2;

/** Every reference in a value (record values, metadata content), depth first. */
export const refsIn = (v: unknown): ChangeRef[] => {
  if (isRef(v)) return [v];
  if (Array.isArray(v)) return v.flatMap(refsIn);
  if (isObject(v)) return Object.values(v).flatMap(refsIn);
  return [];
};

/** The value with every reference replaced by what `resolve` gives for it (other values as they are). */
export const replaceRefs = (v: unknown, resolve: (r: ChangeRef) => unknown): unknown => {
  if (isRef(v)) return resolve(v);
  if (Array.isArray(v)) return v.map((x) => replaceRefs(x, resolve));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceRefs(x, resolve)]));
  return v;
};

/** The keys of the changes a change depends on: those its record values and metadata content refer to, and dependsOn. */
export const dependenciesOf = (c: Change): string[] => [
  ...new Set([...refsIn(c.record?.values), ...refsIn(c.metadata?.content)].map((r) => r.ref).concat(c.dependsOn ?? [])),
];

/** Structural equality for metadata values: 'true' equals true, numbers equal their strings, arrays by order. */
export const sameValue = (a: unknown, b: unknown): boolean => {
  const norm = (v: unknown): unknown => (v === undefined || v === null || v === '' ? undefined : typeof v === 'boolean' || typeof v === 'number' ? String(v) : v);
  const x = norm(a);
  const y = norm(b);
  if (Array.isArray(x) || Array.isArray(y)) {
    const xa = Array.isArray(x) ? x : x === undefined ? [] : [x];
    const ya = Array.isArray(y) ? y : y === undefined ? [] : [y];
    return xa.length === ya.length && xa.every((v, i) => sameValue(v, ya[i]));
  }
  if (isObject(x) || isObject(y)) {
    if (!isObject(x) || !isObject(y)) return false;
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    return [...keys].every((k) => sameValue(x[k], y[k]));
  }
  return x === y;
};

/**
 * The fields whose desired value differs from the current one. Only fields the desired state names are compared:
 * what the command does not manage is left as the org has it.
 */
export const diffFields = (current: Record<string, unknown> | undefined, desired: Record<string, unknown>): FieldChange[] =>
  Object.entries(desired)
    .filter(([k, v]) => v !== undefined && !sameValue(current?.[k], v))
    .map(([field, to]) => ({ field, from: current?.[field], to }));

/** A change that creates, updates or leaves alone one metadata component. */
export const metadataChange = (
  component: MetadataComponent,
  current: Record<string, unknown> | undefined,
  desired: Record<string, unknown>,
  opts: { note?: string; exists?: boolean } = {}
): Change => {
  const exists = opts.exists ?? current !== undefined;
  const fields = exists ? diffFields(current, desired) : Object.entries(desired).filter(([, v]) => v !== undefined).map(([field, to]) => ({ field, to }));
  const action: ChangeAction = !exists ? 'create' : fields.length ? 'update' : 'none';
  return {
    resource: component.type,
    name: component.fullName,
    action,
    fields,
    status: action === 'none' ? 'unchanged' : 'planned',
    metadata: component,
    ...(opts.note ? { note: opts.note } : {}),
  };
};

/** Short printable form of a value in a plan (long certificates and blobs are abbreviated). */
export const displayValue = (v: unknown): string => {
  if (v === undefined || v === null || v === '') return '(none)';
  if (isRef(v)) return `(${v.field} of ${v.ref.replace(':', ' ')})`;
  if (typeof v === 'string') return v.length > 60 ? `${v.slice(0, 24)}…${v.slice(-12)} (${v.length} chars)` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const json = JSON.stringify(v);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
};

/** Rows a table shows per change before it sums up the rest (--json always has every field). */
export const MAX_ROWS_PER_CHANGE = 25;

/** One row per field change (or one per change without fields), for tables and logs; long changes are cut short. */
export const planRows = (
  changes: Change[],
  maxRowsPerChange = MAX_ROWS_PER_CHANGE
): Array<{ action: string; resource: string; name: string; field: string; from: string; to: string; status: string }> =>
  changes.flatMap((c) => {
    const base = { action: c.action === 'none' ? 'no change' : c.action, resource: c.resource, name: c.name, status: c.status };
    if (c.action === 'none' || c.fields.length === 0 || c.action === 'delete') return [{ ...base, field: '', from: '', to: '' }];
    const shown = c.fields.length > maxRowsPerChange ? c.fields.slice(0, maxRowsPerChange - 1) : c.fields;
    const rows = shown.map((f) => ({
      ...base,
      field: f.field,
      from: c.action === 'create' ? '' : displayValue(f.from),
      to: displayValue(f.to),
    }));
    const rest = c.fields.length - shown.length;
    return rest > 0 ? [...rows, { ...base, field: `… and ${rest} more field(s) (--json lists them all)`, from: '', to: '' }] : rows;
  });
