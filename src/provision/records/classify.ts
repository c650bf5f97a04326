/*
 * What a sync does with each person, decided from the input row and the org's records that share its key (pure: no
 * org calls). PingOne's switches are here: create, update, delete and disable each allowed on its own, and the remove
 * action for people who left the source. So are Salesforce's rules, each with its reason: a converted Lead is not
 * updated (its Contact is, or nothing is), a Contact of a portal or community user is not deleted (disabled instead,
 * or skipped), several records for one key are reported and never guessed between.
 */

export type SyncObject = 'Lead' | 'Contact';
export type Permission = 'create' | 'update' | 'delete' | 'disable';
export type RemoveAction = 'delete' | 'disable' | 'none';

export type SyncRules = {
  object: SyncObject;
  /** The field people are matched on (Email), compared case-insensitively as Salesforce compares email. */
  match: string;
  allow: Set<Permission>;
  removeAction: RemoveAction;
  /** The field and value that mark a record disabled (Status = "Closed - Not Converted"). */
  disable?: { field: string; value: string };
  /** Fields the source left empty are cleared in Salesforce (otherwise they are left as they are). */
  clearEmpty: boolean;
};

/** A record of the org with the fields the sync compares. */
export type OrgRecord = {
  Id: string;
  values: Record<string, unknown>;
  /** Lead: converted, and the Contact it became. */
  isConverted?: boolean;
  convertedContactId?: string;
  /** Contact: a portal or community user is linked to it. */
  portalUser?: boolean;
};

export type Action = 'create' | 'update' | 'delete' | 'disable' | 'none' | 'skip' | 'error';

/** What to do with one person (or one org record that left the source). */
export type Decision = {
  key: string;
  /** The input row (absent for records that left the source). */
  row?: number;
  action: Action;
  /** The object written: a converted Lead's change goes to its Contact. */
  object: string;
  id?: string;
  /** The fields to write (create, update, disable); null clears. */
  values?: Record<string, unknown>;
  /** Why: a skip, an error, or a note on what was done instead (a converted Lead's Contact). */
  code?: string;
  message?: string;
};

export const normalizeKey = (v: unknown): string => (typeof v === 'string' ? v.trim().toLowerCase() : v === undefined || v === null ? '' : String(v).trim().toLowerCase());

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const isEmail = (v: string): boolean => EMAIL.test(v) && v.length <= 80;

/** No value: undefined, null, or blank text. */
export const isEmpty = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Values compare as the org stores them: text trimmed, numbers and booleans as text, empty as empty. */
const same = (a: unknown, b: unknown, caseInsensitive = false): boolean => {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (isEmpty(a) || isEmpty(b)) return false;
  const x = String(a).trim();
  const y = String(b).trim();
  return caseInsensitive ? x.toLowerCase() === y.toLowerCase() : x === y;
};

/** The fields whose input value differs from the record's; empty input values clear only with clearEmpty. */
export const changedValues = (input: Record<string, unknown>, current: Record<string, unknown>, rules: Pick<SyncRules, 'clearEmpty' | 'match'>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(input)) {
    if (isEmpty(v)) {
      if (rules.clearEmpty && !isEmpty(current[field])) out[field] = null;
      continue;
    }
    if (!same(v, current[field], field.toLowerCase() === rules.match.toLowerCase())) out[field] = typeof v === 'string' ? v.trim() : v;
  }
  return out;
};

const skip = (d: Omit<Decision, 'action'>, code: string, message: string): Decision => ({ ...d, action: 'skip', code, message });

const nonEmpty = (values: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(values).filter(([, v]) => !isEmpty(v)).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]));

/**
 * One input person against the org records with the same key. `contactOf` gives a converted Lead's Contact (its
 * current values) when the org has it.
 */
export const decideRow = (
  row: { row: number; key: string; values: Record<string, unknown> },
  matches: OrgRecord[],
  rules: SyncRules,
  contactOf: (id: string) => OrgRecord | undefined
): Decision => {
  const base = { key: row.key, row: row.row, object: rules.object };
  if (matches.length > 1) {
    return { ...base, action: 'error', code: 'AMBIGUOUS_MATCH', message: `${matches.length} ${rules.object} records have this ${rules.match}: ${matches.map((m) => m.Id).join(', ')}. Merge them in Salesforce; none was changed.` };
  }
  const [found] = matches;
  if (!found) {
    if (!rules.allow.has('create')) return skip(base, 'NOT_ALLOWED', `No ${rules.object} has this ${rules.match}; creating is not allowed (--allow).`);
    return { ...base, action: 'create', values: nonEmpty(row.values) };
  }
  if (found.isConverted) {
    const contact = found.convertedContactId ? contactOf(found.convertedContactId) : undefined;
    if (!contact) {
      return skip({ ...base, id: found.Id }, 'CANNOT_UPDATE_CONVERTED_LEAD', 'The Lead was converted and its Contact is not in the org (or not visible): a converted Lead cannot be updated.');
    }
    const values = changedValues(row.values, contact.values, rules);
    const converted = { ...base, object: 'Contact', id: contact.Id, message: `The Lead ${found.Id} was converted: its Contact is kept in step instead.` };
    if (!Object.keys(values).length) return { ...converted, action: 'none' };
    if (!rules.allow.has('update')) return skip(converted, 'NOT_ALLOWED', 'Updating is not allowed (--allow).');
    return { ...converted, action: 'update', values };
  }
  const values = changedValues(row.values, found.values, rules);
  if (!Object.keys(values).length) return { ...base, action: 'none', id: found.Id };
  if (!rules.allow.has('update')) return skip({ ...base, id: found.Id }, 'NOT_ALLOWED', 'Updating is not allowed (--allow).');
  return { ...base, action: 'update', id: found.Id, values };
};

/** An org record whose key is no longer in the source (with --deprovision-missing): the remove action, as allowed. */
export const decideMissing = (key: string, record: OrgRecord, rules: SyncRules): Decision => {
  const base = { key, object: rules.object, id: record.Id };
  const disable = (): Decision => {
    if (!rules.disable) return skip(base, 'NO_DISABLE_FIELD', 'Disabling needs --disable-field (Field=value).');
    if (!rules.allow.has('disable')) return skip(base, 'NOT_ALLOWED', 'Disabling is not allowed (--allow).');
    if (same(record.values[rules.disable.field], rules.disable.value)) return { ...base, action: 'none', message: 'already disabled' };
    return { ...base, action: 'disable', values: { [rules.disable.field]: rules.disable.value } };
  };
  if (rules.removeAction === 'none') return { ...base, action: 'none', message: 'left the source; --remove-action none' };
  if (rules.removeAction === 'disable') return disable();
  if (record.portalUser) {
    if (rules.disable) return { ...disable(), message: 'A portal or community user is linked to this Contact, which therefore cannot be deleted: disabled instead.' };
    return skip(base, 'DELETE_FAILED', 'A portal or community user is linked to this Contact, which therefore cannot be deleted; give --disable-field to disable it instead.');
  }
  if (record.isConverted) return skip(base, 'CONVERTED_LEAD', 'The Lead was converted; it is kept (its Contact carries the person now).');
  if (!rules.allow.has('delete')) return skip(base, 'NOT_ALLOWED', 'Deleting is not allowed (--allow).');
  return { ...base, action: 'delete' };
};
