/*
 * `provision plan` and `provision apply` without the commands: read the file, plan it against the org, then (apply)
 * write it as source files, stop after the plan (dry run) or apply it. One call; progress goes to callbacks (the stage,
 * the section being planned, each change applied), nothing to a terminal.
 */
import type { ApplyEvent } from '../apply.js';
import type { OrgClient } from '../client.js';
import { summarize, writePlanFiles, type ChangeSummary } from '../carry-out.js';
import { hasChanges, type Change } from '../plan.js';
import { applyDesiredState } from './apply.js';
import { readDesiredState } from './file.js';
import { planDesiredState } from './plan.js';

export const STAGES = { read: 'Reading the file', plan: 'Planning', apply: 'Applying', files: 'Writing files' } as const;
export type Stage = (typeof STAGES)[keyof typeof STAGES];

export type DesiredStateRun = {
  file: string;
  /** plan: read and plan only; apply: also apply (or write files, or stop after the plan with dryRun). */
  mode: 'plan' | 'apply';
  dryRun?: boolean;
  outputDir?: string;
  /** Where ${env:NAME} and secrets' variables are looked up (process.env by default). */
  env?: NodeJS.ProcessEnv;
};

export type DesiredStateEvents = {
  onStage?: (stage: Stage) => void;
  onSection?: (section: string, entries: number) => void;
  onProgress?: (e: ApplyEvent) => void;
};

export type ChangeCounts = { create: number; update: number; delete: number; unchanged: number; applied: number; failed: number };

export type DesiredStateResult = {
  /** The file, as an absolute path. */
  file: string;
  mode: 'plan' | 'apply';
  dryRun: boolean;
  /** True when the org differs from the file (before this run). */
  changed: boolean;
  changes: ChangeSummary[];
  counts: ChangeCounts;
  warnings: string[];
  outputDir?: string;
  files?: string[];
  /** New files holding new apps' consumer secrets. */
  secretFiles?: string[];
};

export const countChanges = (changes: Array<Pick<Change, 'action' | 'status'>>): ChangeCounts => ({
  create: changes.filter((c) => c.action === 'create').length,
  update: changes.filter((c) => c.action === 'update').length,
  delete: changes.filter((c) => c.action === 'delete').length,
  unchanged: changes.filter((c) => c.action === 'none').length,
  applied: changes.filter((c) => c.status === 'applied').length,
  failed: changes.filter((c) => c.status === 'failed').length,
});

/**
 * A new app's consumer key is made afresh by every plan; the one a plan shows is not the one a later apply creates.
 * A plan that is not applied says so instead of showing a key that will never exist.
 */
const keyWhenApplied = (c: Change): Change =>
  c.action === 'create' && c.fields.some((f) => f.field === 'consumerKey' || f.field.endsWith('.consumerKey'))
    ? { ...c, fields: c.fields.map((f) => (f.field === 'consumerKey' || f.field.endsWith('.consumerKey') ? { ...f, to: '(generated when applied)' } : f)) }
    : c;

/** Reads, plans and (apply) carries out a desired-state file against the org. */
export const runDesiredState = async (client: OrgClient, run: DesiredStateRun, events: DesiredStateEvents = {}): Promise<DesiredStateResult> => {
  events.onStage?.(STAGES.read);
  const state = await readDesiredState(run.file, run.env);
  events.onStage?.(STAGES.plan);
  const plan = await planDesiredState(client, state, { forFiles: Boolean(run.outputDir), onSection: events.onSection });
  const changed = hasChanges(plan.changes);
  const base = { file: state.file, mode: run.mode, dryRun: run.mode === 'apply' && Boolean(run.dryRun), changed, warnings: plan.warnings };
  const result = (changes: Change[], extra: Partial<DesiredStateResult> = {}): DesiredStateResult => ({
    ...base,
    changes: summarize(run.mode === 'plan' || run.dryRun ? changes.map(keyWhenApplied) : changes),
    counts: countChanges(changes),
    ...extra,
  });
  const stopsAtPlan = run.mode === 'plan' || Boolean(run.dryRun) || !changed;
  if (stopsAtPlan && (!run.outputDir || run.mode === 'plan')) return result(plan.changes);
  if (run.outputDir) {
    events.onStage?.(STAGES.files);
    const written = await writePlanFiles(run.outputDir, plan.changes);
    return result(written.changes, { outputDir: run.outputDir, files: written.files });
  }
  events.onStage?.(STAGES.apply);
  const applied = await applyDesiredState(client, plan, { onProgress: events.onProgress, env: run.env });
  return result(applied.changes, applied.secretFiles.length ? { secretFiles: applied.secretFiles } : {});
};
