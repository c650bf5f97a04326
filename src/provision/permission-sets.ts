/*
 * `permset create` without the command: a permission set spec (its name, label, access as "Lead:create,read", the app
 * and the licence by name, as the desired-state file names them), its validation, its plan (the permission set and
 * access to the app, whose record refers to the permission set change when the plan creates it: apply.ts sends it
 * after the permission set, with its id).
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { progressOf, type Progress } from './progress.js';
import {
  FIELD_ACCESS,
  licenseConflict,
  OBJECT_ACCESS,
  parseFieldGrant,
  parseObjectGrant,
  PermissionSpecError,
  planAppAccess,
  planPermissionSet,
  readAppAccess,
  readLicenses,
  readPermissionSet,
  resolveLicense,
  type FieldGrant,
  type ObjectGrant,
  type PermissionSetCurrent,
} from './resources/permission-set.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.permset.create');

/** A permission set as asked: names and labels only. Access is only ever added, never removed. */
export type PermissionSetSpec = {
  /** The API name. */
  name: string;
  /** Defaults to the name with spaces for underscores when the permission set is created. */
  label?: string;
  description?: string;
  apiEnabled?: boolean;
  apiOnly?: boolean;
  /** Object access: "Lead:create,read" or parsed grants. */
  objects?: Array<string | ObjectGrant>;
  /** Field access: "Lead.Email:read,edit" or parsed grants. */
  fields?: Array<string | FieldGrant>;
  /** A connected app or external client app whose users the permission set admits. */
  app?: string;
  /** A user licence name, or a permission set licence's label or API name. */
  license?: string;
};

export type PermsetCreateFlags = {
  name: string;
  label?: string;
  description?: string;
  'api-enabled': boolean;
  'api-only': boolean;
  object?: string[];
  field?: string[];
  app?: string;
  license?: string;
};

/** Flag values may hold several grants separated by spaces or semicolons ("Lead:read;Account:read"). */
const splitGrants = (values: string[] | undefined): string[] => (values ?? []).flatMap((v) => v.split(/[;\s]+/)).filter(Boolean);

/** The spec `permset create`'s flags describe. */
export const permissionSetSpec = (flags: PermsetCreateFlags): PermissionSetSpec => ({
  name: flags.name,
  label: flags.label,
  description: flags.description,
  apiEnabled: flags['api-enabled'],
  apiOnly: flags['api-only'],
  objects: splitGrants(flags.object),
  fields: splitGrants(flags.field),
  app: flags.app,
  license: flags.license,
});

const API_NAME = /^[A-Za-z](?!.*__)[A-Za-z0-9_]{0,79}$/;

const grantText = (g: string | ObjectGrant | FieldGrant): string =>
  typeof g === 'string' ? g : `${'object' in g ? g.object : g.field}:${(g.access as string[]).join(',')}`;

/** The spec's name and grants checked (before any call to the org), the grants parsed; SfErrors with the fix. */
export const checkPermissionSetSpec = (spec: PermissionSetSpec): { objects: ObjectGrant[]; fields: FieldGrant[] } => {
  if (!API_NAME.test(spec.name) || spec.name.endsWith('_')) throw messages.createError('error.InvalidName', [spec.name]);
  try {
    return { objects: (spec.objects ?? []).map((g) => parseObjectGrant(grantText(g))), fields: (spec.fields ?? []).map((g) => parseFieldGrant(grantText(g))) };
  } catch (e) {
    if (!(e instanceof PermissionSpecError)) throw e;
    const object = e.kind === 'object';
    throw messages.createError(
      'error.InvalidAccess',
      [e.kind, e.spec],
      [object ? 'Object:access,access' : 'Object.Field:access', (object ? OBJECT_ACCESS : FIELD_ACCESS).join(', '), object ? 'Lead:create,read,edit' : 'Lead.Email:read,edit']
    );
  }
};

/**
 * The licence the permission set is tied to, as the org names it: a user license or a permission set license (the
 * Metadata API's <license> takes either). Users of a permission set license still need it assigned to them.
 */
const checkLicense = async (p: Progress, client: OrgClient, current: PermissionSetCurrent, name: string, value: string): Promise<string> => {
  const licenses = await p.step('Reading the licenses', () => readLicenses(client));
  const license = resolveLicense(licenses, value);
  if (!license) {
    const list = (kind: 'user' | 'permissionSet'): string => licenses.filter((l) => l.kind === kind).map((l) => l.name).join(', ') || '(none)';
    throw messages.createError('error.UnknownLicense', [value], [list('user'), list('permissionSet')]);
  }
  const conflict = licenseConflict(current, { name, license: license.name });
  if (conflict) throw messages.createError('error.LicenseChange', [name, conflict.from, conflict.to], [conflict.from]);
  if (license.kind === 'permissionSet') p.info(messages.getMessage('info.PermissionSetLicense', [name, license.name]));
  return license.name;
};

const planApp = async (p: Progress, client: OrgClient, current: PermissionSetCurrent, name: string, appName: string, toFiles: boolean): Promise<Change> => {
  const app = await p.step(`Reading the app ${appName}`, () => readAppAccess(client, appName, current.id));
  const appChange = planAppAccess(app, name, current.id);
  if (!appChange) throw messages.createError('error.AppNotFound', [appName]);
  if (toFiles && appChange.record) throw messages.createError('error.ConnectedAppOutputDir', [app.appName]);
  return appChange;
};

/**
 * Checks the spec, reads the permission set (its licences and app when named) and plans it: the permission set
 * first, then access to the app. `toFiles` refuses what cannot be written as files (a connected app's access record).
 */
export const planPermissionSetSpec = async (client: OrgClient, spec: PermissionSetSpec, cmd?: SfCommand<unknown>, opts: { toFiles?: boolean } = {}): Promise<Change[]> => {
  const { objects, fields } = checkPermissionSetSpec(spec);
  const p = progressOf(cmd, messages);
  const name = spec.name;
  const current = await p.step(`Reading the permission set ${name}`, () => readPermissionSet(client, name));
  const asked = Boolean(spec.apiEnabled) || Boolean(spec.apiOnly) || objects.length > 0 || fields.length > 0 || Boolean(spec.app ?? spec.label ?? spec.description ?? spec.license);
  if (!current.content && !asked) throw messages.createError('error.NothingAsked', [name]);
  const license = spec.license ? await checkLicense(p, client, current, name, spec.license) : undefined;

  const psChange = planPermissionSet(current, {
    name,
    label: spec.label ?? (current.content ? undefined : name.replace(/_/g, ' ')),
    description: spec.description,
    apiEnabled: spec.apiEnabled ?? false,
    apiOnly: spec.apiOnly ?? false,
    objects,
    fields,
    license,
  });
  return spec.app ? [psChange, await planApp(p, client, current, name, spec.app, Boolean(opts.toFiles))] : [psChange];
};
