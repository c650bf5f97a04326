/*
 * Carrying out a planned OAuth app (apps.ts) the way `app create` does: the consumer secret made here and sent only
 * to a new 0600 file (--secret-file) or shown (--show-secret), never into a plan, a log or --json otherwise; the plan
 * applied, printed (--dry-run) or written as files (--output-dir); then, with --wait, a client credentials token
 * asked for until the new app works.
 */
import { rm } from 'node:fs/promises';
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { Duration } from '@salesforce/kit';
import type { OrgClient } from './client.js';
import { carryOut, renderPlan, summarize, writePlanFiles, type PlanResult } from './command.js';
import { exchangeToken, normalizeDomain, type OAuthCause } from './connection.js';
import { hasChanges, type Change } from './plan.js';
import { generateConsumerSecret, writeSecretFile } from './secrets.js';
import { withSecret } from './resources/external-client-app.js';
import { withConnectedAppSecret } from './resources/connected-app.js';
import type { PlannedApp } from './apps.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.create');
const shared = Messages.loadMessages('plugin-provision', 'provision.shared');

export type AppCreateResult = PlanResult & {
  name: string;
  type: 'ExternalClientApplication' | 'ConnectedApp';
  /** The app's consumer key (client_id): not a secret. */
  consumerKey?: string;
  /** True when a new consumer secret was deployed. */
  secretCreated: boolean;
  /** Where the new secret was written. */
  secretFile?: string;
  /** The new secret: only with --show-secret. */
  consumerSecret?: string;
  /** With --saml: Salesforce as identity provider for the app's service provider. */
  saml?: { acsUrl: string; entityId: string; certificate?: string };
  /** With --wait: whether the org issued a token with the new credentials in time. */
  ready?: boolean;
};

/** How to carry a planned app out: the flags of `app create` that are not part of the app's spec. */
export type AppRunOptions = {
  dryRun: boolean;
  outputDir?: string;
  /** A new file for a new consumer secret (mode 0600, never over an existing file). */
  secretFile?: string;
  /** Print a new consumer secret and put it into the result. */
  showSecret: boolean;
  /** Minutes to wait for a client credentials token with the new credentials (0 to 60). */
  wait?: number;
};

/** The run options of `app create`'s flags. */
export const appRunFromFlags = (flags: {
  'dry-run': boolean;
  'output-dir'?: string;
  'secret-file'?: string;
  'show-secret': boolean;
  /** --wait, a duration of 0 to 60 minutes. */
  wait?: Duration;
}): AppRunOptions => {
  // Flags.duration checks max 60 but skips a min of 0 (it tests `min &&`), so a negative value is refused here.
  if (flags.wait && flags.wait.minutes < 0) throw messages.createError('error.BadWait', [String(flags.wait.minutes)]);
  return {
    dryRun: flags['dry-run'],
    outputDir: flags['output-dir'],
    secretFile: flags['secret-file'],
    showSecret: flags['show-secret'],
    wait: flags.wait?.minutes,
  };
};

