/*
 * What an integration's token may actually do: for each object and field the integration needs, ask the org with the
 * integration's OWN token (describe of the object, which Salesforce answers for the running user: an object the user
 * cannot read is absent, a field without field-level read is absent, and createable / updateable / deletable follow
 * the user's object and field permissions), and say per line whether the access is granted, plus the exact commands
 * that grant what is missing.
 *
 * Describe answers per user: the sObject Describe resource reports the object's and fields' properties "for the
 * current user" (REST API Developer Guide, sObject Describe; Field describe createable/updateable reflect FLS).
 * View All / Modify All cannot be seen through describe, so they are not offered here.
 */
import { SfError } from '@salesforce/core';
import type { AnyJson } from '@salesforce/ts-types';
import { answerOf, connectionError, normalizeDomain, readJson, type GrantType } from './connection.js';
import { parseFieldGrant, parseObjectGrant, PermissionSpecError, type FieldAccess, type FieldGrant, type ObjectGrant } from './resources/permission-set.js';

/** The object operations describe can prove for the token's user. */
export type CheckedObjectAccess = 'read' | 'create' | 'edit' | 'delete';
export const CHECKED_OBJECT_ACCESS: readonly CheckedObjectAccess[] = ['read', 'create', 'edit', 'delete'];

export type AccessRequirement = { objects: ObjectGrant[]; fields: FieldGrant[] };

/** One line of the report: an object operation or a field access, granted or missing. */
export type AccessLine = {
  kind: 'object' | 'field';
  /** Lead, or Lead.Email for a field. */
  target: string;
  access: CheckedObjectAccess | FieldAccess;
  granted: boolean;
  /** Why it is missing, when it is (object not visible, field hidden, read-only for the user, needs Manage Users). */
  reason?: string;
};

export type AccessReport = {
  /** True when access was asked for (--object/--field); false for the default survey of Lead, Contact and User. */
  required: boolean;
  lines: AccessLine[];
  missing: AccessLine[];
  /** The commands (or the Setup step) that grant what is missing, in order. */
  fix: string[];
};

/** Without --object: which of Lead, Contact and User the identity can create and update. */
export const DEFAULT_SURVEY: AccessRequirement = {
  objects: ['Lead', 'Contact', 'User'].map((object) => ({ object, access: ['create', 'edit'] })),
  fields: [],
};

export class AccessSpecError extends Error {
  public constructor(public readonly spec: string, public readonly kind: 'object' | 'field') {
    super(`Invalid ${kind} access "${spec}"`);
  }
}

/** "Lead:create,read" and "Lead.Email:edit" flag values into requirements; View All / Modify All are refused. */
export const parseAccessSpecs = (objectSpecs: string[] = [], fieldSpecs: string[] = []): AccessRequirement => {
  const split = (values: string[]): string[] => values.flatMap((v) => v.split(/[;\s]+/)).filter(Boolean);
  const parse = <T>(spec: string, kind: 'object' | 'field', fn: (s: string) => T): T => {
    try {
      return fn(spec);
    } catch (e) {
      if (e instanceof PermissionSpecError) throw new AccessSpecError(spec, kind);
      throw e;
    }
  };
  const objects = split(objectSpecs).map((s) => parse(s, 'object', parseObjectGrant));
  for (const o of objects) {
    if (o.access.some((a) => !(CHECKED_OBJECT_ACCESS as readonly string[]).includes(a))) throw new AccessSpecError(`${o.object}:${o.access.join(',')}`, 'object');
  }
  return { objects, fields: split(fieldSpecs).map((s) => parse(s, 'field', parseFieldGrant)) };
};

type DescribeField = { name: string; createable?: boolean; updateable?: boolean };
/** The parts of an sObject describe this check reads; undefined when the object is not visible to the user. */
export type ObjectDescribe = {
  name: string;
  queryable?: boolean;
  retrieveable?: boolean;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  fields?: DescribeField[];
};

const objectLines = (o: ObjectGrant, d: ObjectDescribe | undefined): AccessLine[] =>
  CHECKED_OBJECT_ACCESS.filter((a) => o.access.includes(a)).map((access): AccessLine => {
    if (!d) return { kind: 'object', target: o.object, access, granted: false, reason: `${o.object} is not visible to the user (no Read)` };
    const can: Record<CheckedObjectAccess, boolean> = {
      read: d.queryable !== false && d.retrieveable !== false,
      create: d.createable === true,
      edit: d.updateable === true,
      delete: d.deletable === true,
    };
    if (can[access]) return { kind: 'object', target: d.name, access, granted: true };
    const isUser = d.name.toLowerCase() === 'user' && access !== 'read';
    return { kind: 'object', target: d.name, access, granted: false, reason: isUser ? 'User records are written only with the Manage Users permission' : `no ${access} permission on ${d.name}` };
  });

