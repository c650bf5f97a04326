/*
 * The shared run of `permset assign` and `permset unassign`: their flags, reading and planning (with spinners),
 * applying (applyPlan: licences before the assignments that need them, 200 records per call), and reporting each
 * user's outcome. The commands only parse their flags and call these.
 */
import { readFile } from 'node:fs/promises';
import { Flags, type SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from './client.js';
import { actionFor, dryRunFlag, PARTIAL_SUCCESS, summarize, type PlanResult } from './command.js';
import { hasChanges, refTo, type Change } from './plan.js';
import { progressOf } from './progress.js';
import { applyPlan } from './apply.js';
import {
  explainHeldBack,
  parseUsersFile,
  LICENCE_ASSIGNMENT_RESOURCE,
  planAssignments,
  readAssignments,
  readAssignmentTarget,
  readLicenceContext,
  readUsers,
  type AssignmentDesired,
  type AssignmentTarget,
  type CurrentAssignments,
} from './resources/permset-assignment.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
/** Both commands' message files have the same flag summaries; the flags are defined once from `permset assign`'s. */
const flagMessages = Messages.loadMessages('plugin-provision', 'provision.permset.assign');

/** One user's outcome (a user may have two: the permission set licence assigned first, then the assignment). */
export type UserOutcome = {
  username: string;
  action: 'assign' | 'unassign' | 'none' | 'assign-licence';
  /** For assign-licence: the permission set licence. */
  licence?: string;
  status: Change['status'];
  error?: { code?: string; message: string };
};

export type PermsetAssignmentResult = PlanResult & {
  target: { kind: AssignmentTarget['kind']; name: string; id: string };
  users: UserOutcome[];
};

/** The flags of `permset assign` and `permset unassign` (same names, same meaning). */
export const assignmentFlags = {
  'target-org': Flags.requiredOrg(),
  'api-version': Flags.orgApiVersion(),
  name: Flags.string({ summary: flagMessages.getMessage('flags.name.summary'), char: 'n', required: true }),
  users: Flags.string({ summary: flagMessages.getMessage('flags.users.summary'), char: 'u', multiple: true, delimiter: ',', exactlyOne: ['users', 'users-file'] }),
  'users-file': Flags.file({ summary: flagMessages.getMessage('flags.users-file.summary'), exists: true, exactlyOne: ['users', 'users-file'] }),
  'dry-run': dryRunFlag,
};

export type AssignmentFlags = {
  'target-org': { getConnection(v?: string): ConstructorParameters<typeof OrgClient>[0] };
  'api-version'?: string;
  name: string;
  users?: string[];
  'users-file'?: string;
  'dry-run': boolean;
};

/** A planned run: the org, the target and one change per user. */
export type AssignmentPlan = { client: OrgClient; target: AssignmentTarget; desired: AssignmentDesired; changes: Change[] };

/** The usernames of --users or --users-file; throws error.NoUsers when there are none. */
export const usernamesOf = async (m: Messages<string>, flags: Pick<AssignmentFlags, 'users' | 'users-file'>): Promise<string[]> => {
  const usernames = flags['users-file']
    ? parseUsersFile(await readFile(flags['users-file'], 'utf8'))
    : (flags.users ?? []).map((u) => u.trim()).filter(Boolean);
  if (!usernames.length) throw m.createError('error.NoUsers', [flags['users-file'] ? ` in ${flags['users-file']}` : '']);
  return usernames;
};

/** Users who should (or should not) hold a permission set or group, as the desired-state file names them. */
export type AssignmentSpec = {
  /** The permission set's API name, or a permission set group's developer name. */
  permissionSet: string;
  users: string[];
  /** Default true; false removes the assignments. */
  assigned?: boolean;
};

/**
 * Reads the target, the users, their assignments and (to assign) their permission set licences, and plans one change
 * per user. A permission set the same plan creates (`plannedPermissionSets`) is the target before it exists: its
 * assignments refer to its id, which apply fills in. Errors are SfErrors of `m` (error.NotFound).
 */
export const planAssignmentSpec = async (
  client: OrgClient,
  spec: AssignmentSpec,
  opts: { cmd?: SfCommand<unknown>; messages?: Messages<string>; plannedPermissionSets?: string[] } = {}
): Promise<{ target: AssignmentTarget; desired: AssignmentDesired; changes: Change[] }> => {
  const m = opts.messages ?? flagMessages;
  const p = progressOf(opts.cmd, m);
  const desired: AssignmentDesired = spec.assigned === false ? 'unassigned' : 'assigned';
  const name = spec.permissionSet;
  const planned = (opts.plannedPermissionSets ?? []).find((n) => n.toLowerCase() === name.toLowerCase());
  const found = await p.step(`Reading the permission set ${name}`, () => readAssignmentTarget(client, name));
  const target: AssignmentTarget | undefined =
    found ?? (planned ? { kind: 'PermissionSet', id: refTo('PermissionSet', planned), name: planned, label: planned } : undefined);
  if (!target) throw m.createError('error.NotFound', [name], [name]);
  const users = await p.step(`Reading ${spec.users.length} user(s)`, () => readUsers(client, spec.users));
  const current: CurrentAssignments = found
    ? await p.step('Reading their assignments', () => readAssignments(client, found, users.found.map((u) => u.id)))
    : new Map<string, string>();
  const licences = desired === 'assigned' ? await p.step('Reading their permission set licences', () => readLicenceContext(client, target, users.found)) : undefined;
  return { target, desired, changes: planAssignments(current, users, target, desired, licences) };
};

/** Reads the target, the users and their assignments, and plans one change per user. */
export const planAssignmentRun = async (
  cmd: SfCommand<unknown>,
  m: Messages<string>,
  flags: AssignmentFlags,
  usernames: string[],
  desired: AssignmentDesired
): Promise<AssignmentPlan> => {
  const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
  const spec: AssignmentSpec = { permissionSet: flags.name, users: usernames, assigned: desired === 'assigned' };
  return { client, ...(await planAssignmentSpec(client, spec, { cmd, messages: m })) };
};

/** Applies the planned changes (unless dry-run or nothing to do), in batches, with a spinner. */
export const applyAssignmentRun = async (cmd: SfCommand<unknown>, plan: AssignmentPlan, dryRun: boolean): Promise<Change[]> => {
  if (dryRun || !hasChanges(plan.changes.filter((c) => c.status === 'planned'))) return plan.changes;
  cmd.spinner.start(`${plan.desired === 'assigned' ? 'Assigning' : 'Unassigning'} ${plan.target.name}`);
  const changes = explainHeldBack(await applyPlan(plan.client, plan.changes));
  cmd.spinner.stop(changes.some((c) => c.status === 'failed') ? 'failed' : 'done');
  return changes;
};

/**
 * Shows each user's outcome and the fixes for the failures; exit code 68 on partial success, an error when all
 * failed. Returns the --json result.
 */
export const reportAssignments = (cmd: SfCommand<unknown>, m: Messages<string>, plan: AssignmentPlan, changes: Change[], dryRun: boolean): PermsetAssignmentResult => {
  const { target, desired } = plan;
  const outcomes: UserOutcome[] = changes.map((c) => {
    const licence = c.resource === LICENCE_ASSIGNMENT_RESOURCE;
    return {
      username: c.name,
      action: licence ? 'assign-licence' : c.action === 'none' ? 'none' : desired === 'assigned' ? 'assign' : 'unassign',
      ...(licence ? { licence: String(c.fields[0]?.to ?? '') } : {}),
      status: c.status,
      ...(c.error ? { error: c.error } : {}),
    };
  });
  cmd.table({
    title: `${target.kind === 'PermissionSetGroup' ? 'Permission set group' : 'Permission set'} ${target.name}`,
    data: outcomes.map((o) => ({
      user: o.username,
      action: o.action === 'none' ? 'no change' : o.action === 'assign-licence' ? `assign licence ${o.licence ?? ''}` : o.action,
      status: o.status,
      detail: o.error ? `${o.error.code ? `${o.error.code}: ` : ''}${o.error.message}` : '',
    })),
    columns: ['user', 'action', 'status', 'detail'],
  });

  const changed = hasChanges(plan.changes.filter((c) => c.status === 'planned'));
  const result: PermsetAssignmentResult = {
    dryRun,
    changed,
    changes: summarize(changes),
    target: { kind: target.kind, name: target.name, id: typeof target.id === 'string' ? target.id : '' },
    users: outcomes,
  };
  const failed = changes.filter((c) => c.status === 'failed');
  // Users are counted by their assignment changes; a licence change only explains its user's outcome.
  const assignments = changes.filter((c) => c.resource !== LICENCE_ASSIGNMENT_RESOURCE);
  const usersFailed = assignments.filter((c) => c.status === 'failed').length;
  const ok = assignments.length - usersFailed;
  const unknown = failed.filter((c) => c.error?.code === 'USER_NOT_FOUND').map((c) => c.name);
  const inactive = failed.filter((c) => c.error?.code === 'INACTIVE_USER').map((c) => c.name);
  if (unknown.length) cmd.warn(m.getMessage('warning.unknownUsers', [unknown.join(', ')]));
  if (inactive.length) cmd.warn(m.getMessage('warning.inactiveUsers', [inactive.join(', ')]));
  const fixFor = (code: string | undefined): string => {
    if (code === 'USER_NOT_FOUND') return m.getMessage('warning.unknownUsers', [unknown.join(', ')]);
    if (code === 'INACTIVE_USER') return m.getMessage('warning.inactiveUsers', [inactive.join(', ')]);
    const key = `action.${code ?? ''}`;
    return m.messages.has(key) ? m.getMessage(key) : actionFor(code);
  };
  for (const f of failed.filter((c) => c.error?.code !== 'USER_NOT_FOUND' && c.error?.code !== 'INACTIVE_USER')) {
    cmd.warn(`${f.name}: ${f.error?.message ?? ''} ${fixFor(f.error?.code)}`);
  }
  if (usersFailed && ok === 0) {
    throw m.createError('error.AllFailed', [failed.map((f) => `${f.name} (${f.error?.message ?? ''})`).join('; ')], [fixFor(failed[0].error?.code)]);
  }
  for (const c of changes) if (c.note && c.resource === LICENCE_ASSIGNMENT_RESOURCE) cmd.log(`${c.name}: ${c.note}`);
  if (usersFailed) {
    cmd.warn(m.getMessage(dryRun ? 'warning.partialDryRun' : 'warning.partial', [String(usersFailed), String(assignments.length)]));
    process.exitCode = PARTIAL_SUCCESS;
    return result;
  }
  if (dryRun && changed) cmd.log(m.getMessage('info.dryRun'));
  else {
    const applied = assignments.filter((c) => c.status === 'applied' || c.status === 'planned').length;
    cmd.logSuccess(m.getMessage('info.done', [String(applied), String(assignments.length - applied)]));
  }
  return result;
};
