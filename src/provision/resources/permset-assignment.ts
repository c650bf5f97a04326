/*
 * PermissionSetAssignment: which users hold a permission set (or a permission set group). One change per user, so a
 * run reports each user's outcome. Applied by applyPlan, in batches through sObject Collections (200 records per
 * call, allOrNone=false): an assignment dependsOn the user's permission set licence changes, so a licence that fails
 * holds back only that user's assignment.
 */
import { DEPENDENCY_FAILED } from '../apply.js';
import { chunk, type OrgClient } from '../client.js';
import { changeKey, type Change, type ChangeRef } from '../plan.js';
import { inAskedOrder, soqlList, soqlString } from './values.js';

/** What is assigned: a permission set, or a permission set group. */
export type AssignmentTarget = {
  kind: 'PermissionSet' | 'PermissionSetGroup';
  /** The org id; for a permission set the same plan creates, a reference to it (filled in by apply). */
  id: string | ChangeRef;
  name: string;
  label: string;
  licenseId?: string;
};

export type AssignmentUser = { id: string; username: string; isActive: boolean; licenseId?: string };

/** A user's current assignment of the target (its record id), keyed by user id. */
export type CurrentAssignments = Map<string, string>;

/** The users as asked: found (with their record) or not found in the org. */
export type UserLookup = { found: AssignmentUser[]; unknown: string[] };

export type AssignmentDesired = 'assigned' | 'unassigned';

export const ASSIGNMENT_RESOURCE = 'PermissionSetAssignment';
export const LICENCE_ASSIGNMENT_RESOURCE = 'PermissionSetLicenseAssign';

/** A permission set licence (PermissionSetLicense). */
export type PslRef = { id: string; name: string; label: string };

/**
 * The permission set licences users must hold before the assignment can be made: a permission set tied to a PSL
 * (its LicenseId) can only be assigned to users who hold that PSL, and users on the Salesforce Integration user licence
 * get object permissions from permission sets only once they hold the Salesforce API Integration PSL (Salesforce Help,
 * "Give Integration Users API Only Access"; without it the assignment fails with "The user license doesn't allow the
 * permission: Read Leads").
 */
export type LicenceContext = {
  /** PSL ids each user holds (PermissionSetLicenseAssign), by user id. */
  held: Map<string, Set<string>>;
  /** The PSL the target permission set is tied to, if its LicenseId is one. */
  targetPsl?: PslRef;
  /** The Salesforce API Integration PSL, if the org has it. */
  integrationPsl?: PslRef;
  /** Id of the Salesforce Integration user licence, if the org has it. */
  integrationUserLicenceId?: string;
};

export const INTEGRATION_PSL = 'SalesforceAPIIntegrationPsl';
export const INTEGRATION_USER_LICENCE = 'Salesforce Integration';

/** The PSLs a user lacks for the assignment, in the order they are to be assigned. */
const missingLicences = (user: AssignmentUser, licences: LicenceContext | undefined): Array<{ psl: PslRef; why: string }> => {
  if (!licences) return [];
  const held = licences.held.get(user.id) ?? new Set<string>();
  const out: Array<{ psl: PslRef; why: string }> = [];
  if (licences.integrationPsl && user.licenseId && user.licenseId === licences.integrationUserLicenceId) {
    out.push({ psl: licences.integrationPsl, why: `users on the ${INTEGRATION_USER_LICENCE} user licence get object access from permission sets only with it` });
  }
  if (licences.targetPsl && !out.some((o) => o.psl.id === licences.targetPsl!.id)) {
    out.push({ psl: licences.targetPsl, why: 'the permission set is tied to it' });
  }
  return out.filter((o) => !held.has(o.psl.id));
};

/**
 * One change per requested user: create the assignment when it is missing (desired assigned), delete it when it
 * exists (desired unassigned), none otherwise. Unknown users (and, for assign, inactive users) fail in the plan
 * already, with the reason; they are never sent to the org. What only the org knows (a user licence the permission
 * set does not allow, ...) comes back as that user's failure when applying.
 */
