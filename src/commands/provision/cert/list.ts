import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import {
  describeUse,
  readCertificates,
  readCertificateUses,
  type CertificateState,
  type CertificateUse,
} from '../../../provision/resources/certificate.js';
import { CERT_EXPIRY_WARNING_DAYS, expiryState } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.cert.list');

export type CertListEntry = CertificateState & { usedBy: CertificateUse[] };

export type CertListResult = {
  certificates: CertListEntry[];
  warnings: string[];
};

/** Expiry warnings for certificates past their date or within `days` of it. */
export const expiryWarnings = (certs: CertListEntry[], days: number): string[] => {
  const warnings: string[] = [];
  for (const c of certs) {
    const state = expiryState(c.daysLeft, days);
    if (!state || !c.expirationDate) continue;
    const date = c.expirationDate.slice(0, 10);
    if (c.usedBy.length === 0) {
      // Unused: nothing to switch, so its own wording.
      if (state === 'expired') warnings.push(messages.getMessage('warning.certExpiredUnused', [c.label, date]));
      else warnings.push(messages.getMessage('warning.certExpiringUnused', [c.label, String(c.daysLeft), date]));
      continue;
    }
    const uses = c.usedBy.map(describeUse).join('; ');
    if (state === 'expired') warnings.push(messages.getMessage('warning.certExpired', [c.label, date, uses]));
    else warnings.push(messages.getMessage('warning.certExpiring', [c.label, String(c.daysLeft), date, uses]));
  }
  return warnings;
};

export default class CertList extends SfCommand<CertListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'expiry-warning-days': Flags.integer({
      summary: messages.getMessage('flags.expiry-warning-days.summary'),
      default: CERT_EXPIRY_WARNING_DAYS,
      min: 0,
    }),
  };

  public async run(): Promise<CertListResult> {
    const { flags } = await this.parse(CertList);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const certificates = await step(this, 'Reading the certificates and what uses them', messages, async () => {
      const certs = await readCertificates(client);
      const uses = await readCertificateUses(client, certs);
      return certs.map((c): CertListEntry => ({ ...c, usedBy: uses.get(c.name) ?? [] }));
    });
    const warnings = expiryWarnings(certificates, flags['expiry-warning-days']);

    if (certificates.length === 0) this.log(messages.getMessage('info.none'));
    else {
      const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
      this.table({
        title: messages.getMessage('info.title'),
        data: certificates.map((c) => ({
          label: c.label,
          name: c.name,
          'key size': c.keySize ?? '',
          expires: c.expirationDate?.slice(0, 10) ?? '',
          'days left': c.daysLeft ?? '',
          exportable: yesNo(c.exportable),
          'CA-signed': yesNo(c.caSigned),
          'used by': c.usedBy.length ? c.usedBy.map(describeUse).join('; ') : messages.getMessage('info.unused'),
        })),
        columns: ['label', 'name', 'key size', 'expires', 'days left', 'exportable', 'CA-signed', 'used by'],
      });
    }
    for (const w of warnings) this.warn(w);
    return { certificates, warnings };
  }
}
