import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { planSsoSettingsSpec, ssoDisableSpec } from '../../../provision/sso-settings.js';

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
    const { changes, warnings } = await planSsoSettingsSpec(client, ssoDisableSpec(), this);
    for (const w of warnings) this.warn(w);
    return carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
  }
}
