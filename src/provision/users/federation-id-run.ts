/*
 * The run of `users set-federation-id`: flags, reading and planning (with spinners), applying, and reporting each
 * user's outcome and the collisions. Exit code 0 when every user ends up as asked, 68 when some failed (collisions
 * included) and others succeeded, an error (1) when all failed.
 */
import { readFile } from 'node:fs/promises';
import { Flags, type SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../client.js';
import { actionFor, dryRunFlag, PARTIAL_SUCCESS, summarize, type PlanResult } from '../command.js';
import { hasChanges } from '../plan.js';
import { progressOf } from '../progress.js';
import { readRunningUser } from './status.js';
import {
  applyFederationIds,
  FEDERATION_ID_COLLISION,
  parseFederationMap,
  planFederationIds,
  readCaseInsensitive,
  readHolders,
  readTargets,
  USER_NOT_FOUND,
  type FederationChange,
  type FederationCollision,
  type FederationSource,
} from './federation-id.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.users.set-federation-id');

export type FederationOutcome = {
  username: string;
  action: 'set' | 'none';
  federationId?: string;
  previous?: string;
  status: FederationChange['status'];
  error?: { code?: string; message: string };
};

export type SetFederationIdResult = PlanResult & {
  /** How Federation IDs were compared, and whether that was read from the org or assumed (case-insensitive). */
  caseInsensitive: boolean;
  caseSetting: 'org' | 'assumed';
  users: FederationOutcome[];
  collisions: FederationCollision[];
};

export const federationFlags = {
  'target-org': Flags.requiredOrg(),
  'api-version': Flags.orgApiVersion(),
  from: Flags.option({ summary: messages.getMessage('flags.from.summary'), options: ['email', 'username'] as const, exactlyOne: ['from', 'file'] })(),
  file: Flags.file({ summary: messages.getMessage('flags.file.summary'), char: 'f', exists: true, exactlyOne: ['from', 'file'] }),
  users: Flags.string({ summary: messages.getMessage('flags.users.summary'), char: 'u', multiple: true, delimiter: ',' }),
  'only-missing': Flags.boolean({ summary: messages.getMessage('flags.only-missing.summary'), default: false }),
  'dry-run': dryRunFlag,
};

export type FederationFlags = {
  'target-org': { getConnection(v?: string): ConstructorParameters<typeof OrgClient>[0] };
  'api-version'?: string;
  from?: FederationSource;
  file?: string;
  users?: string[];
  'only-missing': boolean;
  'dry-run': boolean;
};

export const runSetFederationId = async (cmd: SfCommand<unknown>, flags: FederationFlags): Promise<SetFederationIdResult> => {
  let source: FederationSource | Map<string, string> = flags.from ?? 'email';
  let usernames = flags.users?.map((u) => u.trim()).filter(Boolean);
  if (flags.file) {
    const parsed = parseFederationMap(await readFile(flags.file, 'utf8'));
    if (parsed.error) throw messages.createError('error.BadFile', [flags.file, parsed.error]);
    source = parsed.map;
    usernames ??= [...parsed.map.keys()];
  }
  if (usernames && !usernames.length) throw messages.createError('error.NoUsers');
  const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
  const p = progressOf(cmd, messages);
  const running = await p.step('Checking the running user', () => readRunningUser(client));
  if (!running.manageUsers) throw messages.createError('error.NoManageUsers', [running.username ?? 'the running user']);
  const cs = await p.step('Reading the Single Sign-On Settings', () => readCaseInsensitive(client));
  const targets = await p.step(usernames ? `Reading ${usernames.length} user(s)` : 'Reading the active users', () => readTargets(client, usernames));
  const holders = await p.step('Reading the Federation IDs in use', () => readHolders(client));
  const plan = planFederationIds(targets.found, holders, source, { caseInsensitive: cs.caseInsensitive, onlyMissing: flags['only-missing'] });
  const unknown: FederationChange[] = targets.unknown.map((name) => ({
    resource: 'User',
    name,
    action: 'none',
    fields: [],
    status: 'failed',
    error: { code: USER_NOT_FOUND, message: 'No user with this username in the org.' },
  }));
  const planned = [...plan.changes, ...unknown];
  let changes = planned;
  if (!flags['dry-run'] && hasChanges(planned.filter((c) => c.status === 'planned'))) {
    cmd.spinner.start('Setting Federation IDs');
    changes = await applyFederationIds(client, planned);
    cmd.spinner.stop(changes.some((c) => c.status === 'failed') ? 'failed' : 'done');
  }
  if (cs.source === 'assumed') cmd.info(messages.getMessage('info.caseAssumed'));
  return report(cmd, { planned, changes, collisions: plan.collisions, cs, dryRun: flags['dry-run'] });
};

