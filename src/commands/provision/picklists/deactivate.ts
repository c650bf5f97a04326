import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import {
  PicklistPlanError,
  planDeactivate,
  planErrorToSfError,
  readAddressSettings,
  readPicklistsEnablement,
  type DeactivatePlan,
  type Refusal,
} from '../../../provision/resources/picklists.js';

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

/** At most this many codes are listed in a warning; the rest are counted. */
const LISTED = 10;
const list = (codes: string[]): string => (codes.length > LISTED ? `${codes.slice(0, LISTED).join(', ')} and ${codes.length - LISTED} more` : codes.join(', '));

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
    if (!flags.all && !flags.countries?.length && !flags.states?.length) throw messages.createError('error.NothingSelected');
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const [enablement, current] = await step(this, 'Reading the State and Country/Territory picklists', messages, () =>
      Promise.all([readPicklistsEnablement(client), readAddressSettings(client)])
    );
    let plan: DeactivatePlan;
    try {
      plan = planDeactivate(current, { countries: flags.countries, states: flags.states, all: flags.all, keep: flags.keep }, enablement.enabled);
    } catch (e) {
      if (e instanceof PicklistPlanError) throw planErrorToSfError(e, messages);
      throw e;
    }
    const result = await carryOut(this, client, [plan.change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });

    const setupSteps: string[] = [];
    if (plan.refused.length) {
      this.warn(messages.getMessage('warning.refused', [String(plan.refused.length), list(plan.refused.map((r) => r.value))]));
      setupSteps.push(messages.getMessage('info.refusedSetup'));
    }
    setupSteps.push(messages.getMessage(enablement.enabled ? 'info.switchDisable' : 'info.switchEnable'));
    for (const s of setupSteps) this.log(s);
    return {
      ...result,
      picklistsEnabled: enablement.enabled,
      hidden: plan.hidden,
      deactivated: plan.deactivated,
      refused: plan.refused,
      setupSteps,
    };
  }
}
