/*
 * State and Country/Territory picklists: whether they are on for the org (address fields then have StateCode and
 * CountryCode companions), and the countries and states AddressSettings (Address.settings) defines.
 *
 * What the Metadata API can and cannot do with AddressSettings: it edits existing countries and states only (no
 * create, no delete, no ISO code change), and it cannot set `active` back to false once the picklists are on. The
 * org-wide switch that turns the picklists on or off exists only in Setup. With the picklists on, the text fields
 * (MailingCountry, BillingState, ...) accept only an active value's integration value; the code fields accept its
 * ISO code.
 */
import type { Messages, SfError } from '@salesforce/core';
import type { OrgClient } from '../client.js';
import type { Change, FieldChange } from '../plan.js';
import { asArray, asBool, asString } from './values.js';

export type PicklistsState = { enabled: boolean };

/** Whether the picklists are on: the User object then has a CountryCode field (kept for `provision status`). */
export const readPicklistsEnabled = async (client: OrgClient): Promise<PicklistsState> => {
  const user = await client.describe('User');
  return { enabled: user.fields.some((f) => f.name === 'CountryCode') };
};

/** The objects whose address fields show whether the picklists are on. */
export const ADDRESS_OBJECTS = ['User', 'Account', 'Contact', 'Lead'] as const;

export type AddressObjectState = {
  object: string;
  /** The StateCode/CountryCode fields the object has (none while the picklists are off). */
  codeFields: string[];
};

export type PicklistsEnablement = { enabled: boolean; objects: AddressObjectState[] };

/** Describes User, Account, Contact and Lead: the picklists are on when their address fields have code companions. */
export const readPicklistsEnablement = async (client: OrgClient): Promise<PicklistsEnablement> => {
  const objects = await Promise.all(
    ADDRESS_OBJECTS.map(async (object) => {
      const d = await client.describe(object);
      return { object, codeFields: d.fields.map((f) => f.name).filter((n) => /(StateCode|CountryCode)$/.test(n)) };
    })
  );
  return { enabled: objects.some((o) => o.codeFields.length > 0), objects };
};

/** A state or province, fields in the WSDL's order. */
export type StateEntry = {
  active: boolean;
  integrationValue: string;
  /** The subdivision code without the country prefix: "CA" for California. */
  isoCode: string;
  label: string;
  standard: boolean;
  visible: boolean;
};

/** A country or territory, fields in the WSDL's order. */
export type CountryEntry = {
  active: boolean;
  integrationValue: string;
  isoCode: string;
  label: string;
  orgDefault: boolean;
  standard: boolean;
  states: StateEntry[];
  visible: boolean;
};

const toState = (s: Record<string, unknown>): StateEntry => ({
  active: asBool(s.active),
  integrationValue: asString(s.integrationValue) ?? '',
  isoCode: asString(s.isoCode) ?? '',
  label: asString(s.label) ?? '',
  standard: asBool(s.standard),
  visible: asBool(s.visible),
});

const toCountry = (c: Record<string, unknown>): CountryEntry => ({
  active: asBool(c.active),
  integrationValue: asString(c.integrationValue) ?? '',
  isoCode: asString(c.isoCode) ?? '',
  label: asString(c.label) ?? '',
  orgDefault: asBool(c.orgDefault),
  standard: asBool(c.standard),
  states: asArray(c.states as Record<string, unknown> | Array<Record<string, unknown>> | undefined).map(toState),
  visible: asBool(c.visible),
});

/** Normalises what readMetadata returned for AddressSettings into countries with their states, in the org's order. */
export const toCountries = (settings: Record<string, unknown> | undefined): CountryEntry[] => {
  const cs = settings?.countriesAndStates as { countries?: unknown } | undefined;
  return asArray(cs?.countries as Record<string, unknown> | Array<Record<string, unknown>> | undefined).map(toCountry);
};

