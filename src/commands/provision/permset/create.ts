import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { permissionSetSpec, planPermissionSetSpec } from '../../../provision/permission-sets.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.permset.create');

export type PermsetCreateResult = PlanResult;

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
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const opts = { dryRun: flags['dry-run'], outputDir: flags['output-dir'] };
    const changes = await planPermissionSetSpec(client, permissionSetSpec(flags), this, { toFiles: Boolean(opts.outputDir) });
    return carryOut(this, client, changes, opts);
  }
}
