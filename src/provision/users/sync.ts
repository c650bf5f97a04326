/*
 * `users sync` without the command: Users from a JumpCloud/SCIM export, CSV or JSON Lines, on the provisioning engine
 * of `records sync` (its input readers, safe Collections writes that read creates back after a lost answer, a result
 * per person). JumpCloud's rules: new users get the Standard User profile (or --profile) and the org's defaults, and
 * their profile, locale, language, time zone and nickname are never overwritten on update. Salesforce's rules: every
 * required field (an alias of at most 8 characters, unique; time zone, locale and language from the org; email
 * encoding UTF-8), usernames in email form, seats of the user licence counted before the run, users deactivated and
 * never deleted, a changed email pending until the user confirms it.
 */
import type { OrgClient } from '../client.js';
import { isEmail, isEmpty, normalizeKey } from '../records/classify.js';
import { formatOf, InputError, readRows, type FieldMap, type InputFormat } from '../records/input.js';
import { inLists } from '../records/sync.js';
import { RecordWriter, type WriteItem, type WriteOutcome } from '../records/writer.js';
import { soqlList, soqlString } from '../resources/values.js';
import { CREATE_ONLY, fileMapping, jumpcloudMapping, type UserMapping } from './mapping.js';

export type UserMatch = 'username' | 'email' | 'federation-id';
export type UserPermission = 'create' | 'update' | 'deactivate';

export type UserSyncSpec = {
  file: string;
  format?: InputFormat;
  /** JumpCloud's SCIM table (also for plain SCIM 2.0 resources), or Field=column pairs. Default: jumpcloud for .json. */
  mapping?: 'jumpcloud' | 'scim' | FieldMap;
  /** Default username. */
  match?: UserMatch;
  /** Default create, update, deactivate. */
  allow?: UserPermission[];
  /** Active users of the profile the sync manages who are not in the file are deactivated (never deleted). */
  deactivateMissing?: boolean;
  /** The profile of new users (and of the users --deactivate-missing considers). Default Standard User. */
  profile?: string;
  /** Permission sets assigned to the users this run creates. */
  permissionSets?: string[];
  /** Run even when new users need more seats of the user licence than the org has left. */
  force?: boolean;
};

export type UserAction = 'create' | 'update' | 'deactivate' | 'none' | 'skip' | 'error';

export type UserOutcome = {
  key: string;
  row?: number;
  action: UserAction;
  id?: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'unchanged' | 'planned';
  code?: string;
  message?: string;
};

export type UserSyncResult = {
  file: string;
  dryRun: boolean;
  rows: number;
  counts: Record<UserAction, number> & { succeeded: number; failed: number };
  /** Seats of the new users' licence: what the org has, and what this run needs. */
  licence?: { name: string; total: number; used: number; needed: number };
  apiCalls: number;
  outcomes: UserOutcome[];
};

const MATCH_FIELD: Record<UserMatch, string> = { username: 'Username', email: 'Email', 'federation-id': 'FederationIdentifier' };

type OrgUser = Record<string, unknown> & { Id: string; Username: string; IsActive: boolean };
type Row = { row: number; key: string; values: Record<string, unknown> };
type Decision = { key: string; row?: number; action: UserAction; id?: string; values?: Record<string, unknown>; code?: string; message?: string };

const mappingOf = (spec: UserSyncSpec): UserMapping => {
  const m = spec.mapping ?? ((spec.format ?? formatOf(spec.file)) === 'json' ? 'jumpcloud' : undefined);
  if (m === 'jumpcloud' || m === 'scim') return jumpcloudMapping();
  if (!m) throw new InputError('A CSV or JSON Lines file of users needs --mapping <file> (Field=column lines) or --mapping jumpcloud for SCIM resources.');
  return fileMapping(m);
};

