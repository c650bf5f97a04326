/*
 * How `records sync` shows its work: stages while it runs (checking the input, planning, writing with a count of
 * rows, removing), then a summary table (action × outcome), the estimate the plan was made with, the first problems,
 * the result file, and the exit code: 0 when every record succeeded (or needed nothing), 68 when some failed, an error
 * (exit 1) when every record to write failed.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { MultiStageOutput } from '@oclif/multi-stage-output';
import type { OrgClient } from '../provision/client.js';
import { PARTIAL_SUCCESS } from '../provision/carry-out.js';
import { runSync, SYNC_STAGES, type SyncResult, type SyncSpec, type SyncStage } from '../provision/records/sync.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.records.sync');

type Data = { rows: string; job: string };

const stagesOf = (spec: SyncSpec, dryRun: boolean): SyncStage[] => [
  SYNC_STAGES.check,
  SYNC_STAGES.plan,
  ...(dryRun ? [] : [SYNC_STAGES.write]),
  ...(spec.deprovisionMissing ? [SYNC_STAGES.remove] : []),
];

export const displaySync = (cmd: SfCommand<unknown>, r: SyncResult): void => {
  const c = r.counts;
  cmd.table({
    title: messages.getMessage(r.dryRun ? 'info.planTitle' : 'info.resultTitle', [String(r.rows)]),
    data: (['create', 'update', 'delete', 'disable', 'none', 'skip', 'error'] as const)
      .filter((a) => c[a] > 0)
      .map((a) => ({ action: a === 'none' ? 'no change' : a, records: c[a] })),
    columns: ['action', 'records'],
  });
  const e = r.estimate;
  cmd.log(messages.getMessage('info.estimate', [r.object, e.planning === 'bulk-query' ? 'one Bulk API 2.0 query job' : 'IN-list queries', String(e.planningCalls), e.writing === 'bulk' ? 'Bulk API 2.0' : 'sObject Collections', String(e.writeCalls), e.remaining === undefined ? '?' : String(e.remaining), String(r.apiCalls)]));
  if (r.problems.length) {
    cmd.table({
      title: messages.getMessage('info.problems', [String(Math.min(20, r.problems.length)), String(r.problems.length)]),
      data: r.problems.slice(0, 20).map((p) => ({ row: p.row ?? '', key: p.key, action: p.action, status: p.status, reason: `${p.code ? `${p.code}: ` : ''}${p.message ?? ''}` })),
      columns: ['row', 'key', 'action', 'status', 'reason'],
    });
  }
  if (r.resultFile) cmd.log(messages.getMessage('info.resultFile', [r.resultFile]));
  if (r.dryRun) cmd.log(messages.getMessage('info.dryRun'));
  else if (!c.failed) cmd.logSuccess(messages.getMessage('info.done', [String(c.succeeded)]));
  else cmd.warn(messages.getMessage('warning.partial', [String(c.failed), String(c.failed + c.succeeded)]));
};

/**
 * The exit code of a run that writes records one by one (records sync, users sync): 0, 68 when some failed and others
 * succeeded; when every record sent failed, the bundle's error.AllFailed (exit 1) with the first failure and the whole
 * result as its data.
 */
export const recordsExitCode = (
  r: { counts: { failed: number; succeeded: number } },
  outcomes: Array<{ key: string; status: string; code?: string; message?: string }>,
  bundle: Messages<string>
): number => {
  if (!r.counts.failed) return 0;
  if (r.counts.succeeded) return PARTIAL_SUCCESS;
  const first = outcomes.find((p) => p.status === 'failed');
  const error = bundle.createError('error.AllFailed', [String(r.counts.failed), first ? `${first.key}: ${first.code ?? ''} ${first.message ?? ''}` : '']);
  error.setData(r as unknown as Record<string, never>);
  throw error;
};

/** 0, 68 when some records failed and others succeeded; an error when every record sent failed. */
export const syncExitCode = (r: SyncResult): number => recordsExitCode(r, r.problems, messages);

/** The sync under its stages, then shown (not with --json) and the exit code set. */
export const runSyncAndShow = async (cmd: SfCommand<unknown>, client: OrgClient, spec: SyncSpec, run: { dryRun: boolean; resultFile?: string }): Promise<SyncResult> => {
  const { MultiStageOutput: Mso } = await import('@oclif/multi-stage-output');
  const ms: MultiStageOutput<Data> = new Mso<Data>({
    jsonEnabled: cmd.jsonEnabled(),
    stages: stagesOf(spec, run.dryRun),
    title: messages.getMessage('info.title', [spec.file, spec.object]),
    stageSpecificBlock: [
      ...[SYNC_STAGES.plan, SYNC_STAGES.write].map((stage) => ({ stage, type: 'dynamic-key-value' as const, label: 'Rows', get: (d?: Data): string | undefined => d?.rows })),
      // The id to resume with, shown as soon as the job exists (an interrupted run says it on its way out).
      { stage: SYNC_STAGES.write, type: 'static-key-value' as const, label: 'Bulk API job (--resume-job)', get: (d?: Data): string | undefined => d?.job, alwaysPrintInCI: true },
    ],
  });
  let result: SyncResult;
  try {
    let last = 0;
    result = await runSync(client, spec, run, {
      onStage: (s) => ms.skipTo(s),
      onJob: (job) => ms.updateData({ job }),
      onProgress: ({ done, total }) => {
        if (done === total || done - last >= 500) {
          last = done;
          ms.updateData({ rows: `${done}/${total}` });
        }
      },
    });
    ms.stop(result.counts.failed ? 'failed' : 'completed');
  } catch (e) {
    ms.error();
    throw e;
  }
  if (!cmd.jsonEnabled()) displaySync(cmd, result);
  process.exitCode = syncExitCode(result);
  return result;
};
