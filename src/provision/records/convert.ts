/*
 * `records convert` without the command: Ory's "promote to Contact" as a batch. The Leads are found by email (many
 * per query), each decided (not found, several for one email, already converted: each said, none guessed), then
 * converted through the Partner SOAP API's convertLead, at most 100 Leads a call. A call whose answer was lost is not
 * simply sent again: the Leads are read back first, and only those still unconverted are sent, so none is converted
 * twice.
 */
import type { OrgClient } from '../client.js';
import { parseUsersFile } from '../resources/permset-assignment.js';
import { soqlList } from '../resources/values.js';
import { isEmail, normalizeKey } from './classify.js';
import { inLists } from './sync.js';
import { isUnknownOutcome } from './writer.js';

/** convertLead takes at most 100 LeadConvert a call (SOAP API Developer Guide, convertLead()). */
export const CONVERT_LIMIT = 100;

export type ConvertSpec = {
  emails: string[];
  /** A Lead status whose IsConverted is true; default: the org's (the first if several). */
  convertedStatus?: string;
  /** Convert into this Account; without it each Lead's Company becomes a new Account. */
  accountId?: string;
  /** Default true. */
  createOpportunity?: boolean;
};

export type ConvertOutcome = {
  email: string;
  leadId?: string;
  status: 'converted' | 'planned' | 'unchanged' | 'skipped' | 'failed';
  contactId?: string;
  accountId?: string;
  opportunityId?: string;
  code?: string;
  message?: string;
};

export type ConvertResult = { dryRun: boolean; convertedStatus: string; outcomes: ConvertOutcome[]; counts: Record<ConvertOutcome['status'], number>; apiCalls: number };

type LeadRow = { Id: string; Email: string; IsConverted: boolean; ConvertedContactId?: string | null; ConvertedAccountId?: string | null; ConvertedOpportunityId?: string | null };

export class ConvertInputError extends Error {}

/** A file of emails: one per line, or a CSV whose header has an Email column (# comments and blank lines skipped). */
export const parseEmailsFile = (text: string): string[] => parseUsersFile(text, 'email');

const readLeads = async (client: OrgClient, emails: string[]): Promise<Map<string, LeadRow[]>> => {
  const out = new Map<string, LeadRow[]>();
  for (const list of inLists(emails)) {
    // eslint-disable-next-line no-await-in-loop
    const rows = await client.query<LeadRow>(
      `SELECT Id, Email, IsConverted, ConvertedContactId, ConvertedAccountId, ConvertedOpportunityId FROM Lead WHERE Email IN (${soqlList(list)})`
    );
    for (const r of rows) out.set(normalizeKey(r.Email), [...(out.get(normalizeKey(r.Email)) ?? []), r]);
  }
  return out;
};

