/*
 * Carrying out a plan's record operations (what has no metadata type, such as the login page's identity providers
 * in AuthConfigProviders, or permission set assignments): creates and deletes through sObject Collections, grouped
 * by sObject and operation (in the order each group first appears), 200 records per call, allOrNone=false, so a
 * refused record fails only itself. One result per change, in order.
 */
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';

/** `created`, when given, receives the id of every record created, by the change (as passed in) that created it. */
export const applyRecordChanges = async (client: OrgClient, changes: Change[], created?: Map<Change, string>): Promise<Change[]> => {
  const groups = new Map<string, { sobject: string; operation: 'create' | 'delete'; changes: Change[] }>();
  for (const c of changes) {
    const op = c.record;
    if (!op || c.action === 'none' || c.status !== 'planned') continue;
    const key = `${op.operation}:${op.sobject}`;
    const group = groups.get(key) ?? { sobject: op.sobject, operation: op.operation, changes: [] };
    group.changes.push(c);
    groups.set(key, group);
  }
  const outcome = new Map<Change, Change>();
  for (const { sobject, operation, changes: group } of groups.values()) {
    const items = group.map((c) => (operation === 'create' ? c.record!.values ?? {} : c.record!.id!));
    // eslint-disable-next-line no-await-in-loop
    const results = await client.collection(sobject, operation, items);
    group.forEach((c, i) => {
      const r = results[i];
      if (r?.success) {
        if (operation === 'create' && r.id) created?.set(c, r.id);
        outcome.set(c, { ...c, status: 'applied' });
      } else {
        const e = r?.errors?.[0];
        outcome.set(c, { ...c, status: 'failed', error: { code: e?.statusCode, message: e?.message ?? 'The org refused the record.' } });
      }
    });
  }
  return changes.map((c) => outcome.get(c) ?? c);
};
