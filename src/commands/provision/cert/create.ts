import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import {
  CERT_LABEL_MAX,
  certificateNameFromLabel,
  certificateNameProblem,
  planCertificate,
  readCertificates,
  type CertKeySize,
} from '../../../provision/resources/certificate.js';

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
    const label = flags.label.trim();
    if (!label) throw messages.createError('error.InvalidLabel', [flags.label, 'it is empty']);
    if (label.length > CERT_LABEL_MAX) {
      throw messages.createError('error.InvalidLabel', [label, `it has ${label.length} characters, more than ${CERT_LABEL_MAX}`]);
    }
    const name = flags.name ?? certificateNameFromLabel(label);
    if (!name) throw messages.createError('error.NoNameFromLabel', [label]);
    const problem = certificateNameProblem(name);
    if (problem) throw messages.createError('error.InvalidName', [name, problem]);

    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const certs = await step(this, 'Reading the certificates', messages, () => readCertificates(client));
    const change = planCertificate(certs, {
      name,
      label,
      keySize: Number(flags['key-size']) as CertKeySize,
      exportable: flags['exportable-key'],
    });
    // A certificate that exists but differs from the request is not an error (nothing can change it): the plan's
    // note says what differs and how to get the certificate asked for, and so does a warning (in --json too), since
    // the run otherwise ends with "no changes".
    if (change.action === 'none' && change.note) this.warn(change.note);
    return carryOut(this, client, [change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
  }
}
