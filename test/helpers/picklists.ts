/* Country and state entries of the State/Country picklists (AddressSettings), active and visible unless told. */
import type { CountryEntry, StateEntry } from '../../src/provision/resources/picklists.js';

export const state = (isoCode: string, label: string, o: Partial<StateEntry> = {}): StateEntry => ({
  active: true,
  integrationValue: label,
  isoCode,
  label,
  standard: true,
  visible: true,
  ...o,
});

export const country = (isoCode: string, label: string, o: Partial<CountryEntry> = {}): CountryEntry => ({
  active: true,
  integrationValue: label,
  isoCode,
  label,
  orgDefault: false,
  standard: true,
  states: [],
  visible: true,
  ...o,
});
