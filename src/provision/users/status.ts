/*
 * A user's login status: frozen or not (UserLogin.IsFrozen), active or not (User.IsActive). One change per user, so a
 * run reports each user's outcome; applied as updates through sObject Collections (RecordWriter: 200 a call,
 * allOrNone=false, retried only when safe). Users are never deleted.
 *
 * Salesforce facts:
 * - UserLogin ("Represents the settings that affect a user's ability to log into an organization. To access this
 *   object, you need the UserPermissions.ManageUsers permission"; supported calls describe, query, retrieve, update;
 *   IsFrozen: "If a user's account is frozen, they can't log in, but their account isn't deactivated"): object
 *   reference, UserLogin. Every user has one UserLogin record (UserId).
 * - Deactivating is User.IsActive = false; users cannot be deleted.
 * - A user cannot deactivate their own user record: the UI refuses it and so does the API (the exact error code and
 *   wording could not be confirmed in Salesforce's docs); the command refuses before sending anything.
 * - Freezing oneself would lock the running user out; whether Salesforce refuses it is unconfirmed, the command refuses it.
 */
import { chunk, type OrgClient } from '../client.js';
import { RecordWriter } from '../records/writer.js';
import type { Change } from '../plan.js';
import { readUsers } from '../resources/permset-assignment.js';
import { soqlList, soqlString } from '../resources/values.js';

export type StatusOperation = 'freeze' | 'unfreeze' | 'deactivate';

/** A user's planned status change, with the record it writes (UserLogin or User). */
export type StatusChange = Change & { recordId?: string };

export const USER_NOT_FOUND = 'USER_NOT_FOUND';
export const RUNNING_USER = 'RUNNING_USER';
export const NO_USER_LOGIN = 'NO_USER_LOGIN';

/** What each operation writes: the object, the field and the value wanted. */
export const STATUS_FIELD: Record<StatusOperation, { sobject: 'UserLogin' | 'User'; field: 'IsFrozen' | 'IsActive'; to: boolean }> = {
  freeze: { sobject: 'UserLogin', field: 'IsFrozen', to: true },
  unfreeze: { sobject: 'UserLogin', field: 'IsFrozen', to: false },
  deactivate: { sobject: 'User', field: 'IsActive', to: false },
};

/** The running user: its id and username, and whether it holds Manage Users (profile or permission sets). */
export type RunningUser = { id?: string; username?: string; manageUsers: boolean };

export const readRunningUser = async (client: OrgClient): Promise<RunningUser> => {
  // The identity URL names the session's user. The connection's username is not enough: a session made from a bare
  // access token (--target-org <token>) has the token where the username would be.
  const identity = await client.call(() => client.conn.identity());
  const [user] = await client.query<{ Id: string; Username: string }>(`SELECT Id, Username FROM User WHERE Id = ${soqlString(identity.user_id)} LIMIT 1`);
  if (!user) return { username: identity.username, manageUsers: false };
  // Every user has an assignment of their profile's own permission set, so this covers profiles too (as jit.ts does).
  // A user who may not read permission sets (no View Setup and Configuration) gets INVALID_FIELD on the PermissionSet
  // path: such a user is taken to lack Manage Users too (Manage Users appears to require View Setup; unconfirmed here).
  const held = await client
    .query<{ Id: string }>(`SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(user.Id)} AND PermissionSet.PermissionsManageUsers = true LIMIT 1`)
    .catch(() => []);
  return { id: user.Id, username: user.Username, manageUsers: held.length > 0 };
};

/** The users' UserLogin records: user id → { id, IsFrozen }. */
const readLogins = async (client: OrgClient, userIds: string[]): Promise<Map<string, { id: string; frozen: boolean }>> => {
  const out = new Map<string, { id: string; frozen: boolean }>();
  for (const slice of chunk(userIds, 200)) {
    // eslint-disable-next-line no-await-in-loop
    const rows = await client.query<{ Id: string; UserId: string; IsFrozen: boolean }>(
      `SELECT Id, UserId, IsFrozen FROM UserLogin WHERE UserId IN (${soqlList(slice)})`
    );
    for (const r of rows) out.set(r.UserId.slice(0, 15), { id: r.Id, frozen: r.IsFrozen === true });
  }
  return out;
};

const failed = (sobject: string, name: string, code: string, message: string): StatusChange => ({
  resource: sobject,
  name,
  action: 'none',
  fields: [],
  status: 'failed',
  error: { code, message },
});

/**
 * Plans one change per username (in the order given, duplicates once): an update of the field when it differs, no
 * change when it already is as asked, and a failure for an unknown user or the running user (deactivate, freeze).
 */
export const planUserStatus = async (client: OrgClient, op: StatusOperation, usernames: string[], running: RunningUser): Promise<StatusChange[]> => {
  const { sobject, field, to } = STATUS_FIELD[op];
  const users = await readUsers(client, usernames);
  const logins = sobject === 'UserLogin' ? await readLogins(client, users.found.map((u) => u.id)) : undefined;
  const byName = new Map(users.found.map((u) => [u.username.toLowerCase(), u]));
  const seen = new Set<string>();
  const out: StatusChange[] = [];
  for (const name of usernames) {
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const user = byName.get(key);
    if (!user) {
      out.push(failed(sobject, name, USER_NOT_FOUND, 'No user with this username in the org.'));
      continue;
    }
    const self = running.id !== undefined && running.id.slice(0, 15) === user.id.slice(0, 15);
    const login = logins?.get(user.id.slice(0, 15));
    const current = sobject === 'User' ? user.isActive : login?.frozen;
    if (sobject === 'UserLogin' && !login) {
      out.push(failed(sobject, user.username, NO_USER_LOGIN, 'The org returned no UserLogin record for this user.'));
    } else if (current === to) {
      out.push({ resource: sobject, name: user.username, action: 'none', fields: [], status: 'unchanged', recordId: sobject === 'User' ? user.id : login?.id });
    } else if (self && op !== 'unfreeze') {
      out.push(failed(sobject, user.username, RUNNING_USER, `This is the user the command runs as; it cannot ${op} itself.`));
    } else {
      out.push({
        resource: sobject,
        name: user.username,
        action: 'update',
        fields: [{ field, from: current, to }],
        status: 'planned',
        recordId: sobject === 'User' ? user.id : login?.id,
      });
    }
  }
  return out;
};

/** Sends the planned updates (200 a Collections call, allOrNone=false); returns every change with its outcome. */
export const applyUserStatus = async (client: OrgClient, changes: StatusChange[], writer = new RecordWriter(client)): Promise<StatusChange[]> => {
  const todo = changes.filter((c) => c.status === 'planned' && c.action === 'update' && c.recordId);
  if (!todo.length) return changes;
  const outcomes = new Map<string, StatusChange>();
  for (const sobject of [...new Set(todo.map((c) => c.resource))]) {
    const group = todo.filter((c) => c.resource === sobject);
    // eslint-disable-next-line no-await-in-loop
    const results = await writer.update(
      sobject,
      group.map((c) => ({ key: c.name, id: c.recordId, values: Object.fromEntries(c.fields.map((f) => [f.field, f.to])) }))
    );
    for (const [i, r] of results.entries()) {
      const c = group[i];
      outcomes.set(c.name, r.success ? { ...c, status: 'applied' } : { ...c, status: 'failed', error: { code: r.code, message: r.message ?? 'The org refused the record.' } });
    }
  }
  return changes.map((c) => (c.status === 'planned' ? outcomes.get(c.name) ?? c : c));
};
