import { SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { federationFlags, runSetFederationId, type SetFederationIdResult } from '../../../provision/users/federation-id-run.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.users.set-federation-id');

export type { SetFederationIdResult, FederationOutcome } from '../../../provision/users/federation-id-run.js';

export default class UsersSetFederationId extends SfCommand<SetFederationIdResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = federationFlags;

  public async run(): Promise<SetFederationIdResult> {
    const { flags } = await this.parse(UsersSetFederationId);
    return runSetFederationId(this, flags);
  }
}
