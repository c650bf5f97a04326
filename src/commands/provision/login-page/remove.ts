import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { dryRunFlag } from '../../../provision/command.js';
import { changeLoginPage, type LoginPageResult } from './add.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.login-page.remove');

export type LoginPageRemoveResult = LoginPageResult;

export default class LoginPageRemove extends SfCommand<LoginPageRemoveResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    sso: Flags.string({ summary: messages.getMessage('flags.sso.summary'), required: true }),
    'dry-run': dryRunFlag,
  };

  public async run(): Promise<LoginPageRemoveResult> {
    const { flags } = await this.parse(LoginPageRemove);
    return changeLoginPage(this, messages, flags, false);
  }
}
