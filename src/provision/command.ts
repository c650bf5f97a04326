/*
 * The shared shape of every command that changes the org: read the current state, plan, then either show the plan
 * (--dry-run), write it as source-format files (--output-dir), or apply it. Exit 0 when everything was applied (or
 * nothing was needed), 68 when some changes failed and others were applied, 1 when all failed.
 */
import { Messages, SfError } from '@salesforce/core';
import { Flags, type SfCommand } from '@salesforce/sf-plugins-core';
import { PlanFormatter } from '../formatters/plan.js';
import { carryOutPlan, type PlanResult } from './carry-out.js';
import { OrgClient } from './client.js';
import { toSfError } from './errors.js';
import { hasChanges, type Change } from './plan.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const shared = Messages.loadMessages('plugin-provision', 'provision.shared');

export { actionFor, PARTIAL_SUCCESS, summarize, writePlanFiles, type ChangeSummary, type PlanResult } from './carry-out.js';
export { renderPlan } from '../formatters/plan.js';

export const dryRunFlag = Flags.boolean({ summary: shared.getMessage('flags.dry-run.summary'), default: false });

export const outputDirFlag = Flags.directory({
  summary: shared.getMessage('flags.output-dir.summary'),
  description: shared.getMessage('flags.output-dir.description'),
  exclusive: ['dry-run'],
});

/** Runs a read-only step under a spinner; org errors become SfErrors with actions from the command's messages. */
export const step = async <T>(cmd: SfCommand<unknown>, label: string, messages: Messages<string>, fn: () => Promise<T>): Promise<T> => {
  cmd.spinner.start(label);
  try {
    const out = await fn();
    cmd.spinner.stop();
    return out;
  } catch (e) {
    cmd.spinner.stop('failed');
    throw e instanceof SfError ? e : toSfError(e, messages);
  }
};

/**
 * Carries the plan out as the flags say (carryOutPlan: --output-dir writes files, --dry-run stops after the plan,
 * otherwise the changes are applied under a spinner with a count) and shows the result (PlanFormatter). Throws when
 * every change failed; sets exit code 68 when only some did.
 */
export const carryOut = async (
  cmd: SfCommand<unknown>,
  client: OrgClient,
  changes: Change[],
  opts: { dryRun: boolean; outputDir?: string }
): Promise<PlanResult> => {
  const applying = hasChanges(changes) && !opts.dryRun && !opts.outputDir;
  const spinner = cmd.spinner;
  if (applying) spinner.start('Applying');
  const { result } = await carryOutPlan(client, changes, {
    ...opts,
    onProgress: (e) => {
      if (e.type === 'change') spinner.status = `${e.done}/${e.total}`;
    },
  });
  if (applying) spinner.stop(result.changes.some((c) => c.status === 'failed') ? 'failed' : 'done');
  const formatter = new PlanFormatter(cmd, result);
  formatter.display();
  const code = formatter.exitCode();
  if (code) process.exitCode = code;
  return result;
};
