/*
 * `audit --fix`: the findings whose fix is one of this plugin's own commands, planned through the same spec planners
 * those commands use and carried out together (or only planned, with --dry-run). The others keep their fix as text:
 * a Setup step, or a command that needs a value only the admin knows (a new certificate, a new metadata file).
 */
import type { OrgClient } from '../client.js';
import { carryOutPlan, type ChangeSummary } from '../carry-out.js';
import { planJitSpec } from '../jit.js';
import { planPicklistsAlignSpec } from '../picklists.js';
import type { Change } from '../plan.js';
import { planSsoSettingsSpec } from '../sso-settings.js';
import { applyFederationIds, planFederationIds, readCaseInsensitive, readHolders, readTargets } from '../users/federation-id.js';
import type { Finding } from './model.js';

export type AuditFixes = { dryRun: boolean; fixed: string[]; changes: ChangeSummary[] };

/** The checks --fix can fix, and how. */
export const FIXABLE = ['SSO001', 'JIT001', 'PICK001', 'FED001'];

const configOf = (f: Finding): string => f.location.component.replace(/^SamlSsoConfig:/, '');

export const fixFindings = async (client: OrgClient, findings: Finding[], dryRun: boolean): Promise<AuditFixes> => {
  const todo = findings.filter((f) => FIXABLE.includes(f.checkId));
  const changes: Change[] = [];
  const checks = new Set(todo.map((f) => f.checkId));
  if (checks.has('SSO001')) changes.push(...(await planSsoSettingsSpec(client, { samlEnabled: true })).changes);
  for (const f of todo.filter((x) => x.checkId === 'JIT001')) {
    // eslint-disable-next-line no-await-in-loop
    changes.push(...(await planJitSpec(client, { samlConfig: configOf(f), enabled: false })).changes);
  }
  if (checks.has('PICK001')) changes.push(...(await planPicklistsAlignSpec(client, { integrationValues: 'iso' })).changes);
  const done = changes.length ? (await carryOutPlan(client, changes, { dryRun })).result.changes : [];
  let federation: ChangeSummary[] = [];
  if (checks.has('FED001')) {
    const [targets, holders, sensitivity] = await Promise.all([readTargets(client, undefined), readHolders(client), readCaseInsensitive(client)]);
    const planned = planFederationIds(targets.found, holders, 'email', { caseInsensitive: sensitivity.caseInsensitive, onlyMissing: true }).changes;
    const applied = dryRun ? planned : await applyFederationIds(client, planned);
    federation = applied
      .filter((c) => c.action !== 'none' || c.status === 'failed')
      .map((c) => ({ resource: c.resource, name: c.name, action: c.action, fields: c.fields, status: c.status, ...(c.error ? { error: c.error } : {}) }));
  }
  return { dryRun, fixed: [...checks], changes: [...done, ...federation] };
};