const report = (
  cmd: SfCommand<unknown>,
  r: { planned: FederationChange[]; changes: FederationChange[]; collisions: FederationCollision[]; cs: { caseInsensitive: boolean; source: 'org' | 'assumed' }; dryRun: boolean }
): SetFederationIdResult => {
  const users: FederationOutcome[] = r.changes.map((c) => ({
    username: c.name,
    action: c.action === 'update' ? 'set' : 'none',
    ...(c.federationId !== undefined ? { federationId: c.federationId } : {}),
    ...(c.action === 'update' && c.fields[0]?.from ? { previous: String(c.fields[0].from) } : {}),
    status: c.status,
    ...(c.error ? { error: c.error } : {}),
  }));
  cmd.table({
    data: users.map((u) => ({
      user: u.username,
      action: u.action === 'set' ? 'set' : 'no change',
      'federation id': u.federationId ?? '',
      status: u.status,
      detail: u.error ? `${u.error.code ? `${u.error.code}: ` : ''}${u.error.message}` : u.previous ? `was ${u.previous}` : '',
    })),
    columns: ['user', 'action', 'federation id', 'status', 'detail'],
  });
  const changed = hasChanges(r.planned.filter((c) => c.status === 'planned'));
  const result: SetFederationIdResult = {
    dryRun: r.dryRun,
    changed,
    changes: summarize(r.changes),
    caseInsensitive: r.cs.caseInsensitive,
    caseSetting: r.cs.source,
    users,
    collisions: r.collisions,
  };
  const failures = r.changes.filter((c) => c.status === 'failed');
  const fixFor = (code: string | undefined): string => {
    const key = `action.${code ?? ''}`;
    return messages.messages.has(key) ? messages.getMessage(key) : actionFor(code);
  };
  for (const c of r.collisions) cmd.warn(messages.getMessage('warning.collision', [c.federationId, [...c.users, ...c.holders].join(', ')]));
  const unknown = failures.filter((c) => c.error?.code === USER_NOT_FOUND).map((c) => c.name);
  if (unknown.length) cmd.warn(messages.getMessage('warning.unknownUsers', [unknown.join(', ')]));
  for (const f of failures.filter((c) => c.error?.code !== USER_NOT_FOUND && c.error?.code !== FEDERATION_ID_COLLISION)) {
    cmd.warn(`${f.name}: ${f.error?.message ?? ''} ${fixFor(f.error?.code)}`);
  }
  if (failures.length && failures.length === r.changes.length) {
    throw messages.createError('error.AllFailed', [failures.map((f) => `${f.name} (${f.error?.message ?? ''})`).join('; ')], [fixFor(failures[0].error?.code)]);
  }
  if (failures.length) {
    cmd.warn(messages.getMessage(r.dryRun ? 'warning.partialDryRun' : 'warning.partial', [String(failures.length), String(r.changes.length)]));
    process.exitCode = PARTIAL_SUCCESS;
    return result;
  }
  if (r.dryRun && changed) cmd.log(messages.getMessage('info.dryRun'));
  else {
    const done = r.changes.filter((c) => c.status === 'applied').length;
    cmd.logSuccess(messages.getMessage('info.done', [String(done), String(r.changes.length - done)]));
  }
  return result;
};
