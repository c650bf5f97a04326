/*
 * `picklists status`, `align` and `deactivate` without the command: specs naming countries and states by ISO code, as
 * the desired-state file names them. Status: what the org has for the countries named, and the tables that show it.
 * Align: integration values equal to the ISO codes. Deactivate: values hidden (and deactivated while the picklists
 * are off), with what only Setup can do.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { progressOf } from './progress.js';
import {
  PicklistPlanError,
  planAlign,
  planDeactivate,
  planErrorToSfError,
  readAddressSettings,
  readPicklistsEnablement,
  selectCountries,
  type AddressObjectState,
  type AlignMode,
  type CountryEntry,
  type DeactivatePlan,
  type Refusal,
} from './resources/picklists.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.picklists.status');
const alignMessages = Messages.loadMessages('plugin-provision', 'provision.picklists.align');
const deactivateMessages = Messages.loadMessages('plugin-provision', 'provision.picklists.deactivate');

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

/** The plan of a picklist resource function, a PicklistPlanError turned into an SfError with the command's fix. */
const planning = <T>(msgs: Messages<string>, plan: () => T): T => {
  try {
    return plan();
  } catch (e) {
    if (e instanceof PicklistPlanError) throw planErrorToSfError(e, msgs);
    throw e;
  }
};

// ---------------------------------------------------------------------------------------------- align

/** Integration values of countries and states equal to their ISO codes: every country, or those named (ISO codes) with their states. */
export type PicklistsAlignSpec = { integrationValues: AlignMode; countries?: string[] };

export type PicklistsAlignPlan = {
  changes: Change[];
  /** Countries and states whose integration value the plan changes. */
  countriesChanged: number;
  statesChanged: number;
};

/** The spec `picklists align`'s flags describe (an empty --countries means every country). */
export const picklistsAlignSpec = (flags: { 'integration-values': AlignMode; countries?: string[] }): PicklistsAlignSpec => ({
  integrationValues: flags['integration-values'],
  ...(flags.countries?.length ? { countries: [...flags.countries] } : {}),
});

/** Reads the org's countries and states and plans their integration values. Errors are SfErrors with their fix. */
export const planPicklistsAlignSpec = async (client: OrgClient, spec: PicklistsAlignSpec, cmd?: SfCommand<unknown>): Promise<PicklistsAlignPlan> => {
  const current = await progressOf(cmd, alignMessages).step('Reading the State and Country/Territory picklists', () => readAddressSettings(client));
  const change = planning(alignMessages, () => planAlign(current, spec.integrationValues, spec.countries));
  return {
    changes: [change],
    countriesChanged: change.fields.filter((f) => !f.field.includes('.states.')).length,
    statesChanged: change.fields.filter((f) => f.field.includes('.states.')).length,
  };
};

// ---------------------------------------------------------------------------------------------- deactivate

/**
 * Countries and states hidden from users (and deactivated while the picklists are off): those named by ISO code
 * (states as "US-CA", or bare codes within `countries`), or every country but the org default and `keep`.
 */
export type PicklistsDeactivateSpec = { countries?: string[]; states?: string[]; all?: boolean; keep?: string[] };

export type PicklistsDeactivatePlan = {
  changes: Change[];
  /** Whether the picklists are on for the org (then values can only be hidden, not deactivated). */
  picklistsEnabled: boolean;
  hidden: string[];
  deactivated: string[];
  /** Values the platform will not deactivate, with the reason. */
  refused: Refusal[];
  /** The Setup steps for what only Setup can do (deactivating refused values, the org-wide switch). */
  setupSteps: string[];
  /** About the refused values. */
  warnings: string[];
};

/** The spec `picklists deactivate`'s flags describe. */
export const picklistsDeactivateSpec = (flags: { countries?: string[]; states?: string[]; all?: boolean; keep?: string[] }): PicklistsDeactivateSpec => ({
  ...(flags.countries?.length ? { countries: [...flags.countries] } : {}),
  ...(flags.states?.length ? { states: [...flags.states] } : {}),
  ...(flags.all ? { all: true } : {}),
  ...(flags.keep?.length ? { keep: [...flags.keep] } : {}),
});

/** At most this many codes are listed in a warning; the rest are counted. */
const LISTED = 10;
const list = (codes: string[]): string => (codes.length > LISTED ? `${codes.slice(0, LISTED).join(', ')} and ${codes.length - LISTED} more` : codes.join(', '));

/**
 * Checks that the spec selects something, reads whether the picklists are on and the org's countries, and plans
 * hiding (and deactivating) what it selects. Errors are SfErrors with their fix; warnings are returned, not shown.
 */
export const planPicklistsDeactivateSpec = async (
  client: OrgClient,
  spec: PicklistsDeactivateSpec,
  cmd?: SfCommand<unknown>
): Promise<PicklistsDeactivatePlan> => {
  if (!spec.all && !spec.countries?.length && !spec.states?.length) throw deactivateMessages.createError('error.NothingSelected');
  const [enablement, current] = await progressOf(cmd, deactivateMessages).step('Reading the State and Country/Territory picklists', () =>
    Promise.all([readPicklistsEnablement(client), readAddressSettings(client)])
  );
  const plan: DeactivatePlan = planning(deactivateMessages, () =>
    planDeactivate(current, { countries: spec.countries, states: spec.states, all: spec.all, keep: spec.keep }, enablement.enabled)
  );
  const warnings: string[] = [];
  const setupSteps: string[] = [];
  if (plan.refused.length) {
    warnings.push(deactivateMessages.getMessage('warning.refused', [String(plan.refused.length), list(plan.refused.map((r) => r.value))]));
    setupSteps.push(deactivateMessages.getMessage('info.refusedSetup'));
  }
  setupSteps.push(deactivateMessages.getMessage(enablement.enabled ? 'info.switchDisable' : 'info.switchEnable'));
  return {
    changes: [plan.change],
    picklistsEnabled: enablement.enabled,
    hidden: plan.hidden,
    deactivated: plan.deactivated,
    refused: plan.refused,
    setupSteps,
    warnings,
  };
};
