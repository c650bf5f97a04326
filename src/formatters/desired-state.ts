/*
 * How `provision plan` and `provision apply` show their work: the stages while they run (MultiStageOutput: reading the
 * file, planning each section, applying with a count of changes), then the plan or its outcome as one table, the
 * warnings, the notes, a summary line and the exit code. The library (desired-state/run.ts) knows nothing of this.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { MultiStageOutput } from '@oclif/multi-stage-output';
import { actionFor, PARTIAL_SUCCESS } from '../provision/carry-out.js';
import { planRows, type Change } from '../provision/plan.js';
import type { OrgClient } from '../provision/client.js';
import { runDesiredState, STAGES, type DesiredStateEvents, type DesiredStateResult, type DesiredStateRun, type Stage } from '../provision/desired-state/run.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const shared = Messages.loadMessages('plugin-provision', 'provision.shared');
const messages = Messages.loadMessages('plugin-provision', 'provision.desired-state');

type StageData = { section: string; progress: string };

/** The stages of a run, shown while it goes (nothing with --json); the library's events move them on. */
export class DesiredStateStages {
  private reached?: Stage;

  private constructor(private readonly ms: MultiStageOutput<StageData>, private readonly stages: Stage[]) {}

  /** The stages on screen (loaded here, not at the command's start: the library draws with ink and React). */
  public static async start(jsonEnabled: boolean, stages: Stage[], title: string): Promise<DesiredStateStages> {
    const { MultiStageOutput: Mso } = await import('@oclif/multi-stage-output');
    const ms = new Mso<StageData>({
      jsonEnabled,
      stages,
      title,
      stageSpecificBlock: [
        { stage: STAGES.plan, type: 'dynamic-key-value', label: 'Section', get: (d): string | undefined => d?.section },
        { stage: STAGES.apply, type: 'dynamic-key-value', label: 'Changes', get: (d): string | undefined => d?.progress },
      ],
    });
    return new DesiredStateStages(ms, stages);
  }

  public events(): DesiredStateEvents {
    return {
      onStage: (stage): void => {
        this.reached = stage;
        this.ms.skipTo(stage);
      },
      onSection: (section, entries): void => this.ms.updateData({ section: `${section} (${entries})` }),
      onProgress: (e): void => {
        if (e.type === 'start') this.ms.updateData({ progress: `0/${e.total}` });
        if (e.type === 'change') this.ms.updateData({ progress: `${e.done}/${e.total}` });
      },
    };
  }

  /**
   * Ends the display: failed on an error or when changes failed; stages the run did not need (nothing to apply) shown
   * as skipped.
   */
  public stop(error?: unknown, result?: DesiredStateResult): void {
    const last = this.stages[this.stages.length - 1];
    if (error) this.ms.error();
    else if (result?.counts.failed) this.ms.stop('failed');
    else if (this.reached === last) this.ms.stop();
    else {
      this.ms.skipTo(last);
      this.ms.stop('skipped');
    }
  }
}

/** The result of `plan` or `apply` for the terminal: display() shows it, exitCode() is what the command exits with. */
export class DesiredStateFormatter {
  public constructor(private readonly cmd: SfCommand<unknown>, private readonly result: DesiredStateResult) {}

  /** Whether the run sent changes to the org (not a plan, a dry run, files, or nothing to do). */
  public applied(): boolean {
    const r = this.result;
    return r.mode === 'apply' && !r.dryRun && !r.outputDir && r.changed;
  }

