/*
 * `audit` without the command: the context read once, the chosen checks run on it, the findings sorted (errors first)
 * and the verdict for --fail-on. Nothing here writes to the org or the terminal.
 */
import type { OrgClient } from '../client.js';
import { CHECKS } from './checks.js';
import { readAuditContext } from './context.js';
import type { Finding, Severity } from './model.js';

export type AuditSpec = { checks?: string[]; exclude?: string[]; expiryDays?: number; now?: Date };

export type AuditResult = {
  /** The checks that ran: id, title, and how many findings each has. */
  checks: Array<{ id: string; title: string; help: string; findings: number }>;
  findings: Finding[];
  counts: Record<Severity, number>;
  /** What could not be read, and why: the checks that need it found nothing to say. */
  unreadable: Record<string, string>;
  /** API calls the audit made. */
  apiCalls: number;
};

export class UnknownCheckError extends Error {}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

export const runAudit = async (client: OrgClient, spec: AuditSpec = {}): Promise<AuditResult> => {
  const ids = new Set(CHECKS.map((c) => c.id));
  const unknown = [...(spec.checks ?? []), ...(spec.exclude ?? [])].filter((id) => !ids.has(id.toUpperCase()));
  if (unknown.length) throw new UnknownCheckError(`No check ${unknown.join(', ')}; the checks are ${[...ids].join(', ')}.`);
  const wanted = CHECKS.filter(
    (c) => (!spec.checks?.length || spec.checks.some((x) => x.toUpperCase() === c.id)) && !(spec.exclude ?? []).some((x) => x.toUpperCase() === c.id)
  );
  const before = client.calls;
  const ctx = await readAuditContext(client, { expiryDays: spec.expiryDays ?? 30, now: spec.now });
  const perCheck = wanted.map((c) => ({ check: c, findings: c.run(ctx) }));
  const findings = perCheck.flatMap((p) => p.findings).sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.checkId.localeCompare(b.checkId));
  const counts = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return {
    checks: perCheck.map((p) => ({ id: p.check.id, title: p.check.title, help: p.check.help, findings: p.findings.length })),
    findings,
    counts,
    unreadable: ctx.unreadable,
    apiCalls: client.calls - before,
  };
};

/** Whether the run fails under --fail-on: on errors, on warnings (and errors), or never. */
export const failsOn = (r: AuditResult, level: 'error' | 'warning' | 'never'): boolean =>
  level === 'never' ? false : level === 'error' ? r.counts.error > 0 : r.counts.error + r.counts.warning > 0;