/** The countries and states of AddressSettings `Address`, as the org has them. */
export const readAddressSettings = async (client: OrgClient): Promise<CountryEntry[]> => {
  const [settings] = await client.readMetadata<Record<string, unknown> & { fullName?: string }>('AddressSettings', ['Address']);
  return toCountries(settings);
};

// ---------------------------------------------------------------------------------------------- selecting

/** A refusal or bad input the plan functions find; commands turn `code` into their `error.<code>` message. */
export class PicklistPlanError extends Error {
  public constructor(public readonly code: 'UnknownCountry' | 'UnknownState' | 'StateWithoutCountry' | 'OrgDefaultCountry' | 'NoCountryLeft' | 'DuplicateIntegrationValue', public readonly values: string[]) {
    super(`${code}: ${values.join(', ')}`);
    this.name = 'PicklistPlanError';
  }
}

/** The command's `error.<code>` message for a plan error (the values joined), with its actions. */
export const planErrorToSfError = (e: PicklistPlanError, messages: Messages<string>): SfError =>
  messages.createError(`error.${e.code}`, [e.values.join(', ')]);

/** Upper-cased, trimmed, de-duplicated codes. */
export const normalizeCodes = (codes: string[] | undefined): string[] => [...new Set((codes ?? []).map((c) => c.trim().toUpperCase()).filter(Boolean))];

/** The named countries, in the order given; throws UnknownCountry for codes the org does not have. */
export const selectCountries = (current: CountryEntry[], codes: string[] | undefined): CountryEntry[] => {
  const wanted = normalizeCodes(codes);
  const unknown = wanted.filter((code) => !current.some((c) => c.isoCode.toUpperCase() === code));
  if (unknown.length) throw new PicklistPlanError('UnknownCountry', unknown);
  return wanted.map((code) => current.find((c) => c.isoCode.toUpperCase() === code)!);
};

/**
 * Resolves state codes: "US-CA" names California in the United States; a bare "CA" is looked up in the countries of
 * `countries` (an error when none or several of them has it).
 */
export const selectStates = (current: CountryEntry[], codes: string[], countries: string[] | undefined): Array<{ country: CountryEntry; state: StateEntry }> => {
  const scope = selectCountries(current, countries);
  const out: Array<{ country: CountryEntry; state: StateEntry }> = [];
  for (const code of normalizeCodes(codes)) {
    const dash = code.indexOf('-');
    let matches: Array<{ country: CountryEntry; state: StateEntry }>;
    if (dash > 0) {
      const [country] = selectCountries(current, [code.slice(0, dash)]);
      const iso = code.slice(dash + 1);
      matches = country.states.filter((s) => s.isoCode.toUpperCase() === iso).map((state) => ({ country, state }));
    } else {
      if (!scope.length) throw new PicklistPlanError('StateWithoutCountry', [code]);
      matches = scope.flatMap((country) => country.states.filter((s) => s.isoCode.toUpperCase() === code).map((state) => ({ country, state })));
      if (matches.length > 1) throw new PicklistPlanError('StateWithoutCountry', [code]);
    }
    if (!matches.length) throw new PicklistPlanError('UnknownState', [code]);
    if (!out.some((o) => o.country === matches[0].country && o.state === matches[0].state)) out.push(matches[0]);
  }
  return out;
};

// ---------------------------------------------------------------------------------------------- planning

type Edits = Map<string, { country: Partial<CountryEntry>; states: Map<string, Partial<StateEntry>> }>;

const editsFor = (edits: Edits, iso: string): { country: Partial<CountryEntry>; states: Map<string, Partial<StateEntry>> } => {
  let e = edits.get(iso);
  if (!e) edits.set(iso, (e = { country: {}, states: new Map() }));
  return e;
};

const fieldPath = (country: string, state: string | undefined, field: string): string =>
  state === undefined ? `countries.${country}.${field}` : `countries.${country}.states.${state}.${field}`;

