/*
 * `picklists status` without the command: a spec naming the countries to show (ISO codes, as the desired-state file
 * names them), what the org has for them, and the tables that show it.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import { progressOf } from './progress.js';
import {
  PicklistPlanError,
  planErrorToSfError,
  readAddressSettings,
  readPicklistsEnablement,
  selectCountries,
  type AddressObjectState,
  type CountryEntry,
} from './resources/picklists.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.picklists.status');

/** What `picklists status` shows: every country, or only the countries named (ISO codes, any case) with their states. */
export type PicklistsStatusSpec = { countries?: string[] };

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

/** The spec the flags describe: --countries (an empty list means every country). */
export const picklistsStatusSpec = (flags: { countries?: string[] }): PicklistsStatusSpec =>
  flags.countries?.length ? { countries: [...flags.countries] } : {};

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

/** The status of the countries the spec names (all without a list): pure, from what the org has. */
export const picklistsStatusOf = (enablement: { enabled: boolean; objects: AddressObjectState[] }, all: CountryEntry[], spec: PicklistsStatusSpec): PicklistsStatusResult => {
  let shown: CountryEntry[];
  try {
    shown = spec.countries?.length ? selectCountries(all, spec.countries) : all;
  } catch (e) {
    if (e instanceof PicklistPlanError) throw planErrorToSfError(e, messages);
    throw e;
  }
  const nonIsoValues = shown.flatMap((c) => [c, ...c.states]).filter((v) => v.integrationValue !== v.isoCode).length;
  return {
    enabled: enablement.enabled,
    objects: enablement.objects,
    countries: shown.map(toStatus),
    integrationValuesAreIso: nonIsoValues === 0,
    nonIsoValues,
  };
};

/** Reads whether the picklists are on and the org's countries, and reports on those the spec names. */
export const readPicklistsStatus = async (client: OrgClient, spec: PicklistsStatusSpec, cmd?: SfCommand<unknown>): Promise<PicklistsStatusResult> => {
  const [enablement, all] = await progressOf(cmd, messages).step('Reading the State and Country/Territory picklists', () =>
    Promise.all([readPicklistsEnablement(client), readAddressSettings(client)])
  );
  return picklistsStatusOf(enablement, all, spec);
};

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** Whether the picklists are on, whether integration values are ISO codes, the countries table; states when named. */
export const renderPicklistsStatus = (cmd: SfCommand<unknown>, r: PicklistsStatusResult, spec: PicklistsStatusSpec): void => {
  const valueCount = r.countries.reduce((n, c) => n + 1 + c.states.length, 0);
  cmd.log(messages.getMessage(r.enabled ? 'info.enabled' : 'info.disabled'));
  cmd.log(r.integrationValuesAreIso ? messages.getMessage('info.aligned') : messages.getMessage('info.notAligned', [String(r.nonIsoValues), String(valueCount)]));
  cmd.log('');
  cmd.table({
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
  if (!spec.countries?.length) {
    if (r.countries.some((c) => c.states.length)) cmd.log(messages.getMessage('info.statesHint'));
    return;
  }
  for (const c of r.countries.filter((x) => x.states.length)) {
    cmd.table({
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
};
