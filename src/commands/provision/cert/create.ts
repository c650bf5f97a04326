import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { certCreateSpec, planCertificateSpec } from '../../../provision/certificates.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.cert.create');

export type CertCreateResult = PlanResult;

export default class CertCreate extends SfCommand<CertCreateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    label: Flags.string({ summary: messages.getMessage('flags.label.summary'), required: true }),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), description: messages.getMessage('flags.name.description') }),
    'key-size': Flags.string({ summary: messages.getMessage('flags.key-size.summary'), options: ['2048', '4096'], default: '2048' }),
    'exportable-key': Flags.boolean({ summary: messages.getMessage('flags.exportable-key.summary'), default: false }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<CertCreateResult> {
    const { flags } = await this.parse(CertCreate);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { changes, warnings } = await planCertificateSpec(client, certCreateSpec(flags), this);
    for (const w of warnings) this.warn(w);
    return carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
  }
}