/** Reads and checks the whole input: a key on every row (usernames in email form), no key twice. */
const readInput = async (spec: UserSyncSpec, mapping: UserMapping, matchField: string, writable: Set<string>): Promise<Row[]> => {
  const unknown = mapping.fields.filter((f) => !writable.has(f) && f !== 'IsActive');
  if (unknown.length && Array.isArray(spec.mapping)) throw new InputError(`User has no field you can write: ${unknown.join(', ')} (in the mapping). Check the names, or your field-level access.`);
  const rows: Row[] = [];
  const problems: string[] = [];
  const first = new Map<string, number>();
  for await (const { row, data } of readRows(spec.file, spec.format)) {
    const values: Record<string, unknown> = {};
    for (const f of mapping.fields) {
      if (!writable.has(f) && f !== 'IsActive') continue;
      const v = mapping.valueOf(data, f);
      if (!isEmpty(v)) values[f] = typeof v === 'string' ? v.trim() : v;
    }
    const key = normalizeKey(values[matchField]);
    const username = typeof values.Username === 'string' ? values.Username : '';
    if (!key) problems.push(`row ${row}: no ${matchField}`);
    else if (username && !isEmail(username.toLowerCase())) problems.push(`row ${row}: the username "${username}" is not in the form of an email address (Salesforce requires it)`);
    else if (first.has(key)) problems.push(`row ${row}: ${key} is also on row ${first.get(key)!}`);
    else first.set(key, row);
    rows.push({ row, key, values });
    if (problems.length >= 20) break;
  }
  if (problems.length) throw new InputError(`The input has problems; nothing was changed:\n${problems.join('\n')}`);
  if (!rows.length) throw new InputError(`${spec.file} has no users.`);
  return rows;
};

/** An alias as Setup makes one (first letter of the first name and the last name, 8 at most), unique in the org. */
export const makeAlias = (first: unknown, last: unknown, taken: Set<string>): string => {
  const clean = (v: unknown): string => String(v ?? '').normalize('NFD').replace(/[^A-Za-z0-9]/g, '');
  const base = `${clean(first).slice(0, 1)}${clean(last)}`.slice(0, 8).toLowerCase() || 'user';
  let alias = base;
  for (let i = 1; taken.has(alias); i++) alias = `${base.slice(0, 8 - String(i).length)}${i}`;
  taken.add(alias);
  return alias;
};

type OrgFacts = {
  users: Map<string, OrgUser[]>;
  profileId: string;
  licence?: { id: string; name: string; total: number; used: number };
  defaults: { TimeZoneSidKey: string; LocaleSidKey: string; LanguageLocaleKey: string };
  aliases: Set<string>;
  runningUserId?: string;
};

const readOrg = async (client: OrgClient, spec: UserSyncSpec, rows: Row[], matchField: string, fields: string[]): Promise<OrgFacts> => {
  const select = [...new Set(['Id', 'Username', 'Email', 'FederationIdentifier', 'IsActive', 'ProfileId', ...fields])].join(', ');
  const users = new Map<string, OrgUser[]>();
  for (const list of inLists(rows.map((r) => r.key))) {
    // eslint-disable-next-line no-await-in-loop
    for (const u of await client.query<OrgUser>(`SELECT ${select} FROM User WHERE ${matchField} IN (${soqlList(list)})`)) {
      const k = normalizeKey(u[matchField]);
      users.set(k, [...(users.get(k) ?? []), u]);
    }
  }
  const profileName = spec.profile ?? 'Standard User';
  const [profile] = await client.query<{ Id: string; UserLicenseId?: string }>(`SELECT Id, UserLicenseId FROM Profile WHERE Name = ${soqlString(profileName)}`);
  if (!profile) throw new InputError(`No profile named "${profileName}" in this org (--profile).`);
  const [lic] = profile.UserLicenseId
    ? await client.query<{ Id: string; Name: string; TotalLicenses: number; UsedLicenses: number }>(
        `SELECT Id, Name, TotalLicenses, UsedLicenses FROM UserLicense WHERE Id = ${soqlString(profile.UserLicenseId)}`
      )
    : [];
  const [org] = await client.query<{ TimeZoneSidKey?: string; DefaultLocaleSidKey?: string; LanguageLocaleKey?: string }>(
    'SELECT TimeZoneSidKey, DefaultLocaleSidKey, LanguageLocaleKey FROM Organization'
  );
  const aliases = new Set((await client.query<{ Alias?: string }>('SELECT Alias FROM User')).map((u) => String(u.Alias ?? '').toLowerCase()));
  const identity = await client.call(() => client.conn.identity()).catch(() => undefined);
  return {
    users,
    profileId: profile.Id,
    ...(lic ? { licence: { id: lic.Id, name: lic.Name, total: Number(lic.TotalLicenses), used: Number(lic.UsedLicenses) } } : {}),
    defaults: { TimeZoneSidKey: org?.TimeZoneSidKey ?? 'America/Los_Angeles', LocaleSidKey: org?.DefaultLocaleSidKey ?? 'en_US', LanguageLocaleKey: org?.LanguageLocaleKey ?? 'en_US' },
    aliases,
    runningUserId: identity?.user_id,
  };
};

