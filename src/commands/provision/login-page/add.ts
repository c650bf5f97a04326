import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, type PlanResult } from '../../../provision/command.js';
import { loginPageAddSpec, planLoginPageButtonSpec, renderLoginPageButton } from '../../../provision/login-page.js';
import type { LoginPageSummary } from '../../../provision/resources/login-page.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.login-page.add');

export type LoginPageAddResult = PlanResult & { loginPage: LoginPageSummary };

export default class LoginPageAdd extends SfCommand<LoginPageAddResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    sso: Flags.string({ summary: messages.getMessage('flags.sso.summary'), required: true }),
    'dry-run': dryRunFlag,
  };

  public async run(): Promise<LoginPageAddResult> {
    const { flags } = await this.parse(LoginPageAdd);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const spec = loginPageAddSpec(flags);
    const plan = await planLoginPageButtonSpec(client, spec, this);
    const result = await carryOut(this, client, plan.changes, { dryRun: flags['dry-run'] });
    const loginPage = renderLoginPageButton(this, spec, plan, result);
    return { ...result, loginPage };
  }
}
