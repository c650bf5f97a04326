import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import { flowNames, scopeToToken } from '../../../provision/resources/oauth-app.js';
import { describeExternalClientApp, readExternalClientApp, type EcaDetails } from '../../../provision/resources/external-client-app.js';
import { describeConnectedApp, readConnectedApps, type ConnectedAppDetails } from '../../../provision/resources/connected-app.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.show');

export type AppShowResult = EcaDetails | ConnectedAppDetails;

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
    ];
    this.table({ data: rows, columns: ['setting', 'value'] });
    return details;
  }
}
