import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { jitDisableSpec, planJitSpec } from '../../../provision/jit.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.jit.disable');

export type JitDisableResult = PlanResult;

export default class JitDisable extends SfCommand<JitDisableResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary'), required: true }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<JitDisableResult> {
    const { flags } = await this.parse(JitDisable);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { changes } = await planJitSpec(client, jitDisableSpec(flags), this);
    return carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
  }
}
