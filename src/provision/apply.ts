/*
 * Applying a plan: one ordered pass over changes that may span resources. A change may refer to what an earlier change
 * of the plan produces (plan.ts ChangeRef: a new permission set's id for its app access record) or name it in
 * dependsOn; apply sends it after that change, with the reference replaced by the value, and not at all when that
 * change failed. Changes that depend on nothing unsent go together, in as few calls as the resources allow: metadata
 * creates and updates 10 per Metadata API call (applyMetadataChanges), record creates and deletes 200 per sObject
 * Collections call by sObject and operation, allOrNone=false (applyRecordChanges), metadata deletes one per call in
 * plan order (applyMetadataDeletes). Where several changes share a key (a user's permission set licences), what
 * depends on that key depends on all of them. Progress goes to a callback: no terminal here.
 */
import type { OrgClient } from './client.js';
import { applyMetadataChanges, applyMetadataDeletes } from './metadata.js';
import { changeKey, dependenciesOf, isRef, refsIn, replaceRefs, type Change, type ChangeRef } from './plan.js';
import { applyRecordChanges } from './records.js';

/** A change that was not sent because one it depends on failed (or was not sent). */
export const DEPENDENCY_FAILED = 'DEPENDENCY_FAILED';
/** A change that was not sent because a value it refers to could not be had (a missing or circular reference). */
export const REFERENCE_UNRESOLVED = 'REFERENCE_UNRESOLVED';

export type ApplyEvent =
  /** Before anything is sent: how many changes will be sent or settled. */
  | { type: 'start'; total: number }
  /** One change settled (applied or failed), with how many of the total are. */
  | { type: 'change'; change: Change; done: number; total: number }
  /** After the last call. */
  | { type: 'end'; applied: number; failed: number };

export type ApplyOptions = { onProgress?: (event: ApplyEvent) => void };

/** What apply sends: a planned create, update or delete that carries a metadata component or a record, or a metadata delete. */
const isSendable = (c: Change): boolean =>
  c.status === 'planned' && (c.action === 'create' || c.action === 'update' || c.action === 'delete') && Boolean(c.metadata ?? c.record ?? c.action === 'delete');

export type ApplyOrder = {
  /** The changes to send, in groups: each group depends only on earlier groups; plan order within a group. */
  waves: Change[][];
  /** Changes that cannot be sent whatever happens (a reference to nothing in the plan, a cycle), with the reason. */
  refused: Map<Change, { code: string; message: string }>;
  /** The plan's changes by key (changeKey), those that are sent first. */
  byKey: Map<string, Change[]>;
};

/**
 * Orders a plan's sendable changes by what they depend on (stable: otherwise the plan's order). A change's wave is one
 * more than the latest wave of what it depends on among the changes to send; what depends only on changes that are not
 * sent (unchanged, already there) goes first.
 */
export const orderChanges = (changes: Change[]): ApplyOrder => {
  const byKey = indexByKey(changes);
  const todo = changes.filter(isSendable);
  const refused = new Map<Change, { code: string; message: string }>();
  const level = new Map<Change, number>();
  const visiting = new Set<Change>();
  const levelOf = (c: Change): number => {
    const known = level.get(c);
    if (known !== undefined) return known;
    if (visiting.has(c)) return -1;
    visiting.add(c);
    let mine = 0;
    for (const key of dependenciesOf(c)) {
      const deps = byKey.get(key);
      if (!deps) {
        refused.set(c, { code: REFERENCE_UNRESOLVED, message: `Not sent: it refers to ${key.replace(':', ' ')}, which is not in the plan.` });
        continue;
      }
      for (const dep of deps) {
        if (dep === c || !isSendable(dep)) continue;
        const l = levelOf(dep);
        if (l < 0) refused.set(c, { code: REFERENCE_UNRESOLVED, message: `Not sent: it and ${key.replace(':', ' ')} refer to each other.` });
        else mine = Math.max(mine, l + 1);
      }
    }
    visiting.delete(c);
    level.set(c, mine);
    return mine;
  };
  const waves: Change[][] = [];
  for (const c of todo) {
    const l = levelOf(c);
    (waves[l] ??= []).push(c);
  }
  return { waves: waves.filter(Boolean), refused, byKey };
};

type Outcome = { change: Change; id?: string };

/** The org ids of metadata components of the given types, by type and lowercased name (listMetadata, 3 types a call). */
const metadataIds = async (client: OrgClient, types: string[]): Promise<Map<string, Map<string, string>>> => {
  const ids = new Map<string, Map<string, string>>();
  if (!types.length) return ids;
  const distinct = [...new Set(types)];
  for (const t of distinct) ids.set(t, new Map());
  for (const p of await client.listMetadata(distinct)) if (p.id) ids.get(p.type)?.set(p.fullName.toLowerCase(), p.id);
  return ids;
};

/** The plan's changes by key (several may share one: a user's permission set licences), those that are sent first. */
const indexByKey = (changes: Change[]): Map<string, Change[]> => {
  const byKey = new Map<string, Change[]>();
  for (const c of changes) byKey.set(changeKey(c), [...(byKey.get(changeKey(c)) ?? []), c]);
  for (const list of byKey.values()) list.sort((a, b) => Number(isSendable(b)) - Number(isSendable(a)));
  return byKey;
};

