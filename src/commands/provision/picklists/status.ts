import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import {
  PicklistPlanError,
  planErrorToSfError,
  readAddressSettings,
  readPicklistsEnablement,
  selectCountries,
  type AddressObjectState,
  type CountryEntry,
} from '../../../provision/resources/picklists.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.picklists.status');

export type PicklistValueStatus = {
  isoCode: string;
  label: string;
  integrationValue: string;
  active: boolean;
  visible: boolean;
  standard: boolean;
};

export type PicklistCountryStatus = PicklistValueStatus & { orgDefault: boolean; states: PicklistValueStatus[] };

export type PicklistsStatusResult = {
  /** True when the address fields have StateCode/CountryCode companions (the picklists are on). */
  enabled: boolean;
  /** The address objects described, with the code fields each has. */
  objects: AddressObjectState[];
  /** The countries shown (all, or those --countries names), with their states. */
  countries: PicklistCountryStatus[];
  /** True when every shown country's and state's integration value is its ISO code. */
  integrationValuesAreIso: boolean;
  /** How many shown values (countries and states) have an integration value other than their ISO code. */
  nonIsoValues: number;
};

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

const toStatus = (c: CountryEntry): PicklistCountryStatus => ({
  isoCode: c.isoCode,
  label: c.label,
  integrationValue: c.integrationValue,
  active: c.active,
  visible: c.visible,
  standard: c.standard,
  orgDefault: c.orgDefault,
  states: c.states.map((s) => ({ isoCode: s.isoCode, label: s.label, integrationValue: s.integrationValue, active: s.active, visible: s.visible, standard: s.standard })),
});

export default class PicklistsStatus extends SfCommand<PicklistsStatusResult> {
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
  };

  public async run(): Promise<PicklistsStatusResult> {
    const { flags } = await this.parse(PicklistsStatus);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const [enablement, all] = await step(this, 'Reading the State and Country/Territory picklists', messages, () =>
      Promise.all([readPicklistsEnablement(client), readAddressSettings(client)])
    );
    let shown: CountryEntry[];
    try {
      shown = flags.countries?.length ? selectCountries(all, flags.countries) : all;
    } catch (e) {
      if (e instanceof PicklistPlanError) throw planErrorToSfError(e, messages);
      throw e;
    }
    const values = shown.flatMap((c) => [c, ...c.states]);
    const nonIsoValues = values.filter((v) => v.integrationValue !== v.isoCode).length;
    const result: PicklistsStatusResult = {
      enabled: enablement.enabled,
      objects: enablement.objects,
      countries: shown.map(toStatus),
      integrationValuesAreIso: nonIsoValues === 0,
      nonIsoValues,
    };
    this.render(result, Boolean(flags.countries?.length), values.length);
    return result;
  }

  private render(r: PicklistsStatusResult, withStates: boolean, valueCount: number): void {
    this.log(messages.getMessage(r.enabled ? 'info.enabled' : 'info.disabled'));
    this.log(r.integrationValuesAreIso ? messages.getMessage('info.aligned') : messages.getMessage('info.notAligned', [String(r.nonIsoValues), String(valueCount)]));
    this.log('');
    this.table({
      title: messages.getMessage('info.countries'),
      data: r.countries.map((c) => ({
        code: c.isoCode,
        label: c.label,
        'integration value': c.integrationValue,
        active: yesNo(c.active),
        visible: yesNo(c.visible),
        default: c.orgDefault ? 'yes' : '',
        states: c.states.length,
      })),
      columns: ['code', 'label', 'integration value', 'active', 'visible', 'default', 'states'],
    });
    if (!withStates) {
      if (r.countries.some((c) => c.states.length)) this.log(messages.getMessage('info.statesHint'));
      return;
    }
    for (const c of r.countries.filter((x) => x.states.length)) {
      this.table({
        title: messages.getMessage('info.states', [`${c.label} (${c.isoCode})`]),
        data: c.states.map((s) => ({
          code: `${c.isoCode}-${s.isoCode}`,
          label: s.label,
          'integration value': s.integrationValue,
          active: yesNo(s.active),
          visible: yesNo(s.visible),
        })),
        columns: ['code', 'label', 'integration value', 'active', 'visible'],
      });
    }
  }
}