const fieldLines = (f: FieldGrant, d: ObjectDescribe | undefined): AccessLine[] => {
  const [object, field] = f.field.split('.');
  const fd = d?.fields?.find((x) => x.name.toLowerCase() === field.toLowerCase());
  const target = d && fd ? `${d.name}.${fd.name}` : f.field;
  return f.access.map((access): AccessLine => {
    if (fd && (access === 'read' || fd.createable === true || fd.updateable === true)) return { kind: 'field', target, access, granted: true };
    const reason = !d
      ? `${object} is not visible to the user (no Read)`
      : !fd
        ? `${f.field} is hidden from the user (no field-level read), or does not exist`
        : `${target} is read-only for the user`;
    return { kind: 'field', target, access, granted: false, reason };
  });
};

/** PURE: the report for what was asked, from the describes the token's user got (undefined = object not visible). */
export const evaluateAccess = (
  requirement: AccessRequirement,
  describes: Map<string, ObjectDescribe | undefined>,
  opts: { required: boolean; username: string; permissionSet: string }
): AccessReport => {
  const describeOf = (object: string): ObjectDescribe | undefined => describes.get(object.toLowerCase());
  const lines = [
    ...requirement.objects.flatMap((o) => objectLines(o, describeOf(o.object))),
    ...requirement.fields.flatMap((f) => fieldLines(f, describeOf(f.field.split('.')[0]))),
  ];
  const missing = lines.filter((l) => !l.granted);
  return { required: opts.required, lines, missing, fix: fixFor(missing, opts.username, opts.permissionSet) };
};

/** The commands that grant the missing access to the user: one permission set with all of it, then its assignment. */
export const fixFor = (missing: AccessLine[], username: string, permissionSet: string): string[] => {
  if (missing.length === 0) return [];
  const objectArgs = new Map<string, Set<string>>();
  const fieldArgs = new Map<string, Set<string>>();
  let manageUsers = false;
  for (const l of missing) {
    if (l.kind === 'object' && l.target.toLowerCase() === 'user' && l.access !== 'read') {
      manageUsers = true;
      continue;
    }
    const into = l.kind === 'object' ? objectArgs : fieldArgs;
    const set = into.get(l.target) ?? new Set<string>();
    set.add(l.access);
    into.set(l.target, set);
  }
  const fix: string[] = [];
  if (objectArgs.size || fieldArgs.size) {
    const args = [
      ...[...objectArgs].map(([o, a]) => `--object ${o}:${[...a].join(',')}`),
      ...[...fieldArgs].map(([fl, a]) => `--field ${fl}:${[...a].join(',')}`),
    ];
    fix.push(`sf provision permset create --target-org <admin org> --name ${permissionSet} ${args.join(' ')}`);
  }
  if (manageUsers) {
    // No command of this plugin grants system permissions other than API Enabled / API Only yet.
    fix.push(`Give ${username} the "Manage Users" system permission: Setup > Permission Sets > ${permissionSet} > System Permissions > Manage Users (creating and updating Users needs it).`);
  }
  fix.push(`sf provision permset assign --target-org <admin org> --name ${permissionSet} --users ${username}`);
  return fix;
};

type FetchLike = typeof fetch;

/**
 * Describes each object the requirement names with the integration's token. A 404 (NOT_FOUND) or INVALID_TYPE means
 * the user cannot see the object; any other refusal is a classified connection error, secrets scrubbed.
 */
export const describeForUser = async (
  grant: { accessToken: string; instanceUrl: string; grantType: GrantType },
  apiVersion: string,
  requirement: AccessRequirement,
  ctx: { clientId?: string; secrets: Array<string | undefined> },
  fetchImpl: FetchLike = fetch
): Promise<Map<string, ObjectDescribe | undefined>> => {
  const base = normalizeDomain(grant.instanceUrl);
  const names = [...new Set([...requirement.objects.map((o) => o.object), ...requirement.fields.map((f) => f.field.split('.')[0])].map((n) => n.toLowerCase()))];
  const secrets = [grant.accessToken, ...ctx.secrets];
  const describeOne = async (name: string): Promise<[string, ObjectDescribe | undefined]> => {
    const res = await fetchImpl(`${base}/services/data/v${apiVersion}/sobjects/${encodeURIComponent(name)}/describe`, {
      headers: { Authorization: `Bearer ${grant.accessToken}`, Accept: 'application/json' },
      redirect: 'manual',
    });
    const body = await readJson(res);
    const code = Array.isArray(body) ? String((body[0] as { errorCode?: unknown } | undefined)?.errorCode ?? '') : '';
    if (res.status === 404 || code === 'NOT_FOUND' || code === 'INVALID_TYPE') return [name, undefined];
    if (res.status === 200 && body && typeof body === 'object') return [name, body as ObjectDescribe];
    throw connectionError(answerOf(res.status, body), { clientId: ctx.clientId, domain: base, grantType: grant.grantType }, secrets);
  };
  const out = new Map<string, ObjectDescribe | undefined>(await Promise.all(names.map(describeOne)));
  return out;
};

/** The error a command throws when required access is missing: exit 1, the whole result in the error's data. */
export const missingAccessError = (report: AccessReport, message: string, data: AnyJson): SfError => {
  const err = new SfError(message, 'MissingAccess', report.fix, 1);
  err.setData(data);
  return err;
};
