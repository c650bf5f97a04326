import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../provision/client.js';
import { STAGES, type DesiredStateResult } from '../../provision/desired-state/run.js';
import { runAndShow } from '../../formatters/desired-state.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.plan');

export type ProvisionPlanResult = DesiredStateResult;

export default class ProvisionPlan extends SfCommand<ProvisionPlanResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    file: Flags.file({ summary: messages.getMessage('flags.file.summary'), char: 'f', required: true, exists: true }),
    'detailed-exitcode': Flags.boolean({ summary: messages.getMessage('flags.detailed-exitcode.summary'), default: false }),
  };

  /** --detailed-exitcode gives 2 the meaning "changes planned": a usage error (oclif's exit 2) exits 1 like any error. */
  public async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<never> {
    const usage = error.exitCode === 2 || error.oclif?.exit === 2;
    return super.catch(usage ? Object.assign(error, { exitCode: 1, oclif: { ...error.oclif, exit: 1 } }) : error);
  }

  public async run(): Promise<ProvisionPlanResult> {
    const { flags } = await this.parse(ProvisionPlan);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    return runAndShow(this, client, { file: flags.file, mode: 'plan' }, {
      stages: [STAGES.read, STAGES.plan],
      title: messages.getMessage('info.title', [flags.file]),
      detailedExitCode: flags['detailed-exitcode'],
    });
  }
}
