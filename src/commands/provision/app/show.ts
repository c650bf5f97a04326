import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import { flowNames, scopeToToken, type SamlDetails } from '../../../provision/resources/oauth-app.js';
import { describeExternalClientApp, readExternalClientApp, SAML_NAME_ID_FORMATS, type EcaDetails } from '../../../provision/resources/external-client-app.js';
import { describeConnectedApp, readConnectedApps, type ConnectedAppDetails } from '../../../provision/resources/connected-app.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.show');

export type AppShowResult = EcaDetails | ConnectedAppDetails;

/** "EmailAddress (urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress)" for the known formats. */
const nameIdFormatText = (v: string | undefined): string => {
  if (!v) return messages.getMessage('info.orgDefault');
  const urn = (SAML_NAME_ID_FORMATS as Record<string, string | undefined>)[v];
  return urn ? `${v} (${urn})` : v;
};

/** The table rows of an app's SAML service provider. */
const samlRows = (saml: SamlDetails): Array<{ setting: string; value: string }> => [
  { setting: 'SAML ACS URL', value: saml.acsUrl ?? '' },
  { setting: 'SAML entity ID', value: saml.entityId ?? '' },
  ...(saml.issuer ? [{ setting: 'SAML issuer', value: saml.issuer }] : []),
  {
    setting: 'SAML subject type',
    value: saml.subjectType ? `${saml.subjectType}${saml.subjectCustomAttribute ? ` (${saml.subjectCustomAttribute})` : ''}` : messages.getMessage('info.orgDefault'),
  },
  { setting: 'SAML name ID format', value: nameIdFormatText(saml.nameIdFormat) },
  { setting: 'SAML signing algorithm', value: saml.signingAlgorithm ?? messages.getMessage('info.orgDefault') },
  { setting: 'SAML signing certificate', value: saml.certificate ?? messages.getMessage('info.defaultCertificate') },
];

export default class AppShow extends SfCommand<AppShowResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), required: true }),
  };

  public async run(): Promise<AppShowResult> {
    const { flags } = await this.parse(AppShow);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const details = await step(this, `Reading the app ${flags.name}`, messages, async () => {
      const eca = await readExternalClientApp(client, flags.name);
      if (eca) return describeExternalClientApp(eca);
      const connected = (await readConnectedApps(client, [flags.name]))[0];
      return connected ? describeConnectedApp(connected) : undefined;
    });
    if (!details) throw messages.createError('error.NotFound', [flags.name]);
    const rows: Array<{ setting: string; value: string }> = [
      { setting: 'Name', value: details.name },
      { setting: 'Type', value: details.type === 'ConnectedApp' ? 'connected app' : 'External Client App' },
      { setting: 'Label', value: details.label ?? '' },
      { setting: 'Contact email', value: details.contactEmail ?? '' },
      { setting: 'Consumer key', value: details.consumerKey ?? '' },
      { setting: 'Consumer secret', value: '(not shown; "sf provision app rotate-secret" sets a new one)' },
      { setting: 'Callback URL', value: details.callbackUrl ?? '' },
      { setting: 'OAuth flows', value: flowNames(details.flows).join(', ') || '(none)' },
      { setting: 'Scopes', value: details.scopes.map(scopeToToken).join(', ') },
      { setting: 'Permitted users', value: details.permittedUsers ?? '' },
      { setting: 'Refresh token policy', value: details.refreshTokenPolicy ?? '' },
      { setting: 'Run as (client credentials)', value: details.runAsUser ?? '' },
      { setting: 'Permission sets with access', value: details.permissionSets.join(', ') },
      { setting: 'Profiles with access', value: details.profiles.join(', ') },
      ...(details.saml ? samlRows(details.saml) : []),
    ];
    this.table({ data: rows, columns: ['setting', 'value'] });
    return details;
  }
}
