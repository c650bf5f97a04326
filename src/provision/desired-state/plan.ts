/*
 * Planning a desired-state file: every entry planned by the library function its command uses, in the order one
 * entry may need another (certificates; SSO settings; SAML configurations with their JIT and login-page button; the
 * identity provider; picklists; permission sets; apps; assignments), as one list of changes.
 *
 * What the file creates is visible to the entries after it before it exists: a SAML configuration may sign with a
 * certificate of the file (a reference to its id, filled in by apply), a login-page button may be for a configuration
 * of the file, an assignment may be of a permission set of the file, an app may list it. Where an entry changes what
 * an earlier one changes (JIT on a SAML configuration, the legacy JIT flag in the SSO settings), it is planned on the
 * earlier change's content and the two become one change. Applying the result (apply.ts) sends each change after the
 * ones it refers to or depends on.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Messages, SfError } from '@salesforce/core';
import type { OrgClient } from '../client.js';
import { RECORDS_SUFFIX } from '../carry-out.js';
import { planApp, type PlannedApp } from '../apps.js';
import { planAssignmentSpec } from '../assignments.js';
import { checkCertificateSpec, planCertificateSpec } from '../certificates.js';
import { planIdentityProviderSpec } from '../identity-provider.js';
import { planJitSpec } from '../jit.js';
import { planLoginPageButtonSpec } from '../login-page.js';
import { planPermissionSetSpec } from '../permission-sets.js';
import { planPicklistsAlignSpec } from '../picklists.js';
import { changeKey, refTo, type Change, type FieldChange } from '../plan.js';
import { federationIdWarning, planSamlConfigSpec } from '../sso-configure.js';
import { planSsoSettingsSpec } from '../sso-settings.js';
import type { PlannedCertificate } from '../resources/certificate.js';
import type { SamlSsoConfigContent } from '../resources/saml-config.js';
import { runSync, type SyncResult, type SyncSpec } from '../records/sync.js';
import { runUserSync, type UserSyncResult, type UserSyncSpec } from '../users/sync.js';
import { applyFederationIds, planFederationIds, readCaseInsensitive, readHolders, readTargets } from '../users/federation-id.js';
import { readSecret, type AppEntry, type DesiredState, type PermissionSetEntry, type FederationIdsEntry, type RecordsEntry, type SamlConfigEntry, type UsersEntry } from './file.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.desired-state');

/** A planned app of the file with its entry (where its new secret comes from, if it needs one). */
export type PlannedAppEntry = { entry: AppEntry; app: PlannedApp };

/** What a records or users sync did (or would do): rows, counts by action, and which of those actions write. */
export type SyncSummary = { rows: number; counts: Record<string, number> & { succeeded: number; failed: number }; writes: string[]; resultFile?: string };

/**
 * A records or users entry planned: what a dry run found (as one change of the plan), and how to run it for real
 * (apply runs it after every other change).
 */
export type PlannedSync = { change: Change; run: () => Promise<SyncSummary> };

export type DesiredStatePlan = {
  file: string;
  /** The records and users entries (synced after every other change). */
  records: PlannedSync[];
  /** Every change, in the file's order of sections. */
  changes: Change[];
  warnings: string[];
  /** The apps, for apply: a new app's consumer secret is put into its changes only then. */
  apps: PlannedAppEntry[];
};

export type PlanDesiredStateOptions = {
  /** The plan is to be written as source files (--output-dir): no secrets, no records. */
  forFiles?: boolean;
  /** Called as each section is planned ('certificates', 'samlConfigs', ...). */
  onSection?: (section: string, entries: number) => void;
};

/** A later change to the same metadata component, planned on the earlier change's content, folded into it. */
export const foldChange = (earlier: Change, later: Change): Change => {
  if (later.action === 'none') return earlier;
  const creating = earlier.action === 'create';
  const fields: FieldChange[] = [...earlier.fields];
  for (const f of later.fields) {
    const i = fields.findIndex((e) => e.field === f.field);
    const merged: FieldChange = creating ? { field: f.field, to: f.to } : { field: f.field, from: i >= 0 ? fields[i].from : f.from, to: f.to };
    if (i >= 0) fields[i] = merged;
    else fields.push(merged);
  }
  const notes = [earlier.note, later.note].filter(Boolean);
  return {
    ...earlier,
    action: creating ? 'create' : 'update',
    status: 'planned',
    fields,
    ...(later.metadata ? { metadata: later.metadata } : {}),
    ...(notes.length ? { note: notes.join(' ') } : {}),
    ...(later.dependsOn ?? earlier.dependsOn ? { dependsOn: [...new Set([...(earlier.dependsOn ?? []), ...(later.dependsOn ?? [])])] } : {}),
  };
};