const same = (a: unknown, b: unknown): boolean => (isEmpty(a) && isEmpty(b)) || String(a ?? '').trim() === String(b ?? '').trim();

/** A user the source marks inactive (suspended in JumpCloud): deactivated, never deleted. */
const deactivation = (base: { key: string; row?: number }, user: OrgUser, facts: OrgFacts, allow: Set<UserPermission>): Decision => {
  if (user.IsActive === false) return { ...base, id: user.Id, action: 'none', message: 'already inactive' };
  if (user.Id.slice(0, 15) === facts.runningUserId?.slice(0, 15)) return { ...base, id: user.Id, action: 'skip', code: 'RUNNING_USER', message: 'The user this run connects as cannot deactivate itself.' };
  if (!allow.has('deactivate')) return { ...base, id: user.Id, action: 'skip', code: 'NOT_ALLOWED', message: 'Deactivating is not allowed (--allow).' };
  return { ...base, id: user.Id, action: 'deactivate', values: { IsActive: false } };
};

/** One person of the file against the org's users with the same key. */
const decide = (r: Row, found: OrgUser[], facts: OrgFacts, allow: Set<UserPermission>): Decision => {
  const base = { key: r.key, row: r.row };
  if (found.length > 1) return { ...base, action: 'error', code: 'AMBIGUOUS_MATCH', message: `${found.length} users match: ${found.map((u) => u.Username).join(', ')}.` };
  const [user] = found;
  const wantsActive = r.values.IsActive !== false;
  if (!user) {
    if (!wantsActive) return { ...base, action: 'none', message: 'inactive in the source and not in the org: not created' };
    if (!allow.has('create')) return { ...base, action: 'skip', code: 'NOT_ALLOWED', message: 'Creating is not allowed (--allow).' };
    const v = { ...r.values };
    delete v.IsActive;
    return {
      ...base,
      action: 'create',
      values: {
        ...facts.defaults,
        EmailEncodingKey: 'UTF-8',
        ...v,
        ProfileId: facts.profileId,
        Alias: makeAlias(v.FirstName, v.LastName, facts.aliases),
      },
    };
  }
  if (!wantsActive) return deactivation(base, user, facts, allow);
  const values: Record<string, unknown> = {};
  for (const [f, v] of Object.entries(r.values)) {
    if (CREATE_ONLY.has(f) || f === 'IsActive') continue;
    // Usernames and emails compare as Salesforce compares them: case-insensitively.
    const equal = f === 'Email' || f === 'Username' ? String(user[f] ?? '').toLowerCase() === String(v).toLowerCase() : same(v, user[f]);
    if (!equal) values[f] = v;
  }
  if (user.IsActive === false) values.IsActive = true;
  if (!Object.keys(values).length) return { ...base, id: user.Id, action: 'none' };
  if (!allow.has('update')) return { ...base, id: user.Id, action: 'skip', code: 'NOT_ALLOWED', message: 'Updating is not allowed (--allow).' };
  const pending = 'Email' in values ? `The email changes to ${String(values.Email)} only once the user confirms it from that mailbox (Salesforce keeps it pending).` : undefined;
  return { ...base, id: user.Id, action: 'update', values, ...(pending ? { message: pending } : {}) };
};

