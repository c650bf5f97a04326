import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import { readSamlOverview, toSamlConfigSummary, type SamlConfigDetails, type SamlConfigSummary } from '../../../provision/resources/saml-details.js';
import { expiryState } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.list');

export type SsoListResult = {
  samlEnabled: boolean;
  configs: SamlConfigSummary[];
  warnings: string[];
};

/** Expiry warnings of the identity provider certificates (expired, expiring soon, unreadable). */
const certWarnings = (configs: SamlConfigDetails[]): string[] =>
  configs.flatMap((c) => {
    const cert = c.idpCertificate;
    if (!cert) return c.idpCertificateError ? [messages.getMessage('warning.certUnreadable', [c.name, c.idpCertificateError])] : [];
    const state = expiryState(cert.daysLeft);
    if (state === 'expired') return [messages.getMessage('warning.certExpired', [c.name, cert.notAfter.slice(0, 10)])];
    if (state === 'expiring') return [messages.getMessage('warning.certExpiring', [c.name, String(cert.daysLeft), cert.notAfter.slice(0, 10)])];
    return [];
  });

export default class SsoList extends SfCommand<SsoListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
  };

  public async run(): Promise<SsoListResult> {
    const { flags } = await this.parse(SsoList);
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const overview = await step(this, 'Reading the SAML configurations', messages, () =>
      readSamlOverview(client, { instanceUrl: conn.instanceUrl, orgId: org.getOrgId() })
    );
    const configs = overview.configs.map(toSamlConfigSummary);

    this.log(messages.getMessage(overview.samlEnabled ? 'info.samlEnabled' : 'info.samlDisabled'));
    if (configs.length === 0) {
      this.log(messages.getMessage('info.noConfigs'));
    } else {
      this.table({
        title: messages.getMessage('info.title'),
        data: configs.map((c) => ({
          name: c.name,
          label: c.label,
          issuer: c.issuer ?? '',
          loginUrl: c.loginUrl ?? '',
          identity: [c.identityMapping, c.identityLocation].filter(Boolean).join(' in '),
          jit: c.jit,
          requestSigning: c.requestSigningCertificate ?? '',
          idpCertExpires: c.idpCertificateExpires?.slice(0, 10) ?? '',
          daysLeft: c.idpCertificateDaysLeft ?? '',
        })),
        columns: [
          { key: 'name', name: 'Name' },
          { key: 'label', name: 'Label' },
          { key: 'issuer', name: 'Issuer' },
          { key: 'loginUrl', name: 'Login URL' },
          { key: 'identity', name: 'Identity' },
          { key: 'jit', name: 'JIT' },
          { key: 'requestSigning', name: 'Request signing cert' },
          { key: 'idpCertExpires', name: 'IdP cert expires' },
          { key: 'daysLeft', name: 'Days left' },
        ],
      });
    }
    const warnings = certWarnings(overview.configs);
    for (const w of warnings) this.warn(w);
    return { samlEnabled: overview.samlEnabled, configs, warnings };
  }
}