  public display(): void {
    const { cmd, result } = this;
    for (const w of result.warnings) cmd.warn(w);
    // What the plan already knows cannot be done (an unknown user, ...): said before the table, with the reason.
    for (const c of result.changes.filter((x) => x.status === 'failed' && result.counts.applied === 0)) {
      cmd.warn(`${c.resource} ${c.name}: ${c.error?.message ?? ''}`);
    }
    cmd.table({
      title: messages.getMessage(this.applied() ? 'info.resultTitle' : 'info.planTitle'),
      data: planRows(result.changes as Change[]),
      columns: ['action', 'resource', 'name', 'field', 'from', 'to', 'status'],
    });
    for (const c of result.changes) if (c.note) cmd.log(`${c.resource} ${c.name}: ${c.note}`);
    const { create, update, delete: del, unchanged } = result.counts;
    const counts = [String(create), String(update), String(del), String(unchanged)];
    if (result.outputDir) {
      cmd.logSuccess(shared.getMessage('info.written', [String(result.files?.length ?? 0), result.outputDir, result.outputDir]));
    } else if (result.mode === 'plan' || result.dryRun || !result.changed) {
      cmd.log(result.changed ? messages.getMessage('info.planned', counts) : messages.getMessage('info.noChanges', [String(unchanged)]));
      if (result.changed && result.mode === 'apply') cmd.log(shared.getMessage('info.dryRun'));
    } else {
      this.outcome();
    }
  }

  /**
   * plan: 0, or with --detailed-exitcode 0 when the org matches the file and 2 when changes are planned. apply: 0,
   * 68 when some changes failed and others were applied. Every change failing is an error (exit 1), thrown.
   */
  public exitCode(detailed = false): number {
    const { result } = this;
    if (result.mode === 'plan') {
      const cannot = result.changes.filter((c) => c.status === 'failed');
      if (cannot.length) {
        const error = messages.createError('error.PlanHasFailures', [String(cannot.length), cannot.map((c) => `${c.resource} ${c.name}: ${c.error?.message ?? ''}`).join('\n')]);
        error.setData(result as unknown as Record<string, never>);
        throw error;
      }
      return detailed && result.changed ? 2 : 0;
    }
    const { applied, failed } = result.counts;
    if (failed && !applied) {
      const first = result.changes.find((c) => c.status === 'failed')!;
      const error = messages.createError('error.AllFailed', [String(failed), first.resource, first.name, first.error?.message ?? ''], [actionFor(first.error?.code)]);
      error.setData(result as unknown as Record<string, never>);
      throw error;
    }
    return failed ? PARTIAL_SUCCESS : 0;
  }

  /** After an apply: each failure with its fix and the partial-success line, or the count applied; the secret files. */
  private outcome(): void {
    const { cmd, result } = this;
    const { applied, failed } = result.counts;
    const failures = result.changes.filter((c) => c.status === 'failed');
    if (applied && failed) {
      for (const f of failures) cmd.warn(`${f.resource} ${f.name}: ${f.error?.message ?? ''} ${actionFor(f.error?.code)}`);
      cmd.warn(messages.getMessage('warning.partial', [String(failed), String(applied + failed)]));
    } else if (!failed) {
      cmd.logSuccess(shared.getMessage('info.applied', [String(applied)]));
    }
    for (const file of result.secretFiles ?? []) cmd.logSuccess(messages.getMessage('info.secretFile', [file]));
  }
}

/**
 * What `plan` and `apply` do once their flags are read: the run under its stages, then the result shown (not with
 * --json) and the exit code set (--detailed-exitcode for plan). Returns the --json result.
 */
export const runAndShow = async (
  cmd: SfCommand<unknown>,
  client: OrgClient,
  run: DesiredStateRun,
  o: { stages: Stage[]; title: string; detailedExitCode?: boolean }
): Promise<DesiredStateResult> => {
  const shown = await DesiredStateStages.start(cmd.jsonEnabled(), o.stages, o.title);
  let result: DesiredStateResult;
  try {
    result = await runDesiredState(client, run, shown.events());
    shown.stop(undefined, result);
  } catch (e) {
    shown.stop(e);
    throw e;
  }
  const formatter = new DesiredStateFormatter(cmd, result);
  if (!cmd.jsonEnabled()) formatter.display();
  process.exitCode = formatter.exitCode(o.detailedExitCode);
  return result;
};
