import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { planSsoSettingsSpec, ssoEnableSpec } from '../../../provision/sso-settings.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.enable');

export type SsoEnableResult = PlanResult;

export default class SsoEnable extends SfCommand<SsoEnableResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'federation-id-case-insensitive': Flags.boolean({
      summary: messages.getMessage('flags.federation-id-case-insensitive.summary'),
      allowNo: true,
    }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<SsoEnableResult> {
    const { flags } = await this.parse(SsoEnable);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { changes } = await planSsoSettingsSpec(client, ssoEnableSpec(flags), this);
    return carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
  }
}
