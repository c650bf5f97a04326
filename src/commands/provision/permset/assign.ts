import { readFile } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { actionFor, dryRunFlag, PARTIAL_SUCCESS, step, summarize, type PlanResult } from '../../../provision/command.js';
import { hasChanges, type Change } from '../../../provision/plan.js';
import {
  applyAssignments,
  parseUsersFile,
  planAssignments,
  readAssignments,
  readAssignmentTarget,
  readUsers,
  type AssignmentDesired,
  type AssignmentTarget,
} from '../../../provision/resources/permset-assignment.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.permset.assign');

/** One user's outcome. */
export type UserOutcome = {
  username: string;
  action: 'assign' | 'unassign' | 'none';
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
  name: Flags.string({ summary: messages.getMessage('flags.name.summary'), char: 'n', required: true }),
  users: Flags.string({ summary: messages.getMessage('flags.users.summary'), char: 'u', multiple: true, delimiter: ',', exactlyOne: ['users', 'users-file'] }),
  'users-file': Flags.file({ summary: messages.getMessage('flags.users-file.summary'), exists: true, exactlyOne: ['users', 'users-file'] }),
  'dry-run': dryRunFlag,
};

type AssignmentFlags = {
  'target-org': { getConnection(v?: string): ConstructorParameters<typeof OrgClient>[0] };
  'api-version'?: string;
  name: string;
  users?: string[];
  'users-file'?: string;
  'dry-run': boolean;
};

/**
 * The shared run of `permset assign` and `permset unassign`: read the target, the users and their assignments,
 * plan one change per user, show it, and apply it in batches; exit 68 on partial success, fail when all failed.
 */
export const runAssignment = async (
  cmd: SfCommand<unknown>,
  m: Messages<string>,
  flags: AssignmentFlags,
  desired: AssignmentDesired
): Promise<PermsetAssignmentResult> => {
  const usernames = flags['users-file']
    ? parseUsersFile(await readFile(flags['users-file'], 'utf8'))
    : (flags.users ?? []).map((u) => u.trim()).filter(Boolean);
  if (!usernames.length) throw m.createError('error.NoUsers', [flags['users-file'] ? ` in ${flags['users-file']}` : '']);
  const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
  const target = await step(cmd, `Reading the permission set ${flags.name}`, m, () => readAssignmentTarget(client, flags.name));
  if (!target) throw m.createError('error.NotFound', [flags.name], [flags.name]);
  const users = await step(cmd, `Reading ${usernames.length} user(s)`, m, () => readUsers(client, usernames));
  const current = await step(cmd, 'Reading their assignments', m, () =>
    readAssignments(
      client,
      target,
      users.found.map((u) => u.id)
    )
  );
  let changes = planAssignments(current, users, target, desired);

  const changed = hasChanges(changes.filter((c) => c.status === 'planned'));
  if (changed && !flags['dry-run']) {
    cmd.spinner.start(`${desired === 'assigned' ? 'Assigning' : 'Unassigning'} ${target.name}`);
    changes = await applyAssignments(client, changes);
    cmd.spinner.stop(changes.some((c) => c.status === 'failed') ? 'failed' : 'done');
  }

  const outcomes: UserOutcome[] = changes.map((c) => ({
    username: c.name,
    action: c.action === 'none' ? 'none' : desired === 'assigned' ? 'assign' : 'unassign',
    status: c.status,
    ...(c.error ? { error: c.error } : {}),
  }));
  cmd.table({
    title: `${target.kind === 'PermissionSetGroup' ? 'Permission set group' : 'Permission set'} ${target.name}`,
    data: outcomes.map((o) => ({
      user: o.username,
      action: o.action === 'none' ? 'no change' : o.action,
      status: o.status,
      detail: o.error ? `${o.error.code ? `${o.error.code}: ` : ''}${o.error.message}` : '',
    })),
    columns: ['user', 'action', 'status', 'detail'],
  });

  const result: PermsetAssignmentResult = {
    dryRun: flags['dry-run'],
    changed,
    changes: summarize(changes),
    target: { kind: target.kind, name: target.name, id: target.id },
    users: outcomes,
  };
  const failed = changes.filter((c) => c.status === 'failed');
  const ok = changes.length - failed.length;
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
  if (failed.length && ok === 0) {
    const first = failed[0];
    throw m.createError('error.AllFailed', [failed.map((f) => `${f.name} (${f.error?.message ?? ''})`).join('; ')], [fixFor(first.error?.code)]);
  }
  if (failed.length) {
    cmd.warn(m.getMessage('warning.partial', [String(failed.length), String(changes.length)]));
    process.exitCode = PARTIAL_SUCCESS;
    return result;
  }
  if (flags['dry-run'] && changed) cmd.log(m.getMessage('info.dryRun'));
  else {
    const applied = changes.filter((c) => c.status === 'applied' || c.status === 'planned').length;
    cmd.logSuccess(m.getMessage('info.done', [String(applied), String(changes.length - applied)]));
  }
  return result;
};

export default class PermsetAssign extends SfCommand<PermsetAssignmentResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = assignmentFlags;

  public async run(): Promise<PermsetAssignmentResult> {
    const { flags } = await this.parse(PermsetAssign);
    return runAssignment(this, messages, flags, 'assigned');
  }
}