/** A complete Country element in WSDL order, as the Metadata API wants it (every field but states is required). */
const countryElement = (c: CountryEntry): Record<string, unknown> => ({
  active: c.active,
  integrationValue: c.integrationValue,
  isoCode: c.isoCode,
  label: c.label,
  orgDefault: c.orgDefault,
  standard: c.standard,
  states: c.states.map((s) => ({
    active: s.active,
    integrationValue: s.integrationValue,
    isoCode: s.isoCode,
    label: s.label,
    standard: s.standard,
    visible: s.visible,
  })),
  visible: c.visible,
});

/**
 * Turns edits into the one change to AddressSettings `Address`: a field row per changed value (countries.US.visible,
 * countries.US.states.CA.integrationValue), and metadata holding only the countries that change. Each of them is sent
 * whole, with all its states (the WSDL requires every field of a Country and State element; the platform matches
 * countries and states by ISO code and leaves the ones a deploy does not name as they are).
 */
const buildChange = (current: CountryEntry[], edits: Edits, note: string | undefined): Change => {
  const fields: FieldChange[] = [];
  const changed: CountryEntry[] = [];
  for (const c of current) {
    const e = edits.get(c.isoCode);
    if (!e) continue;
    let touched = false;
    const next: CountryEntry = { ...c, states: c.states.map((s) => ({ ...s })) };
    for (const [k, to] of Object.entries(e.country) as Array<[keyof CountryEntry, unknown]>) {
      if (c[k] === to) continue;
      fields.push({ field: fieldPath(c.isoCode, undefined, k), from: c[k], to });
      (next as Record<string, unknown>)[k] = to;
      touched = true;
    }
    next.states = next.states.map((s) => {
      const se = e.states.get(s.isoCode);
      if (!se) return s;
      const ns = { ...s };
      for (const [k, to] of Object.entries(se) as Array<[keyof StateEntry, unknown]>) {
        if (s[k] === to) continue;
        fields.push({ field: fieldPath(c.isoCode, s.isoCode, k), from: s[k], to });
        (ns as Record<string, unknown>)[k] = to;
        touched = true;
      }
      return ns;
    });
    if (touched) changed.push(next);
  }
  const action = fields.length ? 'update' : 'none';
  return {
    resource: 'AddressSettings',
    name: 'Address',
    action,
    fields,
    status: action === 'none' ? 'unchanged' : 'planned',
    metadata: { type: 'AddressSettings', fullName: 'Address', content: { fullName: 'Address', countriesAndStates: { countries: changed.map(countryElement) } } },
    ...(note ? { note } : {}),
  };
};

export type DeactivateSelection = {
  /** Countries to hide (and deactivate where allowed); with `states`, the countries bare state codes belong to. */
  countries?: string[];
  /** States as "US-CA", or bare codes ("CA") within `countries`. */
  states?: string[];
  /** Every country and territory except the org default and those in `keep`. */
  all?: boolean;
  keep?: string[];
};

/** A value the platform will not let the plan change, with the reason in words. */
export type Refusal = { value: string; field: 'active'; reason: string };

export type DeactivatePlan = { change: Change; refused: Refusal[]; hidden: string[]; deactivated: string[] };

export const REFUSED_ACTIVE =
  "The Metadata API can't set active to false once State and Country/Territory Picklists are enabled; the value is hidden from users instead (visible=false) and stays valid in the API.";

/**
 * Plans hiding (visible=false) and, while the picklists are off, deactivating (active=false) countries or states.
 * With the picklists on only visible=false is planned; each value that would stay active is reported as refused.
 * Throws PicklistPlanError when the plan would hide the org's default country or leave no country visible.
 */
