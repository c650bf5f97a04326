/*
 * User.FederationIdentifier: the value a SAML assertion's subject (or attribute) is matched against when single sign-on
 * identifies users by Federation ID. Set from each user's email or username, or from a mapping file
 * (Username,FederationIdentifier). One change per user; applied as updates through sObject Collections (RecordWriter).
 *
 * Collisions: SSO finds one user by Federation ID, so two users holding the same one cannot both log in. A value
 * another user would get in the same run, or already holds, is a collision: those users are not written and are
 * reported. Values are compared case-insensitively when the org's Single Sign-On Settings say Federation IDs are
 * case-insensitive (SecuritySettings.singleSignOnSettings.enableCaseInsensitiveFederationID); when that setting cannot
 * be read (it needs the Metadata API), they are compared case-insensitively, the cautious choice, and the result says
 * so. Whether Salesforce itself refuses a duplicate FederationIdentifier on save could not be confirmed in its docs.
 */
import type { OrgClient } from '../client.js';
import type { Change } from '../plan.js';
import { RecordWriter } from '../records/writer.js';
import { readSsoSettings } from '../resources/sso-settings.js';
import { inAskedOrder, soqlList } from '../resources/values.js';

export type FederationSource = 'email' | 'username';

export type FederationUser = { id: string; username: string; email?: string; federationId?: string; isActive: boolean };

/** A user's planned change, with the User record it writes. */
export type FederationChange = Change & { recordId?: string; federationId?: string };

export type FederationCollision = { federationId: string; users: string[]; holders: string[] };

export const USER_NOT_FOUND = 'USER_NOT_FOUND';
export const FEDERATION_ID_COLLISION = 'FEDERATION_ID_COLLISION';
export const NO_VALUE = 'NO_VALUE';

type UserRow = { Id: string; Username: string; Email?: string | null; FederationIdentifier?: string | null; IsActive: boolean };
const toUser = (r: UserRow): FederationUser => ({
  id: r.Id,
  username: r.Username,
  email: r.Email ?? undefined,
  federationId: r.FederationIdentifier ?? undefined,
  isActive: r.IsActive === true,
});

/**
 * Whether the org matches Federation IDs case-insensitively, and whether that was read from the org ('org') or assumed
 * because the setting could not be read ('assumed', then true).
 */
export const readCaseInsensitive = async (client: OrgClient): Promise<{ caseInsensitive: boolean; source: 'org' | 'assumed' }> => {
  try {
    return { caseInsensitive: (await readSsoSettings(client)).federationIdCaseInsensitive, source: 'org' };
  } catch {
    return { caseInsensitive: true, source: 'assumed' };
  }
};

/** The users to set: those named (any state), or every active user when none are named. */
export const readTargets = async (client: OrgClient, usernames: string[] | undefined): Promise<{ found: FederationUser[]; unknown: string[] }> => {
  const fields = 'Id, Username, Email, FederationIdentifier, IsActive';
  if (!usernames) return { found: (await client.query<UserRow>(`SELECT ${fields} FROM User WHERE IsActive = true ORDER BY Username`)).map(toUser), unknown: [] };
  const found = new Map<string, FederationUser>();
  const distinct = [...new Set(usernames.map((u) => u.toLowerCase()))];
  for (let i = 0; i < distinct.length; i += 200) {
    const slice = distinct.slice(i, i + 200);
    // eslint-disable-next-line no-await-in-loop
    const rows = await client.query<UserRow>(`SELECT ${fields} FROM User WHERE Username IN (${soqlList(slice)})`);
    for (const r of rows) found.set(r.Username.toLowerCase(), toUser(r));
  }
  return inAskedOrder(usernames, found);
};

/** Every user who holds a Federation ID (active or not: an inactive user's ID still matches on reactivation). */
export const readHolders = async (client: OrgClient): Promise<FederationUser[]> =>
  (await client.query<UserRow>('SELECT Id, Username, Email, FederationIdentifier, IsActive FROM User WHERE FederationIdentifier != null')).map(toUser);

/**
 * Reads a mapping file: a CSV with Username and FederationIdentifier columns (header names case-insensitive; values
 * may be double-quoted, but may not contain commas). Returns username → Federation ID, in file order.
 */
export const parseFederationMap = (text: string): { map: Map<string, string>; error?: string } => {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const cells = (line: string): string[] => line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
  const header = lines.length ? cells(lines[0]).map((h) => h.toLowerCase()) : [];
  const u = header.indexOf('username');
  const f = header.indexOf('federationidentifier');
  if (u < 0 || f < 0) return { map: new Map(), error: 'needs a header row with the columns Username and FederationIdentifier' };
  const map = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const row = cells(line);
    if (row[u]) map.set(row[u], row[f] ?? '');
  }
  return { map };
};

