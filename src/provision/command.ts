/*
 * The shared shape of every command that changes the org: read the current state, plan, then either show the plan
 * (--dry-run), write it as source-format files (--output-dir), or apply it. Exit 0 when everything was applied (or
 * nothing was needed), 68 when some changes failed and others were applied, 1 when all failed.
 */
import { Messages, SfError } from '@salesforce/core';
import { Flags, type SfCommand } from '@salesforce/sf-plugins-core';
import { applyPlan } from './apply.js';
import { OrgClient } from './client.js';
import { toSfError } from './errors.js';
import { writeSourceFiles } from './metadata.js';
import { displayValue, hasChanges, planRows, refsIn, type Change } from './plan.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const shared = Messages.loadMessages('plugin-provision', 'provision.shared');

export const PARTIAL_SUCCESS = 68;

/** A change as --json reports it: the plan without the metadata payload. */
export type ChangeSummary = Omit<Change, 'metadata' | 'record' | 'dependsOn'>;

export type PlanResult = {
  dryRun: boolean;
  /** True when the org was (or, with --dry-run or --output-dir, would be) changed. */
  changed: boolean;
  changes: ChangeSummary[];
  outputDir?: string;
  files?: string[];
};

export const dryRunFlag = Flags.boolean({ summary: shared.getMessage('flags.dry-run.summary'), default: false });

export const outputDirFlag = Flags.directory({
  summary: shared.getMessage('flags.output-dir.summary'),
  description: shared.getMessage('flags.output-dir.description'),
  exclusive: ['dry-run'],
});

export const summarize = (changes: Change[]): ChangeSummary[] =>
  changes.map((c) => {
    const rest: Change = { ...c };
    delete rest.metadata;
    delete rest.record;
    delete rest.dependsOn;
    return rest;
  });

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
  const recordChange = changes.find((c) => c.record && c.action !== 'none');
  if (recordChange) throw shared.createError('error.RecordsNotFiles', [`${recordChange.resource} ${recordChange.name}`]);
  const referring = changes.find((c) => c.metadata && c.action !== 'none' && refsIn(c.metadata.content).length);
  if (referring) {
    const [ref] = refsIn(referring.metadata!.content);
    throw shared.createError('error.ReferenceNotFiles', [`${referring.resource} ${referring.name}`, displayValue(ref)]);
  }
  const files = await writeSourceFiles(outputDir, changes.filter((c) => c.metadata).map((c) => c.metadata!));
  return { changes: changes.map((c): Change => (c.metadata ? { ...c, status: 'written' } : c)), files };
};

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

/** The plan as a table: one row per changed field, with each change's status; then the changes' notes. */
export const renderPlan = (cmd: SfCommand<unknown>, changes: Change[]): void => {
  cmd.table({
    title: shared.getMessage('info.plan'),
    data: planRows(changes),
    columns: ['action', 'resource', 'name', 'field', 'from', 'to', 'status'],
  });
  for (const c of changes) if (c.note) cmd.log(`${c.resource} ${c.name}: ${c.note}`);
};

/**
 * Shows the plan and carries it out as the flags say: --output-dir writes files, --dry-run stops after the plan,
 * otherwise the changes are applied. Throws when every change failed; sets exit code 68 when only some did.
 */
export const carryOut = async (
  cmd: SfCommand<unknown>,
  client: OrgClient,
  changes: Change[],
  opts: { dryRun: boolean; outputDir?: string }
): Promise<PlanResult> => {
  const changed = hasChanges(changes);
  if (opts.outputDir) {
    const written = await writePlanFiles(opts.outputDir, changes);
    renderPlan(cmd, written.changes);
    cmd.logSuccess(shared.getMessage('info.written', [String(written.files.length), opts.outputDir, opts.outputDir]));
    return { dryRun: false, changed, changes: summarize(written.changes), outputDir: opts.outputDir, files: written.files };
  }
  if (!changed) {
    renderPlan(cmd, changes);
    cmd.log(shared.getMessage('info.noChanges'));
    return { dryRun: opts.dryRun, changed, changes: summarize(changes) };
  }
  if (opts.dryRun) {
    renderPlan(cmd, changes);
    cmd.log(shared.getMessage('info.dryRun'));
    return { dryRun: true, changed, changes: summarize(changes) };
  }
  const spinner = cmd.spinner;
  spinner.start('Applying');
  const done = await applyPlan(client, changes, {
    onProgress: (e) => {
      if (e.type === 'change') spinner.status = `${e.done}/${e.total}`;
    },
  });
  const failed = done.filter((c) => c.status === 'failed');
  const applied = done.filter((c) => c.status === 'applied');
  cmd.spinner.stop(failed.length ? 'failed' : 'done');
  renderPlan(cmd, done);
  if (failed.length && applied.length === 0) {
    const first = failed[0];
    throw shared.createError(
      'error.ChangeFailed',
      [first.resource, first.name, first.error?.message ?? ''],
      [actionFor(first.error?.code)],
      undefined
    );
  }
  if (failed.length) {
    for (const f of failed) cmd.warn(`${f.resource} ${f.name}: ${f.error?.message ?? ''} ${actionFor(f.error?.code)}`);
    cmd.warn(shared.getMessage('warning.partial', [String(failed.length), String(failed.length + applied.length)]));
    process.exitCode = PARTIAL_SUCCESS;
  } else {
    cmd.logSuccess(shared.getMessage('info.applied', [String(applied.length)]));
  }
  return { dryRun: false, changed, changes: summarize(done) };
};