export const planDeactivate = (current: CountryEntry[], selection: DeactivateSelection, picklistsEnabled: boolean): DeactivatePlan => {
  const edits: Edits = new Map();
  const refused: Refusal[] = [];
  const hidden: string[] = [];
  const deactivated: string[] = [];
  // With the picklists on, only visible can go to false; buildChange drops what already has the wanted value.
  const wanted = (): { active?: boolean; visible: boolean } => (picklistsEnabled ? { visible: false } : { active: false, visible: false });
  const record = (code: string, active: boolean, visible: boolean): void => {
    if (visible) hidden.push(code);
    if (active && picklistsEnabled) refused.push({ value: code, field: 'active', reason: REFUSED_ACTIVE });
    if (active && !picklistsEnabled) deactivated.push(code);
  };

  if (selection.states?.length) {
    for (const { country, state } of selectStates(current, selection.states, selection.countries)) {
      const code = `${country.isoCode}-${state.isoCode}`;
      editsFor(edits, country.isoCode).states.set(state.isoCode, wanted());
      record(code, state.active, state.visible);
    }
  } else {
    let targets: CountryEntry[];
    if (selection.all) {
      const keep = new Set(selectCountries(current, selection.keep).map((c) => c.isoCode));
      targets = current.filter((c) => !c.orgDefault && !keep.has(c.isoCode));
    } else {
      targets = selectCountries(current, selection.countries);
      const defaults = targets.filter((c) => c.orgDefault).map((c) => c.isoCode);
      if (defaults.length) throw new PicklistPlanError('OrgDefaultCountry', defaults);
    }
    const remaining = current.filter((c) => c.visible && !targets.includes(c));
    if (targets.length && remaining.length === 0) throw new PicklistPlanError('NoCountryLeft', targets.map((c) => c.isoCode));
    for (const c of targets) {
      editsFor(edits, c.isoCode).country = wanted();
      record(c.isoCode, c.active, c.visible);
    }
  }

  const parts: string[] = [];
  if (hidden.length) parts.push(`${hidden.length} value(s) to hide`);
  if (deactivated.length) parts.push(`${deactivated.length} to deactivate`);
  if (refused.length) parts.push(`${refused.length} that stay active: the Metadata API can't deactivate values once the picklists are enabled`);
  return { change: buildChange(current, edits, parts.length ? `${parts.join('; ')}.` : undefined), refused, hidden, deactivated };
};

export type AlignMode = 'iso';

/**
 * Plans integration values equal to the ISO codes (country "US", state "CA"), so that systems sending ISO 3166 codes
 * in the State/Country text fields (SCIM providers do) are accepted. Limited to `countries` when given (their states
 * included). Throws DuplicateIntegrationValue when a new value would equal another country's or state's value.
 */
export const planAlign = (current: CountryEntry[], mode: AlignMode, countries?: string[]): Change => {
  void mode;
  const scope = countries?.length ? selectCountries(current, countries) : current;
  const edits: Edits = new Map();
  let countryCount = 0;
  let stateCount = 0;
  for (const c of scope) {
    const e = editsFor(edits, c.isoCode);
    if (c.integrationValue !== c.isoCode) {
      e.country = { integrationValue: c.isoCode };
      countryCount++;
    }
    for (const s of c.states) {
      if (s.integrationValue === s.isoCode) continue;
      e.states.set(s.isoCode, { integrationValue: s.isoCode });
      stateCount++;
    }
  }
  // Integration values identify a country in the text fields: a country left out of the scope must not already hold
  // an ISO code the plan gives another one (the states of an aligned country all get their own unique codes).
  const inScope = new Set(scope.map((c) => c.isoCode));
  const clashes: string[] = [];
  for (const c of scope) {
    const other = current.find((o) => !inScope.has(o.isoCode) && o.integrationValue.toLowerCase() === c.isoCode.toLowerCase());
    if (other) clashes.push(`${c.isoCode} (${other.isoCode} has the integration value "${other.integrationValue}")`);
  }
  if (clashes.length) throw new PicklistPlanError('DuplicateIntegrationValue', clashes);
  const note =
    countryCount + stateCount > 0
      ? `${countryCount} country and ${stateCount} state integration value(s) become ISO codes. From now on the State/Country text fields accept the ISO codes instead of the old values.`
      : undefined;
  return buildChange(current, edits, note);
};
