import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import { CertificateLookupError, findCertificate, readCertificates, type CertificateState } from '../../../provision/resources/certificate.js';
import { planIdentityProvider, readIdentityProvider } from '../../../provision/resources/identity-provider.js';
import { expiryState } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.idp.enable');

export type IdpEnableResult = PlanResult & {
  certificate: { name: string; label: string; expirationDate?: string };
};

export default class IdpEnable extends SfCommand<IdpEnableResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    cert: Flags.string({ summary: messages.getMessage('flags.cert.summary'), required: true }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<IdpEnableResult> {
    const { flags } = await this.parse(IdpEnable);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { current, certs } = await step(this, 'Reading the identity provider settings and certificates', messages, async () => {
      const [c, list] = await Promise.all([readIdentityProvider(client), readCertificates(client)]);
      return { current: c, certs: list };
    });

    let cert: CertificateState;
    try {
      cert = findCertificate(certs, flags.cert);
    } catch (e) {
      if (!(e instanceof CertificateLookupError)) throw e;
      if (e.code === 'AMBIGUOUS_CERTIFICATE') throw messages.createError('error.AmbiguousCert', e.values);
      throw certs.length === 0 ? messages.createError('error.NoCerts', [flags.cert]) : messages.createError('error.UnknownCert', e.values);
    }

    const change = planIdentityProvider(current, { enabled: true, certificateName: cert.name });
    if (current.enableIdentityProvider && current.certificateName && current.certificateName !== cert.name) {
      this.warn(messages.getMessage('warning.CertChange', [current.certificateName, cert.name]));
    }
    const expires = cert.expirationDate?.slice(0, 10);
    const expiry = expires ? expiryState(cert.daysLeft) : undefined;
    if (expiry === 'expired') this.warn(messages.getMessage('warning.CertExpired', [cert.name, expires]));
    else if (expiry === 'expiring') this.warn(messages.getMessage('warning.CertExpiring', [cert.name, String(cert.daysLeft), expires]));

    const result = await carryOut(this, client, [change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    if (result.changed && !result.dryRun) this.log(messages.getMessage('info.next'));
    return { ...result, certificate: { name: cert.name, label: cert.label, expirationDate: cert.expirationDate } };
  }
}
