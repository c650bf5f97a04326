import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { idpDisableSpec, planIdentityProviderSpec } from '../../../provision/identity-provider.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.idp.disable');

export type IdpDisableResult = PlanResult;

export default class IdpDisable extends SfCommand<IdpDisableResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<IdpDisableResult> {
    const { flags } = await this.parse(IdpDisable);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { changes } = await planIdentityProviderSpec(client, idpDisableSpec(), this);
    const result = await carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    if (result.changed && !result.dryRun && !result.outputDir) this.log(messages.getMessage('info.disabled'));
    return result;
  }
}
