import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import { readSamlConfigNames } from '../../../provision/resources/saml-config.js';
import { jitLabel, readSamlOverview, type CertificateRef, type SamlConfigDetails } from '../../../provision/resources/saml-details.js';
import { unknownConfigError } from '../../../provision/sso-files.js';
import { expiryState } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.show');

export type SsoShowResult = SamlConfigDetails & {
  samlEnabled: boolean;
  warnings: string[];
};

type Row = { setting: string; value: string };

const certText = (c: CertificateRef | undefined): string => {
  if (!c) return '(none)';
  const text = [c.label, c.name && c.name !== c.label ? `(${c.name})` : ''].filter(Boolean).join(' ');
  return text === '' ? c.id ?? '' : text;
};

export default class SsoShow extends SfCommand<SsoShowResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary'), required: true }),
  };

  public async run(): Promise<SsoShowResult> {
    const { flags } = await this.parse(SsoShow);
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const { overview, names } = await step(this, `Reading the SAML configuration ${flags.name}`, messages, async () => {
      const o = await readSamlOverview(client, { instanceUrl: conn.instanceUrl, orgId: org.getOrgId() }, { names: [flags.name] });
      return { overview: o, names: o.configs.length ? [] : await readSamlConfigNames(client) };
    });
    const config = overview.configs[0];
    if (!config) throw unknownConfigError(messages, flags.name, names);

    const warnings: string[] = [];
    const cert = config.idpCertificate;
    const state = cert ? expiryState(cert.daysLeft) : undefined;
    if (!cert) warnings.push(messages.getMessage('warning.certUnreadable', [config.idpCertificateError ?? '']));
    else if (state === 'expired') warnings.push(messages.getMessage('warning.certExpired', [cert.notAfter.slice(0, 10)]));
    else if (state === 'expiring') warnings.push(messages.getMessage('warning.certExpiring', [String(cert.daysLeft), cert.notAfter.slice(0, 10)]));

    this.render(config, overview.samlEnabled);
    for (const w of warnings) this.warn(w);
    return { ...config, samlEnabled: overview.samlEnabled, warnings };
  }

  private render(c: SamlConfigDetails, samlEnabled: boolean): void {
    const v = (x: string | undefined): string => x ?? '(none)';
    this.styledHeader(`${c.label} (${c.name})`);
    if (!samlEnabled) this.log(messages.getMessage('info.samlDisabled'));
    const section = (title: string, rows: Row[]): void =>
      this.table({
        title,
        data: rows,
        columns: [
          { key: 'setting', name: 'Setting' },
          { key: 'value', name: 'Value' },
        ],
      });
    section(messages.getMessage('info.section.idp'), [
      { setting: 'Issuer', value: v(c.issuer) },
      { setting: 'Login URL', value: v(c.loginUrl) },
      { setting: 'Logout URL', value: v(c.logoutUrl) },
      { setting: 'Error URL', value: v(c.errorUrl) },
      { setting: 'SAML version', value: v(c.samlVersion) },
      { setting: 'Request binding', value: c.binding === 'redirect' ? 'HTTP Redirect' : 'HTTP POST' },
      { setting: 'Identity type', value: v(c.identityMapping) },
      { setting: 'Identity location', value: [c.identityLocation, c.attributeName ? `attribute ${c.attributeName}` : ''].filter(Boolean).join(', ') || '(none)' },
      { setting: 'On the login page', value: c.onLoginPage ? 'yes' : 'no' },
    ]);
    const cert = c.idpCertificate;
    section(messages.getMessage('info.section.certificates'), [
      { setting: 'IdP certificate subject', value: cert?.subject ?? `(unreadable: ${c.idpCertificateError ?? ''})` },
      ...(cert
        ? [
            { setting: 'IdP certificate issuer', value: cert.issuer },
            { setting: 'IdP certificate SHA-256', value: cert.sha256Fingerprint },
            { setting: 'IdP certificate valid', value: `${cert.notBefore.slice(0, 10)} to ${cert.notAfter.slice(0, 10)}` },
            { setting: 'IdP certificate days left', value: String(cert.daysLeft) },
          ]
        : []),
      { setting: 'Request signing certificate', value: certText(c.requestSigningCertificate) },
      { setting: 'Request signature method', value: v(c.requestSignatureMethod) },
      { setting: 'Assertion decryption certificate', value: certText(c.decryptionCertificate) },
    ]);
    section(messages.getMessage('info.section.jit'), [
      { setting: 'User provisioning', value: jitLabel(c.jit) },
      ...(c.jit.mode === 'apex'
        ? [
            { setting: 'Apex handler', value: c.jit.handlerName ?? c.jit.handlerId ?? '' },
            { setting: 'Execution user', value: c.jit.executionUsername ?? c.jit.executionUserId ?? '(none)' },
          ]
        : []),
    ]);
    section(messages.getMessage('info.section.sp'), [
      { setting: 'Entity ID', value: v(c.serviceProvider.entityId) },
      { setting: 'ACS URL (Salesforce login URL)', value: v(c.serviceProvider.acsUrl) },
      { setting: 'Single logout URL', value: v(c.serviceProvider.sloUrl) },
    ]);
  }
}