/** The plan being built: changes by key, so that a later change to the same component folds into the earlier one. */
class PlanBuilder {
  public readonly changes: Change[] = [];
  public readonly warnings: string[] = [];

  /** The planned content of a metadata component, if the plan has it. */
  public contentOf(resource: string, name: string): Record<string, unknown> | undefined {
    return this.find(resource, name)?.metadata?.content;
  }

  public find(resource: string, name: string): Change | undefined {
    const key = changeKey({ resource, name }).toLowerCase();
    return this.changes.find((c) => changeKey(c).toLowerCase() === key && c.metadata);
  }

  /** Adds changes; a metadata change to a component already planned folds into it; a record create already planned is dropped. */
  public add(changes: Change[], opts: { dependsOn?: string[] } = {}): void {
    for (const raw of changes) {
      const c = opts.dependsOn?.length && raw.action !== 'none' ? { ...raw, dependsOn: [...new Set([...(raw.dependsOn ?? []), ...opts.dependsOn])] } : raw;
      const same = c.metadata ? this.find(c.resource, c.name) : undefined;
      if (same) {
        this.changes[this.changes.indexOf(same)] = foldChange(same, c);
        continue;
      }
      // The same record twice (a user's permission set licence needed by two assignments): once is enough.
      const values = c.record?.operation === 'create' ? JSON.stringify(c.record.values) : undefined;
      if (values && this.changes.some((o) => o.record?.operation === 'create' && o.record.sobject === c.record!.sobject && JSON.stringify(o.record.values) === values)) continue;
      this.changes.push(c);
    }
  }
}

const created = (changes: Change[]): boolean => changes.some((c) => c.action === 'create');

/** Keys of the changes that create the named certificates, for what names them by API name (no reference to carry). */
const certificateDeps = (planned: PlannedCertificate[], ...names: Array<string | undefined>): string[] =>
  names
    .map((n) => planned.find((p) => n && (p.name.toLowerCase() === n.toLowerCase() || p.label.toLowerCase() === n.toLowerCase())))
    .filter((p): p is PlannedCertificate => Boolean(p))
    .map((p) => changeKey({ resource: 'Certificate', name: p.name }));

/** What the sections share while the file is planned. */
type Ctx = {
  client: OrgClient;
  state: DesiredState;
  b: PlanBuilder;
  opts: PlanDesiredStateOptions;
  /** Certificates the file creates. */
  certs: PlannedCertificate[];
  /** Permission sets the file creates. */
  permissionSets: string[];
  apps: PlannedAppEntry[];
  records: PlannedSync[];
};

const plannedSso = (b: PlanBuilder): Record<string, boolean> | undefined =>
  b.contentOf('SecuritySettings', 'Security')?.singleSignOnSettings as Record<string, boolean> | undefined;

const planCertificates = async (ctx: Ctx): Promise<void> => {
  const { client, state, b, certs } = ctx;
  for (const [i, spec] of (state.certificates ?? []).entries()) {
    // eslint-disable-next-line no-await-in-loop
    const p = await within(ctx, `certificates[${i}]`, spec.label, () => planCertificateSpec(client, spec));
    b.add(p.changes);
    b.warnings.push(...p.warnings);
    const desired = checkCertificateSpec(spec);
    if (created(p.changes)) certs.push({ name: desired.name, label: desired.label });
  }
};

const planSsoSettings = async (ctx: Ctx): Promise<void> => {
  const { client, state, b } = ctx;
  if (!state.ssoSettings) return;
  const spec = state.ssoSettings;
  const p = await within(ctx, 'ssoSettings', undefined, () => planSsoSettingsSpec(client, spec));
  b.add(p.changes);
  b.warnings.push(...p.warnings);
};

/**
 * Runs the planning of one entry; an error it ends with names the entry's place in the file first, so that a name the
 * org does not know is found in the file at once.
 */
const within = async <T>(ctx: Ctx, path: string, name: string | undefined, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof SfError)) throw e;
    const place = ctx.state.places[path] ?? `${ctx.state.file} (${path})`;
    const wrapped = new SfError(`${place}${name ? ` ${name}` : ''}: ${e.message}`, e.name, e.actions, e.exitCode, e);
    if (e.data !== undefined) wrapped.setData(e.data as Record<string, never>);
    throw wrapped;
  }
};