/** The converted status to use: the one given (checked), or the org's. */
const convertedStatusOf = async (client: OrgClient, wanted: string | undefined): Promise<string> => {
  const statuses = await client.query<{ MasterLabel: string; ApiName?: string }>('SELECT MasterLabel FROM LeadStatus WHERE IsConverted = true');
  if (!statuses.length) throw new ConvertInputError('The org has no Lead status marked Converted (Setup > Lead Status values).');
  if (!wanted) return statuses[0].MasterLabel;
  const found = statuses.find((s) => s.MasterLabel.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new ConvertInputError(`"${wanted}" is not a converted Lead status of this org; it has: ${statuses.map((s) => s.MasterLabel).join(', ')}.`);
  return found.MasterLabel;
};

type SoapResult = { success: boolean | string; leadId?: string; contactId?: string; accountId?: string; opportunityId?: string; errors?: unknown };

const firstError = (errors: unknown): { code?: string; message?: string } => {
  const e = (Array.isArray(errors) ? errors[0] : errors) as { statusCode?: string; message?: string } | undefined;
  return { code: e?.statusCode, message: e?.message };
};

/** One convertLead call per 100 Leads, with a lost answer reconciled by reading the Leads back. */
const convertBatch = async (client: OrgClient, leads: LeadRow[], o: { status: string; accountId?: string; createOpportunity: boolean }): Promise<ConvertOutcome[]> => {
  const out: ConvertOutcome[] = [];
  let pending = leads;
  for (let attempt = 1; pending.length && attempt <= 5; attempt++) {
    const request = pending.map((l) => ({
      leadId: l.Id,
      convertedStatus: o.status,
      doNotCreateOpportunity: !o.createOpportunity,
      overwriteLeadSource: false,
      sendNotificationEmail: false,
      ...(o.accountId ? { accountId: o.accountId } : {}),
    }));
    try {
      // eslint-disable-next-line no-await-in-loop
      const res = (await client.once(() => client.conn.soap.convertLead(request))) as unknown as SoapResult | SoapResult[];
      const list = Array.isArray(res) ? res : [res];
      pending.forEach((l, i) => {
        const r = list[i];
        const ok = r?.success === true || r?.success === 'true';
        out.push(
          ok
            ? { email: l.Email, leadId: l.Id, status: 'converted', contactId: r.contactId, accountId: r.accountId, ...(r.opportunityId ? { opportunityId: r.opportunityId } : {}) }
            : { email: l.Email, leadId: l.Id, status: 'failed', ...firstError(r?.errors) }
        );
      });
      return out;
    } catch (e) {
      if (!isUnknownOutcome(e) && !/SERVER_UNAVAILABLE|UNABLE_TO_LOCK_ROW|REQUEST_LIMIT_EXCEEDED/.test(String((e as Error).message))) {
        out.push(...pending.map((l) => ({ email: l.Email, leadId: l.Id, status: 'failed' as const, code: 'CALL_FAILED', message: e instanceof Error ? e.message : String(e) })));
        return out;
      }
      // Converted by the lost call? Read back, keep those, send the rest again.
      // eslint-disable-next-line no-await-in-loop
      const now = await readLeads(client, pending.map((l) => l.Email));
      const converted = pending.filter((l) => (now.get(normalizeKey(l.Email)) ?? []).some((r) => r.Id === l.Id && r.IsConverted));
      for (const l of converted) {
        const r = now.get(normalizeKey(l.Email))!.find((x) => x.Id === l.Id)!;
        out.push({ email: l.Email, leadId: l.Id, status: 'converted', contactId: r.ConvertedContactId ?? undefined, accountId: r.ConvertedAccountId ?? undefined, ...(r.ConvertedOpportunityId ? { opportunityId: r.ConvertedOpportunityId } : {}) });
      }
      pending = pending.filter((l) => !converted.includes(l));
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
  out.push(...pending.map((l) => ({ email: l.Email, leadId: l.Id, status: 'failed' as const, code: 'CALL_FAILED', message: 'The org did not answer after several tries.' })));
  return out;
};

/** Finds, decides and (unless dryRun) converts the Leads of the emails. */
export const runConvert = async (client: OrgClient, spec: ConvertSpec, dryRun: boolean): Promise<ConvertResult> => {
  const before = client.calls;
  const emails = [...new Set(spec.emails.map(normalizeKey).filter(Boolean))];
  const bad = emails.filter((e) => !isEmail(e));
  if (bad.length) throw new ConvertInputError(`Not email addresses: ${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ', …' : ''}. Nothing was converted.`);
  if (!emails.length) throw new ConvertInputError('No emails to convert.');
  const status = await convertedStatusOf(client, spec.convertedStatus);
  const leads = await readLeads(client, emails);
  const outcomes: ConvertOutcome[] = [];
  const todo: LeadRow[] = [];
  for (const email of emails) {
    const found = leads.get(email) ?? [];
    const open = found.filter((l) => !l.IsConverted);
    if (!found.length) outcomes.push({ email, status: 'skipped', code: 'NOT_FOUND', message: 'No Lead has this email.' });
    else if (open.length > 1) outcomes.push({ email, status: 'failed', code: 'AMBIGUOUS_MATCH', message: `${open.length} unconverted Leads have this email: ${open.map((l) => l.Id).join(', ')}. Merge them first.` });
    else if (!open.length) {
      const l = found[0];
      outcomes.push({ email, leadId: l.Id, status: 'unchanged', contactId: l.ConvertedContactId ?? undefined, accountId: l.ConvertedAccountId ?? undefined, message: 'already converted' });
    } else if (dryRun) outcomes.push({ email, leadId: open[0].Id, status: 'planned' });
    else todo.push(open[0]);
  }
  for (let i = 0; i < todo.length; i += CONVERT_LIMIT) {
    // eslint-disable-next-line no-await-in-loop
    outcomes.push(...(await convertBatch(client, todo.slice(i, i + CONVERT_LIMIT), { status, accountId: spec.accountId, createOpportunity: spec.createOpportunity ?? true })));
  }
  const order = new Map(emails.map((e, i) => [e, i]));
  outcomes.sort((a, b) => (order.get(normalizeKey(a.email)) ?? 0) - (order.get(normalizeKey(b.email)) ?? 0));
  const counts = { converted: 0, planned: 0, unchanged: 0, skipped: 0, failed: 0 };
  for (const o of outcomes) counts[o.status] += 1;
  return { dryRun, convertedStatus: status, outcomes, counts, apiCalls: client.calls - before };
};
