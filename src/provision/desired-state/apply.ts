/*
 * Applying a planned desired-state file: the new apps' consumer secrets put into their changes (read from the
 * variable or file the entry names, or made here and written to a new 0600 file), then one ordered pass (applyPlan)
 * over every change of the file. A failure holds back what depends on it and nothing else; a second run plans only
 * what is still missing. Secrets never leave this function but into the Metadata API call and the secret file.
 */
import { rm } from 'node:fs/promises';
import { Messages } from '@salesforce/core';
import { applyPlan, type ApplyEvent } from '../apply.js';
import { withAnySecret } from '../apps-apply.js';
import type { OrgClient } from '../client.js';
import { changeKey, hasChanges, type Change } from '../plan.js';
import { generateConsumerSecret, writeSecretFile } from '../secrets.js';
import { readSecret } from './file.js';
import { syncChange, type DesiredStatePlan } from './plan.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.desired-state');

export type DesiredStateApplied = {
  /** The plan's changes in its order, each applied, failed or as it was; never holding a secret. */
  changes: Change[];
  /** New files holding a new app's consumer secret (only those whose secret the org took). */
  secretFiles: string[];
};

type SecretFor = { key: string; content: Record<string, unknown>; file?: string; app: string };

/** The secret of each app that gets one: from its reference, or made and saved to its new secret file. */
const secretsOf = async (plan: DesiredStatePlan, env: NodeJS.ProcessEnv): Promise<SecretFor[]> => {
  const out: SecretFor[] = [];
  for (const { entry, app } of plan.apps) {
    if (!app.newSecret || !hasChanges(app.changes)) continue;
    let secret: string;
    let file: string | undefined;
    if (entry.consumerSecret) {
      // eslint-disable-next-line no-await-in-loop
      secret = await readSecret(entry.consumerSecret, app.name, env);
    } else if (entry.secretFile) {
      secret = generateConsumerSecret();
      file = entry.secretFile;
      try {
        // eslint-disable-next-line no-await-in-loop
        await writeSecretFile(file, secret);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw messages.createError('error.SecretFileExists', [file, app.name]);
        throw e;
      }
    } else {
      throw messages.createError('error.SecretNowhere', [app.name]);
    }
    const withSecret = withAnySecret(app, secret);
    const carrier = withSecret.find((c, i) => c.metadata && JSON.stringify(c.metadata.content) !== JSON.stringify(app.changes[i].metadata?.content));
    if (carrier?.metadata) out.push({ key: changeKey(carrier), content: carrier.metadata.content, file, app: app.name });
  }
  return out;
};

/**
 * The records entries, after every other change (their permission sets and apps are in place by then): each sync run
 * for real, its change applied when every record succeeded, failed (with the count and the result file) otherwise.
 */
const syncRecords = async (plan: DesiredStatePlan, changes: Change[]): Promise<Change[]> => {
  let out = changes;
  for (const { change, run } of plan.records) {
    if (change.action === 'none') continue;
    const i = plan.changes.indexOf(change);
    let updated: Change;
    try {
      // eslint-disable-next-line no-await-in-loop
      const r = await run();
      const done = syncChange(change.resource, change.name, r);
      const where = r.resultFile ? ` (each record in ${r.resultFile})` : '';
      updated = r.counts.failed
        ? { ...done, action: 'update', status: 'failed', error: { code: 'RECORDS_FAILED', message: `${r.counts.failed} of ${r.counts.failed + r.counts.succeeded} records failed${where}.` } }
        : { ...done, action: 'update', status: 'applied', note: `${r.counts.succeeded} record(s) written${where}.` };
    } catch (e) {
      updated = { ...change, status: 'failed', error: { code: 'RECORDS_FAILED', message: e instanceof Error ? e.message : String(e) } };
    }
    out = out.map((c, j) => (j === i ? updated : c));
  }
  return out;
};

/**
 * Applies a plan made by planDesiredState. Reads every secret before the first write (a missing variable stops the run
 * with nothing changed); a secret file whose secret the org did not take is removed again.
 */
export const applyDesiredState = async (
  client: OrgClient,
  plan: DesiredStatePlan,
  opts: { onProgress?: (e: ApplyEvent) => void; env?: NodeJS.ProcessEnv } = {}
): Promise<DesiredStateApplied> => {
  const secrets = await secretsOf(plan, opts.env ?? process.env);
  const toSend = plan.changes.map((c) => {
    const s = secrets.find((x) => x.key === changeKey(c));
    return s && c.metadata ? { ...c, metadata: { ...c.metadata, content: s.content } } : c;
  });
  let done: Change[];
  try {
    done = await applyPlan(client, toSend, { onProgress: opts.onProgress });
  } catch (e) {
    await Promise.all(secrets.filter((s) => s.file).map((s) => rm(s.file!, { force: true })));
    throw e;
  }
  // The changes as planned (no secret), with what happened to them.
  let changes: Change[] = done.map((c, i) => ({ ...c, ...(plan.changes[i].metadata ? { metadata: plan.changes[i].metadata } : {}) }));
  changes = await syncRecords(plan, changes);
  const secretFiles: string[] = [];
  for (const s of secrets.filter((x) => x.file)) {
    const took = changes.some((c) => changeKey(c) === s.key && c.status === 'applied');
    // eslint-disable-next-line no-await-in-loop
    if (took) secretFiles.push(s.file!);
    // eslint-disable-next-line no-await-in-loop
    else await rm(s.file!, { force: true });
  }
  return { changes, secretFiles };
};