/** One SAML configuration, then its JIT (folded into it) and its login-page button. */
const planSamlConfig = async ({ client, b, certs }: Ctx, entry: SamlConfigEntry): Promise<void> => {
  const { jit, loginPageButton, ...spec } = entry;
  const p = await planSamlConfigSpec(client, spec, { planned: certs });
  b.add([p.change], { dependsOn: certificateDeps(certs, spec.decryptionCert) });
  b.warnings.push(...p.warnings);
  if (jit) {
    const config = b.contentOf('SamlSsoConfig', spec.name) as SamlSsoConfigContent;
    const j = await planJitSpec(client, { samlConfig: spec.name, ...jit }, undefined, { config, ssoSettings: plannedSso(b) });
    b.add(j.changes);
    b.warnings.push(...j.warnings);
  }
  const lockedOut = await federationIdWarning(client, b.find('SamlSsoConfig', spec.name) ?? p.change);
  if (lockedOut) b.warnings.push(lockedOut);
  if (loginPageButton === undefined) return;
  const configs = p.change.action === 'create' ? [{ id: refTo('SamlSsoConfig', spec.name), name: spec.name, label: spec.label ?? spec.name, kind: 'SamlSsoConfig' as const }] : [];
  const lp = await planLoginPageButtonSpec(client, { samlConfig: spec.name, shown: loginPageButton }, undefined, { configs, samlEnabled: plannedSso(b)?.enableSamlLogin });
  b.add(lp.changes);
  b.warnings.push(...lp.warnings);
};

const planSamlConfigs = async (ctx: Ctx): Promise<void> => {
  // eslint-disable-next-line no-await-in-loop
  for (const [i, entry] of (ctx.state.samlConfigs ?? []).entries()) await within(ctx, `samlConfigs[${i}]`, entry.name, () => planSamlConfig(ctx, entry));
};

const planIdentityProvider = async (ctx: Ctx): Promise<void> => {
  const { client, state, b, certs } = ctx;
  if (!state.identityProvider) return;
  const spec = state.identityProvider;
  const p = await within(ctx, 'identityProvider', undefined, () => planIdentityProviderSpec(client, spec, undefined, certs));
  b.add(p.changes, { dependsOn: certificateDeps(certs, state.identityProvider.certificate) });
  b.warnings.push(...p.warnings);
};

const planPicklists = async (ctx: Ctx): Promise<void> => {
  const spec = ctx.state.picklists;
  if (spec) ctx.b.add((await within(ctx, 'picklists', undefined, () => planPicklistsAlignSpec(ctx.client, spec))).changes);
};

const planPermissionSet = async (ctx: Ctx, { users, ...spec }: PermissionSetEntry): Promise<void> => {
  const { client, b, opts, permissionSets } = ctx;
  const changes = await planPermissionSetSpec(client, spec, undefined, { toFiles: opts.forFiles });
  b.add(changes);
  if (created(changes)) permissionSets.push(spec.name);
  if (users?.length) b.add((await planAssignmentSpec(client, { permissionSet: spec.name, users }, { plannedPermissionSets: permissionSets })).changes);
};

const planPermissionSets = async (ctx: Ctx): Promise<void> => {
  // eslint-disable-next-line no-await-in-loop
  for (const [i, entry] of (ctx.state.permissionSets ?? []).entries()) await within(ctx, `permissionSets[${i}]`, entry.name, () => planPermissionSet(ctx, entry));
};

/** One app: after the permission sets it lists and the certificate it signs with, when the file creates them. */
const planAppEntry = async ({ client, state, b, opts, certs, permissionSets, apps }: Ctx, entry: AppEntry): Promise<void> => {
  const spec = { ...entry };
  delete spec.consumerSecret;
  delete spec.secretFile;
  const identityProviderEnabled = state.identityProvider?.enabled;
  const app = await planApp(client, spec, { forFiles: opts.forFiles, planned: { certificates: certs, permissionSets, identityProviderEnabled } });
  const psDeps = (spec.permissionSets ?? [])
    .filter((n) => permissionSets.some((p) => p.toLowerCase() === n.toLowerCase()))
    .map((n) => changeKey({ resource: 'PermissionSet', name: n }));
  const idp = identityProviderEnabled && spec.saml ? b.find('IdentityProviderSettings', 'IdentityProvider') : undefined;
  b.add(app.changes, { dependsOn: [...psDeps, ...(idp ? [changeKey(idp)] : []), ...certificateDeps(certs, spec.saml?.idpCert)] });
  b.warnings.push(...app.warnings);
  apps.push({ entry, app });
  if (app.newSecret && !opts.forFiles) await checkSecretSource(spec.name, entry);
};

/**
 * Where a new app's secret is to come from works now, so that apply does not stop half-way: the variable or file is
 * readable (its value is dropped at once), or the new secret file can be created (not there yet, its folder is).
 */
