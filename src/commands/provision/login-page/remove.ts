import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, step, type PlanResult } from '../../../provision/command.js';
import { loginPageAfter, planLoginPageButton, readLoginPageContext, type LoginPageSummary } from '../../../provision/resources/login-page.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.login-page.remove');

export type LoginPageRemoveResult = PlanResult & { loginPage: LoginPageSummary };

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
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const ctx = await step(this, 'Reading the My Domain login page', messages, () => readLoginPageContext(client));
    const plan = planLoginPageButton(ctx, flags.sso, false);
    if ('problem' in plan) throw messages.createError(`error.${plan.problem}`, plan.values);

    const result = await carryOut(this, client, plan.changes, { dryRun: flags['dry-run'] });
    const loginPage = loginPageAfter(ctx, plan.page, result.changes);
    if (result.changed && loginPage.providers.length === 0 && !loginPage.loginForm) {
      this.warn(messages.getMessage('warning.NoWayIn', [plan.page.label]));
    }
    // With --dry-run the list is what the page would show: said so, since nothing is on the page yet.
    const providersKey = result.dryRun && result.changed ? 'info.providersAfterPlan' : 'info.providers';
    this.log(messages.getMessage(providersKey, [plan.page.label, loginPage.providers.join(', ') || messages.getMessage('info.noProviders')]));
    this.log(messages.getMessage('info.loginForm', [messages.getMessage(loginPage.loginForm ? 'info.shown' : 'info.hidden')]));
    return { ...result, loginPage };
  }
}