/** OAuth answers that a just-created app gives while it propagates: worth another try with --wait. */
const PROPAGATING: OAuthCause[] = ['InvalidClientId', 'InvalidClientSecret', 'ClientCredentialsNotConfigured', 'Unreachable'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A new secret must go somewhere; secret flags on an app that keeps its secret only get a warning. */
const checkSecretFlags = (cmd: SfCommand<unknown>, app: PlannedApp, run: AppRunOptions): void => {
  const secretWanted = Boolean(run.secretFile) || run.showSecret;
  if (app.newSecret && !run.dryRun && !secretWanted) throw messages.createError('error.SecretNowhere');
  if (!app.newSecret && secretWanted && app.hadOauth) cmd.warn(messages.getMessage('warning.secretKept', [app.name, app.name]));
};

/** Writes the new secret to a new 0600 file before the org gets it: a file that cannot be created stops the run. */
const saveSecret = async (file: string | undefined, secret: string | undefined): Promise<string | undefined> => {
  if (!secret || !file) return undefined;
  try {
    await writeSecretFile(file, secret);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw messages.createError('error.SecretFileExists', [file]);
    throw e;
  }
  return file;
};

/** The plan with the secret in the component that takes it, for the Metadata API call only. */
export const withAnySecret = (app: PlannedApp, secret: string | undefined): Change[] =>
  !secret ? app.changes : app.type === 'ExternalClientApplication' ? withSecret(app.changes, secret) : withConnectedAppSecret(app.changes, secret);

/** The org's refusal of a new connected app (Spring '26), as an error that recommends an External Client App. */
const connectedAppRefusal = (name: string, e: unknown): unknown => {
  if (!(e instanceof Error) || !/connected app/i.test(e.message) || !/creat/i.test(e.message)) return e;
  const reason = e.message.replace(/^The org refused the change to ConnectedApp \S+: /, '');
  return messages.createError('error.ConnectedAppRefused', [name, reason]);
};

/** --output-dir for External Client Apps: the components without their secret, as source-format files. */
const writeFiles = async (cmd: SfCommand<unknown>, changes: Change[], outputDir: string): Promise<PlanResult> => {
  const written = await writePlanFiles(outputDir, changes);
  renderPlan(cmd, written.changes);
  cmd.logSuccess(shared.getMessage('info.written', [String(written.files.length), outputDir, outputDir]));
  return { dryRun: false, changed: hasChanges(changes), changes: summarize(written.changes), outputDir, files: written.files };
};

/** Applies, prints or writes the plan; a secret file whose secret the org did not take is removed. */
const carryOutApp = async (
  cmd: SfCommand<unknown>,
  client: OrgClient,
  app: PlannedApp,
  o: { run: AppRunOptions; secret?: string; secretFile?: string }
): Promise<PlanResult> => {
  const isEca = app.type === 'ExternalClientApplication';
  try {
    return o.run.outputDir && isEca
      ? await writeFiles(cmd, app.changes, o.run.outputDir)
      : await carryOut(cmd, client, withAnySecret(app, o.secret), { dryRun: o.run.dryRun, outputDir: o.run.outputDir });
  } catch (e) {
    // The org did not take the secret: a file holding it would only mislead.
    if (o.secretFile) await rm(o.secretFile, { force: true });
    throw !isEca && !app.exists ? connectedAppRefusal(app.name, e) : e;
  }
};

/** Says where the secret went (only once the org has it) and builds the result. */
const finish = async (
  cmd: SfCommand<unknown>,
  result: PlanResult,
  app: PlannedApp,
  o: { run: AppRunOptions; secret?: string; secretFile?: string }
): Promise<AppCreateResult> => {
  const applied = Boolean(o.secret) && result.changes.some((c) => c.status === 'applied' && c.fields.some((f) => f.field.endsWith('consumerSecret')));
  if (o.secretFile && !applied) await rm(o.secretFile, { force: true });
  if (!o.run.dryRun && app.consumerKey) cmd.log(messages.getMessage('info.consumerKey', [app.consumerKey]));
  const shown = applied && o.run.showSecret ? o.secret : undefined;
  const savedTo = applied ? o.secretFile : undefined;
  if (savedTo) cmd.logSuccess(messages.getMessage('info.secretFile', [savedTo]));
  if (shown) cmd.log(messages.getMessage('info.secret', [shown]));
  return {
    ...result,
    name: app.name,
    type: app.type,
    consumerKey: o.run.dryRun && !app.exists ? undefined : app.consumerKey,
    secretCreated: applied,
    ...(savedTo ? { secretFile: savedTo } : {}),
    ...(shown ? { consumerSecret: shown } : {}),
  };
};

/**
 * --wait: asks the org's token endpoint for a client credentials token with the new key and secret until one comes
 * back (the token is dropped at once, never shown) or the time is up, shown as a MultiStageOutput stage with the
 * attempts and the org's last answer. A refusal that propagation does not explain
 * (user, API access, scopes) stops at once with its own cause and fix.
 */
const waitForToken = async (
  cmd: SfCommand<unknown>,
  o: { name: string; minutes: number; domain: string; clientId: string; secret: string; secretFile?: string }
): Promise<void> => {
  const deadline = Date.now() + o.minutes * 60_000;
  const stage = messages.getMessage('info.waiting', [o.name]);
  const { MultiStageOutput } = await import('@oclif/multi-stage-output');
  const ms = new MultiStageOutput<{ attempts: string; answer: string }>({
    jsonEnabled: cmd.jsonEnabled(),
    stages: [stage],
    stageSpecificBlock: [
      { stage, type: 'dynamic-key-value', label: 'Attempts', get: (d): string | undefined => d?.attempts },
      { stage, type: 'dynamic-key-value', label: 'Last answer', get: (d): string | undefined => d?.answer },
    ],
  });
  ms.goto(stage);
  for (let attempt = 0; ; attempt++) {
    ms.updateData({ attempts: String(attempt + 1) });
    try {
      // eslint-disable-next-line no-await-in-loop
      await exchangeToken({ domain: o.domain, clientId: o.clientId, clientSecret: o.secret });
      ms.stop();
      cmd.logSuccess(messages.getMessage('info.ready', [o.name]));
      return;
    } catch (e) {
      const cause = (e as { name?: string }).name as OAuthCause | undefined;
      if (!cause || !PROPAGATING.includes(cause)) {
        ms.stop('failed');
        throw e;
      }
      ms.updateData({ answer: cause });
      const pause = Math.min(1000 * 2 ** attempt, 15_000);
      if (Date.now() + pause > deadline) {
        ms.stop('failed');
        throw messages.createError('error.WaitTimedOut', [o.name, String(o.minutes), cause], [o.secretFile ?? '<secret file>', o.domain, o.clientId]);
      }
      // eslint-disable-next-line no-await-in-loop
      await sleep(pause);
    }
  }
};

/** Why --wait cannot get a token, or undefined when it can. */
const cannotWait = (o: { oauth: boolean; clientCredentials: boolean; secret?: string }): 'noOauth' | 'noClientCredentials' | 'noSecret' | undefined =>
  !o.oauth ? 'noOauth' : !o.clientCredentials ? 'noClientCredentials' : !o.secret ? 'noSecret' : undefined;

/** --wait: polls when a token can be had with what this run knows (a new secret, client credentials on); else says why not. */
const waitIfPossible = async (
  cmd: SfCommand<unknown>,
  out: AppCreateResult,
  app: PlannedApp,
  o: { secret?: string; minutes: number; instanceUrl: string }
): Promise<boolean> => {
  const why = cannotWait({ oauth: app.oauth, clientCredentials: app.clientCredentials, secret: out.secretCreated ? o.secret : undefined });
  if (why) {
    cmd.warn(messages.getMessage(`warning.cannotWait.${why}`, [out.name]));
    return false;
  }
  const domain = normalizeDomain(o.instanceUrl);
  await waitForToken(cmd, { name: out.name, minutes: o.minutes, domain, clientId: app.consumerKey!, secret: o.secret!, secretFile: out.secretFile });
  return true;
};

/**
 * Carries a planned app out and reports it through the command: its warnings, the secret checks, a new secret made
 * and saved where the run options say, the plan applied (or printed, or written as files), where the secret went,
 * and with --wait whether the new credentials work.
 */
export const applyApp = async (cmd: SfCommand<unknown>, client: OrgClient, app: PlannedApp, run: AppRunOptions): Promise<AppCreateResult> => {
  for (const w of app.warnings) cmd.warn(w);
  checkSecretFlags(cmd, app, run);
  const secret = app.newSecret && !run.dryRun ? generateConsumerSecret() : undefined;
  const secretFile = await saveSecret(run.secretFile, secret);
  const result = await carryOutApp(cmd, client, app, { run, secret, secretFile });
  const done = await finish(cmd, result, app, { run, secret, secretFile });
  const out = app.saml ? { ...done, saml: app.saml } : done;
  if (run.wait === undefined || run.dryRun || run.outputDir) return out;
  const ready = await waitIfPossible(cmd, out, app, { secret, minutes: run.wait, instanceUrl: client.conn.instanceUrl });
  return ready ? { ...out, ready } : out;
};