export const planAssignments = (
  current: CurrentAssignments,
  users: UserLookup,
  target: AssignmentTarget,
  desired: AssignmentDesired,
  licences?: LicenceContext
): Change[] => {
  const changes: Change[] = [];
  const field = target.kind === 'PermissionSetGroup' ? 'PermissionSetGroupId' : 'PermissionSetId';
  for (const username of users.unknown) {
    changes.push({
      resource: ASSIGNMENT_RESOURCE,
      name: username,
      action: desired === 'assigned' ? 'create' : 'delete',
      fields: [],
      status: 'failed',
      error: { code: 'USER_NOT_FOUND', message: `No user with username ${username} in this org.` },
    });
  }
  for (const user of users.found) {
    const existing = current.get(user.id);
    if (desired === 'assigned') {
      if (existing) {
        changes.push({ resource: ASSIGNMENT_RESOURCE, name: user.username, action: 'none', fields: [], status: 'unchanged', note: `already holds ${target.name}` });
        continue;
      }
      const values = { AssigneeId: user.id, [field]: target.id };
      const base: Change = {
        resource: ASSIGNMENT_RESOURCE,
        name: user.username,
        action: 'create',
        fields: [{ field: target.kind === 'PermissionSetGroup' ? 'PermissionSetGroup' : 'PermissionSet', to: target.name }],
        status: 'planned',
        record: { sobject: ASSIGNMENT_RESOURCE, operation: 'create', values },
      };
      if (!user.isActive) {
        changes.push({ ...base, status: 'failed', error: { code: 'INACTIVE_USER', message: `The user ${user.username} is inactive.` } });
        continue;
      }
      const missing = missingLicences(user, licences);
      for (const { psl, why } of missing) {
        changes.push({
          resource: LICENCE_ASSIGNMENT_RESOURCE,
          name: user.username,
          action: 'create',
          fields: [{ field: 'PermissionSetLicense', to: psl.label }],
          status: 'planned',
          record: { sobject: LICENCE_ASSIGNMENT_RESOURCE, operation: 'create', values: { AssigneeId: user.id, PermissionSetLicenseId: psl.id } },
          note: `permission set licence ${psl.label} assigned first: ${why}`,
        });
      }
      changes.push(missing.length ? { ...base, dependsOn: [changeKey({ resource: LICENCE_ASSIGNMENT_RESOURCE, name: user.username })] } : base);
    } else if (existing) {
      changes.push({
        resource: ASSIGNMENT_RESOURCE,
        name: user.username,
        action: 'delete',
        fields: [{ field: target.kind === 'PermissionSetGroup' ? 'PermissionSetGroup' : 'PermissionSet', from: target.name }],
        status: 'planned',
        record: { sobject: ASSIGNMENT_RESOURCE, operation: 'delete', id: existing },
      });
    } else {
      changes.push({ resource: ASSIGNMENT_RESOURCE, name: user.username, action: 'none', fields: [], status: 'unchanged', note: `does not hold ${target.name}` });
    }
  }
  return changes;
};

// ---------------------------------------------------------------------------------------------- reading

/** The permission set (by Name, not a profile's) or else the permission set group (by DeveloperName); undefined if neither. */
export const readAssignmentTarget = async (client: OrgClient, name: string): Promise<(AssignmentTarget & { id: string }) | undefined> => {
  const [ps] = await client.query<{ Id: string; Name: string; Label: string; LicenseId?: string | null }>(
    `SELECT Id, Name, Label, LicenseId FROM PermissionSet WHERE Name = ${soqlString(name)} AND IsOwnedByProfile = false AND PermissionSetGroupId = null`
  );
  if (ps) return { kind: 'PermissionSet', id: ps.Id, name: ps.Name, label: ps.Label, licenseId: ps.LicenseId ?? undefined };
  const [group] = await client.query<{ Id: string; DeveloperName: string; MasterLabel: string }>(
    `SELECT Id, DeveloperName, MasterLabel FROM PermissionSetGroup WHERE DeveloperName = ${soqlString(name)}`
  );
  return group ? { kind: 'PermissionSetGroup', id: group.Id, name: group.DeveloperName, label: group.MasterLabel } : undefined;
};

/** Finds the users by username (case-insensitive), in the order asked; queries in slices to keep each SOQL short. */
export const readUsers = async (client: OrgClient, usernames: string[]): Promise<UserLookup> => {
  const found = new Map<string, AssignmentUser>();
  for (const slice of chunk([...new Set(usernames.map((u) => u.toLowerCase()))], 200)) {
    // eslint-disable-next-line no-await-in-loop
    const rows = await client.query<{ Id: string; Username: string; IsActive: boolean; Profile?: { UserLicenseId?: string } | null }>(
      `SELECT Id, Username, IsActive, Profile.UserLicenseId FROM User WHERE Username IN (${soqlList(slice)})`
    );
    for (const r of rows) {
      found.set(r.Username.toLowerCase(), { id: r.Id, username: r.Username, isActive: r.IsActive === true, licenseId: r.Profile?.UserLicenseId ?? undefined });
    }
  }
  return inAskedOrder(usernames, found);
};

