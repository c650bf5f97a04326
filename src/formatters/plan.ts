/*
 * How a command that plans and applies shows its result: the plan (or its outcome) as a table, the changes' notes, the
 * line that says what happened (written, nothing to do, dry run, applied), each failure with its fix, and the exit code:
 * 0, 68 when some changes failed and others were applied, an error (exit 1) when all failed.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import { actionFor, PARTIAL_SUCCESS, type ChangeSummary, type PlanResult } from '../provision/carry-out.js';
import { planRows, type Change } from '../provision/plan.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const shared = Messages.loadMessages('plugin-provision', 'provision.shared');

/** The plan as a table: one row per changed field, with each change's status; then the changes' notes. */
export const renderPlan = (cmd: SfCommand<unknown>, changes: Array<Change | ChangeSummary>): void => {
  cmd.table({
    title: shared.getMessage('info.plan'),
    data: planRows(changes as Change[]),
    columns: ['action', 'resource', 'name', 'field', 'from', 'to', 'status'],
  });
  for (const c of changes) if (c.note) cmd.log(`${c.resource} ${c.name}: ${c.note}`);
};

export class PlanFormatter {
  public constructor(private readonly cmd: SfCommand<unknown>, private readonly result: PlanResult) {}

  private get failed(): ChangeSummary[] {
    return this.result.changes.filter((c) => c.status === 'failed');
  }

  private get applied(): ChangeSummary[] {
    return this.result.changes.filter((c) => c.status === 'applied');
  }

  public display(): void {
    const { cmd, result } = this;
    renderPlan(cmd, result.changes);
    if (result.outputDir) {
      cmd.logSuccess(shared.getMessage('info.written', [String(result.files?.length ?? 0), result.outputDir, result.outputDir]));
    } else if (!result.changed) {
      cmd.log(shared.getMessage('info.noChanges'));
    } else if (result.dryRun) {
      cmd.log(shared.getMessage('info.dryRun'));
    } else if (this.failed.length && this.applied.length) {
      for (const f of this.failed) cmd.warn(`${f.resource} ${f.name}: ${f.error?.message ?? ''} ${actionFor(f.error?.code)}`);
      cmd.warn(shared.getMessage('warning.partial', [String(this.failed.length), String(this.failed.length + this.applied.length)]));
    } else if (!this.failed.length) {
      cmd.logSuccess(shared.getMessage('info.applied', [String(this.applied.length)]));
    }
  }

  /** 0; 68 when some changes failed and others were applied. Every change failing is an error, thrown with its fix. */
  public exitCode(): number {
    const [first] = this.failed;
    if (!first) return 0;
    if (this.applied.length) return PARTIAL_SUCCESS;
    throw shared.createError('error.ChangeFailed', [first.resource, first.name, first.error?.message ?? ''], [actionFor(first.error?.code)]);
  }
}
