import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { picklistsStatusSpec, readPicklistsStatus, renderPicklistsStatus, type PicklistsStatusResult } from '../../../provision/picklists.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.picklists.status');

export type { PicklistCountryStatus, PicklistsStatusResult, PicklistValueStatus } from '../../../provision/picklists.js';

export default class PicklistsStatus extends SfCommand<PicklistsStatusResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    countries: Flags.string({
      summary: messages.getMessage('flags.countries.summary'),
      multiple: true,
      delimiter: ',',
    }),
  };

  public async run(): Promise<PicklistsStatusResult> {
    const { flags } = await this.parse(PicklistsStatus);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const spec = picklistsStatusSpec(flags);
    const result = await readPicklistsStatus(client, spec, this);
    renderPicklistsStatus(this, result, spec);
    return result;
  }
}
