/*
 * Carrying a plan out, without a terminal: write it as source-format files (--output-dir), stop after the plan
 * (--dry-run, or nothing to do), or apply it in one ordered pass (applyPlan), with progress through a callback. The
 * result is what --json reports; how it is shown is the formatter's (src/formatters/plan.ts).
 */
import { Messages } from '@salesforce/core';
import { applyPlan, type ApplyEvent } from './apply.js';
import type { OrgClient } from './client.js';
import { writeSourceFiles } from './metadata.js';
import { displayValue, hasChanges, refsIn, type Change } from './plan.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const shared = Messages.loadMessages('plugin-provision', 'provision.shared');

/** Exit code of a run where some changes failed and others were applied. */
export const PARTIAL_SUCCESS = 68;

/** A change as --json reports it: the plan without the metadata payload. */
export type ChangeSummary = Omit<Change, 'metadata' | 'record' | 'dependsOn'>;

/** The resource of a desired-state records sync ("Lead records"): records, never files. */
export const RECORDS_SUFFIX = ' records';

export type PlanResult = {
  dryRun: boolean;
  /** True when the org was (or, with --dry-run or --output-dir, would be) changed. */
  changed: boolean;
  changes: ChangeSummary[];
  outputDir?: string;
  files?: string[];
};

export type PlanRun = { dryRun: boolean; outputDir?: string; onProgress?: (e: ApplyEvent) => void };

/** The changes as --json reports them: the fields of a ChangeSummary only (no payload, no resource-specific extras). */
export const summarize = (changes: Change[]): ChangeSummary[] =>
  changes.map((c) => ({
    resource: c.resource,
    name: c.name,
    action: c.action,
    fields: c.fields,
    status: c.status,
    ...(c.note !== undefined ? { note: c.note } : {}),
    ...(c.error !== undefined ? { error: c.error } : {}),
  }));

/** The fix for a failed change, by the org's error code. */
export const actionFor = (code: string | undefined): string => {
  const key = `action.${code ?? 'default'}`;
  return shared.messages.has(key) ? shared.getMessage(key) : shared.getMessage('action.default');
};

/**
 * --output-dir: the plan's metadata components written as source-format files, resolved for the org the plan was made
 * against. What files cannot hold is refused before anything is written: a record operation (login-page buttons,
 * assignments: deploy has no record), or a value that refers to what the plan has yet to create (its id is only known
 * once it exists). Returns the changes marked written and the files.
 */
export const writePlanFiles = async (outputDir: string, changes: Change[]): Promise<{ changes: Change[]; files: string[] }> => {
  const recordChange = changes.find((c) => (c.record !== undefined || c.resource.endsWith(RECORDS_SUFFIX)) && c.action !== 'none');
  if (recordChange) throw shared.createError('error.RecordsNotFiles', [`${recordChange.resource} ${recordChange.name}`]);
  const referring = changes.find((c) => c.metadata && c.action !== 'none' && refsIn(c.metadata.content).length);
  if (referring) {
    const [ref] = refsIn(referring.metadata!.content);
    throw shared.createError('error.ReferenceNotFiles', [`${referring.resource} ${referring.name}`, displayValue(ref)]);
  }
  const files = await writeSourceFiles(outputDir, changes.filter((c) => c.metadata).map((c) => c.metadata!));
  return { changes: changes.map((c): Change => (c.metadata ? { ...c, status: 'written' } : c)), files };
};

/**
 * Writes, stops after or applies the plan as `run` says. Returns the --json result and the changes as they ended
 * (applied, failed, written or as planned); never throws for a change the org refused: that is the change's status.
 */
export const carryOutPlan = async (client: OrgClient, changes: Change[], run: PlanRun): Promise<{ result: PlanResult; changes: Change[] }> => {
  const changed = hasChanges(changes);
  if (run.outputDir) {
    const written = await writePlanFiles(run.outputDir, changes);
    return { result: { dryRun: false, changed, changes: summarize(written.changes), outputDir: run.outputDir, files: written.files }, changes: written.changes };
  }
  if (!changed || run.dryRun) return { result: { dryRun: run.dryRun, changed, changes: summarize(changes) }, changes };
  const done = await applyPlan(client, changes, { onProgress: run.onProgress });
  return { result: { dryRun: false, changed, changes: summarize(done) }, changes: done };
};
