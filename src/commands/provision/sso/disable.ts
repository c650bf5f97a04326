import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import { readLoginPage, type LoginPageState } from '../../../provision/resources/login-page.js';
import { planSsoSettings, readSsoSettingsRaw } from '../../../provision/resources/sso-settings.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.disable');

export type SsoDisableResult = PlanResult;

export default class SsoDisable extends SfCommand<SsoDisableResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<SsoDisableResult> {
    const { flags } = await this.parse(SsoDisable);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { current, page } = await step(this, 'Reading the single sign-on settings and the login page', messages, async () => ({
      current: await readSsoSettingsRaw(client),
      // The login page only feeds a warning: a user who cannot read AuthConfig still gets SAML turned off.
      page: await readLoginPage(client).catch((): LoginPageState | undefined => undefined),
    }));
    const change = planSsoSettings(current, { samlEnabled: false });
    if (current.isLoginWithSalesforceCredentialsDisabled && change.action !== 'none') {
      change.note = messages.getMessage('info.credentialsDisabled');
    }
    // The login form is hidden: once SAML is off, the SAML buttons go too, and the page offers no way in.
    if (change.action !== 'none' && page && !page.loginForm) this.warn(messages.getMessage('warning.NoWayIn', [page.label]));
    return carryOut(this, client, [change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
  }
}