/** The value a user should hold: from the email, the username, or the mapping (by lowercased username). */
export const desiredOf = (user: FederationUser, source: FederationSource | Map<string, string>): string | undefined => {
  if (source === 'email') return user.email?.trim() ? user.email.trim() : undefined;
  if (source === 'username') return user.username;
  for (const [k, v] of source) if (k.toLowerCase() === user.username.toLowerCase()) return v.trim() || undefined;
  return undefined;
};

/**
 * Plans one change per target user: set when the value differs (exactly), no change when it is already held (or, with
 * onlyMissing, when the user has one), failed when there is no value to set or it collides: the same value (case-
 * insensitively when asked) held by another user after the run, whether another target would get it or another user
 * already holds it. Colliding users are not written; the others are.
 */
export const planFederationIds = (
  targets: FederationUser[],
  holders: FederationUser[],
  source: FederationSource | Map<string, string>,
  opts: { caseInsensitive: boolean; onlyMissing: boolean }
): { changes: FederationChange[]; collisions: FederationCollision[] } => {
  const key = (v: string): string => (opts.caseInsensitive ? v.toLowerCase() : v);
  const planned = targets.map((user) => {
    const want = desiredOf(user, source);
    const skip = opts.onlyMissing && Boolean(user.federationId);
    return { user, want, set: !skip && want !== undefined && want !== user.federationId };
  });
  // Everyone's value after the run: the planned value for users being set, the current one for everyone else.
  const finalOf = new Map<string, { user: FederationUser; value: string; setting: boolean }>();
  for (const h of holders) if (h.federationId) finalOf.set(h.id, { user: h, value: h.federationId, setting: false });
  for (const p of planned) {
    if (p.set && p.want) finalOf.set(p.user.id, { user: p.user, value: p.want, setting: true });
    else if (p.user.federationId) finalOf.set(p.user.id, { user: p.user, value: p.user.federationId, setting: false });
  }
  const byKey = new Map<string, Array<{ user: FederationUser; value: string; setting: boolean }>>();
  for (const f of finalOf.values()) byKey.set(key(f.value), [...(byKey.get(key(f.value)) ?? []), f]);
  const collisions: FederationCollision[] = [];
  const colliding = new Map<string, FederationCollision>();
  for (const group of byKey.values()) {
    if (group.length < 2 || !group.some((g) => g.setting)) continue;
    const c: FederationCollision = {
      federationId: group.find((g) => g.setting)!.value,
      users: group.filter((g) => g.setting).map((g) => g.user.username),
      holders: group.filter((g) => !g.setting).map((g) => `${g.user.username} (${g.value})`),
    };
    collisions.push(c);
    for (const g of group) if (g.setting) colliding.set(g.user.id, c);
  }
  const changes = planned.map(({ user, want, set }): FederationChange => {
    const base = { resource: 'User', name: user.username, recordId: user.id, federationId: want ?? user.federationId };
    if (!set && want === undefined && !(opts.onlyMissing && user.federationId)) {
      const why = source instanceof Map ? 'The mapping file gives no Federation ID for this user.' : `The user has no ${source} to take the Federation ID from.`;
      return { ...base, action: 'none', fields: [], status: 'failed', error: { code: NO_VALUE, message: why } };
    }
    const c = colliding.get(user.id);
    if (c) {
      const others = [...c.users.filter((u) => u !== user.username), ...c.holders];
      const message = `${want ?? ''} collides${opts.caseInsensitive ? ' (case-insensitively)' : ''} with ${others.join(', ')}; not set.`;
      return { ...base, action: 'none', fields: [], status: 'failed', error: { code: FEDERATION_ID_COLLISION, message } };
    }
    if (!set) return { ...base, federationId: user.federationId, action: 'none', fields: [], status: 'unchanged' };
    return { ...base, action: 'update', fields: [{ field: 'FederationIdentifier', from: user.federationId, to: want }], status: 'planned' };
  });
  return { changes, collisions };
};

/** Sends the planned updates (200 a Collections call, allOrNone=false); returns every change with its outcome. */
export const applyFederationIds = async (client: OrgClient, changes: FederationChange[], writer = new RecordWriter(client)): Promise<FederationChange[]> => {
  const todo = changes.filter((c) => c.status === 'planned' && c.action === 'update' && c.recordId);
  if (!todo.length) return changes;
  const results = await writer.update(
    'User',
    todo.map((c) => ({ key: c.name, id: c.recordId, values: { FederationIdentifier: c.fields[0].to } }))
  );
  const outcome = new Map<string, FederationChange>();
  for (const [i, r] of results.entries()) {
    const c = todo[i];
    outcome.set(c.name, r.success ? { ...c, status: 'applied' } : { ...c, status: 'failed', error: { code: r.code, message: r.message ?? 'The org refused the record.' } });
  }
  return changes.map((c) => (c.status === 'planned' ? outcome.get(c.name) ?? c : c));
};
