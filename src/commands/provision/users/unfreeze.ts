import { SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { runUserStatus, statusFlags, type UserStatusResult } from '../../../provision/users/status-run.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.users.unfreeze');

export type { UserStatusResult, UserStatusOutcome } from '../../../provision/users/status-run.js';

export default class UsersUnfreeze extends SfCommand<UserStatusResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = statusFlags;

  public async run(): Promise<UserStatusResult> {
    const { flags } = await this.parse(UsersUnfreeze);
    return runUserStatus(this, messages, 'unfreeze', flags);
  }
}