const checkSecretSource = async (name: string, { consumerSecret, secretFile }: AppEntry): Promise<void> => {
  if (consumerSecret) {
    await readSecret(consumerSecret, name);
    return;
  }
  if (!secretFile) throw messages.createError('error.SecretNowhere', [name]);
  if (await stat(secretFile).then(() => true, () => false)) throw messages.createError('error.SecretFileExists', [secretFile, name]);
  const folder = dirname(secretFile);
  if (!(await stat(folder).then((st) => st.isDirectory(), () => false))) throw messages.createError('error.SecretFolderMissing', [folder, name]);
};

const planApps = async (ctx: Ctx): Promise<void> => {
  // eslint-disable-next-line no-await-in-loop
  for (const [i, entry] of (ctx.state.apps ?? []).entries()) await within(ctx, `apps[${i}]`, entry.name, () => planAppEntry(ctx, entry));
};

const planAssignments = async (ctx: Ctx): Promise<void> => {
  const { client, state, b, permissionSets } = ctx;
  for (const [i, spec] of (state.assignments ?? []).entries()) {
    // eslint-disable-next-line no-await-in-loop
    const p = await within(ctx, `assignments[${i}]`, spec.permissionSet, () => planAssignmentSpec(client, spec, { plannedPermissionSets: permissionSets }));
    b.add(p.changes);
  }
};

/** A records entry's sync spec (as `records sync`'s flags would make it). */
export const recordsSpec = (entry: RecordsEntry): SyncSpec => {
  const disable = entry.disableField ? { field: entry.disableField.slice(0, entry.disableField.indexOf('=')).trim(), value: entry.disableField.slice(entry.disableField.indexOf('=') + 1).trim() } : undefined;
  return {
    object: entry.object,
    file: entry.file,
    ...(entry.map ? { map: Object.entries(entry.map).map(([field, source]) => ({ field, source })) } : {}),
    ...(entry.match ? { match: entry.match } : {}),
    allow: entry.allow ?? ['create', 'update'],
    removeAction: entry.removeAction ?? 'none',
    ...(disable ? { disable } : {}),
    deprovisionMissing: Boolean(entry.deprovisionMissing),
    clearEmpty: Boolean(entry.clearEmpty),
    allowDuplicates: Boolean(entry.allowDuplicates),
  };
};

/** What a sync would do (or did), as one change of the plan: counts by action (the result file has each record). */
export const syncChange = (resource: string, name: string, r: SyncSummary): Change => {
  const writes = r.writes.reduce((n, a) => n + (r.counts[a] ?? 0), 0);
  const fields = [...r.writes, 'skip', 'error'].filter((a) => (r.counts[a] ?? 0) > 0).map((a) => ({ field: a, to: r.counts[a] }));
  return {
    resource,
    name,
    action: writes ? 'update' : 'none',
    fields,
    status: writes ? 'planned' : 'unchanged',
    note: `${r.rows} row(s): ${r.counts.none ?? 0} already as the file says${r.counts.skip ? `, ${r.counts.skip} skipped` : ''}${r.counts.error ? `, ${r.counts.error} in error` : ''}.`,
  };
};

const recordsSummary = (r: SyncResult, resultFile?: string): SyncSummary => ({ rows: r.rows, counts: r.counts, writes: ['create', 'update', 'delete', 'disable'], ...(resultFile ? { resultFile } : {}) });
const usersSummary = (r: UserSyncResult): SyncSummary => ({ rows: r.rows, counts: r.counts, writes: ['create', 'update', 'deactivate'] });

const planRecords = async (ctx: Ctx): Promise<void> => {
  for (const [i, entry] of (ctx.state.records ?? []).entries()) {
    const spec = recordsSpec(entry);
    // eslint-disable-next-line no-await-in-loop
    const r = await within(ctx, `records[${i}]`, `${entry.object} from ${basename(entry.file)}`, () => runSync(ctx.client, spec, { dryRun: true }));
    const change = syncChange(`${entry.object}${RECORDS_SUFFIX}`, basename(entry.file), recordsSummary(r));
    ctx.b.add([change]);
    ctx.records.push({ change, run: async () => recordsSummary(await runSync(ctx.client, spec, { dryRun: false, resultFile: entry.resultFile }), entry.resultFile) });
  }
};

