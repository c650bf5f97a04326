import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
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
    const current = await step(this, 'Reading the single sign-on settings', messages, () => readSsoSettingsRaw(client));
    const change = planSsoSettings(current, { samlEnabled: false });
    if (current.isLoginWithSalesforceCredentialsDisabled && change.action !== 'none') {
      change.note = messages.getMessage('info.credentialsDisabled');
    }
    return carryOut(this, client, [change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
  }
}
