import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { idpEnableSpec, planIdentityProviderSpec } from '../../../provision/identity-provider.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.idp.enable');

export type IdpEnableResult = PlanResult & {
  certificate: { name: string; label: string; expirationDate?: string };
};

export default class IdpEnable extends SfCommand<IdpEnableResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    cert: Flags.string({ summary: messages.getMessage('flags.cert.summary'), required: true }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<IdpEnableResult> {
    const { flags } = await this.parse(IdpEnable);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { changes, certificate, warnings } = await planIdentityProviderSpec(client, idpEnableSpec(flags), this);
    for (const w of warnings) this.warn(w);

    const result = await carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    if (result.changed && !result.dryRun) this.log(messages.getMessage('info.next'));
    return { ...result, certificate: certificate! };
  }
}