/** The fix for an org refusal, per record. */
const fixFor = (code: string | undefined, message: string | undefined): string | undefined => {
  if (code === 'DUPLICATE_USERNAME') return `${message ?? ''} Usernames are unique across all Salesforce orgs: give this user another (say, with a suffix such as .acme) and map it, or match on email.`;
  if (code === 'FIELD_INTEGRITY_EXCEPTION' && /state|country/i.test(message ?? '')) {
    return `${message ?? ''} The org's State/Country picklists refuse the value: send ISO codes and align the integration values with \`sf provision picklists align --integration-values iso\`.`;
  }
  return message;
};

/**
 * Reads, checks, plans and (unless dryRun) writes: creates, updates and deactivations through Collections (a create
 * whose answer was lost read back by username), then the permission sets of the new users.
 */
export const runUserSync = async (client: OrgClient, spec: UserSyncSpec, run: { dryRun: boolean }): Promise<UserSyncResult> => {
  const before = client.calls;
  const match = spec.match ?? 'username';
  const matchField = MATCH_FIELD[match];
  const allow = new Set<UserPermission>(spec.allow ?? ['create', 'update', 'deactivate']);
  const mapping = mappingOf(spec);
  const describe = (await client.describe('User')) as unknown as { fields: Array<{ name: string; updateable?: boolean; createable?: boolean }> };
  const writable = new Set(describe.fields.filter((f) => f.updateable === true || f.createable === true).map((f) => f.name));
  const rows = await readInput(spec, mapping, matchField, writable);
  const facts = await readOrg(client, spec, rows, matchField, mapping.fields.filter((f) => writable.has(f)));

  const permissionSetIds = await permissionSetIdsOf(client, spec.permissionSets ?? []);
  const decisions = rows.map((r) => decide(r, facts.users.get(r.key) ?? [], facts, allow));
  if (spec.deactivateMissing) {
    const keys = new Set(rows.map((r) => r.key));
    const managed = await client.query<OrgUser>(`SELECT Id, Username, Email, FederationIdentifier, IsActive FROM User WHERE IsActive = true AND ProfileId = ${soqlString(facts.profileId)}`);
    for (const u of managed.filter((x) => !keys.has(normalizeKey(x[matchField])) && x.Id.slice(0, 15) !== facts.runningUserId?.slice(0, 15))) {
      decisions.push(allow.has('deactivate') ? { key: normalizeKey(u[matchField]) === '' ? u.Username : normalizeKey(u[matchField]), action: 'deactivate', id: u.Id, values: { IsActive: false }, message: 'not in the source' } : { key: u.Username, action: 'skip', id: u.Id, code: 'NOT_ALLOWED', message: 'Not in the source; deactivating is not allowed (--allow).' });
    }
  }

  // Seats: new users, and users made active again, take one each on the profile's licence.
  const needed = decisions.filter((d) => d.action === 'create' || (d.action === 'update' && d.values?.IsActive === true)).length;
  const licence = facts.licence ? { name: facts.licence.name, total: facts.licence.total, used: facts.licence.used, needed } : undefined;
  if (!run.dryRun && !spec.force && licence && needed > licence.total - licence.used) {
    throw new InputError(`This sync needs ${needed} seat(s) of the ${licence.name} user licence; the org has ${licence.total - licence.used} left (${licence.used} of ${licence.total} used). Free seats or buy more, or run with --force to create as many as fit (the rest fail with LICENSE_LIMIT_EXCEEDED).`);
  }

  const outcomes: UserOutcome[] = [];
  const report = (d: Decision, w?: WriteOutcome): void => {
    const b = { key: d.key, row: d.row, action: d.action, id: w?.id ?? d.id };
    if (d.action === 'none') outcomes.push({ ...b, status: 'unchanged', ...(d.message ? { message: d.message } : {}) });
    else if (d.action === 'skip') outcomes.push({ ...b, status: 'skipped', code: d.code, message: d.message });
    else if (d.action === 'error') outcomes.push({ ...b, status: 'failed', code: d.code, message: d.message });
    else if (run.dryRun || !w) outcomes.push({ ...b, status: 'planned', ...(d.message ? { message: d.message } : {}) });
    else if (w.success) outcomes.push({ ...b, status: 'succeeded', ...(d.message ? { message: d.message } : {}) });
    else outcomes.push({ ...b, status: 'failed', code: w.code, message: fixFor(w.code, w.message) });
  };
  const writer = new RecordWriter(client);
  const byUsername = async (keys: string[]): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for (const list of inLists(keys)) {
      // eslint-disable-next-line no-await-in-loop
      for (const u of await client.query<OrgUser>(`SELECT Id, ${matchField} FROM User WHERE ${matchField} IN (${soqlList(list)})`)) out.set(normalizeKey(u[matchField]), u.Id);
    }
    return out;
  };
  const item = (d: Decision): WriteItem => ({ key: d.key, id: d.id, values: d.values ?? {} });
  const creates = decisions.filter((d) => d.action === 'create');
  const changes = decisions.filter((d) => d.action === 'update' || d.action === 'deactivate');
  for (const d of decisions.filter((x) => !creates.includes(x) && !changes.includes(x))) report(d);
  if (run.dryRun) {
    for (const d of [...creates, ...changes]) report(d);
  } else {
    const created = await writer.create('User', creates.map(item), byUsername);
    creates.forEach((d, i) => report(d, created[i]));
    const updated = await writer.update('User', changes.map(item));
    changes.forEach((d, i) => report(d, updated[i]));
    await assignPermissionSets(writer, permissionSetIds, created.filter((c) => c.success && c.id).map((c) => c.id!));
  }
  const counts = { create: 0, update: 0, deactivate: 0, none: 0, skip: 0, error: 0, succeeded: 0, failed: 0 };
  for (const o of outcomes) {
    counts[o.action] += 1;
    if (o.status === 'succeeded') counts.succeeded += 1;
    if (o.status === 'failed') counts.failed += 1;
  }
  outcomes.sort((a, b) => (a.row ?? Number.MAX_SAFE_INTEGER) - (b.row ?? Number.MAX_SAFE_INTEGER));
  return { file: spec.file, dryRun: run.dryRun, rows: rows.length, counts, ...(licence ? { licence } : {}), apiCalls: client.calls - before, outcomes };
};

/** The ids of the permission sets new users get (checked before anything is written). */
const permissionSetIdsOf = async (client: OrgClient, names: string[]): Promise<string[]> => {
  if (!names.length) return [];
  const sets = await client.query<{ Id: string; Name: string }>(`SELECT Id, Name FROM PermissionSet WHERE Name IN (${soqlList(names)})`);
  const missing = names.filter((n) => !sets.some((s) => s.Name.toLowerCase() === n.toLowerCase()));
  if (missing.length) throw new InputError(`No permission set named ${missing.join(', ')} (--permission-sets); nothing was changed.`);
  return sets.map((s) => s.Id);
};

/** The permission sets of new users: one assignment each, through Collections (an assignment made twice is refused). */
const assignPermissionSets = async (writer: RecordWriter, setIds: string[], userIds: string[]): Promise<void> => {
  if (!setIds.length || !userIds.length) return;
  const items = setIds.flatMap((s) => userIds.map((u) => ({ key: `${u}:${s}`, values: { AssigneeId: u, PermissionSetId: s } })));
  await writer.create('PermissionSetAssignment', items, () => Promise.resolve(new Map<string, string>()));
};
