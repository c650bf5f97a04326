import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import { flowNames } from '../../../provision/resources/oauth-app.js';
import { describeExternalClientApp, readExternalClientApps } from '../../../provision/resources/external-client-app.js';
import { describeConnectedApp, readConnectedApps } from '../../../provision/resources/connected-app.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.list');

export type AppListItem = {
  name: string;
  type: 'ExternalClientApplication' | 'ConnectedApp';
  label?: string;
  /** OAuth flows the app allows, and "SAML" when it is a SAML service provider. */
  flows: string[];
  runAsUser?: string;
  consumerKey?: string;
};
export type AppListResult = AppListItem[];

export default class AppList extends SfCommand<AppListResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
  };

  public async run(): Promise<AppListResult> {
    const { flags } = await this.parse(AppList);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const details = await step(this, 'Reading the OAuth apps', messages, async () => [
      ...(await readExternalClientApps(client)).map(describeExternalClientApp),
      ...(await readConnectedApps(client)).map(describeConnectedApp),
    ]);
    const items: AppListItem[] = details.map((d) => ({
      name: d.name,
      type: d.type,
      label: d.label,
      flows: [...flowNames(d.flows), ...(d.saml ? ['SAML'] : [])],
      runAsUser: d.runAsUser,
      consumerKey: d.consumerKey,
    }));
    if (items.length === 0) this.log(messages.getMessage('info.none'));
    else
      this.table({
        data: items.map((i) => ({ name: i.name, type: i.type === 'ConnectedApp' ? 'connected app' : 'external client app', label: i.label ?? '', flows: i.flows.join(', '), 'run as': i.runAsUser ?? '' })),
        columns: ['name', 'type', 'label', 'flows', 'run as'],
      });
    return items;
  }
}
