import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { myDomainUrlOf, orgSpecificFileWarning, type CertificateSummary } from '../../../provision/sso-files.js';
import { planSamlCertificateSpec, ssoUpdateCertSpec } from '../../../provision/sso-update-cert.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.update-cert');

export type SsoUpdateCertResult = PlanResult & {
  /** The certificate the configuration trusts after the run. */
  certificate: CertificateSummary;
};

export default class SsoUpdateCert extends SfCommand<SsoUpdateCertResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), char: 'n', required: true }),
    'idp-cert': Flags.file({ summary: messages.getMessage('flags.idp-cert.summary'), exists: true, exclusive: ['idp-metadata'] }),
    'idp-metadata': Flags.file({ summary: messages.getMessage('flags.idp-metadata.summary'), exists: true, exclusive: ['idp-cert'] }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<SsoUpdateCertResult> {
    const { flags } = await this.parse(SsoUpdateCert);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const { changes, certificate, warnings } = await planSamlCertificateSpec(client, ssoUpdateCertSpec(flags), this);
    for (const w of warnings) this.warn(w);
    const result = await carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    const orgSpecific = orgSpecificFileWarning(changes, flags['output-dir'], myDomainUrlOf(conn.instanceUrl));
    if (orgSpecific) this.warn(orgSpecific);
    return { ...result, certificate };
  }
}
