import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { planSamlConfig } from '../../../provision/resources/saml-config.js';
import {
  guard,
  myDomainUrlOf,
  orgSpecificFileWarning,
  readCertificateFile,
  readExistingConfig,
  readIdpMetadataFile,
  summarizeCertificate,
  type CertificateSummary,
} from '../../../provision/sso-files.js';

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
    if (!flags['idp-cert'] && !flags['idp-metadata']) throw messages.createError('error.CertificateRequired');
    const now = new Date();
    const idp = flags['idp-metadata'] ? await readIdpMetadataFile(flags['idp-metadata'], now) : undefined;
    const certFile = flags['idp-cert'] ? await readCertificateFile(flags['idp-cert'], now) : undefined;
    const cert = idp?.signingCertificate ?? certFile!;
    for (const w of [...(idp?.warnings ?? []), ...(certFile?.warnings ?? [])]) this.warn(w);

    const conn = flags['target-org'].getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const current = await readExistingConfig(this, client, flags.name);
    if (idp && current.issuer && current.issuer !== idp.entityId) {
      this.warn(messages.getMessage('warning.issuerDiffers', [idp.entityId, String(current.issuer)]));
    }
    const change = await guard(() => planSamlConfig(current, { fullName: current.fullName, validationCert: cert.base64Der }));
    const result = await carryOut(this, client, [change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    const orgSpecific = orgSpecificFileWarning([change], flags['output-dir'], myDomainUrlOf(conn.instanceUrl));
    if (orgSpecific) this.warn(orgSpecific);
    return { ...result, certificate: summarizeCertificate(cert) };
  }
}
