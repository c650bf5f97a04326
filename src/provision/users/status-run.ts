/*
 * The shared run of `users freeze`, `users unfreeze` and `users deactivate`: their flags, reading and planning (with
 * spinners), applying, and reporting each user's outcome. The commands only parse their flags and call these.
 * Exit code 0 when every user ends up as asked, 68 when some failed and others succeeded, an error (1) when all failed.
 */
import { readFile } from 'node:fs/promises';
import { Flags, type SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../client.js';
import { actionFor, dryRunFlag, PARTIAL_SUCCESS, summarize, type PlanResult } from '../command.js';
import { hasChanges } from '../plan.js';
import { progressOf } from '../progress.js';
import { parseUsersFile } from '../resources/permset-assignment.js';
import { applyUserStatus, planUserStatus, readRunningUser, USER_NOT_FOUND, type StatusChange, type StatusOperation } from './status.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
/** The three commands' message files have the same flag summaries; the flags are defined once from `users freeze`'s. */
const flagMessages = Messages.loadMessages('plugin-provision', 'provision.users.freeze');

export type UserStatusOutcome = {
  username: string;
  action: StatusOperation | 'none';
  status: StatusChange['status'];
  error?: { code?: string; message: string };
};

export type UserStatusResult = PlanResult & { operation: StatusOperation; users: UserStatusOutcome[] };

export const statusFlags = {
  'target-org': Flags.requiredOrg(),
  'api-version': Flags.orgApiVersion(),
  users: Flags.string({ summary: flagMessages.getMessage('flags.users.summary'), char: 'u', multiple: true, delimiter: ',', exactlyOne: ['users', 'file'] }),
  file: Flags.file({ summary: flagMessages.getMessage('flags.file.summary'), char: 'f', exists: true, exactlyOne: ['users', 'file'] }),
  'dry-run': dryRunFlag,
};

export type StatusFlags = {
  'target-org': { getConnection(v?: string): ConstructorParameters<typeof OrgClient>[0] };
  'api-version'?: string;
  users?: string[];
  file?: string;
  'dry-run': boolean;
};

/** Reads, plans, applies (unless --dry-run) and reports; returns the --json result. */
export const runUserStatus = async (cmd: SfCommand<unknown>, m: Messages<string>, op: StatusOperation, flags: StatusFlags): Promise<UserStatusResult> => {
  const usernames = flags.file ? parseUsersFile(await readFile(flags.file, 'utf8')) : (flags.users ?? []).map((u) => u.trim()).filter(Boolean);
  if (!usernames.length) throw m.createError('error.NoUsers', [flags.file ? ` in ${flags.file}` : '']);
  const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
  const p = progressOf(cmd, m);
  const running = await p.step('Checking the running user', () => readRunningUser(client));
  if (!running.manageUsers) throw m.createError('error.NoManageUsers', [running.username ?? 'the running user']);
  const planned = await p.step(`Reading ${usernames.length} user(s)`, () => planUserStatus(client, op, usernames, running));
  let changes = planned;
  if (!flags['dry-run'] && hasChanges(planned.filter((c) => c.status === 'planned'))) {
    cmd.spinner.start(`${op === 'deactivate' ? 'Deactivating' : op === 'freeze' ? 'Freezing' : 'Unfreezing'} users`);
    changes = await applyUserStatus(client, planned);
    cmd.spinner.stop(changes.some((c) => c.status === 'failed') ? 'failed' : 'done');
  }
  return reportUserStatus(cmd, m, op, planned, changes, flags['dry-run']);
};

const detail = (c: StatusChange): string => {
  if (c.error) return `${c.error.code ? `${c.error.code}: ` : ''}${c.error.message}`;
  const f = c.fields[0];
  return f ? `${f.field}: ${String(f.from)} → ${String(f.to)}` : '';
};

export const reportUserStatus = (
  cmd: SfCommand<unknown>,
  m: Messages<string>,
  op: StatusOperation,
  planned: StatusChange[],
  changes: StatusChange[],
  dryRun: boolean
): UserStatusResult => {
  const users: UserStatusOutcome[] = changes.map((c) => ({
    username: c.name,
    action: c.action === 'update' ? op : 'none',
    status: c.status,
    ...(c.error ? { error: c.error } : {}),
  }));
  cmd.table({
    data: changes.map((c) => ({ user: c.name, action: c.action === 'update' ? op : 'no change', status: c.status, detail: detail(c) })),
    columns: ['user', 'action', 'status', 'detail'],
  });
  const changed = hasChanges(planned.filter((c) => c.status === 'planned'));
  const result: UserStatusResult = { dryRun, changed, changes: summarize(changes), operation: op, users };
  const failures = changes.filter((c) => c.status === 'failed');
  const unknown = failures.filter((c) => c.error?.code === USER_NOT_FOUND).map((c) => c.name);
  if (unknown.length) cmd.warn(m.getMessage('warning.unknownUsers', [unknown.join(', ')]));
  const fixFor = (code: string | undefined): string => {
    const key = `action.${code ?? ''}`;
    return m.messages.has(key) ? m.getMessage(key) : actionFor(code);
  };
  for (const f of failures.filter((c) => c.error?.code !== USER_NOT_FOUND)) cmd.warn(`${f.name}: ${f.error?.message ?? ''} ${fixFor(f.error?.code)}`);
  if (failures.length && failures.length === changes.length) {
    throw m.createError('error.AllFailed', [failures.map((f) => `${f.name} (${f.error?.message ?? ''})`).join('; ')], [fixFor(failures[0].error?.code)]);
  }
  if (failures.length) {
    cmd.warn(m.getMessage(dryRun ? 'warning.partialDryRun' : 'warning.partial', [String(failures.length), String(changes.length)]));
    process.exitCode = PARTIAL_SUCCESS;
    return result;
  }
  if (dryRun && changed) cmd.log(m.getMessage('info.dryRun'));
  else {
    const done = changes.filter((c) => c.status === 'applied').length;
    cmd.logSuccess(m.getMessage('info.done', [String(done), String(changes.length - done)]));
  }
  return result;
};
