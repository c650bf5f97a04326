import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { picklistsDeactivateSpec, planPicklistsDeactivateSpec } from '../../../provision/picklists.js';
import type { Refusal } from '../../../provision/resources/picklists.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.picklists.deactivate');

export type PicklistsDeactivateResult = PlanResult & {
  /** Whether the picklists are on for the org (then values can only be hidden, not deactivated). */
  picklistsEnabled: boolean;
  /** Values planned to be hidden (visible=false): "AQ", "US-CA". */
  hidden: string[];
  /** Values planned to be deactivated (active=false); only while the picklists are off. */
  deactivated: string[];
  /** Values the platform will not deactivate, with the reason. */
  refused: Refusal[];
  /** The Setup steps for what only Setup can do (deactivating refused values, the org-wide switch). */
  setupSteps: string[];
};

export default class PicklistsDeactivate extends SfCommand<PicklistsDeactivateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    countries: Flags.string({
      summary: messages.getMessage('flags.countries.summary'),
      multiple: true,
      delimiter: ',',
    }),
    states: Flags.string({
      summary: messages.getMessage('flags.states.summary'),
      multiple: true,
      delimiter: ',',
    }),
    all: Flags.boolean({
      summary: messages.getMessage('flags.all.summary'),
      // No default: a default value would count as given, and --keep's dependsOn would always hold.
      exclusive: ['countries', 'states'],
    }),
    // --all has no default, so it is undefined unless given and dependsOn holds only with --all (tested).
    // eslint-disable-next-line sf-plugin/no-depends-on-boolean-flag
    keep: Flags.string({
      summary: messages.getMessage('flags.keep.summary'),
      multiple: true,
      delimiter: ',',
      dependsOn: ['all'],
    }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<PicklistsDeactivateResult> {
    const { flags } = await this.parse(PicklistsDeactivate);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { changes, warnings, ...plan } = await planPicklistsDeactivateSpec(client, picklistsDeactivateSpec(flags), this);
    const result = await carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    for (const w of warnings) this.warn(w);
    for (const s of plan.setupSteps) this.log(s);
    return { ...result, ...plan };
  }
}
