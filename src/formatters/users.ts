/*
 * How `users sync` shows its result: counts by action, the seats of the user licence, the problems and notes (pending
 * email changes) with their fixes, and the exit code: 0, 68 when some users failed, an error when all failed.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { UserSyncResult } from '../provision/users/sync.js';
import { recordsExitCode } from './records.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.users.sync');

export const displayUserSync = (cmd: SfCommand<unknown>, r: UserSyncResult): void => {
  const c = r.counts;
  cmd.table({
    title: messages.getMessage(r.dryRun ? 'info.planTitle' : 'info.resultTitle', [String(r.rows)]),
    data: (['create', 'update', 'deactivate', 'none', 'skip', 'error'] as const).filter((a) => c[a] > 0).map((a) => ({ action: a === 'none' ? 'no change' : a, users: c[a] })),
    columns: ['action', 'users'],
  });
  if (r.licence) cmd.log(messages.getMessage('info.licence', [r.licence.name, String(r.licence.used), String(r.licence.total), String(r.licence.needed)]));
  const notable = r.outcomes.filter((o) => o.status === 'failed' || o.status === 'skipped' || (o.message && o.action === 'update'));
  if (notable.length) {
    cmd.table({
      title: messages.getMessage('info.notes', [String(notable.length)]),
      data: notable.slice(0, 50).map((o) => ({ row: o.row ?? '', user: o.key, action: o.action, status: o.status, detail: `${o.code ? `${o.code}: ` : ''}${o.message ?? ''}` })),
      columns: ['row', 'user', 'action', 'status', 'detail'],
    });
  }
  if (r.dryRun) cmd.log(messages.getMessage('info.dryRun'));
  else if (!c.failed) cmd.logSuccess(messages.getMessage('info.done', [String(c.succeeded)]));
  else cmd.warn(messages.getMessage('warning.partial', [String(c.failed), String(c.failed + c.succeeded)]));
};

export const userSyncExitCode = (r: UserSyncResult): number => recordsExitCode(r, r.outcomes, messages);