/** The target's current assignments of the given users: user id → assignment id. */
export const readAssignments = async (client: OrgClient, target: AssignmentTarget & { id: string }, userIds: string[]): Promise<CurrentAssignments> => {
  const out: CurrentAssignments = new Map();
  const field = target.kind === 'PermissionSetGroup' ? 'PermissionSetGroupId' : 'PermissionSetId';
  for (const slice of chunk(userIds, 200)) {
    // eslint-disable-next-line no-await-in-loop
    const rows = await client.query<{ Id: string; AssigneeId: string }>(
      `SELECT Id, AssigneeId FROM PermissionSetAssignment WHERE ${field} = ${soqlString(target.id)} AND AssigneeId IN (${soqlList(slice)})`
    );
    for (const r of rows) out.set(r.AssigneeId, r.Id);
  }
  return out;
};

/** What the plan needs to know of permission set licences: the org's PSLs, the integration licence, what users hold. */
export const readLicenceContext = async (client: OrgClient, target: AssignmentTarget, users: AssignmentUser[]): Promise<LicenceContext> => {
  const psls = await client.query<{ Id: string; DeveloperName: string; MasterLabel: string }>('SELECT Id, DeveloperName, MasterLabel FROM PermissionSetLicense');
  const ref = (r: { Id: string; DeveloperName: string; MasterLabel: string } | undefined): PslRef | undefined =>
    r ? { id: r.Id, name: r.DeveloperName, label: r.MasterLabel } : undefined;
  const same = (a: string, b: string | undefined): boolean => b !== undefined && a.slice(0, 15) === b.slice(0, 15);
  const [integrationLicence] = await client.query<{ Id: string }>(`SELECT Id FROM UserLicense WHERE Name = '${INTEGRATION_USER_LICENCE}'`);
  const held = new Map<string, Set<string>>();
  for (const slice of chunk(users.map((u) => u.id), 200)) {
    // eslint-disable-next-line no-await-in-loop
    const rows = await client.query<{ AssigneeId: string; PermissionSetLicenseId: string }>(
      `SELECT AssigneeId, PermissionSetLicenseId FROM ${LICENCE_ASSIGNMENT_RESOURCE} WHERE AssigneeId IN (${soqlList(slice)})`
    );
    for (const r of rows) held.set(r.AssigneeId, (held.get(r.AssigneeId) ?? new Set<string>()).add(r.PermissionSetLicenseId));
  }
  return {
    held,
    targetPsl: ref(psls.find((p) => same(p.Id, target.licenseId))),
    integrationPsl: ref(psls.find((p) => p.DeveloperName.toLowerCase() === INTEGRATION_PSL.toLowerCase())),
    integrationUserLicenceId: integrationLicence?.Id,
  };
};

/** Reads a users file: one username per line, or a CSV whose header has a `column` column (Username by default). */
export const parseUsersFile = (text: string, column = 'username'): string[] => {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (!lines.length) return [];
  const cells = (line: string): string[] => line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
  const header = cells(lines[0]);
  const col = header.findIndex((h) => h.toLowerCase() === column);
  if (col >= 0) return lines.slice(1).map((l) => cells(l)[col] ?? '').filter(Boolean);
  return lines.map((l) => cells(l)[0]).filter(Boolean);
};

// ---------------------------------------------------------------------------------------------- applying

/**
 * After applyPlan: an assignment held back because the user's permission set licence failed says so in the words
 * of the command (LICENSE_NOT_ASSIGNED, the licence named) rather than as a failed dependency.
 */
export const explainHeldBack = (changes: Change[]): Change[] =>
  changes.map((c) => {
    if (c.resource !== ASSIGNMENT_RESOURCE || c.status !== 'failed' || c.error?.code !== DEPENDENCY_FAILED) return c;
    const licence = changes.find((o) => o.resource === LICENCE_ASSIGNMENT_RESOURCE && o.name === c.name && o.status === 'failed');
    if (!licence) return c;
    const field = licence.fields[0]?.to as string | undefined;
    return { ...c, error: { code: 'LICENSE_NOT_ASSIGNED', message: `Not assigned: the permission set licence ${field ?? ''} could not be assigned to the user first.` } };
  });
