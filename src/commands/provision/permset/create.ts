import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import { applyMetadataChanges } from '../../../provision/metadata.js';
import type { Change } from '../../../provision/plan.js';
import {
  FIELD_ACCESS,
  licenseConflict,
  NEW_PERMISSION_SET_ID,
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
} from '../../../provision/resources/permission-set.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.permset.create');

export type PermsetCreateResult = PlanResult;

const API_NAME = /^[A-Za-z](?!.*__)[A-Za-z0-9_]{0,79}$/;

/** Flag values may hold several specs separated by spaces or semicolons ("Lead:read;Account:read"). */
const specs = (values: string[] | undefined): string[] => (values ?? []).flatMap((v) => v.split(/[;\s]+/)).filter(Boolean);

const parseGrants = (objectFlags: string[] | undefined, fieldFlags: string[] | undefined): { objects: ObjectGrant[]; fields: FieldGrant[] } => {
  try {
    return { objects: specs(objectFlags).map(parseObjectGrant), fields: specs(fieldFlags).map(parseFieldGrant) };
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

export default class PermsetCreate extends SfCommand<PermsetCreateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), char: 'n', required: true }),
    label: Flags.string({ summary: messages.getMessage('flags.label.summary') }),
    description: Flags.string({ summary: messages.getMessage('flags.description.summary') }),
    'api-enabled': Flags.boolean({ summary: messages.getMessage('flags.api-enabled.summary'), default: false }),
    'api-only': Flags.boolean({ summary: messages.getMessage('flags.api-only.summary'), default: false }),
    object: Flags.string({ summary: messages.getMessage('flags.object.summary'), multiple: true }),
    field: Flags.string({ summary: messages.getMessage('flags.field.summary'), multiple: true }),
    app: Flags.string({ summary: messages.getMessage('flags.app.summary') }),
    license: Flags.string({ summary: messages.getMessage('flags.license.summary') }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<PermsetCreateResult> {
    const { flags } = await this.parse(PermsetCreate);
    const name = flags.name;
    if (!API_NAME.test(name) || name.endsWith('_')) throw messages.createError('error.InvalidName', [name]);
    const { objects, fields } = parseGrants(flags.object, flags.field);

    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const current = await step(this, `Reading the permission set ${name}`, messages, () => readPermissionSet(client, name));
    const asked = flags['api-enabled'] || flags['api-only'] || objects.length > 0 || fields.length > 0 || Boolean(flags.app ?? flags.label ?? flags.description ?? flags.license);
    if (!current.content && !asked) throw messages.createError('error.NothingAsked', [name]);
    const license = flags.license ? await this.checkLicense(client, current, name, flags.license) : undefined;

    const psChange = planPermissionSet(current, {
      name,
      label: flags.label ?? (current.content ? undefined : name.replace(/_/g, ' ')),
      description: flags.description,
      apiEnabled: flags['api-enabled'],
      apiOnly: flags['api-only'],
      objects,
      fields,
      license,
    });
    const changes: Change[] = [psChange];
    if (flags.app) changes.push(await this.planApp(client, current, name, flags.app, Boolean(flags['output-dir'])));

    const opts = { dryRun: flags['dry-run'], outputDir: flags['output-dir'] };
    const pending = changes.find((c) => c.record?.values?.ParentId === NEW_PERMISSION_SET_ID);
    if (!pending || opts.dryRun || opts.outputDir) return carryOut(this, client, changes, opts);
    return carryOut(this, client, await this.createFirst(client, name, changes, pending), opts);
  }

  private async planApp(client: OrgClient, current: PermissionSetCurrent, name: string, appName: string, toFiles: boolean): Promise<Change> {
    const app = await step(this, `Reading the app ${appName}`, messages, () => readAppAccess(client, appName, current.id));
    const appChange = planAppAccess(app, name, current.id);
    if (!appChange) throw messages.createError('error.AppNotFound', [appName]);
    if (toFiles && appChange.record) throw messages.createError('error.ConnectedAppOutputDir', [app.appName]);
    return appChange;
  }

  /**
   * The license the permission set is tied to, as the org names it: a user license or a permission set license (the
   * Metadata API's <license> takes either). Users of a permission set license still need it assigned to them.
   */
  private async checkLicense(client: OrgClient, current: PermissionSetCurrent, name: string, value: string): Promise<string> {
    const licenses = await step(this, 'Reading the licenses', messages, () => readLicenses(client));
    const license = resolveLicense(licenses, value);
    if (!license) {
      const list = (kind: 'user' | 'permissionSet'): string => licenses.filter((l) => l.kind === kind).map((l) => l.name).join(', ') || '(none)';
      throw messages.createError('error.UnknownLicense', [value], [list('user'), list('permissionSet')]);
    }
    const conflict = licenseConflict(current, { name, license: license.name });
    if (conflict) throw messages.createError('error.LicenseChange', [name, conflict.from, conflict.to], [conflict.from]);
    if (license.kind === 'permissionSet') this.info(messages.getMessage('info.PermissionSetLicense', [name, license.name]));
    return license.name;
  }

  /**
   * A connected app's access record needs the id of the permission set this run creates: creates the permission set
   * first and fills the id in; the returned changes let carryOut do the rest (the created set is not sent again).
   */
  private async createFirst(client: OrgClient, name: string, changes: Change[], pending: Change): Promise<Change[]> {
    const [psChange, ...others] = changes;
    this.spinner.start(`Creating the permission set ${name}`);
    const [created] = await applyMetadataChanges(client, [psChange]);
    this.spinner.stop(created.status);
    const after = created.status === 'applied' ? await readPermissionSet(client, name) : undefined;
    const rest = others.map((c): Change => {
      if (c !== pending) return c;
      if (!after?.id) return { ...c, status: 'failed', error: { message: `The permission set ${name} was not created, so the app access could not be added.` } };
      const values = { ...c.record!.values, ParentId: after.id };
      return { ...c, fields: Object.entries(values).map(([field, to]) => ({ field, to })), record: { ...c.record!, values } };
    });
    const done: Change = { ...created };
    delete done.metadata;
    return [done, ...rest];
  }
}
