/*
 * Carrying out a plan's record operations (what has no metadata type, such as the login page's identity providers
 * in AuthConfigProviders): creates and deletes through the REST API, one result per change.
 */
import { errorCodeOf, type OrgClient } from './client.js';
import type { Change } from './plan.js';

/** `created`, when given, receives the id of every record created, by the change (as passed in) that created it. */
export const applyRecordChanges = async (client: OrgClient, changes: Change[], created?: Map<Change, string>): Promise<Change[]> => {
  const out: Change[] = [];
  for (const c of changes) {
    const op = c.record;
    if (!op || c.action === 'none' || c.status !== 'planned') {
      out.push(c);
      continue;
    }
    try {
      if (op.operation === 'create') {
        // eslint-disable-next-line no-await-in-loop
        const res = await client.call(() => client.conn.sobject(op.sobject).create(op.values ?? {}));
        if (!res.success) {
          const e = (res as { errors?: Array<{ statusCode?: string; message?: string }> }).errors?.[0];
          out.push({ ...c, status: 'failed', error: { code: e?.statusCode, message: e?.message ?? 'The org refused the record.' } });
          continue;
        }
        if (res.id) created?.set(c, res.id);
      } else {
        // eslint-disable-next-line no-await-in-loop
        await client.call(() => client.conn.sobject(op.sobject).destroy(op.id!));
      }
      out.push({ ...c, status: 'applied' });
    } catch (e) {
      out.push({ ...c, status: 'failed', error: { code: errorCodeOf(e), message: e instanceof Error ? e.message : String(e) } });
    }
  }
  return out;
};
