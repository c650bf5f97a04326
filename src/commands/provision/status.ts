import { SfCommand, Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../provision/client.js';
import { readOrgStatus, type OrgStatus } from '../../provision/status.js';
import { toSfError } from '../../provision/errors.js';
import { CERT_EXPIRY_WARNING_DAYS, expiryState } from '../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.status');

export type ProvisionStatusResult = OrgStatus & {
  warnings: string[];
};

export default class ProvisionStatus extends SfCommand<ProvisionStatusResult> {
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

  public async run(): Promise<ProvisionStatusResult> {
    const { flags } = await this.parse(ProvisionStatus);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    this.spinner.start('Reading the org');
    let status: OrgStatus;
    try {
      status = await readOrgStatus(client);
    } catch (e) {
      this.spinner.stop('failed');
      throw toSfError(e, messages);
    }
    this.spinner.stop();

    const warnings: string[] = [];
    for (const cert of status.certificates) {
      const state = expiryState(cert.daysLeft, flags['expiry-warning-days']);
      if (!state || !cert.expirationDate) continue;
      if (state === 'expired') warnings.push(messages.getMessage('warning.certExpired', [cert.label, cert.expirationDate.slice(0, 10)]));
      else warnings.push(messages.getMessage('warning.certExpiring', [cert.label, String(cert.daysLeft), cert.expirationDate.slice(0, 10)]));
    }

    this.render(status);
    for (const w of warnings) this.warn(w);
    return { ...status, warnings };
  }

  private render(s: OrgStatus): void {
    const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
    this.styledHeader(`${s.org.name ?? s.org.id} (${s.org.edition ?? 'unknown edition'}${s.org.isSandbox ? ', sandbox' : ''})`);
    this.log(`Instance: ${s.org.instanceUrl}  User: ${s.org.username ?? ''}`);
    this.log('');
    this.table({
      title: messages.getMessage('info.header.sso'),
      data: [
        { setting: 'SAML single sign-on enabled', value: yesNo(s.sso.samlEnabled) },
        { setting: 'Federation ID case-insensitive', value: yesNo(s.sso.federationIdCaseInsensitive) },
        { setting: 'Login with Salesforce credentials disabled', value: yesNo(s.sso.loginWithSalesforceCredentialsDisabled) },
        { setting: 'State/Country picklists enabled', value: yesNo(s.picklists.stateCountryEnabled) },
      ],
    });
    this.tableOrNone(
      messages.getMessage('info.header.saml'),
      s.samlConfigs.map((c) => ({
        name: c.name,
        issuer: c.issuer ?? '',
        identity: `${c.identityMapping ?? ''} in ${c.identityLocation ?? ''}`,
        jit: c.jitEnabled ? (c.jitHandlerId ? 'on (Apex handler)' : 'on') : 'off',
      }))
    );
    this.tableOrNone(
      messages.getMessage('info.header.certificates'),
      s.certificates.map((c) => ({
        label: c.label,
        name: c.name,
        'key size': c.keySize ?? '',
        expires: c.expirationDate?.slice(0, 10) ?? '',
        'days left': c.daysLeft ?? '',
        exportable: yesNo(c.exportable),
      }))
    );
    this.tableOrNone(
      messages.getMessage('info.header.apps'),
      s.apps.map((a) => ({ name: a.name, type: a.type === 'ExternalClientApplication' ? 'External Client App' : 'Connected App' }))
    );
    this.table({
      title: messages.getMessage('info.header.api'),
      data: [{ 'daily max': s.api.dailyMax, used: s.api.dailyUsed, remaining: s.api.dailyRemaining }],
    });
  }

  /** A titled table, or "Title: (none)" when there are no rows. */
  private tableOrNone(title: string, data: Array<Record<string, unknown>>): void {
    if (data.length === 0) this.log(`${title}: ${messages.getMessage('info.none')}`);
    else this.table({ title, data });
  }
}
