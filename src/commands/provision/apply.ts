import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../provision/client.js';
import { dryRunFlag, outputDirFlag } from '../../provision/command.js';
import { STAGES, type DesiredStateResult } from '../../provision/desired-state/run.js';
import { runAndShow } from '../../formatters/desired-state.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.apply');

export type ProvisionApplyResult = DesiredStateResult;

export default class ProvisionApply extends SfCommand<ProvisionApplyResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    file: Flags.file({ summary: messages.getMessage('flags.file.summary'), char: 'f', required: true, exists: true }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<ProvisionApplyResult> {
    const { flags } = await this.parse(ProvisionApply);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const outputDir = flags['output-dir'];
    const last = outputDir ? STAGES.files : STAGES.apply;
    return runAndShow(this, client, { file: flags.file, mode: 'apply', dryRun: flags['dry-run'], outputDir }, {
      stages: flags['dry-run'] ? [STAGES.read, STAGES.plan] : [STAGES.read, STAGES.plan, last],
      title: messages.getMessage('info.title', [flags.file]),
    });
  }
}