const failedWith = (c: Change, code: string, message: string): Change => ({ ...c, status: 'failed', error: { code, message } });

const label = (c: Change): string => `${c.resource} ${c.name}`;

/**
 * Applies a plan: sends each change after what it depends on, with its references replaced by the values they name,
 * and fails without sending it a change whose dependency failed (code DEPENDENCY_FAILED, the dependency named). Returns
 * the changes in the plan's order, each applied, failed, or as it was (unchanged, nothing to send).
 */
export const applyPlan = async (client: OrgClient, changes: Change[], opts: ApplyOptions = {}): Promise<Change[]> => {
  const emit = opts.onProgress ?? ((): void => {});
  const { waves, refused, byKey } = orderChanges(changes);
  const total = waves.reduce((n, w) => n + w.length, 0);
  const outcome = new Map<Change, Outcome>();
  /** The change as planned, by the change sent (its references replaced). */
  const originals = new Map<Change, Change>();
  let done = 0;
  emit({ type: 'start', total });
  const settle = (input: Change, change: Change, id?: string): void => {
    outcome.set(input, { change, id });
    done += 1;
    emit({ type: 'change', change, done, total });
  };

  for (const wave of waves) {
    // Dependencies first: a failed or unsent one holds the change back.
    const ready: Change[] = [];
    for (const c of wave) {
      const refusal = refused.get(c);
      if (refusal) {
        settle(c, failedWith(c, refusal.code, refusal.message));
        continue;
      }
      const failedDep = dependenciesOf(c)
        .flatMap((k) => byKey.get(k)!)
        .find((d) => d !== c && isSendable(d) && outcome.get(d)?.change.status !== 'applied');
      if (failedDep) settle(c, failedWith(c, DEPENDENCY_FAILED, `Not sent: it needs ${label(failedDep)}, which failed.`));
      else ready.push(c);
    }

    // The values references name: a created record's id, a metadata component's id as the org lists it.
    // Read after the previous wave was applied, so that what it created is listed.
    const refs = refsIn(ready.map((c) => [c.record?.values, c.metadata?.content]));
    const metadataTypes = refs.map((r) => byKey.get(r.ref)?.[0]).filter((d): d is Change => Boolean(d?.metadata)).map((d) => d.resource);
    // eslint-disable-next-line no-await-in-loop
    const ids = await metadataIds(client, metadataTypes);
    const valueOf = (r: ChangeRef): string | undefined => {
      const dep = byKey.get(r.ref)?.[0];
      if (dep?.record) return outcome.get(dep)?.id ?? dep.record.id;
      return dep?.metadata ? ids.get(dep.resource)?.get(dep.name.toLowerCase()) : undefined;
    };
    const send: Change[] = [];
    for (const c of ready) {
      const unresolved = refsIn([c.record?.values, c.metadata?.content]).find((r) => valueOf(r) === undefined);
      if (unresolved) {
        const what = unresolved.ref.replace(':', ' ');
        settle(c, failedWith(c, REFERENCE_UNRESOLVED, `Not sent: the ${unresolved.field} of ${what} could not be found in the org.`));
        continue;
      }
      const resolved: Change = {
        ...c,
        fields: c.fields.map((f) => (isRef(f.to) ? { ...f, to: valueOf(f.to) ?? f.to } : f)),
        ...(c.record ? { record: { ...c.record, ...(c.record.values ? { values: replaceRefs(c.record.values, valueOf) as Record<string, unknown> } : {}) } } : {}),
        ...(c.metadata ? { metadata: { ...c.metadata, content: replaceRefs(c.metadata.content, valueOf) as Record<string, unknown> } } : {}),
      };
      send.push(resolved);
      originals.set(resolved, c);
    }

    // Metadata creates and updates (batched by type, 10 per call), then records (by sObject and operation, 200 per
    // sObject Collections call), then metadata deletes in plan order.
    const metadata = send.filter((c) => c.metadata && c.action !== 'delete');
    // eslint-disable-next-line no-await-in-loop
    for (const [i, r] of (await applyMetadataChanges(client, metadata)).entries()) settle(originals.get(metadata[i])!, r);
    const records = send.filter((c) => c.record);
    const created = new Map<Change, string>();
    // eslint-disable-next-line no-await-in-loop
    for (const [i, r] of (await applyRecordChanges(client, records, created)).entries()) settle(originals.get(records[i])!, r, created.get(records[i]));
    const deletes = send.filter((c) => !c.record && c.action === 'delete');
    // eslint-disable-next-line no-await-in-loop
    for (const [i, r] of (await applyMetadataDeletes(client, deletes)).entries()) {
      const before = deletes.slice(0, i).find((d) => outcome.get(originals.get(d)!)?.change.status === 'failed');
      settle(originals.get(deletes[i])!, r.status === 'planned' && before ? failedWith(r, DEPENDENCY_FAILED, `Not sent: the deletion of ${label(before)} before it failed.`) : r);
    }
  }

  const result = changes.map((c) => outcome.get(c)?.change ?? c);
  emit({ type: 'end', applied: result.filter((c) => c.status === 'applied').length, failed: result.filter((c) => c.status === 'failed').length });
  return result;
};