/** A users entry's sync spec (as `users sync`'s flags would make it). */
export const usersSpec = (entry: UsersEntry): UserSyncSpec => ({
  file: entry.file,
  ...(entry.mapping === undefined ? {} : typeof entry.mapping === 'string' ? { mapping: entry.mapping } : { mapping: Object.entries(entry.mapping).map(([field, source]) => ({ field, source })) }),
  ...(entry.match ? { match: entry.match } : {}),
  ...(entry.allow ? { allow: entry.allow } : {}),
  deactivateMissing: Boolean(entry.deactivateMissing),
  ...(entry.profile ? { profile: entry.profile } : {}),
  ...(entry.permissionSets ? { permissionSets: entry.permissionSets } : {}),
});

const planUsers = async (ctx: Ctx): Promise<void> => {
  for (const [i, entry] of (ctx.state.users ?? []).entries()) {
    const spec = usersSpec(entry);
    // eslint-disable-next-line no-await-in-loop
    const r = await within(ctx, `users[${i}]`, `users from ${basename(entry.file)}`, () => runUserSync(ctx.client, spec, { dryRun: true }));
    const change = syncChange(`User${RECORDS_SUFFIX}`, basename(entry.file), usersSummary(r));
    ctx.b.add([change]);
    ctx.records.push({ change, run: async () => usersSummary(await runUserSync(ctx.client, spec, { dryRun: false })) });
  }
};

/** Federation IDs planned (and, run for real, planned again then applied: users the file creates are in it by then). */
const federationRun = async (client: OrgClient, spec: FederationIdsEntry, caseInsensitive: boolean | undefined, dryRun: boolean): Promise<SyncSummary> => {
  const [targets, holders, sensitivity] = await Promise.all([readTargets(client, spec.users), readHolders(client), readCaseInsensitive(client)]);
  if (targets.unknown.length) throw messages.createError('error.UnknownUsers', [targets.unknown.join(', ')]);
  const { changes } = planFederationIds(targets.found, holders, spec.from, { caseInsensitive: caseInsensitive ?? sensitivity.caseInsensitive, onlyMissing: Boolean(spec.onlyMissing) });
  const done = dryRun ? changes : await applyFederationIds(client, changes);
  const counts = { update: 0, none: 0, error: 0, succeeded: 0, failed: 0 };
  for (const c of done) {
    if (c.status === 'failed') {
      counts.error += 1;
      counts.failed += 1;
    } else if (c.action === 'update') {
      counts.update += 1;
      if (c.status === 'applied') counts.succeeded += 1;
    } else counts.none += 1;
  }
  return { rows: done.length, counts, writes: ['update'] };
};

const planFederation = async (ctx: Ctx): Promise<void> => {
  const spec = ctx.state.federationIds;
  if (!spec) return;
  // The file's own SSO setting wins over the org's: it is what holds once the file is applied.
  const caseInsensitive = (plannedSso(ctx.b))?.enableCaseInsensitiveFederationID;
  const r = await within(ctx, 'federationIds', undefined, () => federationRun(ctx.client, spec, caseInsensitive, true));
  const change = syncChange(`User Federation IDs${RECORDS_SUFFIX}`, `from ${spec.from}`, r);
  ctx.b.add([change]);
  ctx.records.push({ change, run: () => federationRun(ctx.client, spec, caseInsensitive, false) });
};

/** The sections in the order one may need another, with how many entries each has. */
const SECTIONS: Array<[name: keyof DesiredState, plan: (ctx: Ctx) => Promise<void>]> = [
  ['certificates', planCertificates],
  ['ssoSettings', planSsoSettings],
  ['samlConfigs', planSamlConfigs],
  ['identityProvider', planIdentityProvider],
  ['picklists', planPicklists],
  ['permissionSets', planPermissionSets],
  ['apps', planApps],
  ['assignments', planAssignments],
  ['records', planRecords],
  ['users', planUsers],
  ['federationIds', planFederation],
];

/**
 * Plans a desired-state file against the org: reads only, writes nothing, makes no secret. Errors (a file the spec
 * names that cannot be read, a name the org does not know) are the commands' own SfErrors with their fix.
 */
export const planDesiredState = async (client: OrgClient, state: DesiredState, opts: PlanDesiredStateOptions = {}): Promise<DesiredStatePlan> => {
  const ctx: Ctx = { client, state, b: new PlanBuilder(), opts, certs: [], permissionSets: [], apps: [], records: [] };
  for (const [name, plan] of SECTIONS) {
    const value = state[name];
    if (value === undefined) continue;
    opts.onSection?.(name, Array.isArray(value) ? value.length : 1);
    // eslint-disable-next-line no-await-in-loop
    await plan(ctx);
  }
  return { file: state.file, changes: ctx.b.changes, warnings: ctx.b.warnings, apps: ctx.apps, records: ctx.records };
};
