import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { picklistsAlignSpec, planPicklistsAlignSpec } from '../../../provision/picklists.js';
import type { AlignMode } from '../../../provision/resources/picklists.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.picklists.align');

export type PicklistsAlignResult = PlanResult & {
  integrationValues: AlignMode;
  /** Countries and states whose integration value changes (or would, with --dry-run and --output-dir). */
  countriesChanged: number;
  statesChanged: number;
};

export default class PicklistsAlign extends SfCommand<PicklistsAlignResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'integration-values': Flags.option({
      summary: messages.getMessage('flags.integration-values.summary'),
      options: ['iso'] as const,
      required: true,
    })(),
    countries: Flags.string({
      summary: messages.getMessage('flags.countries.summary'),
      multiple: true,
      delimiter: ',',
    }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<PicklistsAlignResult> {
    const { flags } = await this.parse(PicklistsAlign);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const spec = picklistsAlignSpec(flags);
    const { changes, countriesChanged, statesChanged } = await planPicklistsAlignSpec(client, spec, this);
    const result = await carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    if (result.changed) this.warn(messages.getMessage('warning.dependents'));
    return { ...result, integrationValues: spec.integrationValues, countriesChanged, statesChanged };
  }
}
